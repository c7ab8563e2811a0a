package keygentest

import (
	"net"
	"net/url"
	"strings"
)

// Webhook endpoints (app/controllers/api/v1/webhook_endpoints_controller.rb) and webhook
// events (app/controllers/api/v1/webhook_events_controller.rb). Events are created by
// emit (events.go) and delivered by the deliverer (delivery.go).

// webhookEndpoint is a registered webhook receiver (app/models/webhook_endpoint.rb).
type webhookEndpoint struct {
	base
	URL                string
	Subscriptions      []string
	SignatureAlgorithm string
	APIVersion         string
	ProductID          *string
}

// webhookEvent is one delivery record (app/models/webhook_event.rb).
type webhookEvent struct {
	base
	EndpointID       string
	Endpoint         string
	APIVersion       *string
	Payload          string // the rendered resource document, as a JSON string
	Event            string
	Status           string // DELIVERING, DELIVERED, FAILING, FAILED
	LastResponseCode *int
	LastResponseBody *string
	IdempotencyToken string
}

// subscribed reports whether an endpoint receives an event type.
func (e *webhookEndpoint) subscribed(event string) bool {
	for _, s := range e.Subscriptions {
		if s == "*" || s == event {
			return true
		}
	}
	return false
}

func (v view) webhookEndpoint(e *webhookEndpoint) *resource {
	attrs := map[string]any{
		"url":                e.URL,
		"subscriptions":      e.Subscriptions,
		"signatureAlgorithm": e.SignatureAlgorithm,
		"apiVersion":         e.APIVersion,
	}
	r := v.newResource("webhook-endpoints", e.ID, stamp(attrs, &e.base))
	// Keygen links the product itself (or null), not a nested relationship route.
	var related any
	if e.ProductID != nil {
		related = v.path("products", *e.ProductID)
	}
	rel := &relationship{related: related, toOne: true, typ: "products"}
	if e.ProductID != nil {
		rel.id = *e.ProductID
	}
	r.Relationships["product"] = rel
	return r
}

func (v view) webhookEvent(e *webhookEvent) *resource {
	attrs := map[string]any{
		"endpoint":         e.Endpoint,
		"apiVersion":       opt(e.APIVersion),
		"payload":          e.Payload,
		"event":            e.Event,
		"status":           e.Status,
		"lastResponseCode": opt(e.LastResponseCode),
		"lastResponseBody": opt(e.LastResponseBody),
	}
	r := v.newResource("webhook-events", e.ID, stamp(attrs, &e.base))
	r.Meta = map[string]any{"idempotencyToken": e.IdempotencyToken}
	return r
}

// routeWebhooks registers the routes for webhook endpoints and events.
func (s *Server) routeWebhooks(r *router) {
	r.post("/webhook-endpoints", s.createEndpoint)
	r.get("/webhook-endpoints", s.listEndpoints)
	r.get("/webhook-endpoints/{id}", s.showEndpoint)
	r.update("/webhook-endpoints/{id}", s.updateEndpoint)
	r.del("/webhook-endpoints/{id}", s.deleteEndpoint)

	r.get("/webhook-events", s.listEvents)
	r.get("/webhook-events/{id}", s.showEvent)
	r.del("/webhook-events/{id}", s.deleteEvent)
	r.post("/webhook-events/{id}/actions/retry", s.retryEvent)
}

var (
	endpointTypes       = []string{"webhookEndpoint", "webhookEndpoints", "webhook-endpoint", "webhook-endpoints", "webhook_endpoint", "webhook_endpoints"}
	signatureAlgorithms = []string{"ed25519", "rsa-pss-sha256", "rsa-sha256", "ecdsa-p256"}
	apiVersions         = []string{"1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8"}
)

func endpointSchema(create bool) *param {
	attrs := fields{
		"url":                 str(),
		"subscriptions":       strs().opt().null(),
		"api_version":         str().opt().nullOnly(),
		"signature_algorithm": str().opt().nullOnly(),
	}
	rels := fields{"product": obj(fields{"data": obj(fields{"type": typeOf("product"), "id": uuidParam()}).null()}).opt()}
	data := fields{
		"type":          str().in(endpointTypes...),
		"attributes":    obj(attrs),
		"relationships": obj(rels).opt(),
	}
	if !create {
		attrs["url"] = str().opt()
		data["attributes"].optional = true
		data["id"] = str().opt()
	}
	return obj(fields{"data": obj(data)})
}

var (
	createEndpointSchema = endpointSchema(true)
	updateEndpointSchema = endpointSchema(false)
)

// mayReadHooks: admins, developers, read-only users and environments read every
// endpoint; a product reads its own (WebhookEndpointPolicy#index?/show?).
func mayReadHooks(p *principal) bool {
	return p.hasRole("admin", "developer", "read-only", "environment")
}

// seesEndpoint: staff see every endpoint (agents then get 403), a product its own;
// users and licenses none (404).
func seesEndpoint(p *principal, e *webhookEndpoint) bool {
	switch {
	case p.isStaff():
		return true
	case p.product != nil:
		return e.ProductID != nil && p.isProduct(*e.ProductID)
	}
	return false
}

func (c *call) findEndpoint(p *principal, id string) (*webhookEndpoint, error) {
	e := c.db().endpoints[lower(id)]
	if e == nil || e.AccountID != c.acct.ID || !seesEndpoint(p, e) {
		return nil, errNotFound("webhook endpoint", id)
	}
	return e, nil
}

// mayWriteEndpoint: admins, developers and environments; a product for endpoints of its own.
func mayWriteEndpoint(p *principal, e *webhookEndpoint) bool {
	if p.canWriteAll() {
		return true
	}
	return p.product != nil && e.ProductID != nil && p.isProduct(*e.ProductID)
}

func (s *Server) createEndpoint(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	in, err := c.parse(createEndpointSchema)
	if err != nil {
		return err
	}
	e := &webhookEndpoint{base: newBase(c.acct.ID, c.now()), Subscriptions: []string{"*"}, SignatureAlgorithm: "ed25519", APIVersion: c.version()}
	if p.product != nil {
		id := p.product.ID // a product bearer's endpoint is scoped to it
		e.ProductID = &id
	}
	if err := c.applyEndpoint(e, in); err != nil {
		return err
	}
	if err := c.authorize(p, "webhook-endpoint.create", mayWriteEndpoint(p, e)); err != nil {
		return err
	}
	if err := c.validateEndpoint(e); err != nil {
		return err
	}
	e.Subscriptions = uniq(e.Subscriptions)
	c.db().endpoints[e.ID] = e
	return c.created(c.view().webhookEndpoint(e))
}

// applyEndpoint copies the sent attributes and product relationship onto an endpoint. An
// unsupported apiVersion is a 400 from request typing
// (app/controllers/api/v1/webhook_endpoints_controller.rb).
func (c *call) applyEndpoint(e *webhookEndpoint, in params) error {
	attrs := in.obj("data").obj("attributes")
	if s, ok := attrs.str("url"); ok {
		e.URL = s
	}
	if attrs.has("subscriptions") && !attrs.isNull("subscriptions") {
		e.Subscriptions = attrs.strings("subscriptions")
	}
	if s, ok := attrs.str("api_version"); ok {
		if !contains(apiVersions, s) {
			return errBadRequest("is invalid", pointer("/data/attributes/apiVersion"))
		}
		e.APIVersion = s
	}
	if s, ok := attrs.str("signature_algorithm"); ok {
		e.SignatureAlgorithm = s
	}
	rels := in.obj("data").obj("relationships")
	if rels.has("product") {
		data := rels.obj("product")
		if data.isNull("data") {
			e.ProductID = nil
		} else if id, ok := data.obj("data").str("id"); ok {
			e.ProductID = &id
		}
	}
	return nil
}

// validateEndpoint applies the WebhookEndpoint model's validations, in their order.
func (c *call) validateEndpoint(e *webhookEndpoint) error {
	v := newInvalid("webhook-endpoints")
	if len(e.Subscriptions) < 1 {
		v.attr("subscriptions", "TOO_SHORT", "must have at least 1 webhook event subscription")
	}
	c.validateHookURL(v, e.URL)
	if len(e.URL) > 4096 {
		v.attr("url", "TOO_LONG", "is too long (maximum is 4096 characters)")
	}
	if strings.TrimSpace(e.URL) == "" {
		v.attr("url", "MISSING", "can't be blank")
	}
	if !contains(signatureAlgorithms, e.SignatureAlgorithm) {
		v.attr("signatureAlgorithm", "NOT_ALLOWED", "unsupported signature algorithm")
	}
	// Only ["*"] exactly may use the wildcard: Keygen checks every other entry against its
	// event types, of which "*" is not one.
	if !(len(e.Subscriptions) == 1 && e.Subscriptions[0] == "*") {
		for _, s := range e.Subscriptions {
			if !eventTypes[s] {
				v.attr("subscriptions", "NOT_ALLOWED", "unsupported webhook event type for subscription")
				break
			}
		}
	}
	if e.ProductID != nil {
		if prod := c.db().products[*e.ProductID]; prod == nil || prod.AccountID != c.acct.ID {
			v.rel("product", "NOT_FOUND", "must exist")
		}
	}
	return v.err()
}

// blockedHosts may never receive webhooks (Keygen's URL validator).
var blockedHosts = []string{"dist.keygen.sh", "app.keygen.sh", "api.keygen.sh", "dashboard.keygen.sh",
	"portal.keygen.sh", "status.keygen.sh", "stats.keygen.sh", "keygen.sh", "localhost"}

// validateHookURL is Keygen's URL validator with protocols [https]: a URL that does not
// parse is URL_INVALID; otherwise a wrong protocol is URL_PROTOCOL_INVALID and a host
// without a TLD (or a Keygen or localhost host) URL_HOST_INVALID. WithInsecureWebhooks
// also allows http and loopback or IP hosts.
func (c *call) validateHookURL(v *invalid, raw string) {
	u, err := url.Parse(raw)
	if err != nil || !uriChars(raw) {
		v.attr("url", "INVALID", "must be a valid URL")
		return
	}
	insecure := c.s.cfg.insecureHooks
	protocols := []string{"https"}
	if insecure {
		protocols = []string{"http", "https"}
	}
	if !contains(protocols, u.Scheme) {
		v.attr("url", "PROTOCOL_INVALID", "must be a valid URL using one of the following protocols: "+joinComma(protocols))
	}
	host := u.Hostname()
	ok := host != "" && !contains(blockedHosts, host) && hostRE.MatchString(host)
	if insecure && (host == "localhost" || net.ParseIP(host) != nil) {
		ok = true
	}
	if !ok {
		v.attr("url", "HOST_INVALID", "must be a URL with a valid host")
	}
}

// uriChars reports whether s holds only characters an RFC 3986 URI may contain, as Ruby's
// URI.parse requires (spaces, quotes, braces and the like make it raise).
func uriChars(s string) bool {
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("-._~:/?#[]@!$&'()*+,;=%", r):
		default:
			return false
		}
	}
	return true
}

func (s *Server) listEndpoints(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	if err := c.authorize(p, "webhook-endpoint.read", mayReadHooks(p) || p.product != nil); err != nil {
		return err
	}
	items := ofAccount(c.db().endpoints, c.acct.ID, func(e *webhookEndpoint) bool { return seesEndpoint(p, e) })
	v := c.view()
	return paginate(c, items, true, v.webhookEndpoint)
}

func (s *Server) showEndpoint(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	e, err := c.findEndpoint(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.authorize(p, "webhook-endpoint.read", mayReadHooks(p) || p.product != nil); err != nil {
		return err
	}
	return c.ok(c.view().webhookEndpoint(e))
}

func (s *Server) updateEndpoint(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	e, err := c.findEndpoint(p, c.param("id"))
	if err != nil {
		return err
	}
	in, err := c.parse(updateEndpointSchema)
	if err != nil {
		return err
	}
	if err := c.authorize(p, "webhook-endpoint.update", mayWriteEndpoint(p, e)); err != nil {
		return err
	}
	next := *e
	next.Subscriptions = append([]string(nil), e.Subscriptions...)
	if err := c.applyEndpoint(&next, in); err != nil {
		return err
	}
	if err := c.validateEndpoint(&next); err != nil {
		return err
	}
	next.Subscriptions = uniq(next.Subscriptions)
	// webhook_endpoint.update saves, and stamps updated_at, only when something changed
	// (ActiveRecord timestamps; app/controllers/api/v1/webhook_endpoints_controller.rb).
	touchIfChanged(e, &next, c.now())
	*e = next
	return c.ok(c.view().webhookEndpoint(e))
}

func (s *Server) deleteEndpoint(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	e, err := c.findEndpoint(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.authorize(p, "webhook-endpoint.delete", mayWriteEndpoint(p, e)); err != nil {
		return err
	}
	delete(c.db().endpoints, e.ID)
	return c.noContent()
}

// Webhook events ----------------------------------------------------------------------

// eventProductID is the product of an event's endpoint, if it still exists and is scoped.
func (c *call) eventProductID(ev *webhookEvent) string {
	if ep := c.db().endpoints[ev.EndpointID]; ep != nil && ep.ProductID != nil {
		return *ep.ProductID
	}
	return ""
}

// seesEvent: staff see every event (agents then get 403), a product the events of its
// endpoints; users and licenses none.
func (c *call) seesEvent(p *principal, ev *webhookEvent) bool {
	switch {
	case p.isStaff():
		return true
	case p.product != nil:
		return c.eventProductID(ev) == p.product.ID
	}
	return false
}

func (c *call) findEvent(p *principal, id string) (*webhookEvent, error) {
	ev := c.db().events[lower(id)]
	if ev == nil || ev.AccountID != c.acct.ID || !c.seesEvent(p, ev) {
		return nil, errNotFound("webhook event", id)
	}
	return ev, nil
}

// listEvents is GET /webhook-events, filtered by events[]= and paginated without counts
// (app/controllers/api/v1/webhook_events_controller.rb).
func (s *Server) listEvents(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	if err := c.authorize(p, "webhook-event.read", mayReadHooks(p) || p.product != nil); err != nil {
		return err
	}
	var filter []string
	if vs, ok := c.query["events[]"]; ok {
		filter = vs
	}
	items := ofAccount(c.db().events, c.acct.ID, func(ev *webhookEvent) bool {
		return c.seesEvent(p, ev) && (filter == nil || contains(filter, ev.Event))
	})
	v := c.view()
	return paginate(c, items, false, v.webhookEvent)
}

func (s *Server) showEvent(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	ev, err := c.findEvent(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.authorize(p, "webhook-event.read", mayReadHooks(p) || p.product != nil); err != nil {
		return err
	}
	return c.ok(c.view().webhookEvent(ev))
}

func (s *Server) deleteEvent(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	ev, err := c.findEvent(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.authorize(p, "webhook-event.delete", p.canWriteAll()); err != nil {
		return err
	}
	delete(c.db().events, ev.ID)
	return c.noContent()
}

// retryEvent is POST /webhook-events/{id}/actions/retry: a new DELIVERING event with the
// same idempotency token, payload, event and API version, delivered to the same endpoint
// (found by id, else by URL); 422 when that endpoint is gone.
func (s *Server) retryEvent(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	ev, err := c.findEvent(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.authorize(p, "webhook-event.retry", p.canWriteAll()); err != nil {
		return err
	}
	db := c.db()
	ep := db.endpoints[ev.EndpointID]
	if ep == nil {
		for _, x := range ofAccount(db.endpoints, c.acct.ID, func(x *webhookEndpoint) bool { return x.URL == ev.Endpoint }) {
			ep = x
			break
		}
	}
	if ep == nil {
		return errUnprocessableEntity("webhook event failed to retry", "", nil)
	}
	next := &webhookEvent{
		base:             newBase(c.acct.ID, c.now()),
		EndpointID:       ep.ID,
		Endpoint:         ev.Endpoint,
		APIVersion:       ev.APIVersion,
		Payload:          ev.Payload,
		Event:            ev.Event,
		Status:           "DELIVERING",
		IdempotencyToken: ev.IdempotencyToken,
	}
	db.events[next.ID] = next
	s.enqueueDelivery(c.acct, next, ep)
	return c.created(c.view().webhookEvent(next))
}
