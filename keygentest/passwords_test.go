package keygentest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Forgot password (features/api/v1/passwords/reset.feature).

func TestPasswordsReset(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t).addLicensees()
	tt := w
	reset := "passwords/reset.feature: "
	forgot := func(email string) req {
		return req{method: "POST", path: "/passwords", auth: "-", body: map[string]any{"meta": map[string]any{"email": email, "deliver": false}}}
	}
	tt.run(t, []apiCase{
		{name: reset + "User resets their password (has password)", r: forgot("user@example.com"), status: 204},
		{name: reset + "User resets their password with case insensitivity", r: forgot("USER@example.com"), status: 204},
		{name: reset + "User resets their password using a bad email", r: forgot("bad@example.com"), status: 204},
		{name: reset + "User resets their password without an email", r: req{method: "POST", path: "/passwords", auth: "-", body: map[string]any{"meta": map[string]any{}}}, status: 400},
	})
}

func TestPasswordsWire(t *testing.T) {
	t.Parallel()
	tt := newResourceWorld(t)
	tt.run(t, []apiCase{
		{name: "forgot password: 204 even for unknown", r: req{method: "POST", path: "/passwords", auth: "-",
			body: map[string]any{"meta": map[string]any{"email": "nobody@example.com", "deliver": false}}}, status: 204,
			check: func(t *testing.T, _ *world, r *reply) { assert.Empty(t, r.body) }},
		{name: "email missing: 400", r: req{method: "POST", path: "/passwords", auth: "-", body: map[string]any{"meta": map[string]any{}}}, status: 400,
			detail: "is missing", source: map[string]any{"pointer": "/meta/email"}},
	})
}
