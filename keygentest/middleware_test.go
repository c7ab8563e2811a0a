package keygentest

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRequestChecks pins the checks every request goes through before an action runs.
func TestRequestChecks(t *testing.T) {
	tt := newWorld(t)
	cases := []struct {
		name      string
		r         req
		status    int
		code      string
		detail    string
		rackLevel bool // no meta.id, unsigned (§1.6)
	}{
		{"§1.2 unsupported Accept", req{method: "GET", path: "/products", headers: map[string]string{"Accept": "text/plain, text/html"}},
			400, "MIME_TYPE_INVALID", "The mime type of the request is not acceptable (check content-type and accept headers)", true},
		{"§1.2 unroutable path", req{method: "GET", path: "/nope"}, 404, "NOT_FOUND",
			"The requested endpoint was not found (check your HTTP method, Accept header, and URL path)", true},
		{"§1.2 unroutable method", req{method: "PATCH", path: "/products"}, 404, "NOT_FOUND", "", true},
		{"§1.2 invalid JSON", req{method: "POST", path: "/products", raw: `{"data":`}, 400, "JSON_INVALID",
			"The request could not be completed because it contains invalid JSON (check formatting/encoding)", true},
		{"§1.1 unknown account", req{method: "GET", path: "/v1/accounts/nope/products"}, 404, "NOT_FOUND",
			"The requested account 'nope' was not found", false},
		{"§1.12 unsupported version", req{method: "GET", path: "/products", headers: map[string]string{"Keygen-Version": "2.0"}},
			400, "INVALID_API_VERSION", "unsupported API version requested", false},
		{"§1.12 version 1.9 unsupported", req{method: "GET", path: "/products", headers: map[string]string{"Keygen-Version": "1.9"}},
			400, "INVALID_API_VERSION", "", false},
		{"§1.11 unsupported signature algorithm", req{method: "GET", path: "/products", headers: map[string]string{"Keygen-Accept-Signature": `algorithm="rsa-sha512"`}},
			400, "", "invalid accept-signature header (unsupported algorithm)", false},
		{"§1.11 wrong keyid", req{method: "GET", path: "/products", headers: map[string]string{"Keygen-Accept-Signature": `keyid="x", algorithm="ed25519"`}},
			400, "", "invalid accept-signature header (keyid not found)", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := tt.do(c.r)
			require.Equal(t, c.status, r.status, string(r.body))
			assert.Equal(t, c.code, r.code())
			if c.detail != "" {
				assert.Equal(t, c.detail, r.detail())
			}
			assert.Equal(t, titles[c.status], r.err(0)["title"])
			assert.Equal(t, "application/vnd.api+json; charset=utf-8", r.header.Get("Content-Type"))
			_, hasMeta := r.doc["meta"]
			assert.Equal(t, !c.rackLevel, hasMeta, "meta presence")
			if c.rackLevel {
				assert.Empty(t, r.header.Get("Keygen-Signature"))
			}
		})
	}
}

// TestAcceptedMediaTypes: §1.2 absent, */*, JSON and JSON:API Accept values pass.
func TestAcceptedMediaTypes(t *testing.T) {
	tt := newWorld(t)
	for _, accept := range []string{"", "*/*", "application/json", "application/vnd.api+json", "text/html, application/json"} {
		r := tt.do(req{method: "GET", path: "/products", headers: map[string]string{"Accept": accept}})
		assert.Equal(t, 200, r.status, "Accept %q", accept)
	}
}

// TestDefaultHeaders pins §1.13 response headers and the request id shared with meta.id.
func TestDefaultHeaders(t *testing.T) {
	tt := newWorld(t)
	r := tt.do(req{method: "GET", path: "/products", headers: map[string]string{"Keygen-Version": "v1.5"}})
	require.Equal(t, 200, r.status)
	h := r.header
	assert.Equal(t, tt.srv.AccountID, h.Get("Keygen-Account"))
	assert.NotEmpty(t, h.Get("Keygen-Bearer"))
	assert.NotEmpty(t, h.Get("Keygen-Token"))
	assert.Equal(t, "CE", h.Get("Keygen-Edition"))
	assert.Equal(t, "multiplayer", h.Get("Keygen-Mode"))
	assert.Equal(t, "1.5", h.Get("Keygen-Version"), "leading v stripped and echoed (§1.12)")
	assert.Equal(t, "no-transform, no-store, max-age=0", h.Get("Cache-Control"))
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f-]{36}$`), h.Get("X-Request-Id"))

	e := tt.do(req{method: "GET", path: "/products/nope"})
	require.Equal(t, 404, e.status)
	meta := e.doc["meta"].(map[string]any)
	assert.Equal(t, e.header.Get("X-Request-Id"), meta["id"], "§1.6 meta.id is the request id")
}

// TestAccountBySlug: §1.1 the account resolves by slug too, and links use its UUID.
func TestAccountBySlug(t *testing.T) {
	tt := newWorld(t, WithAccountSlug("acme"))
	id := tt.product()
	r := tt.get("/v1/accounts/acme/products/" + id)
	require.Equal(t, 200, r.status)
	assert.Equal(t, "/v1/accounts/"+tt.srv.AccountID+"/products/"+id, r.data()["links"].(map[string]any)["self"])
}

// TestAdvanceControl: the control path needs the admin token and moves the clock.
func TestAdvanceControl(t *testing.T) {
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

// §1.2: a Content-Type that is no type/subtype pair is refused by Rack before routing, unsigned.
func TestMalformedContentTypeIsMimeTypeInvalid(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/v1/accounts/"+srv.AccountID+"/licenses/actions/validate-key", strings.NewReader(`{"meta":{"key":"X"}}`))
	req.Header.Set("Content-Type", "vnd.api+xml")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 400 || !strings.Contains(string(body), `"code":"MIME_TYPE_INVALID"`) {
		t.Fatalf("got %d %s", res.StatusCode, body)
	}
	if res.Header.Get("Keygen-Signature") != "" {
		t.Error("a rack-level error must not be signed")
	}
}
