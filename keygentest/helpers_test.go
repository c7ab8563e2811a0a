package keygentest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

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

func newProductWorld(t *testing.T) *world {
	w := newWorld(t)
	w.prod = w.product()
	return w
}

func newLicensingWorld(t *testing.T, polAttrs map[string]any) *world {
	tt := newWorld(t, WithStartTime(time.Date(2024, 1, 21, 21, 30, 0, 0, time.UTC)))
	f := tt
	f.prod, f.prod2 = tt.product(), tt.product()
	a := map[string]any{"floating": true, "maxMachines": 5, "maxCores": 4, "maxUses": 100, "maxProcesses": 5}
	for k, v := range polAttrs {
		a[k] = v
	}
	f.pol = tt.policy(f.prod, a)
	b := map[string]any{"protected": true}
	for k, v := range a {
		b[k] = v
	}
	f.prot = tt.policy(f.prod, b)
	f.pol2 = tt.policy(f.prod2, map[string]any{"floating": true})
	f.owner, f.ownerAuth = tt.userToken("owner@example.com")
	_, f.luAuth = tt.userToken("license-user@example.com")
	_, f.otherAuth = tt.userToken("other@example.com")
	_, f.devAuth = tt.roleUserAuth("dev@example.com", "developer")
	_, f.salesAuth = tt.roleUserAuth("sales@example.com", "sales-agent")
	_, f.supportAuth = tt.roleUserAuth("support@example.com", "support-agent")
	_, f.roAuth = tt.roleUserAuth("ro@example.com", "read-only")
	f.prodAuth = tt.bearerAuth("products", f.prod)
	f.otherAcct = "Bearer " + newWorld(t).srv.AdminToken
	return f
}

func newTeamWorld(t *testing.T) *world {
	tt := newWorld(t)
	w := tt
	w.admin = tt.get("/me").id()
	w.prod = tt.product()
	w.prod2 = tt.mustCreate("/products", "products", map[string]any{"name": "Other"}, nil)
	w.pol = tt.policy(w.prod, nil)
	w.pol2 = tt.policy(w.prod2, nil)
	w.user = tt.createUser("user@example.com")
	w.user2 = tt.createUser("user2@example.com")
	w.dev = tt.createRoleUser("dev@example.com", "developer")
	w.sales = tt.createRoleUser("sales@example.com", "sales-agent")
	w.support = tt.createRoleUser("support@example.com", "support-agent")
	w.ro = tt.createRoleUser("ro@example.com", "read-only")
	w.admin2 = tt.createRoleUser("admin2@example.com", "admin")
	w.lic = tt.licenseOwnedBy(w.pol, w.user)
	w.lic2 = tt.licenseOwnedBy(w.pol2, "")
	w.prodTokID, w.prodTok = tt.tokenFor("products", w.prod, nil)
	w.userTokID, w.userTok = tt.tokenFor("users", w.user, nil)
	_, w.user2Tok = tt.tokenFor("users", w.user2, nil)
	w.licTokID, w.licTok = tt.tokenFor("licenses", w.lic, nil)
	_, w.devTok = tt.loginToken("dev@example.com")
	_, w.salesTok = tt.loginToken("sales@example.com")
	_, w.supportTok = tt.loginToken("support@example.com")
	_, w.roTok = tt.loginToken("ro@example.com")
	w.admin2TokID, w.admin2Tok = tt.loginToken("admin2@example.com")
	w.staff = map[string]string{"Developer": w.devTok, "Sales": w.salesTok, "Support": w.supportTok, "Read-only": w.roTok}
	return w
}

// addLicensees adds to the team a teammate (user3, attached to lic as a licensee), a
// license with explicit EE read permissions and a token for the second product.
func (w *world) addLicensees() *world {
	tt := w
	w.user3 = tt.createUser("user3@example.com")
	_, w.user3Tok = tt.tokenFor("users", w.user3, nil)
	_, w.prod2Tok = tt.tokenFor("products", w.prod2, nil)
	tt.srv.mu.Lock()
	tt.srv.db.licenses[w.lic].UserIDs = []string{w.user3}
	tt.srv.mu.Unlock()
	w.licPerm = tt.licenseOwnedBy(w.pol, "")
	tt.srv.mu.Lock()
	tt.srv.db.licenses[w.licPerm].Permissions = []string{"user.read", "product.read", "policy.read"}
	tt.srv.mu.Unlock()
	_, w.licPermTok = tt.tokenFor("licenses", w.licPerm, nil)
	return w
}

// addPoolsAndMachines adds to the team with licensees pooled policies and keys, machines
// on each license and a fourth user owning licPerm.
func (w *world) addPoolsAndMachines() *world {
	tt := w
	w.user4 = tt.createUser("user4@example.com")
	tt.srv.mu.Lock()
	tt.srv.db.licenses[w.licPerm].OwnerID = &w.user4
	tt.srv.mu.Unlock()
	w.poolPol = tt.policy(w.prod, map[string]any{"usePool": true})
	w.emptyPol = tt.policy(w.prod, map[string]any{"usePool": true})
	key := func(k string) string {
		return tt.mustCreate("/keys", "keys", map[string]any{"key": k}, map[string]any{"policy": link("policies", w.poolPol)})
	}
	w.key0, w.key1 = key("pool-key-0000"), key("pool-key-0001")
	machine := func(fp, lic, owner string) string {
		rels := map[string]any{"license": link("licenses", lic)}
		if owner != "" {
			rels["owner"] = link("users", owner)
		}
		return tt.mustCreate("/machines", "machines", map[string]any{"fingerprint": fp}, rels)
	}
	w.m1 = machine("fp-m1", w.lic, w.user)
	w.m2 = machine("fp-m2", w.lic2, "")
	w.m3 = machine("fp-m3", w.licPerm, w.user4)
	return w
}

// req describes one request; an empty auth sends the admin token, "-" sends none.
type req struct {
	method, path string
	body         any    // marshalled as JSON unless raw is set
	raw          string // sent verbatim
	auth         string // full Authorization header value
	headers      map[string]string
}

// reply is a decoded answer.
type reply struct {
	status int
	header http.Header
	body   []byte
	doc    map[string]any
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
	res, err := noRedirect.Do(hr) // 303/307 answers (artifacts) are inspected, not followed
	require.NoError(w.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(w.t, err)
	out := &reply{status: res.StatusCode, header: res.Header, body: body}
	_ = json.Unmarshal(body, &out.doc)
	return out
}

func (w *world) get(path string) *reply { return w.do(req{method: "GET", path: path}) }

// mustCreate posts a document as the admin and returns the created resource's id.
func (w *world) mustCreate(path, typ string, attrs, rels map[string]any) string {
	w.t.Helper()
	r := w.do(req{method: "POST", path: path, body: doc(typ, attrs, rels)})
	require.Equal(w.t, 201, r.status, string(r.body))
	return r.id()
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

func rel(r *reply, name string) map[string]any {
	rels, _ := r.data()["relationships"].(map[string]any)
	m, _ := rels[name].(map[string]any)
	return m
}

func relData(r *reply, name string) map[string]any {
	rels, _ := r.data()["relationships"].(map[string]any)
	rel, _ := rels[name].(map[string]any)
	d, _ := rel["data"].(map[string]any)
	return d
}

// listedIDs returns the ids of a list answer in order.
func listedIDs(r *reply) []string {
	var ids []string
	for _, d := range r.list() {
		ids = append(ids, d.(map[string]any)["id"].(string))
	}
	return ids
}

// sortedIDs lists the ids of a list answer, sorted.
func sortedIDs(r *reply) []string {
	out := []string{}
	for _, x := range r.list() {
		out = append(out, x.(map[string]any)["id"].(string))
	}
	sort.Strings(out)
	return out
}

func sorted(s ...string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
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
// fixtures and returns its request. The cases share nothing, so they run in parallel.
func runEach(t *testing.T, fresh func(t *testing.T) *world, cases []apiCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
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

// Error details of app/policies: a bearer whose permission set lacks the action fails
// ApplicationPolicy#verify_permissions! ("<role> lacks permission to perform action"); one
// that holds it but fails the role check gets the default deny detail (denied). Staff
// users hold Permission::ADMIN_PERMISSIONS except read-only, which holds
// READ_ONLY_PERMISSIONS (so a read-only mutation is roLacks, an agent's is denied).
const (
	noPerm      = "You do not have permission to complete the request"
	denied      = noPerm + " (ensure the token or license is allowed to access all resources)"
	userLacks   = noPerm + " (user lacks permission to perform action)"
	licLacks    = noPerm + " (license lacks permission to perform action)"
	roLacks     = noPerm + " (read only lacks permission to perform action)"
	unprocessed = "Unprocessable resource"
)

func dataID(id string) func(t *testing.T, w *world, r *reply) {
	return func(t *testing.T, _ *world, r *reply) { assert.Equal(t, id, r.id(), string(r.body)) }
}

func dataNull(t *testing.T, _ *world, r *reply) {
	assert.Contains(t, r.doc, "data")
	assert.Nil(t, r.doc["data"], string(r.body))
}

func listLen(n int) func(t *testing.T, w *world, r *reply) {
	return func(t *testing.T, _ *world, r *reply) { assert.Len(t, r.list(), n, string(r.body)) }
}

func listIDs(ids ...string) func(t *testing.T, w *world, r *reply) {
	return func(t *testing.T, _ *world, r *reply) { assert.Equal(t, ids, listedIDs(r), string(r.body)) }
}

// wantLinks checks the top-level links, with link values compared unescaped (the
// features write them with literal brackets).
func wantLinks(want map[string]any) func(t *testing.T, w *world, r *reply) {
	return func(t *testing.T, _ *world, r *reply) {
		got, ok := r.doc["links"].(map[string]any)
		require.True(t, ok, string(r.body))
		norm := map[string]any{}
		for k, v := range got {
			if s, ok := v.(string); ok {
				v, _ = url.QueryUnescape(s)
			}
			norm[k] = v
		}
		assert.Equal(t, want, norm)
	}
}

func both(fs ...func(t *testing.T, w *world, r *reply)) func(t *testing.T, w *world, r *reply) {
	return func(t *testing.T, w *world, r *reply) {
		for _, f := range fs {
			f(t, w, r)
		}
	}
}

func noLinks(t *testing.T, _ *world, r *reply) { assert.NotContains(t, r.doc, "links") }

// expectError pins status, code, pointer (or parameter) and optionally the detail.
func expectError(t *testing.T, r *reply, status int, code, source, detail string) {
	t.Helper()
	require.Equal(t, status, r.status, string(r.body))
	assert.Equal(t, code, r.code(), string(r.body))
	if source != "" {
		src := r.source()
		got, _ := src["pointer"].(string)
		if got == "" {
			got, _ = src["parameter"].(string)
		}
		assert.Equal(t, source, got)
	}
	if detail != "" {
		assert.Equal(t, detail, r.detail())
	}
}

// assertTimeNear asserts an attribute is a timestamp within a minute of want.
func assertTimeNear(t *testing.T, r *reply, attr string, want time.Time) {
	t.Helper()
	s, _ := r.attrs()[attr].(string)
	got, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err, "%s=%v", attr, r.attrs()[attr])
	assert.WithinDuration(t, want, got, time.Minute, attr)
}

// assertLinkage checks a to-one users linkage of the answer: the user, or null for "".
func assertLinkage(t *testing.T, r *reply, rel, id string) {
	rels, _ := r.data()["relationships"].(map[string]any)
	got, _ := rels[rel].(map[string]any)
	if assert.Contains(t, got, "data", string(r.body)) && id == "" {
		assert.Nil(t, got["data"])
		return
	}
	assert.Equal(t, map[string]any{"type": "users", "id": id}, got["data"])
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

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

func bearer(tok string) string { return "Bearer " + tok }

func getAs(path, auth string) req { return req{method: "GET", path: path, auth: auth} }

func writeAs(method, path, auth string, body any) req {
	return req{method: method, path: path, auth: bearer(auth), body: body}
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }

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

func (w *world) floatingPolicy(attrs map[string]any) string {
	if attrs == nil {
		attrs = map[string]any{}
	}
	if _, ok := attrs["floating"]; !ok {
		attrs["floating"] = true
	}
	return w.policy(w.prod, attrs)
}

func (w *world) createUser(email string) string {
	return w.mustCreate("/users", "users", map[string]any{"email": email, "password": "password"}, nil)
}

func (w *world) createRoleUser(email, role string) string {
	return w.mustCreate("/users", "users", map[string]any{"email": email, "password": "password", "role": role}, nil)
}

func (w *world) storedUser(email string) *user {
	id := w.createUser(email)
	w.srv.mu.Lock()
	defer w.srv.mu.Unlock()
	return w.srv.db.users[id]
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

// loginToken makes a user token by password login (POST /tokens with Basic), the way a team
// member (developer, agent, read-only, another admin) gets one: an admin may only make tokens
// for role-user users and itself through /users/{id}/tokens
// (app/policies/users/token_policy.rb).
func (w *world) loginToken(email string) (string, string) {
	w.t.Helper()
	r := w.do(req{method: "POST", path: "/tokens", auth: basic(email, "password")})
	require.Equal(w.t, 201, r.status, string(r.body))
	return r.id(), r.attrs()["token"].(string)
}

func (w *world) userToken(email string) (string, string) {
	id := w.createUser(email)
	_, tok := w.tokenFor("users", id, nil)
	return id, "Bearer " + tok
}

// roleUserAuth makes a user with the role and returns its id and bearer header.
func (w *world) roleUserAuth(email, role string) (string, string) {
	w.t.Helper()
	id := w.mustCreate("/users", "users", map[string]any{"email": email, "password": "password", "role": role}, nil)
	_, tok := w.loginToken(email)
	return id, "Bearer " + tok
}

// roleAuth makes a staff user with the role and logs them in.
func (w *world) roleAuth(role string) string {
	w.t.Helper()
	email := role + "@example.com"
	w.mustCreate("/users", "users", map[string]any{"email": email, "password": "password", "role": role}, nil)
	r := w.do(req{method: "POST", path: "/tokens", auth: basic(email, "password")})
	require.Equal(w.t, 201, r.status, string(r.body))
	return "Bearer " + r.attrs()["token"].(string)
}

// bearerAuth makes a token for a product or license and returns the bearer header.
func (w *world) bearerAuth(kind, id string) string {
	w.t.Helper()
	_, tok := w.tokenFor(kind, id, nil)
	return "Bearer " + tok
}

// licenseAuth is an activation token of the license.
func (w *world) licenseAuth(lic string, attrs map[string]any) string {
	_, tok := w.tokenFor("licenses", lic, attrs)
	return "Bearer " + tok
}

func (w *world) productAuth(prod string) string {
	_, tok := w.tokenFor("products", prod, nil)
	return "Bearer " + tok
}

func (w *world) postLicense(policyID string, attrs map[string]any, rels map[string]any) *reply {
	w.t.Helper()
	if rels == nil {
		rels = map[string]any{}
	}
	rels["policy"] = link("policies", policyID)
	return w.do(req{method: "POST", path: "/licenses", body: doc("licenses", attrs, rels)})
}

func (w *world) mustLicense(policyID string, attrs map[string]any, rels map[string]any) *reply {
	w.t.Helper()
	r := w.postLicense(policyID, attrs, rels)
	require.Equal(w.t, 201, r.status, string(r.body))
	return r
}

// createLicense makes a license for pol (a new default floating policy when empty).
func (w *world) createLicense(pol string, attrs map[string]any, owner string) (id, key string) {
	if pol == "" {
		pol = w.floatingPolicy(nil)
	}
	var rels map[string]any
	if owner != "" {
		rels = map[string]any{"owner": link("users", owner)}
	}
	r := w.mustLicense(pol, attrs, rels)
	return r.id(), r.attrs()["key"].(string)
}

func (w *world) licenseOwnedBy(policyID, ownerID string) string {
	rels := map[string]any{"policy": link("policies", policyID)}
	if ownerID != "" {
		rels["owner"] = link("users", ownerID)
	}
	return w.mustCreate("/licenses", "licenses", nil, rels)
}

// licenseOf makes a license of the policy; owned gives it the owner; licenseUser attaches the
// license user (users limit permitting).
func (w *world) licenseOf(pol string, owned, licenseUser bool, attrs map[string]any) string {
	var rels map[string]any
	if owned {
		rels = map[string]any{"owner": link("users", w.owner)}
	}
	id := w.mustLicense(pol, attrs, rels).id()
	if licenseUser {
		var lu string
		w.srv.mu.Lock()
		for _, u := range w.srv.db.users {
			if u.Email == "license-user@example.com" {
				lu = u.ID
			}
		}
		w.srv.mu.Unlock()
		w.mutLicense(id, func(l *license) { l.UserIDs = append(l.UserIDs, lu) })
	}
	return id
}

// seedLicense stores a license directly in the store, past the create route's rules (the
// features' factories make states the API refuses).
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

// storedPolicy creates a policy over the API (so that the server defaults apply) and returns it.
func (w *world) storedPolicy(attrs map[string]any) *policy {
	w.t.Helper()
	if w.prod == "" {
		w.prod = w.product()
	}
	a := map[string]any{"floating": true}
	for k, v := range attrs {
		a[k] = v
	}
	id := w.policy(w.prod, a)
	w.srv.mu.Lock()
	defer w.srv.mu.Unlock()
	return w.srv.db.policies[id]
}

func (w *world) storedLicense(p *policy, mut func(*license)) *license {
	return w.seedLicense(p.ID, mut)
}

// ownedLicense makes a license owned by a new user, optionally with a licensee.
func (w *world) ownedLicense(attrs map[string]any, licensee bool) (l *license, owner, user *user) {
	p := w.storedPolicy(attrs)
	owner = w.storedUser("owner@example.com")
	if licensee {
		user = w.storedUser("licensee@example.com")
	}
	l = w.storedLicense(p, func(l *license) {
		l.OwnerID = &owner.ID
		if user != nil {
			l.UserIDs = []string{user.ID}
		}
	})
	return l, owner, user
}

func (w *world) postMachine(licenseID, fp string, attrs map[string]any, auth string) *reply {
	if attrs == nil {
		attrs = map[string]any{}
	}
	attrs["fingerprint"] = fp
	return w.do(req{method: "POST", path: "/machines", auth: auth, body: doc("machines", attrs, map[string]any{"license": link("licenses", licenseID)})})
}

func (w *world) createMachine(lic, fp string, attrs map[string]any) string {
	w.t.Helper()
	r := w.postMachine(lic, fp, attrs, "")
	require.Equal(w.t, 201, r.status, string(r.body))
	return r.id()
}

func (w *world) storedMachine(l *license, mut func(*machine)) *machine {
	w.srv.mu.Lock()
	defer w.srv.mu.Unlock()
	m := &machine{base: newBase(w.srv.AccountID, w.srv.clock.now()), LicenseID: l.ID, Fingerprint: newUUID(), Metadata: map[string]any{}}
	if mut != nil {
		mut(m)
	}
	w.srv.db.machines[m.ID] = m
	return m
}

// seedMachines attaches n machines to the license directly (the features' factories
// may exceed limits the API enforces).
func (w *world) seedMachines(lic string, n int, mutate func(m *machine)) {
	w.t.Helper()
	for i := 0; i < n; i++ {
		id := w.createMachine(lic, newUUID(), nil)
		if mutate != nil {
			w.withStore(func(db *store) { mutate(db.machines[id]) })
		}
	}
}

// overLimit makes a license of a policy with attrs whose limits are lifted while n
// machines are seeded, then restored (the features' direct DB writes).
func (w *world) overLimit(attrs map[string]any, n int, mutate func(m *machine)) string {
	pol := w.floatingPolicy(attrs)
	lic, _ := w.createLicense(pol, nil, "")
	w.withStore(func(db *store) { db.policies[pol].OverageStrategy = "ALWAYS_ALLOW_OVERAGE" })
	w.seedMachines(lic, n, mutate)
	w.patchPolicy(pol, map[string]any{"overageStrategy": attrs["overageStrategy"]})
	return lic
}

// overageMachines makes a policy with attrs and one license holding n seeded machines.
func (w *world) overageMachines(attrs map[string]any, n int, mut func(*machine)) *license {
	p := w.storedPolicy(attrs)
	l := w.storedLicense(p, nil)
	for range n {
		w.storedMachine(l, mut)
	}
	return l
}

func (w *world) machineCount() int {
	w.srv.mu.Lock()
	defer w.srv.mu.Unlock()
	return len(w.srv.db.machines)
}

func (w *world) patchPolicy(id string, attrs map[string]any) {
	w.t.Helper()
	r := w.do(req{method: "PATCH", path: "/policies/" + id, body: doc("policies", attrs, nil)})
	require.Equal(w.t, 200, r.status, string(r.body))
}

// withStore changes stored state the public API cannot set directly (the features' factories).
func (w *world) withStore(fn func(db *store)) {
	w.srv.mu.Lock()
	defer w.srv.mu.Unlock()
	fn(w.srv.db)
}

func (w *world) mutLicense(id string, f func(l *license)) {
	w.srv.mu.Lock()
	defer w.srv.mu.Unlock()
	f(w.srv.db.licenses[id])
}

func (w *world) mutUser(id string, f func(u *user)) {
	w.srv.mu.Lock()
	defer w.srv.mu.Unlock()
	f(w.srv.db.users[id])
}

func (w *world) addLicenseUser(lic, user string) {
	w.withStore(func(db *store) { db.licenses[lic].UserIDs = append(db.licenses[lic].UserIDs, user) })
}

// usersCount reads relationships.users.meta.count of a license.
func (w *world) usersCount(lic string) any {
	w.t.Helper()
	r := w.get("/licenses/" + lic)
	require.Equal(w.t, 200, r.status, string(r.body))
	rels, _ := r.data()["relationships"].(map[string]any)
	users, _ := rels["users"].(map[string]any)
	meta, _ := users["meta"].(map[string]any)
	return meta["count"]
}

func (w *world) validate(id string, meta map[string]any) map[string]any {
	w.t.Helper()
	var body any
	if meta != nil {
		body = map[string]any{"meta": meta}
	}
	r := w.do(req{method: "POST", path: "/licenses/" + id + "/actions/validate", body: body})
	require.Equal(w.t, 200, r.status, string(r.body))
	m, _ := r.doc["meta"].(map[string]any)
	return m
}

// onlyEvent returns the one webhook event of the given type.
func (w *world) onlyEvent(event string) map[string]any {
	w.t.Helper()
	r := w.get("/webhook-events?events[]=" + event)
	require.Equal(w.t, 200, r.status)
	require.Len(w.t, r.list(), 1)
	return r.list()[0].(map[string]any)["attributes"].(map[string]any)
}

// staffReads: every staff role reads the collection and one record (each feature has one
// scenario per role, all 200).
func (w *world) staffReads(feature, plural, one string) []apiCase {
	var cases []apiCase
	for _, role := range []string{"Developer", "Sales", "Support", "Read-only"} {
		cases = append(cases,
			apiCase{name: plural + "/index.feature: " + role + " retrieves all " + plural + " for their account",
				r: getAs("/"+plural, bearer(w.staff[role])), status: 200, check: func(t *testing.T, _ *world, r *reply) { assert.NotEmpty(t, r.list()) }},
			apiCase{name: plural + "/show.feature: " + role + " retrieves a " + feature + " for their account",
				r: getAs("/"+plural+"/"+one, bearer(w.staff[role])), status: 200, check: dataID(one)})
	}
	return cases
}
