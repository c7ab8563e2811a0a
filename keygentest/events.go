package keygentest

import "encoding/json"

// emit is the single hook through which every operation reports a webhook event
// (keygen-api.md §5). payload is the event's resource document as JSON (data + optional
// meta), rendered when the event happened; deleted resources carry their last state.
//
// It is called with the store lock held, so an implementation must only record and
// enqueue, never block on the network. Delivery is not implemented yet: events are
// dropped.
func (s *Server) emit(eventType string, payload []byte) {
	_ = eventType
	_ = payload
}

// emit renders a resource (and optional camelCase meta) as an event payload and emits it.
// Token payloads never include the secret: pass a resource rendered without it.
func (c *call) emit(eventType string, res *resource, meta map[string]any) {
	doc := document{Data: res, Meta: meta}
	b, err := json.Marshal(doc)
	if err != nil {
		return
	}
	c.s.emit(eventType, b)
}
