package keygentest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The control path POST /_keygentest/advance (control.go).

// TestControlAdvance pins the answers of the control path POST /_keygentest/advance, the
// keygentest extension that moves the server clock.
func TestControlAdvance(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	tt.createUser("u@example.com")
	userTok := tt.do(req{method: "POST", path: "/tokens", auth: basic("u@example.com", "password")}).attrs()["token"].(string)
	before := tt.srv.Now()
	cases := []struct {
		name, path, auth string
		status           int
	}{
		{"no token is 401", "/_keygentest/advance?by=1h", "-", 401},
		{"unknown token is 401", "/_keygentest/advance?by=1h", "Bearer admin-nope", 401},
		{"non-admin token is 403", "/_keygentest/advance?by=1h", "Bearer " + userTok, 403},
		{"bad duration is 400", "/_keygentest/advance?by=two-days", "", 400},
		{"missing duration is 400", "/_keygentest/advance", "", 400},
		{"other path is 404", "/_keygentest/rewind?by=1h", "", 404},
		{"advance answers 204", "/_keygentest/advance?by=48h", "", 204},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tt.do(req{method: "POST", path: tc.path, auth: tc.auth})
			assert.Equal(t, tc.status, r.status, string(r.body))
		})
	}
	assert.WithinDuration(t, before.Add(48*time.Hour), tt.srv.Now(), time.Minute)
}

// TestControlAdvanceAuth: the control path needs the admin token and moves the clock.
func TestControlAdvanceAuth(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	before := tt.srv.Now()
	r := tt.do(req{method: "POST", path: "/_keygentest/advance?by=48h", auth: "-"})
	assert.Equal(t, 401, r.status)
	r = tt.do(req{method: "POST", path: "/_keygentest/advance?by=nope"})
	assert.Equal(t, 400, r.status)
	r = tt.do(req{method: "POST", path: "/_keygentest/advance?by=48h"})
	assert.Equal(t, 204, r.status)
	assert.WithinDuration(t, before.Add(48*3600e9), tt.srv.Now(), 5e9)
}
