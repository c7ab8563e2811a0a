package keygentest

import (
	"context"
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func endpointDoc(typ string, attrs map[string]any, rels map[string]any) map[string]any {
	return doc(typ, attrs, rels)
}

// TestWebhookEndpointCreate pins the create validations of keygen-api.md §2.9 (codes,
// pointers, defaults), §1.6 (422 codes) and §1.2 (typed params 400s).
func TestWebhookEndpointCreate(t *testing.T) {
	tt := newWorld(t)
	cases := []struct {
		name    string // names the section it pins
		typ     string
		attrs   map[string]any
		headers map[string]string
		status  int
		code    string // 422 code of the first error
		pointer string
		check   func(t *testing.T, a map[string]any)
	}{
		{name: "§2.9 defaults: subscriptions [*], ed25519, apiVersion 1.8", attrs: map[string]any{"url": "https://example.com"}, status: 201,
			check: func(t *testing.T, a map[string]any) {
				assert.Equal(t, []any{"*"}, a["subscriptions"])
				assert.Equal(t, "ed25519", a["signatureAlgorithm"])
				assert.Equal(t, "1.8", a["apiVersion"])
				assert.Equal(t, "https://example.com", a["url"])
			}},
		{name: "§2.9 apiVersion defaults to the request's Keygen-Version", attrs: map[string]any{"url": "https://example.com"},
			headers: map[string]string{"Keygen-Version": "1.5"}, status: 201,
			check: func(t *testing.T, a map[string]any) { assert.Equal(t, "1.5", a["apiVersion"]) }},
		{name: "§2.9 explicit apiVersion", attrs: map[string]any{"url": "https://example.com", "apiVersion": "1.3"}, status: 201,
			check: func(t *testing.T, a map[string]any) { assert.Equal(t, "1.3", a["apiVersion"]) }},
		{name: "§2.9 unsupported apiVersion is a 400", attrs: map[string]any{"url": "https://example.com", "apiVersion": "2.0"}, status: 400, pointer: "/data/attributes/apiVersion"},
		{name: "§2.9 subscriptions de-duplicated", attrs: map[string]any{"url": "https://example.com", "subscriptions": []string{"license.created", "license.created", "user.created"}}, status: 201,
			check: func(t *testing.T, a map[string]any) {
				assert.Equal(t, []any{"license.created", "user.created"}, a["subscriptions"])
			}},
		{name: "§2.9 empty subscriptions", attrs: map[string]any{"url": "https://example.com", "subscriptions": []string{}}, status: 422, code: "SUBSCRIPTIONS_TOO_SHORT", pointer: "/data/attributes/subscriptions"},
		{name: "§2.9 unknown event type", attrs: map[string]any{"url": "https://example.com", "subscriptions": []string{"license.created", "foo.bar"}}, status: 422, code: "SUBSCRIPTIONS_NOT_ALLOWED", pointer: "/data/attributes/subscriptions"},
		{name: "§2.9 wildcard only alone", attrs: map[string]any{"url": "https://example.com", "subscriptions": []string{"*", "license.created"}}, status: 422, code: "SUBSCRIPTIONS_NOT_ALLOWED"},
		{name: "§2.9 http url", attrs: map[string]any{"url": "http://example.com"}, status: 422, code: "URL_PROTOCOL_INVALID", pointer: "/data/attributes/url"},
		{name: "§2.9 ssh url", attrs: map[string]any{"url": "ssh://example.com"}, status: 422, code: "URL_PROTOCOL_INVALID"},
		{name: "§2.9 unparsable url", attrs: map[string]any{"url": "1230-12e9 c0ascka-ff.a!"}, status: 422, code: "URL_INVALID", pointer: "/data/attributes/url"},
		{name: "§2.9 host without TLD", attrs: map[string]any{"url": "https://invalid"}, status: 422, code: "URL_HOST_INVALID"},
		{name: "§2.9 localhost", attrs: map[string]any{"url": "https://localhost"}, status: 422, code: "URL_HOST_INVALID"},
		{name: "§2.9 loopback IP", attrs: map[string]any{"url": "https://127.0.0.1:8443/hook"}, status: 422, code: "URL_HOST_INVALID"},
		{name: "§2.9 Keygen's own host", attrs: map[string]any{"url": "https://api.keygen.sh/v1/accounts/demo/webhook-events"}, status: 422, code: "URL_HOST_INVALID"},
		{name: "§2.9 missing url is a 400", attrs: map[string]any{"subscriptions": []string{"*"}}, status: 400, pointer: "/data/attributes/url"},
		{name: "§1.2 unknown attribute is a 400", attrs: map[string]any{"url": "https://example.com", "secret": "x"}, status: 400, pointer: "/data/attributes/secret"},
		{name: "§2.9 signature algorithm rsa-pss-sha256", attrs: map[string]any{"url": "https://example.com", "signatureAlgorithm": "rsa-pss-sha256"}, status: 201},
		{name: "§2.9 signature algorithm rsa-sha256", attrs: map[string]any{"url": "https://example.com", "signatureAlgorithm": "rsa-sha256"}, status: 201},
		{name: "§2.9 signature algorithm ecdsa-p256", attrs: map[string]any{"url": "https://example.com", "signatureAlgorithm": "ecdsa-p256"}, status: 201},
		{name: "§2.9 unknown signature algorithm", attrs: map[string]any{"url": "https://example.com", "signatureAlgorithm": "hmac-sha256"}, status: 422, code: "SIGNATURE_ALGORITHM_NOT_ALLOWED", pointer: "/data/attributes/signatureAlgorithm"},
		{name: "§2.9 type webhookEndpoint", typ: "webhookEndpoint", attrs: map[string]any{"url": "https://example.com"}, status: 201},
		{name: "§2.9 type webhook_endpoints", typ: "webhook_endpoints", attrs: map[string]any{"url": "https://example.com"}, status: 201},
		{name: "§2.9 type webhook-endpoint", typ: "webhook-endpoint", attrs: map[string]any{"url": "https://example.com"}, status: 201},
		{name: "§1.2 wrong type is a 400", typ: "products", attrs: map[string]any{"url": "https://example.com"}, status: 400, pointer: "/data/type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			typ := tc.typ
			if typ == "" {
				typ = "webhook-endpoints"
			}
			r := tt.do(req{method: "POST", path: "/webhook-endpoints", body: endpointDoc(typ, tc.attrs, nil), headers: tc.headers})
			require.Equal(t, tc.status, r.status, string(r.body))
			if tc.code != "" {
				assert.Equal(t, tc.code, r.code())
				assert.Equal(t, "Unprocessable resource", r.err(0)["title"])
			}
			if tc.pointer != "" {
				assert.Equal(t, tc.pointer, r.source()["pointer"])
			}
			if tc.status == 201 {
				assert.Equal(t, "webhook-endpoints", r.data()["type"])
				assert.Equal(t, tt.srv.URL+"/v1/accounts/"+tt.srv.AccountID+"/webhook-endpoints/"+r.id(), r.header.Get("Location"))
				assert.NotEmpty(t, r.header.Get("Keygen-Signature"))
				rel := r.data()["relationships"].(map[string]any)["product"].(map[string]any)
				assert.Nil(t, rel["data"])
				assert.Nil(t, rel["links"].(map[string]any)["related"])
			}
			if tc.check != nil {
				tc.check(t, r.attrs())
			}
		})
	}
}

// TestWebhookEndpointCRUD pins show/list/update/delete and the permissions of §1.15
// (webhook endpoints CRUD: admin/env; product its own, auto-scoped; user/license none).
func TestWebhookEndpointCRUD(t *testing.T) {
	tt := newWorld(t)
	prod := tt.product()
	other := tt.product()
	_, prodTok := tt.tokenFor("products", prod, nil)
	tt.createUser("u@example.com")
	userTok := tt.do(req{method: "POST", path: "/tokens", auth: basic("u@example.com", "password")}).attrs()["token"].(string)

	id := tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": "https://example.com/a"}, nil)

	t.Run("§2.9 show", func(t *testing.T) {
		r := tt.get("/webhook-endpoints/" + id)
		require.Equal(t, 200, r.status)
		assert.Equal(t, id, r.id())
	})
	t.Run("§2.9 show unknown is 404", func(t *testing.T) {
		r := tt.get("/webhook-endpoints/" + newUUID())
		require.Equal(t, 404, r.status)
		assert.Equal(t, "NOT_FOUND", r.code())
	})
	t.Run("§2.9 PATCH updates subscriptions and keeps the rest", func(t *testing.T) {
		r := tt.do(req{method: "PATCH", path: "/webhook-endpoints/" + id, body: doc("webhook-endpoints", map[string]any{"subscriptions": []string{"license.created"}}, nil)})
		require.Equal(t, 200, r.status, string(r.body))
		assert.Equal(t, []any{"license.created"}, r.attrs()["subscriptions"])
		assert.Equal(t, "https://example.com/a", r.attrs()["url"])
	})
	t.Run("§2.9 PUT validates like create", func(t *testing.T) {
		r := tt.do(req{method: "PUT", path: "/webhook-endpoints/" + id, body: doc("webhook-endpoints", map[string]any{"url": "http://example.com"}, nil)})
		require.Equal(t, 422, r.status)
		assert.Equal(t, "URL_PROTOCOL_INVALID", r.code())
	})
	t.Run("§2.9 admin creates for a product", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/webhook-endpoints", body: doc("webhook-endpoints", map[string]any{"url": "https://example.com/p"}, map[string]any{"product": link("products", prod)})})
		require.Equal(t, 201, r.status, string(r.body))
		rel := r.data()["relationships"].(map[string]any)["product"].(map[string]any)
		assert.Equal(t, map[string]any{"type": "products", "id": prod}, rel["data"])
		assert.Equal(t, "/v1/accounts/"+tt.srv.AccountID+"/products/"+prod, rel["links"].(map[string]any)["related"])
	})
	var prodEndpoint string
	t.Run("§2.9 a product bearer's endpoint is auto-scoped", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/webhook-endpoints", auth: "Bearer " + prodTok, body: doc("webhook-endpoints", map[string]any{"url": "https://example.com/own"}, nil)})
		require.Equal(t, 201, r.status, string(r.body))
		prodEndpoint = r.id()
		rel := r.data()["relationships"].(map[string]any)["product"].(map[string]any)
		assert.Equal(t, prod, rel["data"].(map[string]any)["id"])
	})
	t.Run("§1.15 product may not create for another product", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/webhook-endpoints", auth: "Bearer " + prodTok, body: doc("webhook-endpoints", map[string]any{"url": "https://example.com/x"}, map[string]any{"product": link("products", other)})})
		assert.Equal(t, 403, r.status)
	})
	t.Run("§1.15 product lists only its endpoints", func(t *testing.T) {
		r := tt.do(req{method: "GET", path: "/webhook-endpoints", auth: "Bearer " + prodTok})
		require.Equal(t, 200, r.status)
		for _, x := range r.list() {
			rel := x.(map[string]any)["relationships"].(map[string]any)["product"].(map[string]any)
			assert.Equal(t, prod, rel["data"].(map[string]any)["id"])
		}
		assert.Len(t, r.list(), 2)
		assert.Equal(t, 404, tt.do(req{method: "GET", path: "/webhook-endpoints/" + id, auth: "Bearer " + prodTok}).status)
	})
	t.Run("§1.15 users may not read or create endpoints", func(t *testing.T) {
		assert.Equal(t, 403, tt.do(req{method: "GET", path: "/webhook-endpoints", auth: "Bearer " + userTok}).status)
		assert.Equal(t, 404, tt.do(req{method: "GET", path: "/webhook-endpoints/" + id, auth: "Bearer " + userTok}).status)
		assert.Equal(t, 403, tt.do(req{method: "POST", path: "/webhook-endpoints", auth: "Bearer " + userTok, body: doc("webhook-endpoints", map[string]any{"url": "https://example.com"}, nil)}).status)
		assert.Equal(t, 401, tt.do(req{method: "GET", path: "/webhook-endpoints", auth: "-"}).status)
	})
	t.Run("§1.8 endpoints list is counted", func(t *testing.T) {
		r := tt.get("/webhook-endpoints?page[number]=1&page[size]=2")
		require.Equal(t, 200, r.status)
		links := r.doc["links"].(map[string]any)
		assert.Equal(t, float64(3), links["meta"].(map[string]any)["count"])
	})
	t.Run("§2.9 DELETE answers 204, then 404", func(t *testing.T) {
		r := tt.do(req{method: "DELETE", path: "/webhook-endpoints/" + prodEndpoint, auth: "Bearer " + prodTok})
		require.Equal(t, 204, r.status)
		assert.Empty(t, r.body)
		assert.Equal(t, 404, tt.get("/webhook-endpoints/"+prodEndpoint).status)
	})
}

// TestInsecureWebhooks pins the keygentest-only option that admits http and loopback URLs.
func TestInsecureWebhooks(t *testing.T) {
	t.Run("§2.9 default keeps https only", func(t *testing.T) {
		tt := newWorld(t)
		r := tt.do(req{method: "POST", path: "/webhook-endpoints", body: doc("webhook-endpoints", map[string]any{"url": "http://127.0.0.1:9/hook"}, nil)})
		require.Equal(t, 422, r.status)
		assert.Equal(t, "URL_PROTOCOL_INVALID", r.code())
	})
	t.Run("WithInsecureWebhooks admits http://127.0.0.1", func(t *testing.T) {
		tt := newWorld(t, WithInsecureWebhooks())
		r := tt.do(req{method: "POST", path: "/webhook-endpoints", body: doc("webhook-endpoints", map[string]any{"url": "http://127.0.0.1:9/hook"}, nil)})
		require.Equal(t, 201, r.status, string(r.body))
		r = tt.do(req{method: "POST", path: "/webhook-endpoints", body: doc("webhook-endpoints", map[string]any{"url": "ftp://127.0.0.1/hook"}, nil)})
		assert.Equal(t, "URL_PROTOCOL_INVALID", r.code())
	})
}

var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

// TestWebhookEvents pins event records (§2.10, §5): one per subscribed endpoint, payload a
// JSON string of the resource document, idempotency token, events[] filter, uncounted
// pagination, show, delete and retry.
func TestWebhookEvents(t *testing.T) {
	rc := newReceiver(t)
	tt := newWorld(t, WithInsecureWebhooks())
	all := tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": rc.url("/all")}, nil)
	tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": rc.url("/policies"), "subscriptions": []string{"policy.created"}, "apiVersion": "1.5"}, nil)

	prod := tt.product()
	tt.do(req{method: "PATCH", path: "/products/" + prod, body: doc("products", map[string]any{"name": "Renamed"}, nil)})
	require.NoError(t, tt.srv.WaitWebhooks(context.Background()))

	list := tt.get("/webhook-events")
	require.Equal(t, 200, list.status)
	require.Len(t, list.list(), 2, "only the * endpoint gets product events")

	var created map[string]any
	for _, x := range list.list() {
		ev := x.(map[string]any)
		if ev["attributes"].(map[string]any)["event"] == "product.created" {
			created = ev
		}
	}
	require.NotNil(t, created)

	t.Run("§2.10 event attributes", func(t *testing.T) {
		a := created["attributes"].(map[string]any)
		assert.Equal(t, "webhook-events", created["type"])
		assert.Equal(t, rc.url("/all"), a["endpoint"])
		assert.Equal(t, "1.8", a["apiVersion"])
		assert.Equal(t, "DELIVERED", a["status"])
		assert.Equal(t, float64(200), a["lastResponseCode"])
		assert.Contains(t, a, "lastResponseBody")
		assert.Contains(t, a, "created")
		assert.Contains(t, a, "updated")
		assert.Regexp(t, hex64, created["meta"].(map[string]any)["idempotencyToken"])
		rels := created["relationships"].(map[string]any)
		assert.Contains(t, rels, "account")
		assert.NotContains(t, rels, "product")
		assert.Equal(t, "/v1/accounts/"+tt.srv.AccountID+"/webhook-events/"+created["id"].(string), created["links"].(map[string]any)["self"])
	})
	t.Run("§5 payload is a JSON string of the resource document", func(t *testing.T) {
		payload, ok := created["attributes"].(map[string]any)["payload"].(string)
		require.True(t, ok, "payload must be a string")
		var d map[string]any
		require.NoError(t, json.Unmarshal([]byte(payload), &d))
		data := d["data"].(map[string]any)
		assert.Equal(t, "products", data["type"])
		assert.Equal(t, prod, data["id"])
	})
	t.Run("§1.9 events[] filter", func(t *testing.T) {
		r := tt.get("/webhook-events?events[]=product.updated")
		require.Equal(t, 200, r.status)
		require.Len(t, r.list(), 1)
		assert.Equal(t, "product.updated", r.list()[0].(map[string]any)["attributes"].(map[string]any)["event"])
		r = tt.get("/webhook-events?events[]=product.updated&events[]=product.created")
		assert.Len(t, r.list(), 2)
		r = tt.get("/webhook-events?events[]=license.created")
		assert.Len(t, r.list(), 0)
	})
	t.Run("§1.8 webhook events are not counted", func(t *testing.T) {
		r := tt.get("/webhook-events?page[number]=1&page[size]=1")
		require.Equal(t, 200, r.status)
		links := r.doc["links"].(map[string]any)
		assert.NotContains(t, links, "meta")
		assert.NotContains(t, links, "first")
		assert.NotContains(t, links, "last")
		assert.NotNil(t, links["next"])
		assert.Nil(t, links["prev"])
		r = tt.get("/webhook-events?page[number]=2&page[size]=5")
		links = r.doc["links"].(map[string]any)
		assert.Nil(t, links["next"], "a short page has no next")
		assert.NotNil(t, links["prev"])
	})
	t.Run("§2.10 show", func(t *testing.T) {
		r := tt.get("/webhook-events/" + created["id"].(string))
		require.Equal(t, 200, r.status)
		assert.Equal(t, created["id"], r.id())
	})
	t.Run("§5 subscriptions select endpoints, each with its apiVersion", func(t *testing.T) {
		tt.policy(prod, nil)
		require.NoError(t, tt.srv.WaitWebhooks(context.Background()))
		r := tt.get("/webhook-events?events[]=policy.created")
		require.Len(t, r.list(), 2, "both endpoints get policy.created")
		versions := map[any]bool{}
		for _, x := range r.list() {
			versions[x.(map[string]any)["attributes"].(map[string]any)["apiVersion"]] = true
		}
		assert.Equal(t, map[any]bool{"1.8": true, "1.5": true}, versions)
	})
	t.Run("§2.10 retry creates a new event with the same token", func(t *testing.T) {
		id := created["id"].(string)
		r := tt.do(req{method: "POST", path: "/webhook-events/" + id + "/actions/retry"})
		require.Equal(t, 201, r.status, string(r.body))
		assert.NotEqual(t, id, r.id())
		assert.Equal(t, tt.srv.URL+"/v1/accounts/"+tt.srv.AccountID+"/webhook-events/"+r.id(), r.header.Get("Location"))
		assert.Equal(t, "DELIVERING", r.attrs()["status"])
		assert.Nil(t, r.attrs()["lastResponseCode"])
		a := created["attributes"].(map[string]any)
		assert.Equal(t, a["payload"], r.attrs()["payload"])
		assert.Equal(t, a["event"], r.attrs()["event"])
		assert.Equal(t, created["meta"], r.data()["meta"])
		require.NoError(t, tt.srv.WaitWebhooks(context.Background()))
		assert.Equal(t, "DELIVERED", tt.get("/webhook-events/" + r.id()).attrs()["status"])
		tokens := 0
		for _, d := range rc.deliveries() {
			if d.doc["data"].(map[string]any)["meta"].(map[string]any)["idempotencyToken"] == created["meta"].(map[string]any)["idempotencyToken"] {
				tokens++
			}
		}
		assert.Equal(t, 2, tokens, "the retry is delivered with the original idempotency token")
	})
	t.Run("§2.10 DELETE answers 204, then 404", func(t *testing.T) {
		id := created["id"].(string)
		r := tt.do(req{method: "DELETE", path: "/webhook-events/" + id})
		require.Equal(t, 204, r.status)
		assert.Equal(t, 404, tt.get("/webhook-events/"+id).status)
	})
	t.Run("§2.10 retry fails with 422 when the endpoint is gone", func(t *testing.T) {
		ev := tt.get("/webhook-events?events[]=product.updated").list()[0].(map[string]any)
		require.Equal(t, 204, tt.do(req{method: "DELETE", path: "/webhook-endpoints/" + all}).status)
		r := tt.do(req{method: "POST", path: "/webhook-events/" + ev["id"].(string) + "/actions/retry"})
		require.Equal(t, 422, r.status, string(r.body))
		assert.Equal(t, "webhook event failed to retry", r.detail())
		assert.Equal(t, "Unprocessable entity", r.err(0)["title"])
	})
	t.Run("§2.9 endpoint CRUD emits no events", func(t *testing.T) {
		for _, x := range tt.get("/webhook-events?limit=100").list() {
			assert.NotContains(t, x.(map[string]any)["attributes"].(map[string]any)["event"], "webhook")
		}
	})
}

// TestWebhookEventPermissions pins §1.15: webhook events read by admin and a product for
// its endpoints; delete/retry admin only; users nothing.
func TestWebhookEventPermissions(t *testing.T) {
	rc := newReceiver(t)
	tt := newWorld(t, WithInsecureWebhooks())
	prod := tt.product()
	other := tt.product()
	_, prodTok := tt.tokenFor("products", prod, nil)
	tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": rc.url("/p")}, map[string]any{"product": link("products", prod)})
	tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": rc.url("/all")}, nil)
	tt.policy(prod, nil)  // seen by both endpoints
	tt.policy(other, nil) // not by the product's endpoint
	require.NoError(t, tt.srv.WaitWebhooks(context.Background()))

	t.Run("§5 product-scoped endpoints get only their product's resources", func(t *testing.T) {
		r := tt.get("/webhook-events?events[]=policy.created")
		require.Len(t, r.list(), 3)
		for _, d := range rc.deliveries() {
			if d.path == "/p" {
				var payload map[string]any
				require.NoError(t, json.Unmarshal([]byte(d.attrs()["payload"].(string)), &payload))
				rel := payload["data"].(map[string]any)["relationships"].(map[string]any)["product"].(map[string]any)
				assert.Equal(t, prod, rel["data"].(map[string]any)["id"])
			}
		}
	})
	var own string
	t.Run("§1.15 product reads its endpoints' events", func(t *testing.T) {
		r := tt.do(req{method: "GET", path: "/webhook-events", auth: "Bearer " + prodTok})
		require.Equal(t, 200, r.status, string(r.body))
		require.Len(t, r.list(), 1)
		own = r.list()[0].(map[string]any)["id"].(string)
		assert.Equal(t, rc.url("/p"), r.list()[0].(map[string]any)["attributes"].(map[string]any)["endpoint"])
	})
	t.Run("§1.15 product may not retry or delete", func(t *testing.T) {
		assert.Equal(t, 403, tt.do(req{method: "POST", path: "/webhook-events/" + own + "/actions/retry", auth: "Bearer " + prodTok}).status)
		assert.Equal(t, 403, tt.do(req{method: "DELETE", path: "/webhook-events/" + own, auth: "Bearer " + prodTok}).status)
	})
	t.Run("§1.15 users may not read events", func(t *testing.T) {
		tt.createUser("u@example.com")
		userTok := tt.do(req{method: "POST", path: "/tokens", auth: basic("u@example.com", "password")}).attrs()["token"].(string)
		assert.Equal(t, 403, tt.do(req{method: "GET", path: "/webhook-events", auth: "Bearer " + userTok}).status)
		assert.Equal(t, 404, tt.do(req{method: "GET", path: "/webhook-events/" + own, auth: "Bearer " + userTok}).status)
	})
}

// TestOperationsEmitEvents pins the events emitted by the operations built so far (§5):
// each is recorded once for a "*" endpoint, with its payload's resource type.
func TestOperationsEmitEvents(t *testing.T) {
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
		t.Run("§5 "+event, func(t *testing.T) {
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

// TestControlAdvance pins the control path's answers (DESIGN.md "keygentest").
func TestControlAdvance(t *testing.T) {
	tt := newWorld(t)
	tt.createUser("u@example.com")
	userTok := tt.do(req{method: "POST", path: "/tokens", auth: basic("u@example.com", "password")}).attrs()["token"].(string)
	before := tt.srv.Now()
	cases := []struct {
		name, path, auth string
		status           int
	}{
		{"no token is 401", "/_keygentest/advance?by=1h", "-", 401},
		{"unknown token is 401", "/_keygentest/advance?by=1h", "Bearer admin-nope", 401},
		{"non-admin token is 403", "/_keygentest/advance?by=1h", "Bearer " + userTok, 403},
		{"bad duration is 400", "/_keygentest/advance?by=two-days", "", 400},
		{"missing duration is 400", "/_keygentest/advance", "", 400},
		{"other path is 404", "/_keygentest/rewind?by=1h", "", 404},
		{"advance answers 204", "/_keygentest/advance?by=48h", "", 204},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tt.do(req{method: "POST", path: tc.path, auth: tc.auth})
			assert.Equal(t, tc.status, r.status, string(r.body))
		})
	}
	assert.WithinDuration(t, before.Add(48*time.Hour), tt.srv.Now(), time.Minute)
}
