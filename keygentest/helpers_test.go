package keygentest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// tester drives a Server over real HTTP, as a client in another process would.
type tester struct {
	t   *testing.T
	srv *Server
}

func newTester(t *testing.T, opts ...Option) *tester {
	t.Helper()
	srv := NewServer(opts...)
	t.Cleanup(srv.Close)
	return &tester{t: t, srv: srv}
}

// reply is a decoded answer.
type reply struct {
	status int
	header http.Header
	body   []byte
	doc    map[string]any
}

// req describes one request; an empty auth sends the admin token, "-" sends none.
type req struct {
	method, path string
	body         any    // marshalled as JSON unless raw is set
	raw          string // sent verbatim
	auth         string // full Authorization header value
	headers      map[string]string
}

func (tt *tester) do(r req) *reply {
	tt.t.Helper()
	var rd io.Reader
	switch {
	case r.raw != "":
		rd = strings.NewReader(r.raw)
	case r.body != nil:
		b, err := json.Marshal(r.body)
		require.NoError(tt.t, err)
		rd = bytes.NewReader(b)
	}
	path := r.path
	if !strings.HasPrefix(path, "/v1/") && !strings.HasPrefix(path, "/_keygentest") {
		path = "/v1/accounts/" + tt.srv.AccountID + path
	}
	hr, err := http.NewRequest(r.method, tt.srv.URL+path, rd)
	require.NoError(tt.t, err)
	hr.Header.Set("Accept", "application/vnd.api+json")
	hr.Header.Set("Content-Type", "application/vnd.api+json")
	switch r.auth {
	case "":
		hr.Header.Set("Authorization", "Bearer "+tt.srv.AdminToken)
	case "-":
	default:
		hr.Header.Set("Authorization", r.auth)
	}
	for k, v := range r.headers {
		if v == "" {
			hr.Header.Del(k)
		} else {
			hr.Header.Set(k, v)
		}
	}
	res, err := http.DefaultClient.Do(hr)
	require.NoError(tt.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(tt.t, err)
	out := &reply{status: res.StatusCode, header: res.Header, body: body}
	_ = json.Unmarshal(body, &out.doc)
	return out
}

func (tt *tester) get(path string) *reply { return tt.do(req{method: "GET", path: path}) }

// mustCreate posts a document as the admin and returns the created resource's id.
func (tt *tester) mustCreate(path, typ string, attrs, rels map[string]any) string {
	tt.t.Helper()
	r := tt.do(req{method: "POST", path: path, body: doc(typ, attrs, rels)})
	require.Equal(tt.t, 201, r.status, string(r.body))
	return r.id()
}

func doc(typ string, attrs, rels map[string]any) map[string]any {
	d := map[string]any{"type": typ}
	if attrs != nil {
		d["attributes"] = attrs
	}
	if rels != nil {
		d["relationships"] = rels
	}
	return map[string]any{"data": d}
}

func link(typ, id string) map[string]any {
	return map[string]any{"data": map[string]any{"type": typ, "id": id}}
}

func (r *reply) data() map[string]any { d, _ := r.doc["data"].(map[string]any); return d }
func (r *reply) id() string           { s, _ := r.data()["id"].(string); return s }
func (r *reply) attrs() map[string]any {
	a, _ := r.data()["attributes"].(map[string]any)
	return a
}
func (r *reply) list() []any { l, _ := r.doc["data"].([]any); return l }

// err returns the i-th error object.
func (r *reply) err(i int) map[string]any {
	errs, _ := r.doc["errors"].([]any)
	if i >= len(errs) {
		return map[string]any{}
	}
	e, _ := errs[i].(map[string]any)
	return e
}

func (r *reply) code() string   { s, _ := r.err(0)["code"].(string); return s }
func (r *reply) detail() string { s, _ := r.err(0)["detail"].(string); return s }
func (r *reply) source() map[string]any {
	s, _ := r.err(0)["source"].(map[string]any)
	return s
}

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// fixture helpers -----------------------------------------------------------------

func (tt *tester) product() string {
	return tt.mustCreate("/products", "products", map[string]any{"name": "App"}, nil)
}

func (tt *tester) policy(productID string, attrs map[string]any) string {
	if attrs == nil {
		attrs = map[string]any{}
	}
	if _, ok := attrs["name"]; !ok {
		attrs["name"] = "Policy"
	}
	return tt.mustCreate("/policies", "policies", attrs, map[string]any{"product": link("products", productID)})
}

func (tt *tester) user(email string) string {
	return tt.mustCreate("/users", "users", map[string]any{"email": email, "password": "password"}, nil)
}

// tokenFor makes a token for a bearer through its tokens relationship route.
func (tt *tester) tokenFor(kind, id string, attrs map[string]any) (string, string) {
	tt.t.Helper()
	var body any
	if attrs != nil {
		body = doc("tokens", attrs, nil)
	}
	r := tt.do(req{method: "POST", path: "/" + kind + "/" + id + "/tokens", body: body})
	require.Equal(tt.t, 200, r.status, string(r.body))
	return r.id(), r.attrs()["token"].(string)
}

// loginToken makes a user token by password login (POST /tokens with Basic), the way a
// team member (developer, agent, read-only, another admin) gets one: an admin may only
// make tokens for role-user users and itself through /users/{id}/tokens (§2.1).
func (tt *tester) loginToken(email string) (string, string) {
	tt.t.Helper()
	r := tt.do(req{method: "POST", path: "/tokens", auth: basic(email, "password")})
	require.Equal(tt.t, 201, r.status, string(r.body))
	return r.id(), r.attrs()["token"].(string)
}

// seedLicense stores a license directly: licenses are served by a later part of
// keygentest, but authentication and rendering already need them.
func (tt *tester) seedLicense(policyID string, mutate func(*license)) *license {
	tt.srv.mu.Lock()
	defer tt.srv.mu.Unlock()
	l := &license{base: newBase(tt.srv.AccountID, tt.srv.clock.now()), PolicyID: policyID, Key: newLicenseKey(), Metadata: map[string]any{}}
	if mutate != nil {
		mutate(l)
	}
	tt.srv.db.licenses[l.ID] = l
	return l
}

func ptrTime(t time.Time) *time.Time { return &t }
