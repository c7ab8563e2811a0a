package keygentest

import (
	"encoding/json"
	"sort"
)

// Webhook events (app/services/broadcast_event_service.rb). Every operation reports what
// happened through c.emit; emit turns it into one webhook-events record per subscribed endpoint
// of the account and hands each record to the deliverer (delivery.go), which POSTs it in the
// background. emit runs with the store lock held, so it only records and enqueues.

// eventTypes are the event types Keygen seeds (db/seeds.rb); an endpoint may subscribe to
// these or to ["*"] (app/models/webhook_endpoint.rb).
var eventTypes = func() map[string]bool {
	m := map[string]bool{}
	for _, e := range []string{
		"account.billing.updated", "account.plan.updated", "account.settings.created",
		"account.settings.deleted", "account.settings.updated", "account.subscription.canceled",
		"account.subscription.paused", "account.subscription.renewed",
		"account.subscription.resumed", "account.updated",
		"artifact.created", "artifact.deleted", "artifact.downloaded", "artifact.updated",
		"artifact.upload.failed", "artifact.upload.processing", "artifact.upload.succeeded",
		"artifact.uploaded",
		"component.created", "component.deleted", "component.updated",
		"entitlement.created", "entitlement.deleted", "entitlement.updated",
		"environment.created", "environment.deleted", "environment.updated",
		"group.created", "group.deleted", "group.updated",
		"key.created", "key.deleted", "key.updated",
		"license.check-in-overdue", "license.check-in-required-soon", "license.checked-in",
		"license.checked-out", "license.created", "license.deleted",
		"license.entitlements.attached", "license.entitlements.detached", "license.expired",
		"license.expiring-soon", "license.group.updated", "license.owner.updated",
		"license.policy.updated", "license.reinstated", "license.renewed", "license.revoked",
		"license.suspended", "license.updated", "license.usage.decremented",
		"license.usage.incremented", "license.usage.reset", "license.user.updated",
		"license.users.attached", "license.users.detached", "license.validated",
		"license.validation.failed", "license.validation.succeeded",
		"machine.checked-out", "machine.created", "machine.deleted", "machine.group.updated",
		"machine.heartbeat.dead", "machine.heartbeat.ping", "machine.heartbeat.pong",
		"machine.heartbeat.reset", "machine.heartbeat.resurrected", "machine.owner.updated",
		"machine.proofs.generated", "machine.updated",
		"package.created", "package.deleted", "package.updated",
		"policy.created", "policy.deleted", "policy.entitlements.attached",
		"policy.entitlements.detached", "policy.pool.popped", "policy.updated",
		"process.created", "process.deleted", "process.heartbeat.dead",
		"process.heartbeat.ping", "process.heartbeat.pong",
		"product.created", "product.deleted", "product.updated",
		"release.constraints.attached", "release.constraints.detached", "release.created",
		"release.deleted", "release.downloaded", "release.package.updated", "release.published",
		"release.replaced", "release.updated", "release.upgraded", "release.uploaded",
		"release.yanked",
		"second-factor.created", "second-factor.deleted", "second-factor.disabled",
		"second-factor.enabled",
		"token.generated", "token.regenerated", "token.revoked",
		"user.banned", "user.created", "user.deleted", "user.group.updated",
		"user.password-reset", "user.unbanned", "user.updated",
	} {
		m[e] = true
	}
	return m
}()

// emit renders a resource (and optional camelCase meta) as an event payload and emits it
// to the subscribed endpoints of the request's account. Token payloads never include the
// secret: pass a resource rendered without it. Emit before deleting, so the payload carries
// the last state and product-scoped endpoints can still be matched.
func (c *call) emit(eventType string, res *resource, meta map[string]any) {
	if c.acct == nil {
		return
	}
	payload := func() ([]byte, error) { return marshalDoc(document{Data: res, Meta: meta}) }
	c.s.emitFor(c.acct, eventType, payload, func(prod *product) bool { return c.productMayRead(prod, res) })
}

// emitList emits an event whose data is a list of records (join records, owners,
// constraints); it is not product-scoped.
func (c *call) emitList(event string, items []*resource) {
	if c.acct == nil {
		return
	}
	if items == nil {
		items = []*resource{}
	}
	render := func() ([]byte, error) { return marshalDoc(document{Data: items}) }
	c.s.emitFor(c.acct, event, render, func(*product) bool { return false })
}

// emitFor creates one DELIVERING webhook-events record per endpoint of the account that is
// subscribed to eventType (and, for product-scoped endpoints, whose product may read the
// resource), then enqueues its delivery. Called with the store lock held. The payload is
// rendered only when some endpoint gets the event, and then once: most events of a test
// reach no endpoint at all.
func (s *Server) emitFor(acct *account, eventType string, render func() ([]byte, error), productMayRead func(*product) bool) {
	db := s.db
	endpoints := ofAccount(db.endpoints, acct.ID, func(e *webhookEndpoint) bool { return e.subscribed(eventType) })
	if len(endpoints) == 0 {
		return
	}
	var payload []byte
	rendered := false
	// oldest endpoint first, so events of one emit are recorded in a stable order
	sort.SliceStable(endpoints, func(i, j int) bool { return endpoints[i].Created.Before(endpoints[j].Created) })
	now := s.clock.now()
	for _, ep := range endpoints {
		if ep.ProductID != nil {
			prod := db.products[*ep.ProductID]
			if prod == nil || !productMayRead(prod) {
				continue
			}
		}
		if !rendered {
			var err error
			if payload, err = render(); err != nil {
				return
			}
			rendered = true
		}
		version := ep.APIVersion
		ev := &webhookEvent{
			base:             newBase(acct.ID, now),
			EndpointID:       ep.ID,
			Endpoint:         ep.URL,
			APIVersion:       &version,
			Payload:          string(payload),
			Event:            eventType,
			Status:           "DELIVERING",
			IdempotencyToken: randomHex(32),
		}
		db.events[ev.ID] = ev
		s.enqueueDelivery(acct, ev, ep)
	}
}

// enqueueDelivery renders the event document at the endpoint's API version, as Keygen
// does when it creates the event, and hands it to the deliverer. Lock held.
func (s *Server) enqueueDelivery(acct *account, ev *webhookEvent, ep *webhookEndpoint) {
	minor, ok := parseMinor(ep.APIVersion)
	if !ok {
		minor = 8
	}
	v := view{db: s.db, acct: acct, minor: minor, now: s.clock.now()}
	body, err := json.Marshal(document{Data: v.webhookEvent(ev)})
	if err != nil {
		return
	}
	if s.hooks != nil {
		s.hooks.enqueue(&hookJob{accountID: acct.ID, eventID: ev.ID, endpointID: ep.ID, body: body})
	}
}

// productMayRead reports whether a product bearer may read the resource of a payload, as Keygen
// checks before sending an event to a product-scoped endpoint
// (app/services/broadcast_event_service.rb). The stored entity is used when it still exists;
// otherwise the payload's product linkage.
func (c *call) productMayRead(prod *product, res *resource) bool {
	if res == nil {
		return false
	}
	p := &principal{product: prod}
	db := c.db()
	switch res.Type {
	case "products":
		return res.ID == prod.ID
	case "policies":
		if x := db.policies[res.ID]; x != nil {
			return c.seesPolicy(p, x)
		}
	case "licenses":
		if x := db.licenses[res.ID]; x != nil {
			return c.seesLicense(p, x)
		}
	case "machines":
		if x := db.machines[res.ID]; x != nil {
			return c.seesMachine(p, x)
		}
	case "keys":
		if x := db.keys[res.ID]; x != nil {
			return c.seesKey(p, x)
		}
	case "users":
		if x := db.users[res.ID]; x != nil {
			return c.seesUser(p, x)
		}
		return false
	case "tokens":
		if x := db.tokens[res.ID]; x != nil {
			return c.seesToken(p, x)
		}
		return false
	}
	return resourceProductID(res) == prod.ID
}

// resourceProductID reads data.relationships.product.data.id of a rendered resource.
func resourceProductID(res *resource) string {
	if res.Type == "products" {
		return res.ID
	}
	rel, _ := res.Relationships["product"].(*relationship)
	return rel.linkedID()
}
