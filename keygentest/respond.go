package keygentest

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

const (
	jsonAPIType = "application/vnd.api+json; charset=utf-8"
	jsonType    = "application/json; charset=utf-8"
)

// document is a top-level JSON:API document (lib/keygen/jsonapi/renderer.rb). Links appear only
// on paginated lists, meta only on specific actions, included only where Keygen sends it.
type document struct {
	Data     any            `json:"data"`
	Links    any            `json:"links,omitempty"`
	Meta     map[string]any `json:"meta,omitempty"`
	Included []*resource    `json:"included,omitempty"`
}

// ok answers 200 with a single resource (or nil for data:null).
func (c *call) ok(res *resource) error {
	if res == nil {
		return c.json(http.StatusOK, document{Data: nil})
	}
	return c.json(http.StatusOK, document{Data: res})
}

// created answers 201 with the new resource and its absolute URL in Location.
func (c *call) created(res *resource) error {
	c.header.Set("Location", c.absoluteURL(res.Links["self"].(string)))
	return c.json(http.StatusCreated, document{Data: res})
}

// noContent answers 204 with an empty body (deletes, revokes).
func (c *call) noContent() error {
	c.setPayload(http.StatusNoContent, nil)
	return nil
}

// setPayload answers with bytes that are not a pooled buffer.
func (c *call) setPayload(status int, b []byte) {
	c.buf.release()
	c.status, c.payload, c.buf = status, b, nil
}

// json answers with any document.
func (c *call) json(status int, doc any) error {
	buf := docBuffers.Get().(*docBuffer)
	b, err := appendDoc(buf.b, doc)
	if err != nil {
		buf.release()
		return err
	}
	buf.b = b
	c.buf.release() // an answer encoded earlier in this call is replaced
	c.status, c.payload, c.buf = status, b, buf
	return nil
}

// absoluteURL turns an API path into an absolute URL on the host the client used.
func (c *call) absoluteURL(path string) string {
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.r.Host + path
}

// finish adds the default headers and, when signed, the signature headers.
func (c *call) finish(signed bool) *response {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	h := c.header
	if h.Get("Content-Type") == "" && c.status != http.StatusNoContent {
		h["Content-Type"] = contentTypeHeader(negotiatedType(c.r))
	}
	h["X-Request-Id"] = []string{c.reqID}
	h["Cache-Control"] = cacheControl
	// Documents, environments and permissions follow the Community Edition (no environment
	// relationship, no permissions attribute, ENVIRONMENT_NOT_SUPPORTED), so say so.
	h["Keygen-Edition"] = editionCE
	h["Keygen-Mode"] = modeMultiplayer
	h["Keygen-Revision"] = revision
	h["Keygen-Version"] = versionHeader(c.minor)
	if c.acct != nil {
		h["Keygen-Account"] = []string{c.acct.ID}
	}
	if c.auth != nil {
		h.Set("Keygen-Bearer", c.auth.bearerID())
		if c.auth.token != nil {
			h.Set("Keygen-Token", c.auth.token.ID)
		}
	}
	// API versions up to 1.3 name these headers Keygen-X-Id
	// (app/migrations/rename_keygen_id_headers_for_responses_migration.rb, registered for
	// 1.3 in config/initializers/request_migrations.rb).
	if c.minor <= 3 {
		for _, k := range []string{"Keygen-Account", "Keygen-Bearer", "Keygen-Token"} {
			if v, ok := h[k]; ok {
				delete(h, k)
				h[k+"-Id"] = v
			}
		}
	}
	if signed && c.acct != nil {
		signResponse(h, c.acct, c.r, c.s.clock.now(), c.payload)
	}
	return &response{status: c.status, body: c.payload, buf: c.buf}
}

// Header values every answer carries, shared: net/http only reads them. Keys are already
// in canonical form, so they are set without Header.Set's canonicalization and copy.
var (
	cacheControl    = []string{"no-transform, no-store, max-age=0"}
	editionCE       = []string{"CE"}
	modeMultiplayer = []string{"multiplayer"}
	revision        = []string{"keygentest"}
	contentTypes    = map[string][]string{jsonAPIType: {jsonAPIType}, jsonType: {jsonType}}
	versions        = func() (hs [9][]string) { // 1.0–1.8, see negotiateVersion
		for i := range hs {
			hs[i] = []string{"1." + strconv.Itoa(i)}
		}
		return hs
	}()
)

// contentTypeHeader is the shared one-value header for a content type.
func contentTypeHeader(v string) []string {
	if hv, ok := contentTypes[v]; ok {
		return hv
	}
	return []string{v}
}

// versionHeader is the shared Keygen-Version header for API 1.<minor>.
func versionHeader(minor int) []string {
	if minor >= 0 && minor < len(versions) {
		return versions[minor]
	}
	return []string{"1." + strconv.Itoa(minor)}
}

// errorResponse renders an error document (with meta.id) for a controller-level error.
func (c *call) errorResponse(err error, signed bool) *response {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = newError(500, "Looks like something went wrong! Our engineers have been notified. If you continue to have problems, please contact support@keygen.sh.", "", nil)
	}
	if ae.rack {
		return c.rackResponse(ae)
	}
	for k, vs := range ae.header {
		c.header[k] = vs
	}
	if ae.status == http.StatusUnauthorized && c.header.Get("WWW-Authenticate") == "" {
		c.header.Set("WWW-Authenticate", challenge(c))
	}
	body := map[string]any{"meta": map[string]any{"id": c.reqID}, "errors": ae.errors}
	b, _ := json.Marshal(body)
	c.setPayload(ae.status, b)
	c.header.Set("Content-Type", negotiatedType(c.r))
	return c.finish(signed)
}

// rackResponse renders an error raised before the controller: no meta, no signature,
// only the content type (lib/keygen/middleware.rb).
func (c *call) rackResponse(ae *apiError) *response {
	h := c.header
	clear(h)
	for k, vs := range ae.header {
		h[k] = vs
	}
	h.Set("Content-Type", jsonAPIType)
	b, _ := json.Marshal(map[string]any{"errors": ae.errors})
	return &response{status: ae.status, body: b}
}

// negotiatedType is the Content-Type Keygen's render picks from the Accept list (sorted by
// q, then order; application/* expands to JSON before JSON:API): JSON:API unless JSON is
// listed and JSON:API is absent or later. Without Accept the request's Content-Type counts.
func negotiatedType(r *http.Request) string {
	if a := r.Header["Accept"]; len(a) == 1 { // the common cases, without parsing a list
		switch a[0] {
		case "application/vnd.api+json":
			return jsonAPIType
		case "application/json":
			return jsonType
		}
	}
	header := strings.TrimSpace(strings.Join(r.Header.Values("Accept"), ","))
	if header == "" {
		header = r.Header.Get("Content-Type")
	}
	type item struct {
		mt string
		q  float64
	}
	var items []item
	for _, part := range strings.Split(header, ",") {
		fields := strings.Split(part, ";")
		mt := strings.ToLower(strings.TrimSpace(fields[0]))
		if mt == "" {
			continue
		}
		q := 1.0
		for _, f := range fields[1:] {
			if k, v, ok := strings.Cut(strings.TrimSpace(f), "="); ok && strings.TrimSpace(k) == "q" {
				if n, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = n
				}
			}
		}
		if mt == "application/*" {
			items = append(items, item{"application/json", q}, item{"application/vnd.api+json", q})
			continue
		}
		items = append(items, item{mt, q})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].q > items[j].q })
	api, js := -1, -1
	for i, it := range items {
		switch it.mt {
		case "application/vnd.api+json", "application/vnd.keygen+json":
			if api < 0 {
				api = i
			}
		case "application/json":
			if js < 0 {
				js = i
			}
		}
	}
	if js >= 0 && (api < 0 || js < api) {
		return jsonType
	}
	return jsonAPIType
}
