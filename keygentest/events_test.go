package keygentest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The webhook events that operations emit (events.go).

// TestEventsEmitted pins the events emitted by the operations
// (app/services/broadcast_event_service.rb): each is recorded once for a "*" endpoint, with its
// payload's resource type.
func TestEventsEmitted(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	tt := newWorld(t, WithInsecureWebhooks())
	tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": rc.url("/")}, nil)

	prod := tt.product()
	tt.do(req{method: "PATCH", path: "/products/" + prod, body: doc("products", map[string]any{"name": "B"}, nil)})
	pol := tt.policy(prod, map[string]any{"usePool": true})
	tt.do(req{method: "PATCH", path: "/policies/" + pol, body: doc("policies", map[string]any{"name": "P2"}, nil)})
	key := tt.mustCreate("/keys", "keys", map[string]any{"key": "pooled-key-1"}, map[string]any{"policy": link("policies", pol)})
	tt.do(req{method: "PATCH", path: "/keys/" + key, body: doc("keys", map[string]any{"key": "pooled-key-2"}, nil)})
	key3 := tt.mustCreate("/keys", "keys", map[string]any{"key": "pooled-key-3"}, map[string]any{"policy": link("policies", pol)})
	require.Equal(t, 200, tt.do(req{method: "DELETE", path: "/policies/" + pol + "/pool"}).status) // pops the oldest, key
	require.Equal(t, 204, tt.do(req{method: "DELETE", path: "/keys/" + key3}).status)
	user := tt.createUser("e@example.com")
	tt.do(req{method: "PATCH", path: "/users/" + user, body: doc("users", map[string]any{"firstName": "E"}, nil)})
	require.Equal(t, 204, tt.do(req{method: "POST", path: "/passwords", auth: "-", body: map[string]any{"meta": map[string]any{"email": "e@example.com", "deliver": false}}}).status)
	tokID, _ := tt.tokenFor("users", user, nil)
	require.Equal(t, 200, tt.do(req{method: "PUT", path: "/tokens/" + tokID}).status)
	require.Equal(t, 204, tt.do(req{method: "DELETE", path: "/tokens/" + tokID}).status)
	require.Equal(t, 204, tt.do(req{method: "DELETE", path: "/users/" + user}).status)
	require.Equal(t, 204, tt.do(req{method: "DELETE", path: "/policies/" + pol}).status)
	require.Equal(t, 204, tt.do(req{method: "DELETE", path: "/products/" + prod}).status)
	require.NoError(t, tt.srv.WaitWebhooks(context.Background()))

	want := map[string]string{
		"product.created": "products", "product.updated": "products", "product.deleted": "products",
		"policy.created": "policies", "policy.updated": "policies", "policy.deleted": "policies",
		"policy.pool.popped": "keys",
		"key.created":        "keys", "key.updated": "keys", "key.deleted": "keys",
		"user.created": "users", "user.updated": "users", "user.deleted": "users",
		"user.password-reset": "users",
		"token.generated":     "tokens", "token.regenerated": "tokens", "token.revoked": "tokens",
	}
	got := map[string]map[string]any{}
	for _, d := range rc.deliveries() {
		a := d.attrs()
		var payload map[string]any
		require.NoError(t, json.Unmarshal([]byte(a["payload"].(string)), &payload))
		got[a["event"].(string)] = payload
	}
	for event, typ := range want {
		t.Run(event, func(t *testing.T) {
			p, ok := got[event]
			require.True(t, ok, "no %s delivered", event)
			assert.Equal(t, typ, p["data"].(map[string]any)["type"])
			if typ == "tokens" {
				assert.NotContains(t, p["data"].(map[string]any)["attributes"], "token", "token payloads never carry the secret")
			}
			if event == "user.password-reset" {
				assert.NotEmpty(t, p["meta"].(map[string]any)["passwordResetToken"])
			}
		})
	}
}
