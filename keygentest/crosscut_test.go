package keygentest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Behaviours shared by the licensing resources, each checked on every resource it concerns:
// metadata held to JsonValidator's limits (app/validators/json_validator.rb), updates that
// change nothing keeping updated (ActiveRecord timestamps), and the EE-only environment
// relationship refused on CE (the Keygen.ee blocks of the controllers' typed params).

// crossResource is a resource under test: how to create one in a newResourceWorld, and an
// update that sets the values it already has.
type crossResource struct {
	plural, model string // "products", "app/models/product.rb"
	controller    string // "app/controllers/api/v1/products_controller.rb"
	// body returns the attributes and relationships of a valid creation.
	body func(w *world) (attrs, rels map[string]any)
	// same are update attributes equal to those of body.
	same     map[string]any
	metadata bool // the model has metadata
	env      bool // the create typed params declare environment only on EE
}

// crossLicense and crossMachine make the parents of machines and components.
func crossLicense(w *world) string {
	id, _ := w.createLicense(w.pol, nil, "")
	return id
}

func crossMachine(w *world) string { return w.createMachine(crossLicense(w), "cross-parent", nil) }

var crossResources = []crossResource{
	{plural: "products", controller: "app/controllers/api/v1/products_controller.rb", model: "app/models/product.rb", metadata: true,
		body: func(w *world) (map[string]any, map[string]any) {
			return map[string]any{"name": "Cross", "url": "https://example.com"}, nil
		},
		same: map[string]any{"name": "Cross", "url": "https://example.com", "metadata": map[string]any{}}},
	{plural: "policies", controller: "app/controllers/api/v1/policies_controller.rb", model: "app/models/policy.rb", metadata: true, env: true,
		body: func(w *world) (map[string]any, map[string]any) {
			return map[string]any{"name": "Cross", "maxUses": 5}, map[string]any{"product": link("products", w.prod)}
		},
		same: map[string]any{"name": "Cross", "maxUses": 5}},
	{plural: "licenses", controller: "app/controllers/api/v1/licenses_controller.rb", model: "app/models/license.rb", metadata: true, env: true,
		body: func(w *world) (map[string]any, map[string]any) {
			return map[string]any{"name": "Cross", "expiry": "2030-01-01T00:00:00.000Z"}, map[string]any{"policy": link("policies", w.pol)}
		},
		// The same instant written in another zone.
		same: map[string]any{"name": "Cross", "expiry": "2030-01-01T01:00:00+01:00"}},
	{plural: "machines", controller: "app/controllers/api/v1/machines_controller.rb", model: "app/models/machine.rb", metadata: true, env: true,
		body: func(w *world) (map[string]any, map[string]any) {
			return map[string]any{"fingerprint": "cross-fp", "name": "Cross", "cores": 4}, map[string]any{"license": link("licenses", crossLicense(w))}
		},
		same: map[string]any{"name": "Cross", "cores": 4, "ip": nil}},
	{plural: "users", controller: "app/controllers/api/v1/users_controller.rb", model: "app/models/user.rb", metadata: true, env: true,
		body: func(w *world) (map[string]any, map[string]any) {
			return map[string]any{"email": "cross@example.com", "firstName": "Cross"}, nil
		},
		same: map[string]any{"email": "cross@example.com", "firstName": "Cross"}},
	{plural: "components", controller: "app/controllers/api/v1/machine_components_controller.rb", model: "app/models/machine_component.rb", metadata: true, env: true,
		body: func(w *world) (map[string]any, map[string]any) {
			return map[string]any{"fingerprint": "cross-cp", "name": "Cross"}, map[string]any{"machine": link("machines", crossMachine(w))}
		},
		same: map[string]any{"name": "Cross"}},
	{plural: "groups", controller: "app/controllers/api/v1/groups_controller.rb", model: "app/models/group.rb", metadata: true, env: true,
		body: func(w *world) (map[string]any, map[string]any) {
			return map[string]any{"name": "Cross", "maxUsers": 3}, nil
		},
		same: map[string]any{"name": "Cross", "maxUsers": 3, "maxLicenses": nil}},
	{plural: "keys", controller: "app/controllers/api/v1/keys_controller.rb", model: "app/models/key.rb", env: true,
		body: func(w *world) (map[string]any, map[string]any) {
			return map[string]any{"key": "cross-key-0001"}, map[string]any{"policy": link("policies", w.poolPol)}
		},
		same: map[string]any{"key": "cross-key-0001"}},
	{plural: "webhook-endpoints", controller: "app/controllers/api/v1/webhook_endpoints_controller.rb", model: "app/models/webhook_endpoint.rb",
		body: func(w *world) (map[string]any, map[string]any) {
			return map[string]any{"url": "https://example.com/hooks", "subscriptions": []any{"license.created", "license.updated"}}, nil
		},
		same: map[string]any{"url": "https://example.com/hooks", "subscriptions": []any{"license.created", "license.updated"}}},
}

// crossCreate creates the resource as the admin and returns its id.
func crossCreate(w *world, res crossResource, mutate func(attrs, rels map[string]any)) string {
	w.t.Helper()
	attrs, rels := res.body(w)
	if mutate != nil {
		mutate(attrs, rels)
	}
	return w.mustCreate("/"+res.plural, res.plural, attrs, rels)
}

// crossPost is the create request, changed by mutate.
func crossPost(w *world, res crossResource, mutate func(attrs, rels map[string]any) map[string]any) req {
	attrs, rels := res.body(w)
	if mutate != nil {
		rels = mutate(attrs, rels)
	}
	return req{method: "POST", path: "/" + res.plural, body: doc(res.plural, attrs, rels)}
}

func crossPatch(res crossResource, id string, attrs map[string]any) req {
	return req{method: "PATCH", path: "/" + res.plural + "/" + id, body: doc(res.plural, attrs, nil)}
}

// metadataKeys is metadata of n keys in all: n-3 at the top and 3 in a nested object.
func metadataKeys(n int) map[string]any {
	md := map[string]any{"nested": map[string]any{"a": 1, "b": 2}}
	for i := 0; i < n-3; i++ {
		md[fmt.Sprintf("key%d", i)] = i
	}
	return md
}

// errCodes are the codes of the answer's errors, in order.
func errCodes(r *reply) []string {
	var out []string
	errs, _ := r.doc["errors"].([]any)
	for _, e := range errs {
		m, _ := e.(map[string]any)
		s, _ := m["code"].(string)
		out = append(out, s)
	}
	return out
}

// crossCount counts the account's resources of the kind.
func crossCount(w *world, res crossResource) int {
	r := w.get("/" + res.plural + "?page[size]=100&page[number]=1")
	require.Equal(w.t, 200, r.status, string(r.body))
	return len(r.list())
}

func TestCrosscutMetadataLimits(t *testing.T) {
	tooMany := map[string]any{"pointer": "/data/attributes/metadata"}
	var cases []apiCase
	for _, res := range crossResources {
		if !res.metadata {
			continue
		}
		var before int
		cases = append(cases,
			apiCase{name: "(" + res.model + ") metadata over 64 keys on create", status: 422,
				title: unprocessed, code: "METADATA_TOO_LONG", detail: "too many keys (exceeded limit of 64 keys)", source: tooMany,
				about: "https://keygen.sh/docs/api/" + res.plural + "/#" + res.plural + "-object-attrs-metadata",
				setup: func(w *world) req {
					r := crossPost(w, res, func(attrs, rels map[string]any) map[string]any {
						attrs["metadata"] = metadataKeys(65)
						return rels
					})
					before = crossCount(w, res)
					return r
				},
				check: func(t *testing.T, w *world, r *reply) {
					assert.Len(t, r.doc["errors"], 1)
					assert.Equal(t, before, crossCount(w, res))
				}},
			apiCase{name: "(" + res.model + ") metadata of 64 keys on create", status: 201,
				setup: func(w *world) req {
					return crossPost(w, res, func(attrs, rels map[string]any) map[string]any {
						attrs["metadata"] = metadataKeys(64)
						return rels
					})
				}},
			apiCase{name: "(" + res.model + ") metadata over 64 keys on update", status: 422,
				title: unprocessed, code: "METADATA_TOO_LONG", detail: "too many keys (exceeded limit of 64 keys)", source: tooMany,
				setup: func(w *world) req {
					id := crossCreate(w, res, func(attrs, _ map[string]any) { attrs["metadata"] = map[string]any{"kept": true} })
					return crossPatch(res, id, map[string]any{"metadata": metadataKeys(65)})
				},
				check: func(t *testing.T, w *world, r *reply) {
					l := w.get("/" + res.plural + "?page[size]=100&page[number]=1").list()
					kept := 0
					for _, it := range l {
						md := it.(map[string]any)["attributes"].(map[string]any)["metadata"]
						if assert.Equal(t, map[string]any{"kept": true}, md) {
							kept++
						}
						break // newest first: the one created
					}
					assert.Equal(t, 1, kept)
				}},
			apiCase{name: "(" + res.model + ") metadata over 16 KiB on update", status: 422,
				title: unprocessed, code: "METADATA_TOO_LONG", detail: "too large (exceeded limit of 16384 bytes)", source: tooMany,
				setup: func(w *world) req {
					id := crossCreate(w, res, nil)
					return crossPatch(res, id, map[string]any{"metadata": map[string]any{"blob": strings.Repeat("x", 16384)}})
				}},
		)
	}
	// The features pin the users' limit (status only).
	cases = append(cases, apiCase{name: "users/update.feature: Admin updates a users metadata with too many keys", status: 422,
		title: unprocessed, code: "METADATA_TOO_LONG", detail: "too many keys (exceeded limit of 64 keys)", source: tooMany,
		setup: func(w *world) req {
			md := map[string]any{}
			for i := 1; i <= 65; i++ {
				md[fmt.Sprintf("key%d", i)] = i
			}
			return req{method: "PATCH", path: "/users/" + w.user, body: doc("users", map[string]any{"metadata": md}, nil)}
		}},
		apiCase{name: "users/update.feature: Admin updates a users metadata with 64 keys",
			setup: func(w *world) req {
				md := map[string]any{}
				for i := 1; i <= 64; i++ {
					md[fmt.Sprintf("key%d", i)] = i
				}
				return req{method: "PATCH", path: "/users/" + w.user, body: doc("users", map[string]any{"metadata": md}, nil)}
			},
			check: func(t *testing.T, w *world, r *reply) { assert.Len(t, r.attrs()["metadata"], 64) }},
		// Request typing still limits depth first: a 400, before the model.
		apiCase{name: "users/update.feature: Admin updates a users metadata with a deeply nested hash of non-scalar values (hash)", status: 400,
			title: "Bad request", detail: "maximum depth of 2 exceeded", source: map[string]any{"pointer": "/data/attributes/metadata/object/nested/0"},
			setup: func(w *world) req {
				md := map[string]any{"object": map[string]any{"nested": []any{map[string]any{"key": "value"}}}}
				return req{method: "PATCH", path: "/users/" + w.user, body: doc("users", map[string]any{"metadata": md}, nil)}
			}},
		apiCase{name: "users/update.feature: Admin updates a users metadata with a deeply nested hash of non-scalar values (array)", status: 400,
			title: "Bad request", detail: "maximum depth of 2 exceeded", source: map[string]any{"pointer": "/data/attributes/metadata/array/2/baz"},
			setup: func(w *world) req {
				md := map[string]any{"array": []any{map[string]any{"foo": 1}, map[string]any{"bar": 2}, map[string]any{"baz": []any{3}}}}
				return req{method: "PATCH", path: "/users/" + w.user, body: doc("users", map[string]any{"metadata": md}, nil)}
			}},
	)
	runEach(t, newResourceWorld, cases)
}

// The metadata error sits where each model declares its metadata validation.
func TestCrosscutMetadataOrder(t *testing.T) {
	md := func() map[string]any { return metadataKeys(65) }
	codes := func(want ...string) func(t *testing.T, w *world, r *reply) {
		return func(t *testing.T, w *world, r *reply) { assert.Equal(t, want, errCodes(r), string(r.body)) }
	}
	runEach(t, newResourceWorld, []apiCase{
		{name: "(app/models/product.rb) metadata after distribution_strategy", status: 422,
			setup: func(w *world) req {
				return req{method: "POST", path: "/products", body: doc("products", map[string]any{"name": "X", "distributionStrategy": "BAD", "metadata": md()}, nil)}
			},
			check: codes("DISTRIBUTION_STRATEGY_NOT_ALLOWED", "METADATA_TOO_LONG")},
		{name: "(app/models/policy.rb) metadata between renewal_basis and authentication_strategy", status: 422,
			setup: func(w *world) req {
				return req{method: "POST", path: "/policies", body: doc("policies",
					map[string]any{"name": "X", "renewalBasis": "BAD", "authenticationStrategy": "BAD", "metadata": md()},
					map[string]any{"product": link("products", w.prod)})}
			},
			check: codes("RENEWAL_BASIS_NOT_ALLOWED", "METADATA_TOO_LONG", "AUTHENTICATION_STRATEGY_NOT_ALLOWED")},
		{name: "(app/models/license.rb) metadata before key on create", status: 422,
			setup: func(w *world) req {
				return req{method: "POST", path: "/licenses", body: doc("licenses", map[string]any{"key": "actions", "metadata": md()},
					map[string]any{"policy": link("policies", w.pol)})}
			},
			check: codes("METADATA_TOO_LONG", "KEY_NOT_ALLOWED")},
		{name: "(app/models/license.rb) metadata before name on update", status: 422,
			setup: func(w *world) req {
				id := crossLicense(w)
				return req{method: "PATCH", path: "/licenses/" + id, body: doc("licenses", map[string]any{"name": strings.Repeat("n", 1025), "metadata": md()}, nil)}
			},
			check: codes("METADATA_TOO_LONG", "NAME_TOO_LONG")},
		{name: "(app/models/machine.rb) metadata after fingerprint and before cores", status: 422,
			setup: func(w *world) req {
				return req{method: "POST", path: "/machines", body: doc("machines", map[string]any{"fingerprint": "actions", "cores": 0, "metadata": md()},
					map[string]any{"license": link("licenses", crossLicense(w))})}
			},
			check: codes("FINGERPRINT_NOT_ALLOWED", "METADATA_TOO_LONG", "CORES_INVALID")},
		{name: "(app/models/machine_component.rb) nested component metadata over 64 keys", status: 422,
			title: unprocessed, code: "COMPONENTS_METADATA_TOO_LONG", detail: "too many keys (exceeded limit of 64 keys)",
			source: map[string]any{"pointer": "/data/relationships/components/data/1/attributes/metadata"},
			about:  "https://keygen.sh/docs/api/machines/#machines-object-relationships-components",
			setup: func(w *world) req {
				comps := []any{
					map[string]any{"type": "components", "attributes": map[string]any{"fingerprint": "c0", "name": "C0", "metadata": map[string]any{"ok": true}}},
					map[string]any{"type": "components", "attributes": map[string]any{"fingerprint": "c1", "name": "C1", "metadata": md()}},
				}
				return req{method: "POST", path: "/machines", body: doc("machines", map[string]any{"fingerprint": "m"},
					map[string]any{"license": link("licenses", crossLicense(w)), "components": map[string]any{"data": comps}})}
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Equal(t, []string{"COMPONENTS_METADATA_TOO_LONG"}, errCodes(r), string(r.body))
				assert.Equal(t, 0, w.machineCount())
			}},
		{name: "(app/models/user.rb) metadata after password", status: 422,
			setup: func(w *world) req {
				return req{method: "POST", path: "/users", body: doc("users", map[string]any{"email": "x@example.com", "password": "short", "metadata": md()}, nil)}
			},
			check: codes("PASSWORD_TOO_SHORT", "METADATA_TOO_LONG")},
		{name: "(app/models/machine_component.rb) metadata after name", status: 422,
			setup: func(w *world) req {
				return req{method: "POST", path: "/components", body: doc("components", map[string]any{"fingerprint": "c", "name": strings.Repeat("n", 256), "metadata": md()},
					map[string]any{"machine": link("machines", crossMachine(w))})}
			},
			check: codes("NAME_TOO_LONG", "METADATA_TOO_LONG")},
		{name: "(app/models/group.rb) metadata after name", status: 422,
			setup: func(w *world) req {
				return req{method: "POST", path: "/groups", body: doc("groups", map[string]any{"name": strings.Repeat("n", 256), "metadata": md()}, nil)}
			},
			check: codes("NAME_TOO_LONG", "METADATA_TOO_LONG")},
		// Request typing still limits depth first: a 400, before the model.
		{name: "licenses/create.feature: Admin creates a license with too complex nested metadata", status: 400,
			title: "Bad request", detail: "maximum depth of 2 exceeded", source: map[string]any{"pointer": "/data/attributes/metadata/array/1/0"},
			setup: func(w *world) req {
				return req{method: "POST", path: "/licenses", body: doc("licenses", map[string]any{"metadata": map[string]any{
					"key": []any{"value"}, "object": map[string]any{"key": map[string]any{"k": "v"}},
					"array": []any{[]any{0}, []any{map[string]any{"foo": 1}, 2, []any{3}}},
				}}, map[string]any{"policy": link("policies", w.pol)})}
			}},
	})
}

func TestCrosscutUpdatesThatChangeNothing(t *testing.T) {
	var cases []apiCase
	for _, res := range crossResources {
		cases = append(cases,
			apiCase{name: "(" + res.model + ") update with the same values keeps updated",
				setup: func(w *world) req {
					id := crossCreate(w, res, nil)
					w.srv.Advance(time.Minute)
					return crossPatch(res, id, res.same)
				},
				check: func(t *testing.T, w *world, r *reply) {
					assert.Equal(t, r.attrs()["created"], r.attrs()["updated"], string(r.body))
				}},
			apiCase{name: "(" + res.model + ") update with empty attributes keeps updated",
				setup: func(w *world) req {
					id := crossCreate(w, res, nil)
					w.srv.Advance(time.Minute)
					return crossPatch(res, id, map[string]any{})
				},
				check: func(t *testing.T, w *world, r *reply) {
					assert.Equal(t, r.attrs()["created"], r.attrs()["updated"], string(r.body))
				}},
		)
		// A change still stamps updated.
		change := map[string]any{"name": "Changed"}
		switch res.plural {
		case "users":
			change = map[string]any{"firstName": "Changed"}
		case "keys":
			change = map[string]any{"key": "cross-key-0002"}
		case "webhook-endpoints":
			change = map[string]any{"subscriptions": []any{"license.created"}}
		}
		cases = append(cases, apiCase{name: "(" + res.model + ") update with a change stamps updated",
			setup: func(w *world) req {
				id := crossCreate(w, res, nil)
				w.srv.Advance(time.Minute)
				return crossPatch(res, id, change)
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.NotEqual(t, r.attrs()["created"], r.attrs()["updated"], string(r.body))
			}})
	}
	cases = append(cases, apiCase{name: "(app/models/license.rb) a new expiry stamps updated",
		setup: func(w *world) req {
			id := crossCreate(w, crossResources[2], nil)
			w.srv.Advance(time.Minute)
			return crossPatch(crossResources[2], id, map[string]any{"expiry": "2030-01-01T00:00:01.000Z"})
		},
		check: func(t *testing.T, w *world, r *reply) {
			assert.NotEqual(t, r.attrs()["created"], r.attrs()["updated"], string(r.body))
		}})
	runEach(t, newResourceWorld, cases)
}

func TestCrosscutEnvironmentRelationship(t *testing.T) {
	unpermitted := map[string]any{"pointer": "/data/relationships/environment"}
	var cases []apiCase
	for _, res := range crossResources {
		if !res.env {
			continue
		}
		var before int
		cases = append(cases, apiCase{name: "(" + res.controller + ") CE: environment relationship on create",
			status: 400, title: "Bad request", detail: "unpermitted parameter", source: unpermitted,
			setup: func(w *world) req {
				r := crossPost(w, res, func(_, rels map[string]any) map[string]any {
					if rels == nil {
						rels = map[string]any{}
					}
					rels["environment"] = map[string]any{"data": nil}
					return rels
				})
				before = crossCount(w, res)
				return r
			},
			check: func(t *testing.T, w *world, r *reply) { assert.Equal(t, before, crossCount(w, res)) }})
	}
	shared := func(path, typ string, attrs map[string]any, rels func(w *world) map[string]any) func(w *world) req {
		return func(w *world) req {
			rs := map[string]any{}
			if rels != nil {
				rs = rels(w)
			}
			rs["environment"] = link("environments", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")
			return req{method: "POST", path: path, body: doc(typ, attrs, rs)}
		}
	}
	cases = append(cases,
		apiCase{name: "licenses/create.feature: Admin creates a license for a shared environment", status: 400,
			title: "Bad request", detail: "unpermitted parameter", source: unpermitted,
			setup: shared("/licenses", "licenses", map[string]any{"name": "Shared License"},
				func(w *world) map[string]any { return map[string]any{"policy": link("policies", w.pol)} })},
		apiCase{name: "users/create.feature: Admin creates a user for a shared environment", status: 400,
			title: "Bad request", detail: "unpermitted parameter", source: unpermitted,
			setup: shared("/users", "users", map[string]any{"email": "shared@keygen.example"}, nil)},
	)
	runEach(t, newResourceWorld, cases)
}

// Relationship updates are plain updates of one attribute (<model>.update!(…)): updated moves
// only when the relationship changed.
func TestCrosscutRelationshipUpdates(t *testing.T) {
	put := func(path, typ, id string) req {
		return req{method: "PUT", path: path, body: map[string]any{"data": map[string]any{"type": typ, "id": id}}}
	}
	kept := func(t *testing.T, w *world, r *reply) {
		assert.Equal(t, r.attrs()["created"], r.attrs()["updated"], string(r.body))
	}
	stamped := func(t *testing.T, w *world, r *reply) {
		assert.NotEqual(t, r.attrs()["created"], r.attrs()["updated"], string(r.body))
	}
	ownedMachine := func(w *world) string {
		lic, _ := w.createLicense(w.pol, nil, w.user)
		return w.mustCreate("/machines", "machines", map[string]any{"fingerprint": "owned"},
			map[string]any{"license": link("licenses", lic), "owner": link("users", w.user)})
	}
	runEach(t, newResourceWorld, []apiCase{
		{name: "(app/controllers/api/v1/licenses/relationships/owners_controller.rb) the same owner keeps updated",
			setup: func(w *world) req {
				lic, _ := w.createLicense(w.pol, nil, w.user)
				w.srv.Advance(time.Minute)
				return put("/licenses/"+lic+"/owner", "users", w.user)
			}, check: kept},
		{name: "(app/controllers/api/v1/licenses/relationships/owners_controller.rb) a new owner stamps updated",
			setup: func(w *world) req {
				lic, _ := w.createLicense(w.pol, nil, "")
				w.srv.Advance(time.Minute)
				return put("/licenses/"+lic+"/owner", "users", w.user)
			}, check: stamped},
		{name: "(app/controllers/api/v1/licenses/relationships/policies_controller.rb) the same policy keeps updated",
			setup: func(w *world) req {
				lic, _ := w.createLicense(w.pol, nil, "")
				w.srv.Advance(time.Minute)
				return put("/licenses/"+lic+"/policy", "policies", w.pol)
			}, check: kept},
		{name: "(app/controllers/api/v1/licenses/relationships/policies_controller.rb) a new policy stamps updated",
			setup: func(w *world) req {
				lic, _ := w.createLicense(w.pol, nil, "")
				other := w.policy(w.prod, nil)
				w.srv.Advance(time.Minute)
				return put("/licenses/"+lic+"/policy", "policies", other)
			}, check: stamped},
		{name: "(app/controllers/api/v1/machines/relationships/owners_controller.rb) the same owner keeps updated",
			setup: func(w *world) req {
				m := ownedMachine(w)
				w.srv.Advance(time.Minute)
				return put("/machines/"+m+"/owner", "users", w.user)
			}, check: kept},
		{name: "(app/controllers/api/v1/licenses/relationships/groups_controller.rb) a new group stamps updated",
			setup: func(w *world) req {
				lic, _ := w.createLicense(w.pol, nil, "")
				g := w.mustCreate("/groups", "groups", map[string]any{"name": "G"}, nil)
				w.srv.Advance(time.Minute)
				return put("/licenses/"+lic+"/group", "groups", g)
			}, check: stamped},
		{name: "(app/controllers/api/v1/machines/relationships/groups_controller.rb) a new group stamps updated",
			setup: func(w *world) req {
				m := ownedMachine(w)
				g := w.mustCreate("/groups", "groups", map[string]any{"name": "G"}, nil)
				w.srv.Advance(time.Minute)
				return put("/machines/"+m+"/group", "groups", g)
			}, check: stamped},
		{name: "(app/controllers/api/v1/users/relationships/groups_controller.rb) a new group stamps updated",
			setup: func(w *world) req {
				g := w.mustCreate("/groups", "groups", map[string]any{"name": "G"}, nil)
				w.srv.Advance(time.Minute)
				return put("/users/"+w.user+"/group", "groups", g)
			}, check: stamped},
		{name: "(app/controllers/api/v1/users/relationships/groups_controller.rb) the same group keeps updated",
			setup: func(w *world) req {
				g := w.mustCreate("/groups", "groups", map[string]any{"name": "G"}, nil)
				u := w.mustCreate("/users", "users", map[string]any{"email": "grouped@example.com"}, map[string]any{"group": link("groups", g)})
				w.srv.Advance(time.Minute)
				return put("/users/"+u+"/group", "groups", g)
			}, check: kept},
	})
}
