package keygentest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// world is one account on its own Server, driven over real HTTP as a client in another
// process would, with the fixtures a test built in it. newWorld gives a bare account (its
// admin only); newProductWorld, newLicensingWorld and newTeamWorld build the fixtures below.
// It is the one fixture builder of the tests: every helper that makes or changes state is
// a method of it.
type world struct {
	t   *testing.T
	srv *Server

	// prod is the product the fixture helpers use (newProductWorld, newLicensingWorld and
	// newTeamWorld make it; storedPolicy makes it on first use).
	prod string

	// The team (newTeamWorld): a product with a policy, a user owning a license of it, a
	// second product whose license has no owner, one user of each staff role, and their
	// tokens; staff maps "Developer", "Sales", "Support" and "Read-only" to a staff token.
	prod2, pol, pol2                     string
	user, user2, dev, sales, support, ro string
	admin, admin2                        string
	lic, lic2                            string
	prodTok, userTok, user2Tok, licTok   string
	devTok, salesTok, supportTok, roTok  string
	admin2Tok                            string
	prodTokID, userTokID, licTokID       string
	admin2TokID                          string
	staff                                map[string]string

	// addLicensees: a teammate (user3, attached to lic as a licensee), a license with
	// explicit EE read permissions and a token for the second product.
	user3, user3Tok, prod2Tok string
	licPerm, licPermTok       string

	// addPoolsAndMachines: pooled policies and keys, machines on each license and a
	// fourth user owning licPerm.
	user4, poolPol, emptyPol, key0, key1 string
	m1, m2, m3                           string // on lic (owner user), lic2 (no owner), licPerm (owner user4)

	// The licensing world (newLicensingWorld): prod with an unprotected (pol) and a
	// protected (prot) policy, a second product (prod2, pol2), an owner user, a license
	// user and another user, staff of each role and a product, each with a bearer header,
	// and a bearer of another account.
	prot                                    string
	owner, ownerAuth, luAuth, otherAuth     string
	devAuth, salesAuth, supportAuth, roAuth string
	prodAuth, otherAcct                     string
}

func newWorld(t *testing.T, opts ...Option) *world {
	t.Helper()
	srv := NewServer(opts...)
	t.Cleanup(srv.Close)
	return &world{t: t, srv: srv}
}

// newResourceWorld is a product (prod) with a pooled (poolPol) and an unpooled policy
// (pol), a user u@example.com (user, password "password") and the tokens of the user
// (userTok) and the product (prodTok).
func newResourceWorld(t *testing.T) *world {
	w := newWorld(t)
	w.prod = w.product()
	w.poolPol = w.policy(w.prod, map[string]any{"usePool": true})
	w.pol = w.policy(w.prod, nil)
	w.user = w.createUser("u@example.com")
	_, w.userTok = w.tokenFor("users", w.user, nil)
	_, w.prodTok = w.tokenFor("products", w.prod, nil)
	return w
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

func (w *world) do(r req) *reply {
	w.t.Helper()
	var rd io.Reader
	switch {
	case r.raw != "":
		rd = strings.NewReader(r.raw)
	case r.body != nil:
		b, err := json.Marshal(r.body)
		require.NoError(w.t, err)
		rd = bytes.NewReader(b)
	}
	path := r.path
	if !strings.HasPrefix(path, "/v1/") && !strings.HasPrefix(path, "/_keygentest") {
		path = "/v1/accounts/" + w.srv.AccountID + path
	}
	hr, err := http.NewRequest(r.method, w.srv.URL+path, rd)
	require.NoError(w.t, err)
	hr.Header.Set("Accept", "application/vnd.api+json")
	hr.Header.Set("Content-Type", "application/vnd.api+json")
	switch r.auth {
	case "":
		hr.Header.Set("Authorization", "Bearer "+w.srv.AdminToken)
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
	require.NoError(w.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(w.t, err)
	out := &reply{status: res.StatusCode, header: res.Header, body: body}
	_ = json.Unmarshal(body, &out.doc)
	return out
}

// apiCase is one request pinned over real HTTP and what its answer must hold; empty
// fields are not checked. A case plays r on a shared world (world.run), or builds its own
// fixtures on a fresh world with setup, which returns the request (runEach).
type apiCase struct {
	name    string // the feature file and scenario it pins, or the rule
	r       req
	setup   func(w *world) req
	status  int // 200 when zero
	title   string
	code    string
	detail  string
	source  map[string]any
	about   string            // errors[0].links.about
	headers map[string]string // response headers; "" means absent
	attrs   map[string]any    // subset of data.attributes
	meta    map[string]any    // subset of the top-level meta
	noMeta  bool              // rack-level error: no top-level meta
	check   func(t *testing.T, w *world, r *reply)
}

// run plays each case's request on w, one subtest per case.
func (w *world) run(t *testing.T, cases []apiCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.verify(t, w, w.do(c.r))
		})
	}
}

// runEach plays each case on a fresh world made by fresh: setup builds the case's
// fixtures and returns its request.
func runEach(t *testing.T, fresh func(t *testing.T) *world, cases []apiCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := fresh(t)
			c.verify(t, w, w.do(c.setup(w)))
		})
	}
}

// verify checks an answer against the case. Controller errors carry meta.id; rack-level
// ones (noMeta) carry no meta at all.
func (c apiCase) verify(t *testing.T, w *world, r *reply) {
	t.Helper()
	want := c.status
	if want == 0 {
		want = 200
	}
	require.Equal(t, want, r.status, string(r.body))
	if c.title != "" {
		assert.Equal(t, c.title, r.err(0)["title"], string(r.body))
	}
	if c.code != "" {
		assert.Equal(t, c.code, r.code(), string(r.body))
	}
	if c.detail != "" {
		assert.Equal(t, c.detail, r.detail(), string(r.body))
	}
	if c.source != nil {
		assert.Equal(t, c.source, r.source(), string(r.body))
	}
	if c.about != "" {
		links, _ := r.err(0)["links"].(map[string]any)
		assert.Equal(t, c.about, links["about"])
	}
	for k, v := range c.headers {
		assert.Equal(t, v, r.header.Get(k), k)
	}
	for k, v := range c.attrs {
		assert.Equal(t, v, r.attrs()[k], k)
	}
	meta, _ := r.doc["meta"].(map[string]any)
	for k, v := range c.meta {
		assert.Equal(t, v, meta[k], "meta.%s: %s", k, string(r.body))
	}
	if c.noMeta {
		assert.NotContains(t, r.doc, "meta")
	} else if r.status >= 400 {
		assert.Contains(t, r.doc, "meta", "controller errors carry meta.id")
	}
	if c.check != nil {
		c.check(t, w, r)
	}
}

func (w *world) get(path string) *reply { return w.do(req{method: "GET", path: path}) }

// mustCreate posts a document as the admin and returns the created resource's id.
func (w *world) mustCreate(path, typ string, attrs, rels map[string]any) string {
	w.t.Helper()
	r := w.do(req{method: "POST", path: path, body: doc(typ, attrs, rels)})
	require.Equal(w.t, 201, r.status, string(r.body))
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

func (w *world) product() string {
	return w.mustCreate("/products", "products", map[string]any{"name": "App"}, nil)
}

func (w *world) policy(productID string, attrs map[string]any) string {
	if attrs == nil {
		attrs = map[string]any{}
	}
	if _, ok := attrs["name"]; !ok {
		attrs["name"] = "Policy"
	}
	return w.mustCreate("/policies", "policies", attrs, map[string]any{"product": link("products", productID)})
}

func (w *world) createUser(email string) string {
	return w.mustCreate("/users", "users", map[string]any{"email": email, "password": "password"}, nil)
}

// tokenFor makes a token for a bearer through its tokens relationship route.
func (w *world) tokenFor(kind, id string, attrs map[string]any) (string, string) {
	w.t.Helper()
	var body any
	if attrs != nil {
		body = doc("tokens", attrs, nil)
	}
	r := w.do(req{method: "POST", path: "/" + kind + "/" + id + "/tokens", body: body})
	require.Equal(w.t, 200, r.status, string(r.body))
	return r.id(), r.attrs()["token"].(string)
}

// loginToken makes a user token by password login (POST /tokens with Basic), the way a
// team member (developer, agent, read-only, another admin) gets one: an admin may only
// make tokens for role-user users and itself through /users/{id}/tokens (§2.1).
func (w *world) loginToken(email string) (string, string) {
	w.t.Helper()
	r := w.do(req{method: "POST", path: "/tokens", auth: basic(email, "password")})
	require.Equal(w.t, 201, r.status, string(r.body))
	return r.id(), r.attrs()["token"].(string)
}

// seedLicense stores a license directly: licenses are served by a later part of
// keygentest, but authentication and rendering already need them.
func (w *world) seedLicense(policyID string, mutate func(*license)) *license {
	w.srv.mu.Lock()
	defer w.srv.mu.Unlock()
	l := &license{base: newBase(w.srv.AccountID, w.srv.clock.now()), PolicyID: policyID, Key: newLicenseKey(), Metadata: map[string]any{}}
	if mutate != nil {
		mutate(l)
	}
	w.srv.db.licenses[l.ID] = l
	return l
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }
