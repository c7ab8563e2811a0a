package keygentest

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every non-EE scenario of features/api/v1/entitlements/*.feature (keygen-sh/keygen-api), one
// case each, named "<file>: <scenario title>". Scenarios of a disabled account are not
// expressible (keygentest accounts are always active); EE scenarios are left out, and the
// one CE scenario about environments is played with the admin (no environment bearer
// exists in CE).

// entitlements makes n entitlements as the admin and returns their ids, oldest first.
func (w *world) entitlements(n int) []string {
	w.t.Helper()
	ids := make([]string, 0, n)
	for i := 0; i < n; i++ {
		ids = append(ids, w.entitlement(fmt.Sprintf("FEATURE_%02d", entitlementSeq(w))))
	}
	return ids
}

// entitlementSeq is the number of entitlements of the world's account (a code suffix).
func entitlementSeq(w *world) int {
	n := 0
	w.withStore(func(db *store) { n = len(db.lic.entitlements) })
	return n
}

func entitlementCount(w *world) int { return entitlementSeq(w) }

func wantEntitlementCount(n int) func(t *testing.T, w *world, r *reply) {
	return func(t *testing.T, w *world, r *reply) { assert.Equal(t, n, entitlementCount(w), string(r.body)) }
}

// linksContain checks some top-level links (values compared unescaped), as the features'
// "should contain the following links" does.
func linksContain(want map[string]any) func(t *testing.T, w *world, r *reply) {
	return func(t *testing.T, _ *world, r *reply) {
		got, ok := r.doc["links"].(map[string]any)
		require.True(t, ok, string(r.body))
		for k, v := range want {
			g := got[k]
			if s, ok := g.(string); ok {
				g, _ = url.QueryUnescape(s)
			}
			assert.Equal(t, v, g, "links.%s", k)
		}
	}
}

// licenseWithEntitlements is a license of a new policy granting np entitlements, with nl
// entitlements of its own (owned by w.owner when owned).
func licenseWithEntitlements(w *world, pol string, np, nl int, owned bool) string {
	w.t.Helper()
	if pol == "" {
		pol = procPolicy(w, nil)
		if np > 0 {
			require.Equal(w.t, 200, w.attachEntitlements("policies", pol, w.entitlements(np)...).status)
		}
	}
	lic := w.licenseOf(pol, owned, false, nil)
	if nl > 0 {
		require.Equal(w.t, 200, w.attachEntitlements("licenses", lic, w.entitlements(nl)...).status)
	}
	return lic
}

// userWithEntitlements is the feature's user world: a policy granting 3 entitlements, two
// licenses of it owned by w.owner with one entitlement each.
func userWithEntitlements(w *world) {
	pol := procPolicy(w, nil)
	require.Equal(w.t, 200, w.attachEntitlements("policies", pol, w.entitlements(3)...).status)
	licenseWithEntitlements(w, pol, 0, 1, true)
	licenseWithEntitlements(w, pol, 0, 1, true)
}

func TestEntitlementsFeature(t *testing.T) {
	t.Parallel()
	fresh := func(t *testing.T) *world { return newLicensingWorld(t, nil) }
	create := func(auth, typ string, attrs map[string]any) req {
		return req{method: "POST", path: "/entitlements", auth: auth, body: doc(typ, attrs, nil)}
	}
	feature := map[string]any{"name": "Cool Feature", "code": "COOL_FEATURE"}
	productFeature := map[string]any{"name": "Product Feature", "code": "PRODUCT_FEATURE"}
	base := func(w *world) string { return "/v1/accounts/" + w.srv.AccountID + "/entitlements" }
	update := func(auth, id string, attrs map[string]any) req {
		body := doc("entitlements", attrs, nil)
		body["data"].(map[string]any)["id"] = id
		return req{method: "PATCH", path: "/entitlements/" + id, auth: auth, body: body}
	}
	del := func(auth, id string) req { return req{method: "DELETE", path: "/entitlements/" + id, auth: auth} }
	lacks := func(role string) string { return noPerm + " (" + role + " lacks permission to perform action)" }
	cases := []apiCase{
		// create.feature
		{name: "entitlements/create.feature: Admin creates an entitlement for their account", status: 201,
			attrs: map[string]any{"name": "Test Entitlement", "code": "TEST_ENTITLEMENT", "metadata": map[string]any{"foo": "bar"}},
			setup: func(w *world) req {
				return create("", "entitlements", map[string]any{"name": "Test Entitlement", "code": "TEST_ENTITLEMENT", "metadata": map[string]any{"foo": "bar"}})
			},
			check: wantEntitlementCount(1)},
		// Beyond the feature: the environment relationship is declared only on EE
		// (Keygen.ee in EntitlementsController#create's typed params); CE refuses it.
		{name: "entitlements/create.feature: Admin creates an entitlement for the nil environment (in nil environment) (CE)", status: 400,
			title: "Bad request", detail: "unpermitted parameter", source: map[string]any{"pointer": "/data/relationships/environment"},
			setup: func(w *world) req {
				return req{method: "POST", path: "/entitlements", body: doc("entitlements", map[string]any{"name": "Global Entitlement", "code": "GLOBAL_ENTITLEMENT"},
					map[string]any{"environment": map[string]any{"data": nil}})}
			},
			check: wantEntitlementCount(0)},
		{name: "entitlements/create.feature: Admin creates an entitlement for their account (empty relationships)", status: 201,
			setup: func(w *world) req {
				return req{method: "POST", path: "/entitlements", body: doc("entitlements", map[string]any{"name": "Global Entitlement", "code": "GLOBAL_ENTITLEMENT"},
					map[string]any{})}
			},
			check: wantEntitlementCount(1)},
		{name: "entitlements/create.feature: Admin attempts to create an incomplete entitlement for their account", status: 400,
			title: "Bad request", detail: "is missing", source: map[string]any{"pointer": "/data/attributes/code"},
			setup: func(w *world) req { return create("", "entitlement", map[string]any{"name": "V1 Updates"}) },
			check: wantEntitlementCount(0)},
		// Beyond the feature: errors come in the model's declaration order, code before name
		// (app/models/entitlement.rb).
		{name: "entitlements/create.feature: Admin creates an entitlement for their account (taken code, long name)", status: 422,
			title: unprocessed, code: "CODE_TAKEN", detail: "has already been taken", source: map[string]any{"pointer": "/data/attributes/code"},
			about: "https://keygen.sh/docs/api/entitlements/#entitlements-object-attrs-code",
			setup: func(w *world) req {
				w.entitlement("TEST_ENTITLEMENT")
				return create("", "entitlements", map[string]any{"name": strings.Repeat("n", 256), "code": "test_entitlement"})
			},
			check: func(t *testing.T, w *world, r *reply) {
				require.Len(t, r.doc["errors"], 2, string(r.body))
				assert.Equal(t, "NAME_TOO_LONG", r.err(1)["code"])
				assert.Equal(t, 1, entitlementCount(w))
			}},
		// Beyond the feature: the code exclusion is case-sensitive (EXCLUDED_ALIASES,
		// app/models/application_record.rb); a reserved word is refused only as written.
		{name: "entitlements/create.feature: Admin creates an entitlement for their account (reserved word, other case)", status: 201,
			attrs: map[string]any{"code": "ACTIONS"},
			setup: func(w *world) req {
				return create("", "entitlements", map[string]any{"name": "Actions", "code": "ACTIONS"})
			}},
		{name: "entitlements/create.feature: Admin creates an entitlement for their account (reserved word)", status: 422,
			title: unprocessed, code: "CODE_NOT_ALLOWED", detail: "is reserved", source: map[string]any{"pointer": "/data/attributes/code"},
			setup: func(w *world) req {
				return create("", "entitlements", map[string]any{"name": "Action", "code": "action"})
			}},
		// Beyond the feature: metadata is held to JsonValidator after code and name
		// (app/models/entitlement.rb, app/validators/json_validator.rb).
		{name: "entitlements/create.feature: Admin creates an entitlement for their account (metadata with too many keys)", status: 422,
			title: unprocessed, code: "METADATA_TOO_LONG", detail: "too many keys (exceeded limit of 64 keys)",
			source: map[string]any{"pointer": "/data/attributes/metadata"},
			setup: func(w *world) req {
				md := map[string]any{}
				for i := 0; i < 65; i++ {
					md[fmt.Sprintf("k%d", i)] = i
				}
				return create("", "entitlements", map[string]any{"name": "Test Entitlement", "code": "TEST_ENTITLEMENT", "metadata": md})
			},
			check: wantEntitlementCount(0)},
		// Beyond the feature: a code may not look like a UUID, and UUID_RE
		// (config/initializers/regexp.rb) makes the dashes optional.
		{name: "entitlements/create.feature: Admin creates an entitlement for their account (code is a UUID without dashes)", status: 422,
			title: unprocessed, code: "CODE_INVALID", detail: "is invalid", source: map[string]any{"pointer": "/data/attributes/code"},
			setup: func(w *world) req {
				return create("", "entitlements", map[string]any{"name": "x", "code": "977F1752D6A94669A6AFB039154EC40F"})
			},
			check: wantEntitlementCount(0)},
		{name: "entitlements/create.feature: Admin creates an entitlement for their account (code is a UUID)", status: 422,
			title: unprocessed, code: "CODE_INVALID", detail: "is invalid", source: map[string]any{"pointer": "/data/attributes/code"},
			setup: func(w *world) req {
				return create("", "entitlements", map[string]any{"name": "x", "code": "977f1752-d6a9-4669-a6af-b039154ec40f"})
			},
			check: wantEntitlementCount(0)},
		{name: "entitlements/create.feature: Admin attempts to create an entitlement for another account", status: 401,
			setup: func(w *world) req { return create(w.otherAcct, "entitlements", feature) },
			check: wantEntitlementCount(0)},
		{name: "entitlements/create.feature: Developer creates an entitlement for their account", status: 201,
			attrs: feature,
			setup: func(w *world) req { return create(w.devAuth, "entitlements", feature) }},
		{name: "entitlements/create.feature: Sales attempts to create an entitlement for their account", status: 403, detail: denied,
			setup: func(w *world) req {
				return create(w.salesAuth, "entitlements", map[string]any{"name": "Sales Feature", "code": "SALES_FEATURE"})
			},
			check: wantEntitlementCount(0)},
		{name: "entitlements/create.feature: Support attempts to create an entitlement for their account", status: 403, detail: denied,
			setup: func(w *world) req {
				return create(w.supportAuth, "entitlements", map[string]any{"name": "Support Feature", "code": "SUPPORT_FEATURE"})
			},
			check: wantEntitlementCount(0)},
		{name: "entitlements/create.feature: Product attempts to create an entitlement for their account", status: 403, detail: lacks("product"),
			setup: func(w *world) req { return create(w.prodAuth, "entitlement", productFeature) },
			check: wantEntitlementCount(0)},
		{name: "entitlements/create.feature: User attempts to create an entitlement for their account", status: 403, detail: userLacks,
			setup: func(w *world) req { return create(w.ownerAuth, "entitlement", productFeature) },
			check: wantEntitlementCount(0)},
		{name: "entitlements/create.feature: License attempts to create an entitlement for their account", status: 403, detail: licLacks,
			setup: func(w *world) req {
				return create(w.licenseAuth(w.licenseOf(w.pol, false, false, nil), nil), "entitlement", productFeature)
			},
			check: wantEntitlementCount(0)},
		{name: "entitlements/create.feature: Anonymous attempts to create an entitlement for their account", status: 401,
			setup: func(w *world) req { return create("-", "entitlement", productFeature) },
			check: wantEntitlementCount(0)},

		// destroy.feature
		{name: "entitlements/destroy.feature: Admin deletes an entitlement", status: 204,
			setup: func(w *world) req { return del("", w.entitlements(3)[2]) },
			check: wantEntitlementCount(2)},
		// Beyond the feature: Entitlement has_many :release_entitlement_constraints,
		// dependent: :delete_all (app/models/entitlement.rb): the constraint goes too.
		{name: "entitlements/destroy.feature: Admin deletes an entitlement (release constraints)", status: 204,
			setup: func(w *world) req {
				ids := w.entitlements(2)
				rel := w.release(w.prod, "1.0.0", "PUBLISHED", nil)
				con := func(id string) map[string]any {
					return map[string]any{"type": "constraint", "relationships": map[string]any{"entitlement": link("entitlement", id)}}
				}
				r := w.do(req{method: "POST", path: "/releases/" + rel + "/constraints", body: map[string]any{"data": []any{con(ids[0]), con(ids[1])}}})
				require.Equal(w.t, 200, r.status, string(r.body))
				return del("", ids[1])
			},
			check: func(t *testing.T, w *world, r *reply) {
				rels := w.get("/releases").list()
				require.Len(t, rels, 1)
				id := rels[0].(map[string]any)["id"].(string)
				assert.Len(t, w.get("/releases/"+id+"/constraints").list(), 1)
				assert.Len(t, w.get("/releases/"+id+"/entitlements").list(), 1)
			}},
		{name: "entitlements/destroy.feature: Admin attempts to delete an entitlement for another account", status: 401,
			setup: func(w *world) req { return del(w.otherAcct, w.entitlements(3)[1]) },
			check: both(wantEntitlementCount(3), func(t *testing.T, w *world, r *reply) { assert.Len(t, r.doc["errors"], 1) })},
		{name: "entitlements/destroy.feature: Developer deletes an entitlement", status: 204,
			setup: func(w *world) req { return del(w.devAuth, w.entitlements(3)[2]) },
			check: wantEntitlementCount(2)},
		{name: "entitlements/destroy.feature: Sales attempts to delete an entitlement", status: 403, detail: denied,
			setup: func(w *world) req { return del(w.salesAuth, w.entitlements(3)[2]) },
			check: wantEntitlementCount(3)},
		{name: "entitlements/destroy.feature: Support attempts to delete an entitlement", status: 403, detail: denied,
			setup: func(w *world) req { return del(w.supportAuth, w.entitlements(3)[2]) },
			check: wantEntitlementCount(3)},
		{name: "entitlements/destroy.feature: Read-only attempts to delete an entitlement", status: 403, detail: roLacks,
			setup: func(w *world) req { return del(w.roAuth, w.entitlements(3)[2]) },
			check: wantEntitlementCount(3)},
		{name: "entitlements/destroy.feature: Product attempts to delete an entitlement", status: 403, detail: lacks("product"),
			setup: func(w *world) req { return del(w.prodAuth, w.entitlements(2)[0]) },
			check: wantEntitlementCount(2)},
		{name: "entitlements/destroy.feature: License attempts to delete an entitlement (does not have entitlement)", status: 404,
			setup: func(w *world) req {
				ids := w.entitlements(2)
				return del(w.licenseAuth(w.licenseOf(w.pol, false, false, nil), nil), ids[0])
			},
			check: wantEntitlementCount(2)},
		{name: "entitlements/destroy.feature: License attempts to delete an entitlement (does have entitlement)", status: 403, detail: licLacks,
			setup: func(w *world) req {
				lic := licenseWithEntitlements(w, "", 1, 3, false)
				return del(w.licenseAuth(lic, nil), w.get("/entitlements").list()[0].(map[string]any)["id"].(string))
			},
			check: wantEntitlementCount(4)},
		{name: "entitlements/destroy.feature: User attempts to delete an entitlement (does not have entitlement)", status: 404,
			setup: func(w *world) req { return del(w.ownerAuth, w.entitlements(2)[0]) },
			check: wantEntitlementCount(2)},
		{name: "entitlements/destroy.feature: User attempts to delete an entitlement (does have entitlement)", status: 403, detail: userLacks,
			setup: func(w *world) req {
				userWithEntitlements(w)
				return del(w.ownerAuth, w.get("/entitlements").list()[0].(map[string]any)["id"].(string))
			},
			check: wantEntitlementCount(5)},
		{name: "entitlements/destroy.feature: Anonymous attempts to delete an entitlement", status: 401,
			setup: func(w *world) req { return del("-", w.entitlements(2)[0]) },
			check: wantEntitlementCount(2)},

		// index.feature
		{name: "entitlements/index.feature: Admin retrieves all entitlements for their account",
			setup: func(w *world) req { w.entitlements(3); return getAs("/entitlements", "") }, check: listLen(3)},
		{name: "entitlements/index.feature: Admin retrieves an offset-paginated list of entitlements",
			setup: func(w *world) req { w.entitlements(10); return getAs("/entitlements?page[number]=1&page[size]=5", "") },
			check: func(t *testing.T, w *world, r *reply) {
				assert.Len(t, r.list(), 5)
				linksContain(map[string]any{"self": base(w) + "?page[number]=1&page[size]=5", "next": base(w) + "?page[number]=2&page[size]=5",
					"last": base(w) + "?page[number]=2&page[size]=5", "meta": map[string]any{"pages": float64(2), "count": float64(10)}})(t, w, r)
			}},
		{name: "entitlements/index.feature: Admin retrieves an offset-paginated list of entitlements with a page size that is too high", status: 400,
			setup: func(w *world) req { w.entitlements(2); return getAs("/entitlements?page[number]=1&page[size]=250", "") }},
		{name: "entitlements/index.feature: Admin retrieves an offset-paginated list of entitlements with a page size that is too low", status: 400,
			setup: func(w *world) req { w.entitlements(2); return getAs("/entitlements?page[number]=1&page[size]=-10", "") }},
		{name: "entitlements/index.feature: Admin retrieves an offset-paginated list of entitlements with an invalid page number", status: 400,
			setup: func(w *world) req { w.entitlements(2); return getAs("/entitlements?page[number]=-1&page[size]=10", "") }},
		{name: "entitlements/index.feature: Admin retrieves a keyset-paginated list of entitlements (first page)",
			setup: func(w *world) req { w.entitlements(19); return getAs("/entitlements?page[size]=5&page[cursor]=", "") },
			check: func(t *testing.T, w *world, r *reply) {
				ids := listedIDs(w.get("/entitlements?limit=100"))
				assert.Equal(t, ids[:5], listedIDs(r))
				linksContain(map[string]any{"self": base(w) + "?page[cursor]=&page[size]=5",
					"next": base(w) + "?page[cursor]=" + ids[4] + "&page[size]=5"})(t, w, r)
			}},
		{name: "entitlements/index.feature: Admin retrieves a keyset-paginated list of entitlements (next page)",
			setup: func(w *world) req {
				ids := w.entitlements(19)
				return getAs("/entitlements?page[size]=5&page[cursor]="+ids[len(ids)-5], "")
			},
			check: func(t *testing.T, w *world, r *reply) {
				ids := listedIDs(w.get("/entitlements?limit=100")) // newest first
				assert.Equal(t, ids[5:10], listedIDs(r))
				linksContain(map[string]any{"self": base(w) + "?page[cursor]=" + ids[4] + "&page[size]=5",
					"next": base(w) + "?page[cursor]=" + ids[9] + "&page[size]=5"})(t, w, r)
			}},
		{name: "entitlements/index.feature: Admin retrieves a keyset-paginated list of entitlements (last page)",
			setup: func(w *world) req {
				ids := w.entitlements(19)
				return getAs("/entitlements?page[size]=5&page[cursor]="+ids[len(ids)-15], "")
			},
			check: func(t *testing.T, w *world, r *reply) {
				ids := listedIDs(w.get("/entitlements?limit=100"))
				assert.Len(t, r.list(), 4)
				linksContain(map[string]any{"self": base(w) + "?page[cursor]=" + ids[14] + "&page[size]=5", "next": nil})(t, w, r)
			}},
		{name: "entitlements/index.feature: Admin retrieves all entitlements without a limit for their account",
			setup: func(w *world) req { w.entitlements(10); return getAs("/entitlements", "") }, check: listLen(10)},
		{name: "entitlements/index.feature: Admin retrieves all entitlements with a low limit for their account",
			setup: func(w *world) req { w.entitlements(10); return getAs("/entitlements?limit=5", "") }, check: listLen(5)},
		{name: "entitlements/index.feature: Admin retrieves all entitlements with a high limit for their account",
			setup: func(w *world) req { w.entitlements(10); return getAs("/entitlements?limit=10", "") }, check: listLen(10)},
		{name: "entitlements/index.feature: Admin retrieves all entitlements with a limit that is too high", status: 400,
			setup: func(w *world) req { w.entitlements(2); return getAs("/entitlements?limit=900", "") }},
		{name: "entitlements/index.feature: Admin retrieves all entitlements with a limit that is too low", status: 400,
			setup: func(w *world) req { w.entitlements(2); return getAs("/entitlements?limit=-10", "") }},
		{name: "entitlements/index.feature: Admin attempts to retrieve all entitlements for another account", status: 401,
			setup: func(w *world) req { return getAs("/entitlements", w.otherAcct) },
			check: func(t *testing.T, w *world, r *reply) { assert.Len(t, r.doc["errors"], 1) }},
		{name: "entitlements/index.feature: License retrieves all their entitlements (has no entitlements)",
			setup: func(w *world) req {
				w.entitlements(3)
				return getAs("/entitlements", w.licenseAuth(w.licenseOf(w.pol, false, false, nil), nil))
			},
			check: listLen(0)},
		{name: "entitlements/index.feature: License retrieves all their entitlements (has entitlements)",
			setup: func(w *world) req {
				return getAs("/entitlements", w.licenseAuth(licenseWithEntitlements(w, "", 1, 3, false), nil))
			},
			check: listLen(4)},
		{name: "entitlements/index.feature: User retrieves all their entitlements (has no entitlements)",
			setup: func(w *world) req { w.entitlements(3); return getAs("/entitlements", w.ownerAuth) },
			check: listLen(0)},
		{name: "entitlements/index.feature: User retrieves all their entitlements (has entitlements)",
			setup: func(w *world) req { userWithEntitlements(w); return getAs("/entitlements", w.ownerAuth) },
			check: listLen(5)},
		{name: "entitlements/index.feature: Product attempts to retrieve all entitlements for their account",
			setup: func(w *world) req { w.entitlements(3); return getAs("/entitlements", w.prodAuth) },
			check: listLen(3)},

		// show.feature
		{name: "entitlements/show.feature: Admin retrieves an entitlement for their account",
			setup: func(w *world) req {
				ids := w.entitlements(3)
				return getAs("/entitlements/"+ids[0], "")
			},
			check: func(t *testing.T, w *world, r *reply) { assert.Equal(t, "entitlements", r.data()["type"]) }},
		// Beyond the feature: FindByAliasService looks an id up by primary key when it
		// matches UUID_RE, whose dashes are optional (config/initializers/regexp.rb).
		{name: "entitlements/show.feature: Admin retrieves an entitlement for their account (id without dashes)",
			setup: func(w *world) req {
				ids := w.entitlements(3)
				return getAs("/entitlements/"+strings.ReplaceAll(ids[1], "-", ""), "")
			},
			check: func(t *testing.T, w *world, r *reply) { assert.Equal(t, "FEATURE_01", r.attrs()["code"]) }},
		{name: "entitlements/show.feature: Admin retrieves an invalid entitlement for their account", status: 404,
			title: "Not found", code: "NOT_FOUND", detail: "The requested entitlement 'invalid' was not found",
			setup: func(w *world) req { return getAs("/entitlements/invalid", "") }},
		{name: "entitlements/show.feature: Admin attempts to retrieve an entitlement for another account", status: 401,
			setup: func(w *world) req { return getAs("/entitlements/"+w.entitlements(3)[0], w.otherAcct) },
			check: func(t *testing.T, w *world, r *reply) { assert.Len(t, r.doc["errors"], 1) }},
		{name: "entitlements/show.feature: Environment retrieves an entitlement (isolated)", status: 400,
			code: "ENVIRONMENT_NOT_SUPPORTED", detail: "is unsupported", source: map[string]any{"header": "Keygen-Environment"},
			setup: func(w *world) req {
				r := getAs("/entitlements/"+w.entitlements(1)[0], "")
				r.headers = map[string]string{"Keygen-Environment": "isolated"}
				return r
			}},
		{name: "entitlements/show.feature: Product retrieves an entitlement",
			setup: func(w *world) req { return getAs("/entitlements/"+w.entitlements(3)[0], w.prodAuth) }},
		{name: "entitlements/show.feature: License retrieves an entitlement (does not have entitlement)", status: 404,
			setup: func(w *world) req {
				ids := w.entitlements(3)
				return getAs("/entitlements/"+ids[0], w.licenseAuth(w.licenseOf(w.pol, false, false, nil), nil))
			}},
		{name: "entitlements/show.feature: License retrieves an entitlement (does have entitlement)",
			setup: func(w *world) req {
				lic := licenseWithEntitlements(w, "", 1, 3, false)
				return getAs("/entitlements/"+w.get("/entitlements").list()[3].(map[string]any)["id"].(string), w.licenseAuth(lic, nil))
			},
			check: func(t *testing.T, w *world, r *reply) { assert.Equal(t, "entitlements", r.data()["type"]) }},
		{name: "entitlements/show.feature: User retrieves an entitlement (does not have entitlement)", status: 404,
			setup: func(w *world) req { return getAs("/entitlements/"+w.entitlements(3)[0], w.ownerAuth) }},
		{name: "entitlements/show.feature: User retrieves an entitlement (does have entitlement)",
			setup: func(w *world) req {
				userWithEntitlements(w)
				return getAs("/entitlements/"+w.get("/entitlements").list()[4].(map[string]any)["id"].(string), w.ownerAuth)
			},
			check: func(t *testing.T, w *world, r *reply) { assert.Equal(t, "entitlements", r.data()["type"]) }},

		// update.feature
		{name: "entitlements/update.feature: Admin updates an entitlement for their account",
			attrs: map[string]any{"code": "NEW_FEATURE", "metadata": map[string]any{"fooBar": "baz-qux"}},
			setup: func(w *world) req {
				return update("", w.entitlements(1)[0], map[string]any{"code": "NEW_FEATURE", "metadata": map[string]any{"foo-bar": "baz-qux"}})
			}},
		// Beyond the feature: an update that changes nothing does not touch updated (Rails
		// saves, and stamps updated_at, only changed records).
		{name: "entitlements/update.feature: Admin updates an entitlement for their account (same values)",
			attrs: map[string]any{"code": "SAME_FEATURE"},
			setup: func(w *world) req {
				id := w.entitlement("SAME_FEATURE")
				w.srv.Advance(time.Minute)
				return update("", id, map[string]any{"code": "SAME_FEATURE", "name": "SAME_FEATURE name", "metadata": map[string]any{}})
			},
			check: func(t *testing.T, w *world, r *reply) { assert.Equal(t, r.attrs()["created"], r.attrs()["updated"]) }},
		{name: "entitlements/update.feature: Admin updates an entitlement for their account (new code)",
			attrs: map[string]any{"code": "NEW_FEATURE"},
			setup: func(w *world) req {
				id := w.entitlement("OLD_FEATURE")
				w.srv.Advance(time.Minute)
				return update("", id, map[string]any{"code": "NEW_FEATURE"})
			},
			check: func(t *testing.T, w *world, r *reply) { assert.NotEqual(t, r.attrs()["created"], r.attrs()["updated"]) }},
		{name: "entitlements/update.feature: Admin updates an entitlement with an empty code for their account", status: 400,
			title: "Bad request", detail: "cannot be blank", source: map[string]any{"pointer": "/data/attributes/code"},
			setup: func(w *world) req {
				id := w.entitlement("EXPL_FEATURE_1")
				return update("", id, map[string]any{"code": ""})
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Len(t, r.doc["errors"], 1)
				assert.Equal(t, "EXPL_FEATURE_1", w.get("/entitlements/EXPL_FEATURE_1").attrs()["code"])
			}},
		{name: "entitlements/update.feature: Admin attempts to update an entitlement for another account", status: 401,
			setup: func(w *world) req {
				id := w.entitlements(1)[0]
				return req{method: "PATCH", path: "/entitlements/" + id, auth: w.otherAcct, body: doc("entitlements", map[string]any{"name": "Updated Feature"}, nil)}
			}},
		{name: "entitlements/update.feature: Developer updates an entitlement for their account", attrs: map[string]any{"name": "Updated Feature"},
			setup: func(w *world) req {
				return update(w.devAuth, w.entitlements(1)[0], map[string]any{"name": "Updated Feature"})
			}},
		{name: "entitlements/update.feature: Sales updates an entitlement for their account", status: 403, detail: denied,
			setup: func(w *world) req {
				r := update(w.salesAuth, w.entitlements(1)[0], map[string]any{"name": "Sales Entitlement"})
				r.body.(map[string]any)["data"].(map[string]any)["type"] = "entitlement"
				return r
			}},
		// Beyond the feature: EntitlementsController#update authorizes before typed_params
		// reads the body, so a refused bearer gets 403 whatever it sends.
		{name: "entitlements/update.feature: Sales updates an entitlement for their account (unpermitted attribute)", status: 403, detail: denied,
			setup: func(w *world) req {
				return update(w.salesAuth, w.entitlements(1)[0], map[string]any{"name": "Sales Entitlement", "foo": "bar"})
			}},
		{name: "entitlements/update.feature: Support updates an entitlement for their account", status: 403, detail: denied,
			setup: func(w *world) req {
				return update(w.supportAuth, w.entitlements(1)[0], map[string]any{"name": "Support Entitlement"})
			}},
		{name: "entitlements/update.feature: Read-only updates an entitlement for their account", status: 403, detail: roLacks,
			setup: func(w *world) req {
				return update(w.roAuth, w.entitlements(1)[0], map[string]any{"name": "Support Entitlement"})
			}},
		{name: "entitlements/update.feature: Product attempts to update an entitlement", status: 403, detail: lacks("product"),
			setup: func(w *world) req {
				ids := w.entitlements(2)
				return req{method: "PATCH", path: "/entitlements/" + ids[0], auth: w.prodAuth, body: doc("entitlements", map[string]any{"name": "Product Entitlement"}, nil)}
			}},
	}
	staffIndex := func(name string, n int, auth func(w *world) string) apiCase {
		return apiCase{name: name,
			setup: func(w *world) req { w.entitlements(n); return getAs("/entitlements", auth(w)) },
			check: listLen(n)}
	}
	staffShow := func(name string, auth func(w *world) string) apiCase {
		return apiCase{name: name,
			setup: func(w *world) req { return getAs("/entitlements/"+w.entitlements(3)[0], auth(w)) },
			check: func(t *testing.T, w *world, r *reply) { assert.Equal(t, "entitlements", r.data()["type"]) }}
	}
	dev := func(w *world) string { return w.devAuth }
	sales := func(w *world) string { return w.salesAuth }
	support := func(w *world) string { return w.supportAuth }
	ro := func(w *world) string { return w.roAuth }
	cases = append(cases,
		staffIndex("entitlements/index.feature: Developer retrieves all entitlements for their account", 2, dev),
		staffIndex("entitlements/index.feature: Sales retrieves all entitlements for their account", 2, sales),
		staffIndex("entitlements/index.feature: Support retrieves all entitlements for their account", 5, support),
		staffIndex("entitlements/index.feature: Read-only retrieves all entitlements for their account", 5, ro),
		staffShow("entitlements/show.feature: Developer retrieves an entitlement for their account", dev),
		staffShow("entitlements/show.feature: Sales retrieves an entitlement for their account", sales),
		staffShow("entitlements/show.feature: Support retrieves an entitlement for their account", support),
		staffShow("entitlements/show.feature: Read-only retrieves an entitlement for their account", ro),
	)
	runEach(t, fresh, cases)
}

// Every non-EE scenario of features/api/v1/policies/relationships/entitlements.feature and
// features/api/v1/licenses/relationships/entitlements.feature that needs no environment.
func TestEntitlementRelationshipsFeature(t *testing.T) {
	t.Parallel()
	fresh := func(t *testing.T) *world { return newLicensingWorld(t, nil) }
	// attached makes n entitlements attached to the policy or license ("policies",
	// "licenses") and returns them, oldest first.
	attached := func(w *world, parent, id string, n int) []string {
		w.t.Helper()
		ids := w.entitlements(n)
		require.Equal(w.t, 200, w.attachEntitlements(parent, id, ids...).status)
		return ids
	}
	rel := func(method, parent, id, auth string, ents ...string) req {
		r := req{method: method, path: "/" + parent + "/" + id + "/entitlements", auth: auth}
		if method != "GET" {
			r.body = entitlementBody(ents...)
		}
		return r
	}
	// linkCount is the number of join records of a kind ("policy", "license").
	linkCount := func(w *world, kind string) int {
		n := 0
		w.withStore(func(db *store) {
			if kind == "policy" {
				n = len(db.lic.policyEntitlements)
			} else {
				n = len(db.lic.licenseEntitlements)
			}
		})
		return n
	}
	counts := func(policyLinks, licenseLinks, ents int) func(t *testing.T, w *world, r *reply) {
		return func(t *testing.T, w *world, r *reply) {
			assert.Equal(t, policyLinks, linkCount(w, "policy"), "policy-entitlements")
			assert.Equal(t, licenseLinks, linkCount(w, "license"), "license-entitlements")
			assert.Equal(t, ents, entitlementCount(w), "entitlements")
		}
	}
	isEntitlement := func(t *testing.T, w *world, r *reply) {
		assert.Equal(t, "entitlements", r.data()["type"], string(r.body))
	}
	joined := func(typ string, n int) func(t *testing.T, w *world, r *reply) {
		return func(t *testing.T, w *world, r *reply) {
			require.Len(t, r.list(), n, string(r.body))
			for _, x := range r.list() {
				assert.Equal(t, typ, x.(map[string]any)["type"])
			}
		}
	}
	const (
		pf = "policies/relationships/entitlements.feature: "
		lf = "licenses/relationships/entitlements.feature: "
	)
	empty := map[string]any{"data": []any{}}
	runEach(t, fresh, []apiCase{
		// policies: retrieval
		{name: pf + "Admin retrieves the entitlements for a policy",
			setup: func(w *world) req {
				pol := procPolicy(w, nil)
				attached(w, "policies", pol, 3)
				return rel("GET", "policies", pol, "")
			},
			check: listLen(3)},
		{name: pf + "Product retrieves the entitlements for a policy",
			setup: func(w *world) req {
				pol := procPolicy(w, nil)
				attached(w, "policies", pol, 3)
				return rel("GET", "policies", pol, w.prodAuth)
			},
			check: listLen(3)},
		{name: pf + "Admin retrieves an entitlement for a policy",
			setup: func(w *world) req {
				pol := procPolicy(w, nil)
				ids := attached(w, "policies", pol, 3)
				return getAs("/policies/"+pol+"/entitlements/"+ids[0], "")
			},
			check: isEntitlement},
		// Beyond the feature: policy.entitlements.find reads the id as a Postgres uuid.
		{name: pf + "Admin retrieves an entitlement for a policy (id without dashes)",
			setup: func(w *world) req {
				pol := procPolicy(w, nil)
				ids := attached(w, "policies", pol, 3)
				return getAs("/policies/"+pol+"/entitlements/"+strings.ToUpper(strings.ReplaceAll(ids[0], "-", "")), "")
			},
			check: isEntitlement},
		{name: pf + "Product retrieves an entitlement for a policy",
			setup: func(w *world) req {
				pol := procPolicy(w, nil)
				ids := attached(w, "policies", pol, 3)
				return getAs("/policies/"+pol+"/entitlements/"+ids[0], w.prodAuth)
			},
			check: isEntitlement},
		{name: pf + "Product retrieves the entitlements for a policy of another product", status: 404,
			setup: func(w *world) req {
				attached(w, "policies", w.pol2, 3)
				return rel("GET", "policies", w.pol2, w.prodAuth)
			}},
		{name: pf + "User attempts to retrieve the entitlements for a policy", status: 404,
			setup: func(w *world) req {
				pol := procPolicy(w, nil)
				attached(w, "policies", pol, 3)
				return rel("GET", "policies", pol, w.otherAuth)
			}},
		// Beyond the feature: a user sees its licenses' policies (Policy.for_user), so
		// Policies::EntitlementPolicy#index? refuses it (403) rather than 404.
		{name: pf + "User attempts to retrieve the entitlements for a policy (of their license)", status: 403, detail: denied,
			setup: func(w *world) req {
				pol := procPolicy(w, nil)
				attached(w, "policies", pol, 3)
				w.licenseOf(pol, true, false, nil)
				return rel("GET", "policies", pol, w.ownerAuth)
			}},
		{name: pf + "User attempts to attach entitlements to a policy (of their license)", status: 403, detail: userLacks,
			setup: func(w *world) req {
				pol := procPolicy(w, nil)
				w.licenseOf(pol, true, false, nil)
				return rel("POST", "policies", pol, w.ownerAuth, w.entitlements(1)...)
			}},
		{name: pf + "Admin attempts to retrieve the entitlements for a policy of another account", status: 401,
			setup: func(w *world) req {
				pol := procPolicy(w, nil)
				attached(w, "policies", pol, 3)
				return rel("GET", "policies", pol, w.otherAcct)
			}},
		{name: pf + "License attempts to retrieves entitlements for a policy", status: 403, detail: denied,
			setup: func(w *world) req {
				pol := procPolicy(w, nil)
				ids := attached(w, "policies", pol, 3)
				return getAs("/policies/"+pol+"/entitlements/"+ids[0], w.licenseAuth(w.licenseOf(pol, false, false, nil), nil))
			}},
		{name: pf + "License attempts to retrieves an entitlement for a policy", status: 403, detail: denied,
			setup: func(w *world) req {
				pol := procPolicy(w, nil)
				ids := attached(w, "policies", pol, 3)
				return getAs("/policies/"+pol+"/entitlements/"+ids[0], w.licenseAuth(w.licenseOf(pol, false, false, nil), nil))
			}},
		// policies: attachment
		{name: pf + "Admin attaches entitlements to a policy",
			setup: func(w *world) req {
				pol := procPolicy(w, nil)
				return rel("POST", "policies", pol, "", w.entitlements(3)...)
			},
			check: both(joined("policy-entitlements", 3), counts(3, 0, 3))},
		{name: pf + "Admin attaches empty entitlements to a policy", status: 400,
			title: "Bad request", detail: "length must be between 1 and 100 (inclusive)", source: map[string]any{"pointer": "/data"},
			setup: func(w *world) req {
				w.entitlements(3)
				return req{method: "POST", path: "/policies/" + procPolicy(w, nil) + "/entitlements", body: empty}
			},
			check: counts(0, 0, 3)},
		{name: pf + "Admin attaches entitlements to a policy that already exists", status: 422,
			title: unprocessed, detail: "already exists", code: "ENTITLEMENT_TAKEN", source: map[string]any{"pointer": "/data/relationships/entitlement"},
			about: "https://keygen.sh/docs/api/entitlements/#entitlements-object-relationships-entitlement",
			setup: func(w *world) req {
				pol := procPolicy(w, nil)
				ids := attached(w, "policies", pol, 3)
				return rel("POST", "policies", pol, "", ids[0])
			},
			check: counts(3, 0, 3)},
		{name: pf + "Admin attempts to attach entitlements to a policy with an invalid entitlement ID", status: 422,
			title: unprocessed, detail: "must exist", code: "ENTITLEMENT_NOT_FOUND", source: map[string]any{"pointer": "/data/relationships/entitlement"},
			about: "https://keygen.sh/docs/api/entitlements/#entitlements-object-relationships-entitlement",
			setup: func(w *world) req {
				ids := w.entitlements(3)
				return rel("POST", "policies", procPolicy(w, nil), "", ids[0], "d22692b1-0b4b-4cb7-9e3e-449e0fdf9cd8", ids[2])
			},
			check: counts(0, 0, 3)},
		{name: pf + "Admin attempts to attach an entitlement to a policy for another account", status: 401,
			setup: func(w *world) req {
				ids := w.entitlements(1)
				return rel("POST", "policies", procPolicy(w, nil), w.otherAcct, ids[0])
			},
			check: counts(0, 0, 1)},
		{name: pf + "Product attaches entitlements to a policy",
			setup: func(w *world) req {
				ids := w.entitlements(4)
				return rel("POST", "policies", procPolicy(w, nil), w.prodAuth, ids[0], ids[3])
			},
			check: joined("policy-entitlements", 2)},
		{name: pf + "Product attempts to attach entitlements to a policy it doesn't own", status: 404,
			setup: func(w *world) req { return rel("POST", "policies", w.pol2, w.prodAuth, w.entitlements(2)...) },
			check: counts(0, 0, 2)},
		{name: pf + "License attempts to attach entitlements to a policy", status: 403, detail: licLacks,
			setup: func(w *world) req {
				pol := procPolicy(w, nil)
				ids := w.entitlements(2)
				return rel("POST", "policies", pol, w.licenseAuth(w.licenseOf(pol, false, false, nil), nil), ids[0])
			},
			check: counts(0, 0, 2)},
		{name: pf + "User attempts to attach entitlements to a policy", status: 404,
			setup: func(w *world) req {
				ids := w.entitlements(2)
				return rel("POST", "policies", procPolicy(w, nil), w.otherAuth, ids[0])
			}},
		// policies: detachment
		{name: pf + "Admin detaches entitlements from a policy", status: 204,
			setup: func(w *world) req {
				pol := procPolicy(w, nil)
				return rel("DELETE", "policies", pol, "", attached(w, "policies", pol, 3)...)
			},
			check: counts(0, 0, 3)},
		{name: pf + "Admin detaches empty entitlements from a policy", status: 400,
			title: "Bad request", detail: "length must be between 1 and 100 (inclusive)", source: map[string]any{"pointer": "/data"},
			setup: func(w *world) req {
				pol := procPolicy(w, nil)
				attached(w, "policies", pol, 3)
				return req{method: "DELETE", path: "/policies/" + pol + "/entitlements", body: empty}
			},
			check: counts(3, 0, 3)},
		{name: pf + "Admin attempts to detach entitlements from a policy with an invalid entitlement ID", status: 422,
			title: "Unprocessable entity", detail: "cannot detach entitlement '818f1f34-676b-4e0b-ba57-a98d02263212' (entitlement is not attached)",
			source: map[string]any{"pointer": "/data/1"},
			setup: func(w *world) req {
				pol := procPolicy(w, nil)
				ids := attached(w, "policies", pol, 3)
				return rel("DELETE", "policies", pol, "", ids[0], "818f1f34-676b-4e0b-ba57-a98d02263212", ids[2])
			},
			check: counts(3, 0, 3)},
		{name: pf + "Admin attempts to detach an entitlement from a policy for another account", status: 401,
			setup: func(w *world) req {
				pol := procPolicy(w, nil)
				return rel("DELETE", "policies", pol, w.otherAcct, attached(w, "policies", pol, 1)...)
			},
			check: counts(1, 0, 1)},
		{name: pf + "Product detaches entitlements from a policy", status: 204,
			setup: func(w *world) req {
				pol := procPolicy(w, nil)
				ids := attached(w, "policies", pol, 4)
				return rel("DELETE", "policies", pol, w.prodAuth, ids[0], ids[3])
			},
			check: counts(2, 0, 4)},
		{name: pf + "Product attempts to detach entitlements from a policy it doesn't own", status: 404,
			setup: func(w *world) req {
				return rel("DELETE", "policies", w.pol2, w.prodAuth, attached(w, "policies", w.pol2, 2)...)
			},
			check: counts(2, 0, 2)},
		{name: pf + "License attempts to detach entitlements from a policy", status: 403, detail: licLacks,
			setup: func(w *world) req {
				pol := procPolicy(w, nil)
				ids := attached(w, "policies", pol, 2)
				return rel("DELETE", "policies", pol, w.licenseAuth(w.licenseOf(pol, false, false, nil), nil), ids[0])
			},
			check: counts(2, 0, 2)},
		{name: pf + "User attempts to detach entitlements from a policy", status: 404,
			setup: func(w *world) req {
				pol := procPolicy(w, nil)
				ids := attached(w, "policies", pol, 2)
				return rel("DELETE", "policies", pol, w.otherAuth, ids[0])
			},
			check: counts(2, 0, 2)},

		// licenses: retrieval
		{name: lf + "Admin retrieves the entitlements for a license",
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				attached(w, "licenses", lic, 3)
				return rel("GET", "licenses", lic, "")
			},
			check: listLen(3)},
		{name: lf + "Admin retrieves the entitlements for a license key",
			setup: func(w *world) req {
				pol := procPolicy(w, nil)
				attached(w, "policies", pol, 2)
				lic := w.licenseOf(pol, false, false, map[string]any{"key": "example-license-key"})
				attached(w, "licenses", lic, 5)
				return rel("GET", "licenses", "example-license-key", "")
			},
			check: listLen(7)},
		{name: lf + "Admin attempts to retrieve the entitlements for a license of another account", status: 401,
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				attached(w, "licenses", lic, 3)
				return rel("GET", "licenses", lic, w.otherAcct)
			}},
		{name: lf + "Product retrieves the entitlements for a license",
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				attached(w, "licenses", lic, 3)
				return rel("GET", "licenses", lic, w.prodAuth)
			},
			check: listLen(3)},
		{name: lf + "Product retrieves the entitlements for a license of another product", status: 404,
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol2, false, false, nil)
				attached(w, "licenses", lic, 3)
				return rel("GET", "licenses", lic, w.prodAuth)
			}},
		{name: lf + "License retrieves their entitlements",
			setup: func(w *world) req {
				lic := licenseWithEntitlements(w, "", 1, 3, false)
				return rel("GET", "licenses", lic, w.licenseAuth(lic, nil))
			},
			check: listLen(4)},
		{name: lf + "User attempts to retrieve the entitlements for their license (license owner)",
			setup: func(w *world) req {
				pol := procPolicy(w, nil)
				l1 := licenseWithEntitlements(w, pol, 0, 2, true)
				licenseWithEntitlements(w, pol, 0, 4, true)
				licenseWithEntitlements(w, pol, 0, 6, true)
				return rel("GET", "licenses", l1, w.ownerAuth)
			},
			check: listLen(2)},
		{name: lf + "User attempts to retrieve the entitlements for their license (license user)",
			setup: func(w *world) req {
				pol := procPolicy(w, nil)
				l1 := w.licenseOf(pol, false, true, nil)
				l2 := w.licenseOf(pol, false, true, nil)
				l3 := w.licenseOf(pol, false, false, nil)
				attached(w, "licenses", l1, 2)
				attached(w, "licenses", l2, 4)
				attached(w, "licenses", l3, 6)
				return rel("GET", "licenses", l1, w.luAuth)
			},
			check: listLen(2)},
		{name: lf + "User attempts to retrieve the entitlements for a license they don't own", status: 404,
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				attached(w, "licenses", lic, 3)
				return rel("GET", "licenses", lic, w.otherAuth)
			}},
		{name: lf + "Admin retrieves an entitlement for a license",
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				ids := attached(w, "licenses", lic, 3)
				return getAs("/licenses/"+lic+"/entitlements/"+ids[0], "")
			},
			check: isEntitlement},
		{name: lf + "Product retrieves an entitlement for a license",
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				ids := attached(w, "licenses", lic, 3)
				return getAs("/licenses/"+lic+"/entitlements/"+ids[0], w.prodAuth)
			},
			check: isEntitlement},
		{name: lf + "User attempts to retrieve an entitlements for their license",
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), true, false, nil)
				ids := attached(w, "licenses", lic, 5)
				return getAs("/licenses/"+lic+"/entitlements/"+ids[0], w.ownerAuth)
			},
			check: isEntitlement},
		{name: lf + "User attempts to retrieve an entitlements for a license they don't own", status: 404,
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), true, false, nil)
				ids := attached(w, "licenses", lic, 3)
				return getAs("/licenses/"+lic+"/entitlements/"+ids[0], w.otherAuth)
			}},
		// licenses: attachment
		{name: lf + "Admin attaches entitlements to a license",
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				return rel("POST", "licenses", lic, "", w.entitlements(3)...)
			},
			check: both(joined("license-entitlements", 3), counts(0, 3, 3))},
		{name: lf + "Admin attaches empty entitlements to a license", status: 400,
			title: "Bad request", detail: "length must be between 1 and 100 (inclusive)", source: map[string]any{"pointer": "/data"},
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				return req{method: "POST", path: "/licenses/" + lic + "/entitlements", body: empty}
			},
			check: counts(0, 0, 0)},
		{name: lf + "Product attaches entitlements to a license",
			setup: func(w *world) req {
				ids := w.entitlements(4)
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				return rel("POST", "licenses", lic, w.prodAuth, ids[0], ids[3])
			},
			check: both(joined("license-entitlements", 2), counts(0, 2, 4))},
		{name: lf + "Admin attaches an entitlement to a license that already exists as a policy entitlement", status: 422,
			title: unprocessed, detail: "already exists (entitlement is attached through policy)", code: "ENTITLEMENT_CONFLICT",
			about:  "https://keygen.sh/docs/api/entitlements/#entitlements-object-relationships-entitlement",
			source: map[string]any{"pointer": "/data/relationships/entitlement"},
			setup: func(w *world) req {
				pol := procPolicy(w, nil)
				lic := w.licenseOf(pol, false, false, nil)
				return rel("POST", "licenses", lic, "", attached(w, "policies", pol, 1)...)
			},
			check: counts(1, 0, 1)},
		{name: lf + "Admin attempts to attach an entitlement to a license that already exists as a license entitlement", status: 422,
			title: unprocessed, detail: "already exists", code: "ENTITLEMENT_TAKEN", source: map[string]any{"pointer": "/data/relationships/entitlement"},
			about: "https://keygen.sh/docs/api/entitlements/#entitlements-object-relationships-entitlement",
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				return rel("POST", "licenses", lic, "", attached(w, "licenses", lic, 1)...)
			},
			check: counts(0, 1, 1)},
		{name: lf + "Admin attempts to attach entitlements to a license with an invalid entitlement ID", status: 422,
			title: unprocessed, detail: "must exist", code: "ENTITLEMENT_NOT_FOUND", source: map[string]any{"pointer": "/data/relationships/entitlement"},
			about: "https://keygen.sh/docs/api/entitlements/#entitlements-object-relationships-entitlement",
			setup: func(w *world) req {
				ids := w.entitlements(3)
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				return rel("POST", "licenses", lic, "", ids[0], "d22692b1-0b4b-4cb7-9e3e-449e0fdf9cd8", ids[2])
			},
			check: counts(0, 0, 3)},
		{name: lf + "Admin attempts to attach an entitlement to a license for another account", status: 401,
			setup: func(w *world) req {
				ids := w.entitlements(1)
				return rel("POST", "licenses", w.licenseOf(procPolicy(w, nil), false, false, nil), w.otherAcct, ids[0])
			},
			check: counts(0, 0, 1)},
		{name: lf + "Product attempts to attach entitlements to a license it doesn't own", status: 404,
			setup: func(w *world) req {
				return rel("POST", "licenses", w.licenseOf(w.pol2, false, false, nil), w.prodAuth, w.entitlements(2)...)
			},
			check: counts(0, 0, 2)},
		{name: lf + "License attempts to attach entitlements to themselves", status: 403, detail: licLacks,
			setup: func(w *world) req {
				ids := w.entitlements(2)
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				return rel("POST", "licenses", lic, w.licenseAuth(lic, nil), ids[0])
			},
			check: counts(0, 0, 2)},
		{name: lf + "User attempts to attach entitlements to their license (license owner)", status: 403, detail: userLacks,
			setup: func(w *world) req {
				ids := w.entitlements(2)
				return rel("POST", "licenses", w.licenseOf(procPolicy(w, nil), true, false, nil), w.ownerAuth, ids[0])
			},
			check: counts(0, 0, 2)},
		{name: lf + "User attempts to attach entitlements to their license (license user)", status: 403, detail: userLacks,
			setup: func(w *world) req {
				ids := w.entitlements(2)
				return rel("POST", "licenses", w.licenseOf(procPolicy(w, nil), false, true, nil), w.luAuth, ids[0])
			},
			check: counts(0, 0, 2)},
		{name: lf + "User attempts to attach entitlements to a license", status: 404,
			setup: func(w *world) req {
				ids := w.entitlements(2)
				return rel("POST", "licenses", w.licenseOf(procPolicy(w, nil), false, false, nil), w.otherAuth, ids[0])
			},
			check: counts(0, 0, 2)},
		// licenses: detachment
		{name: lf + "Admin detaches entitlements from a license", status: 204,
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				return rel("DELETE", "licenses", lic, "", attached(w, "licenses", lic, 3)...)
			},
			check: counts(0, 0, 3)},
		{name: lf + "Admin detaches empty entitlements from a license", status: 400,
			title: "Bad request", detail: "length must be between 1 and 100 (inclusive)", source: map[string]any{"pointer": "/data"},
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				attached(w, "licenses", lic, 3)
				return req{method: "DELETE", path: "/licenses/" + lic + "/entitlements", body: empty}
			},
			check: counts(0, 3, 3)},
		{name: lf + "Admin attempts to detach entitlements from a license with an invalid entitlement ID", status: 422,
			title: "Unprocessable entity", detail: "cannot detach entitlement 'd22692b1-0b4b-4cb7-9e3e-449e0fdf9cd8' (entitlement is not attached)",
			source: map[string]any{"pointer": "/data/0"},
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				ids := attached(w, "licenses", lic, 3)
				return rel("DELETE", "licenses", lic, "", "d22692b1-0b4b-4cb7-9e3e-449e0fdf9cd8", ids[0], ids[1])
			},
			check: counts(0, 3, 3)},
		func() apiCase {
			var inherited string // set by setup, read by check (the case runs once)
			return apiCase{name: lf + "Admin attempts to detach entitlements from a license that is inherited from the policy", status: 403,
				title: "Access denied", source: map[string]any{"pointer": "/data/1"},
				setup: func(w *world) req {
					pol := procPolicy(w, nil)
					lic := w.licenseOf(pol, false, false, nil)
					own := attached(w, "licenses", lic, 1)
					inherited = attached(w, "policies", pol, 1)[0]
					return rel("DELETE", "licenses", lic, "", own[0], inherited)
				},
				check: func(t *testing.T, w *world, r *reply) {
					assert.Equal(t, "cannot detach entitlement '"+inherited+"' (entitlement is attached through policy)", r.detail())
					counts(1, 1, 2)(t, w, r)
				}}
		}(),
		{name: lf + "Admin attempts to detach an entitlement from a license for another account", status: 401,
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				return rel("DELETE", "licenses", lic, w.otherAcct, attached(w, "licenses", lic, 1)...)
			},
			check: counts(0, 1, 1)},
		{name: lf + "Product detaches entitlements from a license", status: 204,
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				ids := attached(w, "licenses", lic, 4)
				return rel("DELETE", "licenses", lic, w.prodAuth, ids[0], ids[3])
			},
			check: counts(0, 2, 4)},
		{name: lf + "Product attempts to detach entitlements from a license it doesn't own", status: 404,
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol2, false, false, nil)
				return rel("DELETE", "licenses", lic, w.prodAuth, attached(w, "licenses", lic, 2)...)
			},
			check: counts(0, 2, 2)},
		{name: lf + "License attempts to detach entitlements to themselves", status: 403, detail: licLacks,
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				ids := attached(w, "licenses", lic, 2)
				return rel("DELETE", "licenses", lic, w.licenseAuth(lic, nil), ids[0])
			},
			check: counts(0, 2, 2)},
		{name: lf + "License attempts to detach entitlements from another license", status: 404,
			setup: func(w *world) req {
				pol := procPolicy(w, nil)
				l1 := w.licenseOf(pol, false, false, nil)
				l2 := w.licenseOf(pol, false, false, nil)
				ids := attached(w, "licenses", l2, 1)
				return rel("DELETE", "licenses", l2, w.licenseAuth(l1, nil), ids[0])
			},
			check: counts(0, 1, 1)},
		{name: lf + "User attempts to detach entitlements from their license (license owner)", status: 403, detail: userLacks,
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), true, false, nil)
				ids := attached(w, "licenses", lic, 2)
				return rel("DELETE", "licenses", lic, w.ownerAuth, ids[0])
			},
			check: counts(0, 2, 2)},
		{name: lf + "User attempts to detach entitlements from their license (license user)", status: 403, detail: userLacks,
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, true, nil)
				ids := attached(w, "licenses", lic, 2)
				return rel("DELETE", "licenses", lic, w.luAuth, ids[0])
			},
			check: counts(0, 2, 2)},
		{name: lf + "User attempts to detach entitlements from a license", status: 404,
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				ids := attached(w, "licenses", lic, 2)
				return rel("DELETE", "licenses", lic, w.otherAuth, ids[0])
			},
			check: counts(0, 2, 2)},
	})
}

// TestEntitlementWebhooksFeature is entitlements/create.feature 'Admin creates an entitlement and
// generates authorized webhooks': two products with two endpoints each and one account-wide
// endpoint; every endpoint gets entitlement.created, since a product may read any entitlement
// (EntitlementPolicy#show?, app/services/broadcast_webhook_service.rb).
func TestEntitlementWebhooksFeature(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	w := newWorld(t, WithInsecureWebhooks())
	for _, prod := range []string{w.product(), w.product()} {
		for i := 0; i < 2; i++ {
			w.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": rc.url("/p")}, map[string]any{"product": link("products", prod)})
		}
	}
	w.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": rc.url("/all")}, nil)
	t.Run("entitlements/create.feature: Admin creates an entitlement and generates authorized webhooks", func(t *testing.T) {
		r := w.do(req{method: "POST", path: "/entitlements", body: doc("entitlement", map[string]any{"name": "Product Feature", "code": "PRODUCT_FEATURE"}, nil)})
		require.Equal(t, 201, r.status, string(r.body))
		require.NoError(t, w.srv.WaitWebhooks(context.Background()))
		assert.Len(t, w.get("/webhook-events?events[]=entitlement.created").list(), 5)
	})
}

// TestEntitlementLinkWebhooks: the attached/detached events carry a list of join records,
// whose policy lookup falls back to NilClassPolicy (config/initializers/action_policy.rb), so
// product-scoped endpoints never get them (app/services/broadcast_webhook_service.rb). After
// policies/relationships/entitlements.feature 'Product attaches entitlements to a policy'
// and 'Product detaches entitlements from a policy'.
func TestEntitlementLinkWebhooks(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	w := newWorld(t, WithInsecureWebhooks())
	prod := w.product()
	pol := procPolicy(&world{t: t, srv: w.srv, prod: prod}, nil)
	w.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": rc.url("/p")}, map[string]any{"product": link("products", prod)})
	w.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": rc.url("/all")}, nil)
	ids := w.entitlements(2)
	prodAuth := w.productAuth(prod)
	r := w.do(req{method: "POST", path: "/policies/" + pol + "/entitlements", auth: prodAuth, body: entitlementBody(ids...)})
	require.Equal(t, 200, r.status, string(r.body))
	r = w.do(req{method: "DELETE", path: "/policies/" + pol + "/entitlements", auth: prodAuth, body: entitlementBody(ids[0])})
	require.Equal(t, 204, r.status, string(r.body))
	require.NoError(t, w.srv.WaitWebhooks(context.Background()))
	for _, ev := range []string{"policy.entitlements.attached", "policy.entitlements.detached"} {
		got := w.get("/webhook-events?events[]=" + ev).list()
		if assert.Len(t, got, 1, ev) {
			assert.Equal(t, rc.url("/all"), got[0].(map[string]any)["attributes"].(map[string]any)["endpoint"], ev)
		}
	}
}
