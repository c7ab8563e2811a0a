package keygentest

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The dispatch pipeline every request goes through (call.go): media types, parsing, routing,
// account resolution, versions, headers and the conventions every route shares
// (lib/keygen/middleware.rb, app/controllers/application_controller.rb).

// TestDispatchConventions pins the conventions every route shares: authentication, routing
// and account resolution, media types and parsing, typed params, versioning and headers
// (lib/keygen/middleware.rb, app/controllers/application_controller.rb,
// config/initializers/request_migrations.rb).
func TestDispatchConventions(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	acct := tt.srv.AccountID
	other := newWorld(t)
	prod := tt.product()
	const docs = "https://keygen.sh/docs/api/authentication/"
	cases := []apiCase{
		// authentication schemes and codes
		{name: "no credentials: TOKEN_MISSING + challenge", r: req{method: "GET", path: "/products", auth: "-"}, status: 401,
			title: "Unauthorized", code: "TOKEN_MISSING", detail: "You must be authenticated to complete the request", about: docs,
			headers: map[string]string{"WWW-Authenticate": `Bearer realm="keygen"`}},
		{name: "unknown token: TOKEN_INVALID", r: req{method: "GET", path: "/products", auth: "Bearer admin-nope"}, status: 401,
			code: "TOKEN_INVALID", detail: "You must be authenticated to complete the request", about: docs + "#token-authentication",
			headers: map[string]string{"WWW-Authenticate": `Bearer realm="keygen"`}},
		{name: "UUID as token: TOKEN_FORMAT_INVALID", r: req{method: "GET", path: "/products", auth: "Bearer " + prod}, status: 401,
			code: "TOKEN_FORMAT_INVALID", detail: "Token format is invalid (make sure that you're providing a token value, not a token's UUID identifier)"},
		{name: "Token scheme alias", r: req{method: "GET", path: "/products", auth: "Token " + tt.srv.AdminToken}, status: 200},
		{name: "scheme is case-insensitive", r: req{method: "GET", path: "/products", auth: "bearer " + tt.srv.AdminToken}, status: 200},
		{name: "Basic token:<t>", r: req{method: "GET", path: "/products", auth: basic("token", tt.srv.AdminToken)}, status: 200},
		{name: "Basic legacy <t>:", r: req{method: "GET", path: "/products", auth: basic(tt.srv.AdminToken, "")}, status: 200},
		{name: "?token=", r: req{method: "GET", path: "/products?token=" + url.QueryEscape(tt.srv.AdminToken), auth: "-"}, status: 200},
		{name: "?auth=token:", r: req{method: "GET", path: "/products?auth=token:" + url.QueryEscape(tt.srv.AdminToken), auth: "-"}, status: 200},
		{name: "Basic with empty credentials: TOKEN_INVALID, Basic challenge", r: req{method: "GET", path: "/products", auth: basic("", "")}, status: 401,
			code: "TOKEN_INVALID", headers: map[string]string{"WWW-Authenticate": `Basic realm="keygen"`}},
		{name: "License scheme with unknown key: LICENSE_INVALID", r: req{method: "GET", path: "/products", auth: "License NOPE-NOPE"}, status: 401,
			code: "LICENSE_INVALID", about: docs + "#license-authentication", headers: map[string]string{"WWW-Authenticate": `License realm="keygen"`}},
		{name: "unknown scheme is no credentials", r: req{method: "GET", path: "/products", auth: "Digest abc"}, status: 401, code: "TOKEN_MISSING"},
		{name: "another account's token: 401 TOKEN_INVALID", r: req{method: "GET", path: "/products", auth: "Bearer " + other.srv.AdminToken}, status: 401, code: "TOKEN_INVALID"},
		{name: "bad credentials are refused even where auth is optional", r: req{method: "POST", path: "/users", auth: "Bearer admin-nope",
			body: doc("users", map[string]any{"email": "x@example.com"}, nil)}, status: 401, code: "TOKEN_INVALID"},
		{name: "forgot-password never authenticates", r: req{method: "POST", path: "/passwords", auth: "Bearer admin-nope",
			body: map[string]any{"meta": map[string]any{"email": "x@example.com"}}}, status: 204},

		// routing and account resolution
		{name: "unknown account", r: req{method: "GET", path: "/v1/accounts/nope/products"}, status: 404, title: "Not found", code: "NOT_FOUND",
			detail: "The requested account 'nope' was not found"},
		{name: "account by slug", r: req{method: "GET", path: "/v1/accounts/" + tt.srv.AccountSlug + "/products/" + prod}, status: 200,
			check: func(t *testing.T, _ *world, r *reply) {
				assert.Equal(t, "/v1/accounts/"+acct+"/products/"+prod, r.data()["links"].(map[string]any)["self"], "links use the account UUID")
				assert.Equal(t, acct, r.header.Get("Keygen-Account"))
			}},
		{name: "unroutable path: rack 404", r: req{method: "GET", path: "/nothing-here"}, status: 404, code: "NOT_FOUND", noMeta: true,
			detail: "The requested endpoint was not found (check your HTTP method, Accept header, and URL path)"},
		{name: "unroutable method: rack 404", r: req{method: "POST", path: "/products/" + prod + "/actions/validate"}, status: 404, noMeta: true},
		{name: "unknown resource: 404 with model name", r: req{method: "GET", path: "/policies/00000000-0000-4000-8000-000000000000"}, status: 404,
			code: "NOT_FOUND", detail: "The requested policy '00000000-0000-4000-8000-000000000000' was not found"},
		{name: "unknown webhook endpoint: humanized model name", r: req{method: "GET", path: "/webhook-endpoints/nope"}, status: 404,
			detail: "The requested webhook endpoint 'nope' was not found"},

		// media types and parsing
		{name: "Accept text/html refused", r: req{method: "GET", path: "/products", headers: map[string]string{"Accept": "text/html"}}, status: 400,
			code: "MIME_TYPE_INVALID", noMeta: true, detail: "The mime type of the request is not acceptable (check content-type and accept headers)"},
		{name: "Accept application/json allowed", r: req{method: "GET", path: "/products", headers: map[string]string{"Accept": "application/json"}}, status: 200,
			headers: map[string]string{"Content-Type": "application/json; charset=utf-8"}}, // licenses/show.feature: JSON is answered as JSON
		{name: "Accept */* allowed", r: req{method: "GET", path: "/products", headers: map[string]string{"Accept": "*/*"}}, status: 200},
		{name: "invalid JSON", r: req{method: "POST", path: "/products", raw: `{"data":`}, status: 400, code: "JSON_INVALID", noMeta: true,
			detail: "The request could not be completed because it contains invalid JSON (check formatting/encoding)"},
		{name: "null byte", r: req{method: "POST", path: "/products", raw: `{"data":{"type":"products","attributes":{"name":"a\u0000b"}}}`}, status: 400,
			code: "ENCODING_INVALID", noMeta: true, detail: "The request could not be completed because it contains an unexpected null byte (check encoding)"},
		{name: "invalid UTF-8 in a body is a JSON parse error (users/create.feature, bad UTF-8 encoding)", r: req{method: "POST", path: "/products", raw: "{\"data\":{\"type\":\"products\",\"attributes\":{\"name\":\"\xff\"}}}"}, status: 400,
			code: "JSON_INVALID", noMeta: true, detail: "The request could not be completed because it contains invalid JSON (check formatting/encoding)"},
		{name: "no Content-Type is read as JSON", r: req{method: "POST", path: "/products", body: doc("products", map[string]any{"name": "NoCT"}, nil),
			headers: map[string]string{"Content-Type": ""}}, status: 201},
		{name: "application/vnd.keygen+json accepted", r: req{method: "POST", path: "/products", body: doc("products", map[string]any{"name": "KG"}, nil),
			headers: map[string]string{"Content-Type": "application/vnd.keygen+json"}}, status: 201},
		{name: "kebab-case keys", r: req{method: "POST", path: "/products", body: doc("products", map[string]any{"name": "Kebab", "distribution-strategy": "OPEN"}, nil)},
			status: 201, attrs: map[string]any{"distributionStrategy": "OPEN"}},
		{name: "singular type accepted", r: req{method: "POST", path: "/products", body: doc("product", map[string]any{"name": "Singular"}, nil)}, status: 201},
		{name: "update ignores data.id", r: req{method: "PATCH", path: "/products/" + prod, body: map[string]any{"data": map[string]any{"type": "products", "id": "whatever", "attributes": map[string]any{"name": "App"}}}},
			status: 200, check: func(t *testing.T, _ *world, r *reply) { assert.Equal(t, prod, r.id()) }},

		// typed params (typed_params: inclusion "is invalid", null, blank)
		{name: "wrong data.type: is invalid", r: req{method: "POST", path: "/products", body: doc("licenses", map[string]any{"name": "x"}, nil)}, status: 400,
			title: "Bad request", detail: "is invalid", source: map[string]any{"pointer": "/data/type"}},
		{name: "required param null: cannot be null", r: req{method: "POST", path: "/tokens", body: map[string]any{"data": map[string]any{"type": "tokens",
			"relationships": map[string]any{"bearer": map[string]any{"data": nil}}}}}, status: 400, detail: "cannot be null",
			source: map[string]any{"pointer": "/data/relationships/bearer/data"}},
		{name: "optional param null is ignored", r: req{method: "POST", path: "/products", body: doc("products", map[string]any{"name": "NullCode", "code": nil}, nil)},
			status: 201, attrs: map[string]any{"code": nil}},
		{name: "blank string: cannot be blank", r: req{method: "POST", path: "/products", body: doc("products", map[string]any{"name": ""}, nil)}, status: 400,
			detail: "cannot be blank", source: map[string]any{"pointer": "/data/attributes/name"}},
		{name: "unpermitted parameter points camel", r: req{method: "POST", path: "/products", body: doc("products", map[string]any{"name": "x", "secret_thing": 1}, nil)},
			status: 400, detail: "unpermitted parameter", source: map[string]any{"pointer": "/data/attributes/secretThing"}},
		{name: "unpermitted top-level key", r: req{method: "POST", path: "/products", body: map[string]any{"data": map[string]any{"type": "products", "attributes": map[string]any{"name": "x"}}, "extra": true}},
			status: 400, detail: "unpermitted parameter", source: map[string]any{"pointer": "/extra"}},
		{name: "object expected", r: req{method: "POST", path: "/products", body: map[string]any{"data": map[string]any{"type": "products", "attributes": "x"}}},
			status: 400, detail: "type mismatch (received string expected object)", source: map[string]any{"pointer": "/data/attributes"}},
		{name: "array expected", r: req{method: "POST", path: "/products", body: doc("products", map[string]any{"name": "x", "platforms": "iOS"}, nil)},
			status: 400, detail: "type mismatch (received string expected array)", source: map[string]any{"pointer": "/data/attributes/platforms"}},
		{name: "array item type", r: req{method: "POST", path: "/products", body: doc("products", map[string]any{"name": "x", "platforms": []any{"iOS", 1}}, nil)},
			status: 400, detail: "type mismatch (received integer expected string)", source: map[string]any{"pointer": "/data/attributes/platforms/1"}},
		{name: "boolean expected", r: req{method: "POST", path: "/policies", body: doc("policies", map[string]any{"name": "p", "strict": "true"}, map[string]any{"product": link("products", prod)})},
			status: 400, detail: "type mismatch (received string expected boolean)", source: map[string]any{"pointer": "/data/attributes/strict"}},
		{name: "time coercion failure", r: req{method: "POST", path: "/tokens", body: doc("tokens", map[string]any{"expiry": true}, nil)},
			status: 400, detail: "failed to coerce boolean to time", source: map[string]any{"pointer": "/data/attributes/expiry"}},
		{name: "integer expiry is a Unix time", r: req{method: "POST", path: "/products/" + prod + "/tokens", body: doc("tokens", map[string]any{"expiry": 4102444800}, nil)},
			status: 200, attrs: map[string]any{"expiry": "2100-01-01T00:00:00.000Z"}},

		// versioning
		{name: "unsupported version", r: req{method: "GET", path: "/products", headers: map[string]string{"Keygen-Version": "1.9"}}, status: 400,
			code: "INVALID_API_VERSION", detail: "unsupported API version requested", about: "https://keygen.sh/docs/api/versioning/"},
		{name: "leading v stripped and echoed", r: req{method: "GET", path: "/products", headers: map[string]string{"Keygen-Version": "v1.5"}}, status: 200,
			headers: map[string]string{"Keygen-Version": "1.5"}},
		{name: "default is the account's version", r: req{method: "GET", path: "/products"}, status: 200, headers: map[string]string{"Keygen-Version": "1.8"}},

		// headers
		{name: "Keygen-* headers on token auth", r: req{method: "GET", path: "/products"}, status: 200, check: func(t *testing.T, _ *world, r *reply) {
			assert.Equal(t, acct, r.header.Get("Keygen-Account"))
			assert.NotEmpty(t, r.header.Get("Keygen-Bearer"))
			assert.NotEmpty(t, r.header.Get("Keygen-Token"))
			assert.Equal(t, "no-transform, no-store, max-age=0", r.header.Get("Cache-Control"))
			assert.Contains(t, []string{"CE", "EE"}, r.header.Get("Keygen-Edition"))
		}},
		{name: "no bearer headers without auth", r: req{method: "GET", path: "/products", auth: "-"}, status: 401,
			headers: map[string]string{"Keygen-Bearer": "", "Keygen-Token": "", "Keygen-Account": acct}},
		{name: "204 has an empty body and no content type", r: req{method: "DELETE", path: "/products/" + tt.product()}, status: 204,
			headers: map[string]string{"Content-Type": ""}, check: func(t *testing.T, _ *world, r *reply) { assert.Empty(t, r.body) }},
	}
	tt.run(t, cases)
}

// TestDispatchChecks pins the checks every request goes through before an action runs.
func TestDispatchChecks(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	cases := []struct {
		name      string
		r         req
		status    int
		code      string
		detail    string
		rackLevel bool // no meta.id, unsigned (lib/keygen/middleware.rb)
	}{
		{"unsupported Accept", req{method: "GET", path: "/products", headers: map[string]string{"Accept": "text/plain, text/html"}},
			400, "MIME_TYPE_INVALID", "The mime type of the request is not acceptable (check content-type and accept headers)", true},
		{"unroutable path", req{method: "GET", path: "/nope"}, 404, "NOT_FOUND",
			"The requested endpoint was not found (check your HTTP method, Accept header, and URL path)", true},
		{"unroutable method", req{method: "PATCH", path: "/products"}, 404, "NOT_FOUND", "", true},
		{"invalid JSON", req{method: "POST", path: "/products", raw: `{"data":`}, 400, "JSON_INVALID",
			"The request could not be completed because it contains invalid JSON (check formatting/encoding)", true},
		{"unknown account", req{method: "GET", path: "/v1/accounts/nope/products"}, 404, "NOT_FOUND",
			"The requested account 'nope' was not found", false},
		{"unsupported version", req{method: "GET", path: "/products", headers: map[string]string{"Keygen-Version": "2.0"}},
			400, "INVALID_API_VERSION", "unsupported API version requested", false},
		{"version 1.9 unsupported", req{method: "GET", path: "/products", headers: map[string]string{"Keygen-Version": "1.9"}},
			400, "INVALID_API_VERSION", "", false},
		{"unsupported signature algorithm", req{method: "GET", path: "/products", headers: map[string]string{"Keygen-Accept-Signature": `algorithm="rsa-sha512"`}},
			400, "", "invalid accept-signature header (unsupported algorithm)", false},
		{"wrong keyid", req{method: "GET", path: "/products", headers: map[string]string{"Keygen-Accept-Signature": `keyid="x", algorithm="ed25519"`}},
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

// TestDispatchAcceptedMediaTypes: absent, */*, JSON and JSON:API Accept values pass
// (lib/keygen/middleware.rb).
func TestDispatchAcceptedMediaTypes(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	for _, accept := range []string{"", "*/*", "application/json", "application/vnd.api+json", "text/html, application/json"} {
		r := tt.do(req{method: "GET", path: "/products", headers: map[string]string{"Accept": accept}})
		assert.Equal(t, 200, r.status, "Accept %q", accept)
	}
}

// TestDispatchMalformedContentType: a Content-Type that is no type/subtype pair is refused by
// Rack before routing, unsigned (lib/keygen/middleware.rb).
func TestDispatchMalformedContentType(t *testing.T) {
	t.Parallel()
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

// TestDispatchDefaultHeaders pins the response headers and the request id shared with meta.id
// (app/controllers/concerns/default_headers.rb).
func TestDispatchDefaultHeaders(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	r := tt.do(req{method: "GET", path: "/products", headers: map[string]string{"Keygen-Version": "v1.5"}})
	require.Equal(t, 200, r.status)
	h := r.header
	assert.Equal(t, tt.srv.AccountID, h.Get("Keygen-Account"))
	assert.NotEmpty(t, h.Get("Keygen-Bearer"))
	assert.NotEmpty(t, h.Get("Keygen-Token"))
	assert.Equal(t, "CE", h.Get("Keygen-Edition"))
	assert.Equal(t, "multiplayer", h.Get("Keygen-Mode"))
	assert.Equal(t, "1.5", h.Get("Keygen-Version"), "leading v stripped and echoed")
	assert.Equal(t, "no-transform, no-store, max-age=0", h.Get("Cache-Control"))
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f-]{36}$`), h.Get("X-Request-Id"))

	e := tt.do(req{method: "GET", path: "/products/nope"})
	require.Equal(t, 404, e.status)
	meta := e.doc["meta"].(map[string]any)
	assert.Equal(t, e.header.Get("X-Request-Id"), meta["id"], "meta.id is the request id")
}

// TestDispatchAccountBySlug: the account resolves by slug too, and links use its UUID
// (app/services/resolve_account_service.rb).
func TestDispatchAccountBySlug(t *testing.T) {
	t.Parallel()
	tt := newWorld(t, WithAccountSlug("acme"))
	id := tt.product()
	r := tt.get("/v1/accounts/acme/products/" + id)
	require.Equal(t, 200, r.status)
	assert.Equal(t, "/v1/accounts/"+tt.srv.AccountID+"/products/"+id, r.data()["links"].(map[string]any)["self"])
}

// TestDispatchRepeatedQueryParameter: Rack (and so Keygen) keeps the last value of a repeated
// scalar query parameter.
func TestDispatchRepeatedQueryParameter(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	prod := tt.product()
	for range 3 {
		tt.policy(prod, nil)
	}
	r := tt.get("/policies?limit=1&limit=2")
	if r.status != 200 || len(r.list()) != 2 {
		t.Fatalf("got %d with %d policies, want 200 with 2: %s", r.status, len(r.list()), r.body)
	}
}

// TestDispatchConcurrentRequests exercises the store lock under -race.
func TestDispatchConcurrentRequests(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				tt.do(req{method: "POST", path: "/products", body: doc("products", map[string]any{"name": "p"}, nil)})
			} else {
				tt.get("/products?page[number]=1&page[size]=5")
			}
		}()
	}
	wg.Wait()
	r := tt.get("/products?page[number]=1&page[size]=1")
	require.Equal(t, 200, r.status)
	assert.EqualValues(t, 10, r.doc["links"].(map[string]any)["meta"].(map[string]any)["count"])
}
