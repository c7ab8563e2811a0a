package keygentest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// call is one request being served: the routed request, its account, its bearer and the
// answer being built. Handlers receive it with the store lock held.
type call struct {
	at    time.Time // the request's instant, see now
	s     *Server
	r     *http.Request
	vars  map[string]string
	query url.Values
	reqID string
	minor int // the requested API version is 1.<minor>
	acct  *account
	body  any // decoded JSON body with snake_case keys; nil when none was sent

	auth    *principal // set by authenticate
	authed  bool
	authErr error

	// the answer
	status  int
	header  http.Header
	payload []byte
	buf     *docBuffer // holds payload when json encoded it
}

// response is a finished answer, ready to write; its headers are already in the header map
// the call was given.
type response struct {
	status int
	body   []byte
	buf    *docBuffer // holds body when it was encoded into a pooled buffer
}

// ServeHTTP serves the Keygen API and the /_keygentest control paths.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_keygentest/") {
		s.serveControl(w, r)
		return
	}
	res := s.dispatch(r, w.Header())
	w.WriteHeader(res.status)
	if len(res.body) > 0 {
		_, _ = w.Write(res.body)
	}
	res.buf.release()
}

// dispatch runs the request through Keygen's stack in its order: media type checks, the
// router, JSON parsing, account resolution, API version, authentication and the action.
// The answer's headers are written into h (the ResponseWriter's, so they are not copied).
func (s *Server) dispatch(r *http.Request, h http.Header) *response {
	c := &call{s: s, r: r, reqID: newUUID(), header: h, minor: 8}
	if aerr := s.throttle(c); aerr != nil {
		return c.rackResponse(aerr)
	}
	if (!acceptable(r.Header.Values("Accept")) && !anyAccept(r)) || malformedContentType(r.Header.Get("Content-Type")) {
		return c.rackResponse(rackError(400, "The mime type of the request is not acceptable (check content-type and accept headers)", "MIME_TYPE_INVALID"))
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return c.rackResponse(rackError(400, "The request could not be completed because it contains invalid query parameters (check encoding)", "PARAMETERS_INVALID"))
	}
	// Rack keeps the last value of a repeated scalar parameter (?limit=1&limit=5 is 5);
	// only "key[]" parameters are arrays.
	for k, vs := range query {
		if len(vs) > 1 && !strings.HasSuffix(k, "[]") {
			query[k] = vs[len(vs)-1:]
		}
	}
	c.query = query
	acctID, rest, ok := splitAccountPath(r.URL.EscapedPath())
	if !ok {
		return c.rackResponse(errRouteNotFound())
	}
	rt, vars := s.router.match(r.Method, rest)
	if rt == nil {
		return c.rackResponse(errRouteNotFound())
	}
	c.vars = vars
	if aerr := c.readBody(); aerr != nil {
		return c.rackResponse(aerr)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	c.acct = s.db.findAccount(acctID)
	if c.acct == nil {
		e := errNotFound("account", acctID)
		e.errors[0].Detail = "The requested account '" + acctID + "' was not found"
		return c.errorResponse(e, false)
	}
	if aerr := c.negotiateVersion(); aerr != nil {
		return c.errorResponse(aerr, true)
	}
	if aerr := environmentUnsupported(r, query); aerr != nil {
		return c.errorResponse(aerr, true)
	}
	if aerr := checkAcceptSignature(r.Header.Get("Keygen-Accept-Signature"), c.acct.ID); aerr != nil {
		return c.errorResponse(aerr, false)
	}
	if err := c.run(rt.h); err != nil {
		return c.errorResponse(err, true)
	}
	return c.finish(true)
}

// environmentUnsupported: environments are EE-only, so CE refuses a Keygen-Environment header
// or an environment query parameter once the account is known
// (app/controllers/concerns/current_environment_scope.rb).
func environmentUnsupported(r *http.Request, query url.Values) *apiError {
	if _, ok := r.Header["Keygen-Environment"]; ok {
		e := errBadRequest("is unsupported", header("Keygen-Environment"))
		e.errors[0].Code = "ENVIRONMENT_NOT_SUPPORTED"
		return e
	}
	if query.Has("environment") {
		e := errBadRequest("is unsupported", parameter("environment"))
		e.errors[0].Code = "ENVIRONMENT_NOT_SUPPORTED"
		return e
	}
	return nil
}

// run calls the handler, turning a panic into a 500 so one bad request cannot take the
// server (or the store lock) down.
func (c *call) run(h handlerFunc) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return h(c)
}

// readBody decodes a JSON request body. Like Keygen, writes sent without a Content-Type
// (or as a form or text) are read as JSON (lib/keygen/middleware.rb).
func (c *call) readBody() *apiError {
	if c.r.Body == nil {
		return nil
	}
	raw, err := io.ReadAll(io.LimitReader(c.r.Body, 16<<20))
	if err != nil {
		return rackError(400, "The request could not be completed", "")
	}
	if len(bytes.TrimSpace(raw)) == 0 || !jsonContentType(c.r) {
		return nil
	}
	jsonInvalid := func() *apiError {
		return rackError(400, "The request could not be completed because it contains invalid JSON (check formatting/encoding)", "JSON_INVALID")
	}
	if !utf8.Valid(raw) {
		// Ruby's JSON parser rejects a malformed UTF-8 body as a parse error (users/create.feature,
		// "… an invalid byte sequence (bad UTF-8 encoding)" answers JSON_INVALID).
		return jsonInvalid()
	}
	if bytes.Contains(raw, []byte(`\u0000`)) || bytes.IndexByte(raw, 0) >= 0 {
		// Ruby raises "string contains null byte", which Keygen answers with its own detail.
		return rackError(400, "The request could not be completed because it contains an unexpected null byte (check encoding)", "ENCODING_INVALID")
	}
	raw, ok := rubyEscapes(raw)
	if !ok {
		return jsonInvalid()
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return jsonInvalid()
	}
	c.body = snakeKeys(v)
	return nil
}

// anyAccept reports a request for the artifact show route (and its vanity form), which
// Keygen defines outside its mime type constraint so that downloads work whatever Accept a
// package manager or browser sends (config/routes.rb, "Artifact and engine actions needs to
// be a bit loose … Accept header").
func anyAccept(r *http.Request) bool {
	if r.Method != http.MethodGet {
		return false
	}
	_, rest, ok := splitAccountPath(r.URL.EscapedPath())
	return ok && strings.HasPrefix(rest, "/artifacts/") && len(rest) > len("/artifacts/")
}

// malformedContentType reports a Content-Type that is not a type/subtype pair (e.g.
// "vnd.api+xml"): Rack refuses it before routing, with MIME_TYPE_INVALID
// (lib/keygen/middleware.rb).
func malformedContentType(ct string) bool {
	ct = strings.TrimSpace(ct)
	if ct == "" {
		return false
	}
	mt, _, _ := strings.Cut(ct, ";")
	return !strings.Contains(mt, "/")
}

func jsonContentType(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return true
	}
	switch {
	case mt == "application/vnd.api+json", mt == "application/json", mt == "application/vnd.keygen+json",
		mt == "application/x-www-form-urlencoded", strings.HasPrefix(mt, "multipart/"), strings.HasPrefix(mt, "text/"):
		return true
	}
	return false
}

// acceptable implements Keygen's Accept check: absent, */*, JSON:API, JSON or
// octet-stream pass; anything else is a 400 MIME_TYPE_INVALID (lib/keygen/middleware.rb).
func acceptable(values []string) bool {
	if len(values) == 0 {
		return true
	}
	if len(values) == 1 && (values[0] == "application/vnd.api+json" || values[0] == "application/json") {
		return true // the common cases, without splitting
	}
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			mt := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
			switch mt {
			case "", "*/*", "application/*", "application/vnd.api+json", "application/json",
				"application/vnd.keygen+json", "application/octet-stream":
				return true
			}
		}
	}
	return false
}

// negotiateVersion reads Keygen-Version (leading "v" stripped); without it the account's
// pinned version applies. Supported: 1.0–1.8 (config/initializers/request_migrations.rb).
func (c *call) negotiateVersion() *apiError {
	v := strings.TrimSpace(c.r.Header.Get("Keygen-Version"))
	if v == "" {
		v = c.acct.APIVersion
	}
	v = strings.TrimPrefix(strings.TrimPrefix(v, "v"), "V")
	minor, ok := parseMinor(v)
	if !ok {
		e := errBadRequest("unsupported API version requested", nil)
		e.errors[0].Code = "INVALID_API_VERSION"
		e.errors[0].Links = map[string]string{"about": "https://keygen.sh/docs/api/versioning/"}
		return e
	}
	c.minor = minor
	return nil
}

// parseMinor turns "1.N" (0 ≤ N ≤ 8) into N.
func parseMinor(v string) (int, bool) {
	major, minor, ok := strings.Cut(v, ".")
	if !ok || major != "1" {
		return 0, false
	}
	n, err := strconv.Atoi(minor)
	if err != nil || n < 0 || n > 8 || minor != strconv.Itoa(n) {
		return 0, false
	}
	return n, true
}

// version is the requested API version as a string ("1.8").
func (c *call) version() string { return "1." + strconv.Itoa(c.minor) }

// param returns a path variable.
func (c *call) param(name string) string { return c.vars[name] }

// db is the store; callers hold the lock (handlers always do).
func (c *call) db() *store { return c.s.db }

// now is the server clock.
// now is the request's instant: read once from the server clock, so every timestamp one
// request writes (created, updated, an expiry set on activation) agrees, as Rails' do
// within one save.
func (c *call) now() time.Time {
	if c.at.IsZero() {
		c.at = c.s.clock.now()
	}
	return c.at
}

// parse checks the request body against a schema (see params.go).
func (c *call) parse(schema *param) (params, error) {
	p, err := checkParams(c.body, schema, false)
	if err != nil {
		return nil, err
	}
	return p, nil
}
