package keygentest

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Webhook endpoints and webhook events (features/api/v1/webhook_endpoints/*.feature,
// features/api/v1/webhook_events/*.feature).

func endpointDoc(typ string, attrs map[string]any, rels map[string]any) map[string]any {
	return doc(typ, attrs, rels)
}

var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

// TestWebhookEndpointCreate pins the create validations of app/models/webhook_endpoint.rb
// (codes, pointers, defaults; 422s) and of the typed params (400s).
func TestWebhookEndpointCreate(t *testing.T) {
	t.Parallel()
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
		{name: "defaults: subscriptions [*], ed25519, apiVersion 1.8", attrs: map[string]any{"url": "https://example.com"}, status: 201,
			check: func(t *testing.T, a map[string]any) {
				assert.Equal(t, []any{"*"}, a["subscriptions"])
				assert.Equal(t, "ed25519", a["signatureAlgorithm"])
				assert.Equal(t, "1.8", a["apiVersion"])
				assert.Equal(t, "https://example.com", a["url"])
			}},
		{name: "apiVersion defaults to the request's Keygen-Version", attrs: map[string]any{"url": "https://example.com"},
			headers: map[string]string{"Keygen-Version": "1.5"}, status: 201,
			check: func(t *testing.T, a map[string]any) { assert.Equal(t, "1.5", a["apiVersion"]) }},
		{name: "explicit apiVersion", attrs: map[string]any{"url": "https://example.com", "apiVersion": "1.3"}, status: 201,
			check: func(t *testing.T, a map[string]any) { assert.Equal(t, "1.3", a["apiVersion"]) }},
		{name: "unsupported apiVersion is a 400", attrs: map[string]any{"url": "https://example.com", "apiVersion": "2.0"}, status: 400, pointer: "/data/attributes/apiVersion"},
		{name: "subscriptions de-duplicated", attrs: map[string]any{"url": "https://example.com", "subscriptions": []string{"license.created", "license.created", "user.created"}}, status: 201,
			check: func(t *testing.T, a map[string]any) {
				assert.Equal(t, []any{"license.created", "user.created"}, a["subscriptions"])
			}},
		{name: "empty subscriptions", attrs: map[string]any{"url": "https://example.com", "subscriptions": []string{}}, status: 422, code: "SUBSCRIPTIONS_TOO_SHORT", pointer: "/data/attributes/subscriptions"},
		{name: "unknown event type", attrs: map[string]any{"url": "https://example.com", "subscriptions": []string{"license.created", "foo.bar"}}, status: 422, code: "SUBSCRIPTIONS_NOT_ALLOWED", pointer: "/data/attributes/subscriptions"},
		{name: "wildcard only alone", attrs: map[string]any{"url": "https://example.com", "subscriptions": []string{"*", "license.created"}}, status: 422, code: "SUBSCRIPTIONS_NOT_ALLOWED"},
		{name: "http url", attrs: map[string]any{"url": "http://example.com"}, status: 422, code: "URL_PROTOCOL_INVALID", pointer: "/data/attributes/url"},
		{name: "ssh url", attrs: map[string]any{"url": "ssh://example.com"}, status: 422, code: "URL_PROTOCOL_INVALID"},
		{name: "unparsable url", attrs: map[string]any{"url": "1230-12e9 c0ascka-ff.a!"}, status: 422, code: "URL_INVALID", pointer: "/data/attributes/url"},
		{name: "host without TLD", attrs: map[string]any{"url": "https://invalid"}, status: 422, code: "URL_HOST_INVALID"},
		{name: "localhost", attrs: map[string]any{"url": "https://localhost"}, status: 422, code: "URL_HOST_INVALID"},
		{name: "loopback IP", attrs: map[string]any{"url": "https://127.0.0.1:8443/hook"}, status: 422, code: "URL_HOST_INVALID"},
		{name: "Keygen's own host", attrs: map[string]any{"url": "https://api.keygen.sh/v1/accounts/demo/webhook-events"}, status: 422, code: "URL_HOST_INVALID"},
		{name: "missing url is a 400", attrs: map[string]any{"subscriptions": []string{"*"}}, status: 400, pointer: "/data/attributes/url"},
		{name: "unknown attribute is a 400", attrs: map[string]any{"url": "https://example.com", "secret": "x"}, status: 400, pointer: "/data/attributes/secret"},
		{name: "signature algorithm rsa-pss-sha256", attrs: map[string]any{"url": "https://example.com", "signatureAlgorithm": "rsa-pss-sha256"}, status: 201},
		{name: "signature algorithm rsa-sha256", attrs: map[string]any{"url": "https://example.com", "signatureAlgorithm": "rsa-sha256"}, status: 201},
		{name: "signature algorithm ecdsa-p256", attrs: map[string]any{"url": "https://example.com", "signatureAlgorithm": "ecdsa-p256"}, status: 201},
		{name: "unknown signature algorithm", attrs: map[string]any{"url": "https://example.com", "signatureAlgorithm": "hmac-sha256"}, status: 422, code: "SIGNATURE_ALGORITHM_NOT_ALLOWED", pointer: "/data/attributes/signatureAlgorithm"},
		{name: "type webhookEndpoint", typ: "webhookEndpoint", attrs: map[string]any{"url": "https://example.com"}, status: 201},
		{name: "type webhook_endpoints", typ: "webhook_endpoints", attrs: map[string]any{"url": "https://example.com"}, status: 201},
		{name: "type webhook-endpoint", typ: "webhook-endpoint", attrs: map[string]any{"url": "https://example.com"}, status: 201},
		{name: "wrong type is a 400", typ: "products", attrs: map[string]any{"url": "https://example.com"}, status: 400, pointer: "/data/type"},
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

func TestWebhookEndpointValidation(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	tt.product()
	we := "webhook_endpoints/create.feature: "
	ptr := func(attr string) map[string]any { return map[string]any{"pointer": "/data/attributes/" + attr} }
	hook := func(attrs map[string]any) req {
		return req{method: "POST", path: "/webhook-endpoints", body: doc("webhook-endpoints", attrs, nil)}
	}
	inv := func(name string, r req, code, attr, detail string) apiCase {
		return apiCase{name: name, r: r, status: 422, title: "Unprocessable resource", code: code, source: ptr(attr), detail: detail}
	}
	tt.run(t, []apiCase{
		inv(we+"Admin creates a webhook endpoint for their account that subscribes to no events", hook(map[string]any{"url": "https://example.com", "subscriptions": []any{}}),
			"SUBSCRIPTIONS_TOO_SHORT", "subscriptions", "must have at least 1 webhook event subscription"),
		inv(we+"Admin creates a webhook endpoint for their account with an invalid signature algorithm", hook(map[string]any{"url": "https://example.com/", "signatureAlgorithm": "sha1"}),
			"SIGNATURE_ALGORITHM_NOT_ALLOWED", "signatureAlgorithm", "unsupported signature algorithm"),
		inv(we+"Admin creates a webhook endpoint for their account with an invalid domain", hook(map[string]any{"url": "https://invalid", "subscriptions": []any{"*"}}),
			"URL_HOST_INVALID", "url", "must be a URL with a valid host"),
		inv(we+"Admin creates a webhook endpoint for their account with a forbidden domain", hook(map[string]any{"url": "https://api.keygen.sh/v1/accounts/demo/webhook-events", "subscriptions": []any{"*"}}),
			"URL_HOST_INVALID", "url", "must be a URL with a valid host"),
		inv(we+"Admin creates a webhook endpoint for their account with an invalid URI", hook(map[string]any{"url": "1230-12e9 c0ascka-ff.a!", "subscriptions": []any{"*"}}),
			"URL_INVALID", "url", "must be a valid URL"),
		inv(we+"Admin creates a localhost webhook endpoint for their account", hook(map[string]any{"url": "https://localhost", "subscriptions": []any{"*"}}),
			"URL_HOST_INVALID", "url", "must be a URL with a valid host"),
		inv(we+"Admin creates a webhook endpoint for their account that subscribes to non-existent events", hook(map[string]any{"url": "https://example.com", "subscriptions": []any{"license.created", "foo.bar"}}),
			"SUBSCRIPTIONS_NOT_ALLOWED", "subscriptions", "unsupported webhook event type for subscription"),
		{name: we + "Admin creates a webhook endpoint with missing url", r: hook(map[string]any{"subscriptions": []any{"*"}}), status: 400},
		inv(we+"Admin creates a webhook endpoint with a non-https url", hook(map[string]any{"url": "http://example.com"}),
			"URL_PROTOCOL_INVALID", "url", "must be a valid URL using one of the following protocols: https"),
		{name: we + "Admin creates a webhook endpoint with an invalid url protocol", r: hook(map[string]any{"url": "ssh://example.com"}), status: 422},
		{name: we + "Admin creates a webhook endpoint for their account", r: hook(map[string]any{"url": "https://example.com"}), status: 201,
			attrs: map[string]any{"signatureAlgorithm": "ed25519", "apiVersion": "1.8", "subscriptions": []any{"*"}}},
		{name: we + "Admin creates a webhook endpoint for an older API version", r: hook(map[string]any{"url": "https://example.com", "apiVersion": "1.5"}), status: 201,
			attrs: map[string]any{"apiVersion": "1.5"}},
	})
}

func TestWebhookEndpointWire(t *testing.T) {
	t.Parallel()
	tt := newResourceWorld(t)
	userTok := tt.userTok
	tt.run(t, []apiCase{
		{name: "defaults", r: req{method: "POST", path: "/webhook-endpoints", body: doc("webhook-endpoints", map[string]any{"url": "https://example.com/hook"}, nil)}, status: 201,
			attrs: map[string]any{"subscriptions": []any{"*"}, "signatureAlgorithm": "ed25519", "apiVersion": "1.8"}},
		{name: "camel type accepted", r: req{method: "POST", path: "/webhook-endpoints", body: doc("webhookEndpoint", map[string]any{"url": "https://example.com/camel"}, nil)}, status: 201},
		{name: "bad apiVersion: 400 is invalid", r: req{method: "POST", path: "/webhook-endpoints", body: doc("webhook-endpoints", map[string]any{"url": "https://example.com/v", "apiVersion": "0.0"}, nil)},
			status: 400, detail: "is invalid", source: map[string]any{"pointer": "/data/attributes/apiVersion"}},
		{name: "empty subscriptions", r: req{method: "POST", path: "/webhook-endpoints", body: doc("webhook-endpoints", map[string]any{"url": "https://example.com/s", "subscriptions": []any{}}, nil)},
			status: 422, code: "SUBSCRIPTIONS_TOO_SHORT", source: map[string]any{"pointer": "/data/attributes/subscriptions"}},
		{name: "unknown event", r: req{method: "POST", path: "/webhook-endpoints", body: doc("webhook-endpoints", map[string]any{"url": "https://example.com/s", "subscriptions": []any{"nope.nope"}}, nil)},
			status: 422, code: "SUBSCRIPTIONS_NOT_ALLOWED"},
		{name: "bad signature algorithm", r: req{method: "POST", path: "/webhook-endpoints", body: doc("webhook-endpoints", map[string]any{"url": "https://example.com/s", "signatureAlgorithm": "md5"}, nil)},
			status: 422, code: "SIGNATURE_ALGORITHM_NOT_ALLOWED", source: map[string]any{"pointer": "/data/attributes/signatureAlgorithm"}},
		{name: "user may not list endpoints", r: req{method: "GET", path: "/webhook-endpoints", auth: "Bearer " + userTok}, status: 403},
	})
}

// TestWebhookEndpointCRUD pins show/list/update/delete and the permissions of
// app/policies/webhook_endpoint_policy.rb
// (webhook endpoints CRUD: admin/env; product its own, auto-scoped; user/license none).
func TestWebhookEndpointCRUD(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	prod := tt.product()
	other := tt.product()
	_, prodTok := tt.tokenFor("products", prod, nil)
	tt.createUser("u@example.com")
	userTok := tt.do(req{method: "POST", path: "/tokens", auth: basic("u@example.com", "password")}).attrs()["token"].(string)

	id := tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": "https://example.com/a"}, nil)

	t.Run("show", func(t *testing.T) {
		r := tt.get("/webhook-endpoints/" + id)
		require.Equal(t, 200, r.status)
		assert.Equal(t, id, r.id())
	})
	t.Run("show unknown is 404", func(t *testing.T) {
		r := tt.get("/webhook-endpoints/" + newUUID())
		require.Equal(t, 404, r.status)
		assert.Equal(t, "NOT_FOUND", r.code())
	})
	t.Run("PATCH updates subscriptions and keeps the rest", func(t *testing.T) {
		r := tt.do(req{method: "PATCH", path: "/webhook-endpoints/" + id, body: doc("webhook-endpoints", map[string]any{"subscriptions": []string{"license.created"}}, nil)})
		require.Equal(t, 200, r.status, string(r.body))
		assert.Equal(t, []any{"license.created"}, r.attrs()["subscriptions"])
		assert.Equal(t, "https://example.com/a", r.attrs()["url"])
	})
	t.Run("PUT validates like create", func(t *testing.T) {
		r := tt.do(req{method: "PUT", path: "/webhook-endpoints/" + id, body: doc("webhook-endpoints", map[string]any{"url": "http://example.com"}, nil)})
		require.Equal(t, 422, r.status)
		assert.Equal(t, "URL_PROTOCOL_INVALID", r.code())
	})
	t.Run("admin creates for a product", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/webhook-endpoints", body: doc("webhook-endpoints", map[string]any{"url": "https://example.com/p"}, map[string]any{"product": link("products", prod)})})
		require.Equal(t, 201, r.status, string(r.body))
		rel := r.data()["relationships"].(map[string]any)["product"].(map[string]any)
		assert.Equal(t, map[string]any{"type": "products", "id": prod}, rel["data"])
		assert.Equal(t, "/v1/accounts/"+tt.srv.AccountID+"/products/"+prod, rel["links"].(map[string]any)["related"])
	})
	var prodEndpoint string
	t.Run("a product bearer's endpoint is auto-scoped", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/webhook-endpoints", auth: "Bearer " + prodTok, body: doc("webhook-endpoints", map[string]any{"url": "https://example.com/own"}, nil)})
		require.Equal(t, 201, r.status, string(r.body))
		prodEndpoint = r.id()
		rel := r.data()["relationships"].(map[string]any)["product"].(map[string]any)
		assert.Equal(t, prod, rel["data"].(map[string]any)["id"])
	})
	t.Run("product may not create for another product", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/webhook-endpoints", auth: "Bearer " + prodTok, body: doc("webhook-endpoints", map[string]any{"url": "https://example.com/x"}, map[string]any{"product": link("products", other)})})
		assert.Equal(t, 403, r.status)
	})
	t.Run("product lists only its endpoints", func(t *testing.T) {
		r := tt.do(req{method: "GET", path: "/webhook-endpoints", auth: "Bearer " + prodTok})
		require.Equal(t, 200, r.status)
		for _, x := range r.list() {
			rel := x.(map[string]any)["relationships"].(map[string]any)["product"].(map[string]any)
			assert.Equal(t, prod, rel["data"].(map[string]any)["id"])
		}
		assert.Len(t, r.list(), 2)
		assert.Equal(t, 404, tt.do(req{method: "GET", path: "/webhook-endpoints/" + id, auth: "Bearer " + prodTok}).status)
	})
	t.Run("users may not read or create endpoints", func(t *testing.T) {
		assert.Equal(t, 403, tt.do(req{method: "GET", path: "/webhook-endpoints", auth: "Bearer " + userTok}).status)
		assert.Equal(t, 404, tt.do(req{method: "GET", path: "/webhook-endpoints/" + id, auth: "Bearer " + userTok}).status)
		assert.Equal(t, 403, tt.do(req{method: "POST", path: "/webhook-endpoints", auth: "Bearer " + userTok, body: doc("webhook-endpoints", map[string]any{"url": "https://example.com"}, nil)}).status)
		assert.Equal(t, 401, tt.do(req{method: "GET", path: "/webhook-endpoints", auth: "-"}).status)
	})
	t.Run("endpoints list is counted", func(t *testing.T) {
		r := tt.get("/webhook-endpoints?page[number]=1&page[size]=2")
		require.Equal(t, 200, r.status)
		links := r.doc["links"].(map[string]any)
		assert.Equal(t, float64(3), links["meta"].(map[string]any)["count"])
	})
	t.Run("DELETE answers 204, then 404", func(t *testing.T) {
		r := tt.do(req{method: "DELETE", path: "/webhook-endpoints/" + prodEndpoint, auth: "Bearer " + prodTok})
		require.Equal(t, 204, r.status)
		assert.Empty(t, r.body)
		assert.Equal(t, 404, tt.get("/webhook-endpoints/"+prodEndpoint).status)
	})
}

func TestWebhookEndpointStaff(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t)
	tt := w
	pool := tt.policy(w.prod, map[string]any{"usePool": true})
	tt.mustCreate("/keys", "keys", map[string]any{"key": "pool-key-staff"}, map[string]any{"policy": link("policies", pool)})
	hook := tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": "https://example.com/hooks"}, nil)
	newHook := func(tok string) req {
		return writeAs("POST", "/webhook-endpoints", tok, doc("webhook-endpoints", map[string]any{"url": "https://example.com/x"}, nil))
	}
	tt.run(t, []apiCase{
		{name: "webhook_endpoint_policy.rb#show?: read-only reads an endpoint", r: getAs("/webhook-endpoints/"+hook, bearer(w.roTok)), status: 200},
		{name: "webhook_endpoint_policy.rb#show?: sales may not read endpoints", r: getAs("/webhook-endpoints/"+hook, bearer(w.salesTok)), status: 403, detail: denied},
		{name: "webhook_endpoint_policy.rb#create?: read-only lacks webhook-endpoint.create", r: newHook(w.roTok), status: 403, detail: roLacks},
		{name: "webhook_endpoint_policy.rb#create?: support may not create endpoints", r: newHook(w.supportTok), status: 403, detail: denied},
		{name: "webhook_endpoint_policy.rb#destroy?: read-only lacks webhook-endpoint.delete", r: writeAs("DELETE", "/webhook-endpoints/"+hook, w.roTok, nil), status: 403, detail: roLacks},
		{name: "webhook_endpoint_policy.rb#destroy?: developer deletes an endpoint", r: writeAs("DELETE", "/webhook-endpoints/"+hook, w.devTok, nil), status: 204},
	})
}

// TestInsecureWebhooks pins the keygentest-only option that admits http and loopback URLs.
func TestInsecureWebhooks(t *testing.T) {
	t.Parallel()
	t.Run("default keeps https only", func(t *testing.T) {
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

// TestWebhookEvents pins event records (app/models/webhook_event.rb): one per subscribed
// endpoint, payload a JSON string of the resource document, idempotency token, events[] filter,
// uncounted pagination, show, delete and retry.
func TestWebhookEvents(t *testing.T) {
	t.Parallel()
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

	t.Run("event attributes", func(t *testing.T) {
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
	t.Run("payload is a JSON string of the resource document", func(t *testing.T) {
		payload, ok := created["attributes"].(map[string]any)["payload"].(string)
		require.True(t, ok, "payload must be a string")
		var d map[string]any
		require.NoError(t, json.Unmarshal([]byte(payload), &d))
		data := d["data"].(map[string]any)
		assert.Equal(t, "products", data["type"])
		assert.Equal(t, prod, data["id"])
	})
	t.Run("events[] filter", func(t *testing.T) {
		r := tt.get("/webhook-events?events[]=product.updated")
		require.Equal(t, 200, r.status)
		require.Len(t, r.list(), 1)
		assert.Equal(t, "product.updated", r.list()[0].(map[string]any)["attributes"].(map[string]any)["event"])
		r = tt.get("/webhook-events?events[]=product.updated&events[]=product.created")
		assert.Len(t, r.list(), 2)
		r = tt.get("/webhook-events?events[]=license.created")
		assert.Len(t, r.list(), 0)
	})
	t.Run("webhook events are not counted", func(t *testing.T) {
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
	t.Run("show", func(t *testing.T) {
		r := tt.get("/webhook-events/" + created["id"].(string))
		require.Equal(t, 200, r.status)
		assert.Equal(t, created["id"], r.id())
	})
	t.Run("subscriptions select endpoints, each with its apiVersion", func(t *testing.T) {
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
	t.Run("retry creates a new event with the same token", func(t *testing.T) {
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
	t.Run("DELETE answers 204, then 404", func(t *testing.T) {
		id := created["id"].(string)
		r := tt.do(req{method: "DELETE", path: "/webhook-events/" + id})
		require.Equal(t, 204, r.status)
		assert.Equal(t, 404, tt.get("/webhook-events/"+id).status)
	})
	t.Run("retry fails with 422 when the endpoint is gone", func(t *testing.T) {
		ev := tt.get("/webhook-events?events[]=product.updated").list()[0].(map[string]any)
		require.Equal(t, 204, tt.do(req{method: "DELETE", path: "/webhook-endpoints/" + all}).status)
		r := tt.do(req{method: "POST", path: "/webhook-events/" + ev["id"].(string) + "/actions/retry"})
		require.Equal(t, 422, r.status, string(r.body))
		assert.Equal(t, "webhook event failed to retry", r.detail())
		assert.Equal(t, "Unprocessable entity", r.err(0)["title"])
	})
	t.Run("endpoint CRUD emits no events", func(t *testing.T) {
		for _, x := range tt.get("/webhook-events?limit=100").list() {
			assert.NotContains(t, x.(map[string]any)["attributes"].(map[string]any)["event"], "webhook")
		}
	})
}

func TestWebhookEventPages(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": "https://example.com/hooks"}, nil)
	for i := range 22 { // one product.created event each
		tt.mustCreate("/products", "products", map[string]any{"name": fmt.Sprint("p", i)}, nil)
	}
	evs := listedIDs(tt.get("/webhook-events?limit=100"))
	require.Len(t, evs, 22)
	base := "/v1/accounts/" + tt.srv.AccountID + "/webhook-events"
	we := "webhook_events/index.feature: "
	l := func(n int) string { return fmt.Sprintf("%s?page[number]=%d&page[size]=5", base, n) }
	c := func(cur string) string { return base + "?page[cursor]=" + cur + "&page[size]=5" }
	g := func(q string) req { return getAs("/webhook-events?"+q, "") }
	tt.run(t, []apiCase{
		{name: we + "Admin retrieves an offset-paginated list of webhook events", r: g("page[number]=2&page[size]=5"), status: 200,
			check: both(listIDs(evs[5:10]...), wantLinks(map[string]any{"self": l(2), "prev": l(1), "next": l(3)}))},
		{name: we + "Admin retrieves the first page an offset-paginated list of webhook events", r: g("page[number]=1&page[size]=5"), status: 200,
			check: wantLinks(map[string]any{"self": l(1), "prev": nil, "next": l(2)})},
		{name: we + "Admin retrieves the last page of an offset-paginated list of webhook events", r: g("page[number]=5&page[size]=5"), status: 200,
			check: both(listIDs(evs[20:]...), wantLinks(map[string]any{"self": l(5), "prev": l(4), "next": nil}))},
		{name: we + "(pagination.rb) an uncounted page past the end still links prev", r: g("page[number]=7&page[size]=5"), status: 200,
			check: both(listLen(0), wantLinks(map[string]any{"self": l(7), "prev": l(6), "next": nil}))},
		{name: we + "Admin retrieves a keyset-paginated list of webhook events (first page)", r: g("page[size]=5&page[cursor]="), status: 200,
			check: both(listIDs(evs[:5]...), wantLinks(map[string]any{"self": c(""), "next": c(evs[4])}))},
		{name: we + "Admin retrieves a keyset-paginated list of webhook events (last page)", r: g("page[size]=5&page[cursor]=" + evs[14]), status: 200,
			check: both(listIDs(evs[15:20]...), wantLinks(map[string]any{"self": c(evs[14]), "next": c(evs[19])}))},
		{name: we + "(keyset) the page that ends the list has a null next", r: g("page[size]=5&page[cursor]=" + evs[16]), status: 200,
			check: both(listIDs(evs[17:]...), wantLinks(map[string]any{"self": c(evs[16]), "next": nil}))},
		{name: we + "Admin retrieves all webhook events without a limit for their account", r: getAs("/webhook-events", ""), status: 200, check: both(listLen(10), noLinks)},
		{name: we + "Admin retrieves all webhook events with a high limit for their account", r: g("limit=20"), status: 200, check: listLen(20)},
		{name: we + "Admin retrieves filters webhook events by event type", r: g("events[]=product.created&limit=100"), status: 200, check: listLen(22)},
		{name: we + "Admin retrieves filters webhook events by event type that doesn't exist", r: g("events[]=bad.event"), status: 200, check: listLen(0)},
		{name: we + "Admin retrieves an offset-paginated list of webhook events with a page size that is too low", r: g("page[number]=1&page[size]=-10"), status: 400,
			detail: "page size must be a number between 1 and 100 (got -10)", source: map[string]any{"parameter": "page[size]"}},
		{name: we + "Admin retrieves all webhook events with a limit that is too low", r: g("limit=-10"), status: 400,
			detail: "limit must be a number between 1 and 100 (got -10)", source: map[string]any{"parameter": "limit"}},
	})
}

// TestWebhookEventPermissions pins app/policies/webhook_event_policy.rb: webhook events read by
// admin and a product for its endpoints; delete/retry admin only; users nothing.
func TestWebhookEventPermissions(t *testing.T) {
	t.Parallel()
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

	t.Run("product-scoped endpoints get only their product's resources", func(t *testing.T) {
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
	t.Run("product reads its endpoints' events", func(t *testing.T) {
		r := tt.do(req{method: "GET", path: "/webhook-events", auth: "Bearer " + prodTok})
		require.Equal(t, 200, r.status, string(r.body))
		require.Len(t, r.list(), 1)
		own = r.list()[0].(map[string]any)["id"].(string)
		assert.Equal(t, rc.url("/p"), r.list()[0].(map[string]any)["attributes"].(map[string]any)["endpoint"])
	})
	t.Run("product may not retry or delete", func(t *testing.T) {
		assert.Equal(t, 403, tt.do(req{method: "POST", path: "/webhook-events/" + own + "/actions/retry", auth: "Bearer " + prodTok}).status)
		assert.Equal(t, 403, tt.do(req{method: "DELETE", path: "/webhook-events/" + own, auth: "Bearer " + prodTok}).status)
	})
	t.Run("users may not read events", func(t *testing.T) {
		tt.createUser("u@example.com")
		userTok := tt.do(req{method: "POST", path: "/tokens", auth: basic("u@example.com", "password")}).attrs()["token"].(string)
		assert.Equal(t, 403, tt.do(req{method: "GET", path: "/webhook-events", auth: "Bearer " + userTok}).status)
		assert.Equal(t, 404, tt.do(req{method: "GET", path: "/webhook-events/" + own, auth: "Bearer " + userTok}).status)
	})
}

func TestWebhookFeatures(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t).addLicensees()
	tt := w
	foreign := bearer(newWorld(t).srv.AdminToken)
	pooled := tt.policy(w.prod, map[string]any{"usePool": true})
	pooled2 := tt.policy(w.prod2, map[string]any{"usePool": true})
	tt.mustCreate("/keys", "keys", map[string]any{"key": "aaaaaaaaaa"}, map[string]any{"policy": link("policies", pooled)})
	tt.mustCreate("/keys", "keys", map[string]any{"key": "bbbbbbbbbb"}, map[string]any{"policy": link("policies", pooled2)})
	get := func(path, auth string) req { return req{method: "GET", path: path, auth: auth} }

	ep := tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": "https://example.com/hooks"}, nil)
	tt.createUser("evented@example.com") // emits user.created to the endpoint
	evs := tt.get("/webhook-events").list()
	require.NotEmpty(t, evs)
	ev := evs[0].(map[string]any)["id"].(string)
	es, ed, eu := "webhook_endpoints/show.feature: ", "webhook_endpoints/destroy.feature: ", "webhook_endpoints/update.feature: "
	vs, vd := "webhook_events/show.feature: ", "webhook_events/destroy.feature: "
	patchEp := func(auth string) req {
		return req{method: "PATCH", path: "/webhook-endpoints/" + ep, auth: auth, body: doc("webhook-endpoints", map[string]any{"url": "https://example.com/v2"}, nil)}
	}
	tt.run(t, []apiCase{
		{name: es + "Admin retrieves a webhook endpoint for their account", r: get("/webhook-endpoints/"+ep, ""), status: 200, attrs: map[string]any{"url": "https://example.com/hooks"}},
		{name: es + "Admin retrieves an invalid webhook endpoint for their account", r: get("/webhook-endpoints/invalid", ""), status: 404},
		{name: es + "Admin attempts to retrieve a webhook endpoint for another account", r: get("/webhook-endpoints/"+ep, foreign), status: 401},
		{name: es + "License retrieves a webhook endpoint for their account", r: get("/webhook-endpoints/"+ep, bearer(w.licTok)), status: 404},
		{name: es + "User retrieves a webhook endpoint for their account", r: get("/webhook-endpoints/"+ep, bearer(w.userTok)), status: 404},
		{name: es + "Anonymous retrieves a webhook endpoint for an account", r: get("/webhook-endpoints/"+ep, "-"), status: 401},
		{name: eu + "Product attempts to update a webhook endpoint for their account", r: patchEp(bearer(w.prodTok)), status: 404},
		{name: eu + "License attempts to update a webhook endpoint for their account", r: patchEp(bearer(w.licTok)), status: 404},
		{name: eu + "User attempts to update a webhook endpoint for their account", r: patchEp(bearer(w.userTok)), status: 404},
		{name: eu + "Admin updates a webhook endpoint's url", r: patchEp(""), status: 200, attrs: map[string]any{"url": "https://example.com/v2"}},
		{name: vs + "Admin retrieves a webhook event for their account", r: get("/webhook-events/"+ev, ""), status: 200},
		{name: vs + "Admin retrieves an invalid webhook event for their account", r: get("/webhook-events/invalid", ""), status: 404},
		{name: vs + "Product retrieves a webhook event for their account", r: get("/webhook-events/"+ev, bearer(w.prodTok)), status: 404},
		{name: vs + "License retrieves a webhook event for their account", r: get("/webhook-events/"+ev, bearer(w.licTok)), status: 404},
		{name: vs + "User retrieves a webhook event for their account", r: get("/webhook-events/"+ev, bearer(w.userTok)), status: 404},
		{name: vs + "Anonymous retrieves a webhook event for an account", r: get("/webhook-events/"+ev, "-"), status: 401},
		{name: vd + "Product attempts to delete a webhook event for their account", r: req{method: "DELETE", path: "/webhook-events/" + ev, auth: bearer(w.prodTok)}, status: 404},
		{name: vd + "License attempts to delete a webhook event for their account", r: req{method: "DELETE", path: "/webhook-events/" + ev, auth: bearer(w.licTok)}, status: 404},
		{name: vd + "User attempts to delete a webhook event for their account", r: req{method: "DELETE", path: "/webhook-events/" + ev, auth: bearer(w.userTok)}, status: 404},
		{name: vd + "Admin deletes one of their webhook events", r: req{method: "DELETE", path: "/webhook-events/" + ev}, status: 204},
		{name: ed + "Product attempts to delete a webhook endpoint for their account", r: req{method: "DELETE", path: "/webhook-endpoints/" + ep, auth: bearer(w.prodTok)}, status: 404},
		{name: ed + "License attempts to delete a webhook endpoint for their account", r: req{method: "DELETE", path: "/webhook-endpoints/" + ep, auth: bearer(w.licTok)}, status: 404},
		{name: ed + "User attempts to delete a webhook endpoint for their account", r: req{method: "DELETE", path: "/webhook-endpoints/" + ep, auth: bearer(w.userTok)}, status: 404},
		{name: ed + "Admin deletes one of their webhook endpoints", r: req{method: "DELETE", path: "/webhook-endpoints/" + ep}, status: 204},
	})
}
