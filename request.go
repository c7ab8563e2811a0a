package keygen

// The request path, in the order a call takes it: a service method builds a request; send
// adds the headers and credentials and hands it to go-retryablehttp (retry.go), which sends
// it, reads the whole answer within each attempt and retries what is safe to retry; send
// then checks the answer's signature and turns a non-2xx answer into a *Error; sendOne,
// getByID and getPage decode the body in one pass into the model (internal/jsonapi).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/licensekit/keygen/internal/jsonapi"
	"github.com/licensekit/keygen/internal/query"
)

// request is one API call before it is sent.
type request struct {
	method string
	path   string // below /v1/accounts/{account}, starting with "/"
	query  string // already encoded, without "?"
	body   any    // marshalled as JSON when non-nil; []byte is sent as is
	// basicAuth replaces the client's credentials (token generation with email and password).
	basicUser, basicPass string
	// noAuth sends no credentials (validate-key, password reset: anyone may call them).
	noAuth bool
	// accept overrides the Accept header (raw license file download).
	accept string
	// nonIdempotent marks a request that must not be repeated once it may have reached the
	// server although its method is DELETE or PUT (popping a key from a policy's pool: a
	// second pop would lose the first key). It is then retried only like a POST.
	nonIdempotent bool
	// noRedirect takes a 3xx answer as the answer instead of following it (redirect.go).
	noRedirect bool
}

// response is a received answer whose body was read in full and, when asked, verified.
type response struct {
	status int
	header http.Header
	body   []byte
	req    *http.Request
	c      *Client
}

// name names the request in error strings ("GET /v1/accounts/…/licenses/[REDACTED]"):
// req.URL.Path itself may hold a license key used as an id. It is made only when needed.
func (r *response) name() string { return r.req.Method + " " + r.c.redact(r.req.URL.Path) }

// errorf wraps err with the request it is about.
func (r *response) errorf(err error) error { return fmt.Errorf("keygen: %s: %w", r.name(), err) }

// doc parses the body as a JSON:API document.
func (r *response) doc() (*jsonapi.Document, error) {
	d, err := jsonapi.Parse(r.body)
	if err != nil {
		return nil, fmt.Errorf("keygen: decoding %s response: %w", r.name(), err)
	}
	return d, nil
}

func (c *Client) url(r *request) string {
	return c.cfg.base + "/v1/accounts/" + url.PathEscape(c.cfg.account) + r.path + queryPart(r.query)
}

func queryPart(q string) string {
	if q == "" {
		return ""
	}
	return "?" + q
}

// send sends r, retrying per the client's policy, and returns the answer for 2xx statuses. Any
// other status becomes a *Error (or *RateLimitError). With WithPublicKey set, the answer's
// signature is checked before anything of it is trusted, error answers included.
func (c *Client) send(ctx context.Context, r *request) (*response, error) {
	if ctx == nil {
		return nil, fmt.Errorf("%w: nil context", ErrInvalidArgument)
	}
	if err := ctx.Err(); err != nil {
		// Not every transport checks ctx before sending (mocks, custom RoundTrippers).
		return nil, fmt.Errorf("keygen: %s %s: %w", r.method, c.redact(r.path), err)
	}
	var body io.Reader
	var raw []byte
	switch b := r.body.(type) {
	case nil:
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = marshalJSON(b); err != nil {
			return nil, fmt.Errorf("keygen: encoding request body: %w", err)
		}
	}
	if raw != nil {
		body = bytes.NewReader(raw)
	}
	if _, ok := ctx.Deadline(); !ok && c.cfg.callTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.callTimeout)
		defer cancel()
	}
	ctx, call := c.beginCall(ctx, r)
	if r.noRedirect {
		ctx = withoutRedirects(ctx)
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, r.method, c.url(r), body)
	if err != nil {
		return nil, fmt.Errorf("keygen: building request: %w", err)
	}
	c.setHeaders(req.Request, r, raw != nil)

	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		err = c.scrubURLError(err, r)
		c.log(ctx, slog.LevelWarn, "keygen request failed", r, 0, call.Attempts, start, err)
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return nil, fmt.Errorf("keygen: %s %s: %w", r.method, c.redact(r.path), ctxErr)
		}
		return nil, &TransportError{Method: r.method, Path: c.redact(r.path), Attempts: call.Attempts, Err: err}
	}
	defer resp.Body.Close()

	// The body was read within the attempt (retry.Transport), so that a cut one was retried.
	limit := bodyLimit(resp.StatusCode)
	var data []byte
	var truncated bool
	var readErr error
	if b := call.Body; b != nil {
		data, truncated = b.Data, b.Truncated
	} else {
		data, readErr = io.ReadAll(io.LimitReader(resp.Body, limit+1))
		if truncated = int64(len(data)) > limit; truncated {
			data = data[:limit]
		}
	}
	out := &response{status: resp.StatusCode, header: resp.Header, body: data, req: resp.Request, c: c}
	if out.req == nil {
		out.req = req.Request
	}
	c.log(ctx, slog.LevelDebug, "keygen request", r, resp.StatusCode, call.Attempts, start, nil)
	if resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests {
		c.budget.Success() // the server answers: retries are worth their cost again
	}

	success := resp.StatusCode >= 200 && resp.StatusCode < 300 || r.noRedirect && isRedirect(resp.StatusCode)
	if success {
		if readErr != nil {
			return nil, &TransportError{Method: r.method, Path: c.redact(r.path), Attempts: call.Attempts, Err: fmt.Errorf("reading response body: %w", readErr)}
		}
		if truncated {
			return nil, fmt.Errorf("keygen: %s %s: response body exceeds %d bytes", r.method, c.redact(r.path), limit)
		}
	}
	unverified := false
	if c.cfg.publicKey != nil {
		switch {
		case isUnsignedRackError(resp.StatusCode, resp.Header):
			// Keygen answers some errors before it knows the account, unsigned by design.
			// Anyone on the path could have written this one: it stays an error, marked so
			// that nobody acts on it as on a signed answer (see Error.Unverified).
			unverified = true
		case truncated || readErr != nil:
			// A body we could not read whole cannot be checked against its digest, and an
			// answer that cannot be checked is never reported as the server's.
			return nil, sigErr("%s: answer body unreadable or over %d bytes, cannot be verified", out.name(), limit)
		default:
			// Verify against the request this client made, not resp.Request: after a redirect
			// that is another request, and a forged redirect would get a genuine answer for
			// another resource (another license's valid validation, nonce included) accepted
			// as ours. Any status is checked: 3xx, 4xx and 5xx answers alike.
			if err := verifyResponse(c.cfg.publicKey, c.cfg.signatureAlgorithm, req.Request, out.name(), resp.Header, data, c.cfg.now(), c.cfg.maxClockSkew); err != nil {
				return nil, err
			}
		}
	}
	if !success {
		err := c.newError(out, call.Attempts)
		if unverified {
			markUnverified(err)
		}
		return nil, err
	}
	return out, nil
}

// newError builds the *Error of a non-2xx answer, with the client's credentials kept out of
// its path.
func (c *Client) newError(r *response, attempts int) error {
	err := newError(r, attempts)
	var e *Error
	if errors.As(err, &e) {
		// Keygen's 404 detail echoes the id it was given ("The requested license '<key>' was
		// not found"): scrub any license key alias of the path from the error objects too.
		aliases := licenseAliases(e.Path)
		e.Path = c.redact(e.Path)
		for i := range e.Errors {
			e.Errors[i].Detail = c.redact(e.Errors[i].Detail, aliases...)
		}
	}
	return err
}

// isUnsignedRackError reports answers that Keygen sends before the account is resolved (rate
// limits from Rack::Attack, malformed requests, routing errors): they carry no signature by
// design (keygen-sh/keygen-api, config/initializers/rack_attack.rb and the signature
// middleware that only signs resolved accounts). They stay errors, marked Unverified, so a
// forgery of one can delay a call but never turn into a success or a signed verdict.
func isUnsignedRackError(status int, h http.Header) bool {
	if status < 400 {
		return false
	}
	return h.Get("Keygen-Signature") == "" && h.Get("Digest") == ""
}

func (c *Client) setHeaders(h *http.Request, r *request, hasBody bool) {
	accept := r.accept
	if accept == "" {
		accept = mediaType
	}
	h.Header.Set("Accept", accept)
	if hasBody {
		h.Header.Set("Content-Type", mediaType)
	}
	h.Header.Set("Keygen-Version", c.cfg.apiVersion)
	ua := "licensekit-keygen-go/" + Version
	if c.cfg.userAgent != "" {
		ua += " " + c.cfg.userAgent
	}
	h.Header.Set("User-Agent", ua)
	if c.cfg.environment != "" {
		h.Header.Set("Keygen-Environment", c.cfg.environment)
	}
	if c.cfg.publicKey != nil {
		// Sent for ed25519 too, although it is Keygen's default: the answer must then be
		// signed with exactly this algorithm, whatever the server's default.
		h.Header.Set("Keygen-Accept-Signature", `algorithm="`+c.cfg.signatureAlgorithm+`"`)
	}
	switch {
	case r.basicUser != "" || r.basicPass != "":
		h.SetBasicAuth(r.basicUser, r.basicPass)
	case r.noAuth:
	case c.cfg.token != "":
		h.Header.Set("Authorization", "Bearer "+c.cfg.token)
	case c.cfg.licenseKey != "":
		h.Header.Set("Authorization", "License "+c.cfg.licenseKey)
	}
}

func (c *Client) log(ctx context.Context, level slog.Level, msg string, r *request, status, attempts int, start time.Time, err error) {
	l := c.cfg.logger
	if l == nil || !l.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", r.method),
		slog.String("path", c.redact(r.path)), // never the query: it may hold filters with personal data
		slog.Int("attempts", attempts),
		slog.Duration("duration", time.Since(start)),
	}
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	l.LogAttrs(ctx, level, msg, attrs...)
}

// pathf builds a path below the account, escaping every argument as one path segment. It
// rejects empty values so that "/licenses/" + "" never lists licenses by accident.
func pathf(format string, args ...string) (string, error) {
	esc := make([]any, len(args))
	for i, a := range args {
		if strings.TrimSpace(a) == "" {
			return "", fmt.Errorf("%w: empty id", ErrInvalidArgument)
		}
		if strings.Contains(a, "/") {
			// Keygen cannot route a segment holding "/". The usual culprit is a signed
			// license key used as an alias: a secret, so the value is not repeated here.
			return "", fmt.Errorf("%w: an id containing '/' (a signed license key?) cannot be used in a path: use the resource's id", ErrInvalidArgument)
		}
		esc[i] = url.PathEscape(a)
	}
	return fmt.Sprintf(format, esc...), nil
}

// marshalJSON encodes a request body without HTML escaping, so URLs keep their "&".
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// resourcePtr is a model: its attributes decode with encoding/json (json tags), and it binds
// the rest (id, relationships, meta) from the resource's head.
type resourcePtr[T any] interface {
	*T
	resourceType() string
	bind(h *jsonapi.Head) error
}

// bindModel checks the resource type and binds v from h.
func bindModel[T any, PT resourcePtr[T]](v *T, h *jsonapi.Head) error {
	if want := PT(v).resourceType(); h.Type != want {
		return fmt.Errorf("decoding %s %s: resource type %q does not match %q", h.Type, h.ID, h.Type, want)
	}
	return PT(v).bind(h)
}

// decodeAs decodes one resource object with raw attributes (included resources, polymorphic
// documents) into its model.
func decodeAs[T any, PT resourcePtr[T]](r *jsonapi.Resource) (*T, error) {
	v := new(T)
	if err := jsonapi.UnmarshalAttributes(r, v); err != nil {
		return nil, err
	}
	if err := bindModel[T, PT](v, &r.Head); err != nil {
		return nil, err
	}
	return v, nil
}

// decodeOne reads the single primary resource of an answer, in one pass over its bytes.
func decodeOne[T any, PT resourcePtr[T]](resp *response) (*T, error) {
	doc, err := jsonapi.DecodeOne[T, jsonapi.Ignore](resp.body)
	if err != nil {
		return nil, resp.errorf(err)
	}
	if doc.Data == nil {
		return nil, resp.errorf(errors.New("the response has no data"))
	}
	v := &doc.Data.Attributes
	if err := bindModel[T, PT](v, &doc.Data.Head); err != nil {
		return nil, resp.errorf(err)
	}
	return v, nil
}

// sendOne sends r and decodes the single resource it answers with.
func sendOne[T any, PT resourcePtr[T]](ctx context.Context, c *Client, r *request) (*T, error) {
	resp, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	return decodeOne[T, PT](resp)
}

// writeResource sends a resource document of type typ, its attributes from opts (a pointer
// to an option struct with google/jsonapi attr tags) and its relationships rels, and decodes
// the resource answered.
func writeResource[T any, PT resourcePtr[T]](ctx context.Context, c *Client, method, path, typ string, opts any, rels map[string]any) (*T, error) {
	attrs, err := jsonapi.Attributes(opts)
	if err != nil {
		return nil, err
	}
	body := jsonapi.Body{Data: jsonapi.Object{Type: typ, Attributes: attrs, Relationships: rels}}
	return sendOne[T, PT](ctx, c, &request{method: method, path: path, body: body})
}

// updateByID PATCHes the resource at format, whose one %s is the (escaped) id, with the
// attributes set in opts.
func updateByID[T any, PT resourcePtr[T]](ctx context.Context, c *Client, format, id, typ string, opts any) (*T, error) {
	path, err := pathf(format, id)
	if err != nil {
		return nil, err
	}
	return writeResource[T, PT](ctx, c, "PATCH", path, typ, opts, nil)
}

// getByID fetches the resource at format, whose one %s is the (escaped) id.
func getByID[T any, PT resourcePtr[T]](ctx context.Context, c *Client, format, id string) (*T, error) {
	path, err := pathf(format, id)
	if err != nil {
		return nil, err
	}
	return sendOne[T, PT](ctx, c, &request{method: "GET", path: path})
}

// deleteByID deletes the resource at format, whose one %s is the (escaped) id (204).
func deleteByID(ctx context.Context, c *Client, format, id string) error {
	path, err := pathf(format, id)
	if err != nil {
		return err
	}
	return sendNoContent(ctx, c, &request{method: "DELETE", path: path})
}

// sendNoContent sends r and expects no document back (204).
func sendNoContent(ctx context.Context, c *Client, r *request) error {
	_, err := c.send(ctx, r)
	return err
}

// queryEncoder is a list's options: every one encodes its paging parameters and filters,
// and a nil one encodes nothing.
type queryEncoder interface{ encode(q *query.Values) error }

// listPage encodes opts and fetches one page of the list at path.
func listPage[T any, PT resourcePtr[T]](ctx context.Context, c *Client, path string, opts queryEncoder) (*Page[T], error) {
	var q query.Values
	if err := opts.encode(&q); err != nil {
		return nil, err
	}
	return getPage[T, PT](ctx, c, path, &q)
}

// getPage sends a GET for a list and decodes the page with its links, in one pass.
func getPage[T any, PT resourcePtr[T]](ctx context.Context, c *Client, path string, q *query.Values) (*Page[T], error) {
	resp, err := c.send(ctx, &request{method: "GET", path: path, query: q.Encode()})
	if err != nil {
		return nil, err
	}
	doc, err := jsonapi.DecodeMany[T, jsonapi.Ignore](resp.body)
	if err != nil {
		return nil, resp.errorf(err)
	}
	rs := doc.Data
	p := &Page[T]{Data: make([]*T, len(rs))}
	for i := range rs {
		// The models live in the decoded slice itself: one allocation for the whole page.
		if err := bindModel[T, PT](&rs[i].Attributes, &rs[i].Head); err != nil {
			return nil, resp.errorf(fmt.Errorf("item %d: %w", i, err))
		}
		p.Data[i] = &rs[i].Attributes
	}
	if len(rs) > 0 {
		p.lastID = rs[len(rs)-1].ID
	}
	if l := doc.Links; l != nil {
		p.Self, p.First, p.Prev, p.Next, p.Last = l.Self, l.First, l.Prev, l.Next, l.Last
		if l.Meta.Pages != nil {
			p.Pages = *l.Meta.Pages
		}
		if l.Meta.Count != nil {
			p.Count = *l.Meta.Count
		}
	}
	return p, nil
}
