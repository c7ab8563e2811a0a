package keygentest

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Documents as the serializers render them (render.go and each resource's view).

// TestRenderLicenseAndMachine pins the license and machine renderers
// (app/serializers/license_serializer.rb, app/serializers/machine_serializer.rb).
func TestRenderLicenseAndMachine(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	prod := tt.product()
	pol := tt.policy(prod, map[string]any{"floating": true, "maxMachines": 3, "requireCheckIn": true, "checkInInterval": "week", "checkInIntervalCount": 2})
	now := tt.srv.Now()
	lic := tt.seedLicense(pol, func(l *license) {
		l.Expiry = ptr(now.Add(48 * time.Hour))
		l.LastCheckIn = ptr(now)
	})
	cores := int64(4)
	tt.srv.mu.Lock()
	m := &machine{base: newBase(tt.srv.AccountID, now), LicenseID: lic.ID, Fingerprint: "fp", Cores: &cores, Metadata: map[string]any{}}
	tt.srv.db.machines[m.ID] = m
	v := view{db: tt.srv.db, acct: tt.srv.db.accounts[tt.srv.AccountID], minor: 8, now: now}
	lr := v.license(lic)
	mr := v.machine(m)
	tt.srv.mu.Unlock()

	a := lr.Attributes
	assert.Equal(t, "licenses", lr.Type)
	assert.Equal(t, "EXPIRING", a["status"], "expiry within 3 days")
	assert.Equal(t, int64(3), a["maxMachines"], "policy value")
	assert.Equal(t, true, a["floating"])
	assert.Equal(t, fmtTime(now.AddDate(0, 0, 14)), a["nextCheckIn"])
	assert.Equal(t, map[string]any{}, a["metadata"])
	rel := lr.Relationships
	assert.Equal(t, map[string]any{"cores": int64(4), "memory": int64(0), "disk": int64(0), "count": 1}, rel["machines"].(*relationship).meta)
	assert.Equal(t, map[string]any{"count": 0}, rel["users"].(*relationship).meta)
	owner := rel["owner"].(*relationship)
	assert.True(t, owner.toOne)
	assert.Empty(t, owner.linkedID(), "data: null")
	assert.Equal(t, [2]string{"products", prod}, [2]string{rel["product"].(*relationship).typ, rel["product"].(*relationship).id})

	assert.Equal(t, "NOT_STARTED", mr.Attributes["heartbeatStatus"])
	assert.Equal(t, int64(600), mr.Attributes["heartbeatDuration"])
	assert.Equal(t, [2]string{"licenses", lic.ID}, [2]string{mr.Relationships["license"].(*relationship).typ, mr.Relationships["license"].(*relationship).id})
	assert.Equal(t, "/v1/accounts/"+tt.srv.AccountID+"/machines/"+m.ID, mr.Links["self"])
}

// Document shapes pinned against keygen-api's serializers (app/serializers/*_serializer.rb
// at f70c4f4e, API 1.8; app/serializers/base_serializer.rb), as a CE server renders them: the
// serializers' `ee do` blocks (the permissions attribute and the environment relationship)
// are absent. Every resource is made through the API and read back over HTTP, and the
// exact attribute and relationship KEY SETS are compared, so a key that is missing or
// extra fails here before a conformance scenario's attributes_subset or
// relationships_subset does.

// relShape is one relationship as its serializer renders it. A relationship declared with
// `linkage always: true` has a data member (an object or null); a link-only one has none.
// related is the links.related path, or nil where the serializer's link block yields nil.
type relShape struct {
	related any
	hasData bool
	data    any      // with hasData: linkageOf(...) or nil
	meta    []string // keys of the relationship's meta, nil when it has none
}

// docShape is the expected shape of one resource object.
type docShape struct {
	typ   string
	attrs []string
	rels  map[string]relShape
	self  any      // links.self, or nil when the resource has no links member
	meta  []string // keys of the resource meta, nil when it has none
}

func linkageOf(typ, id string) map[string]any { return map[string]any{"type": typ, "id": id} }

func withData(related any, data any) relShape {
	return relShape{related: related, hasData: true, data: data}
}
func linkOnly(related string, meta ...string) relShape {
	return relShape{related: related, meta: meta}
}

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// assertShape compares a resource object with its expected shape.
func assertShape(t *testing.T, res map[string]any, want docShape) {
	t.Helper()
	require.NotNil(t, res, "no resource object")
	assert.Equal(t, want.typ, res["type"])
	attrs, _ := res["attributes"].(map[string]any)
	assert.Equal(t, sorted(want.attrs...), keysOf(attrs), "attribute keys of %s", want.typ)

	rels, _ := res["relationships"].(map[string]any)
	wantRels := make([]string, 0, len(want.rels))
	for k := range want.rels {
		wantRels = append(wantRels, k)
	}
	assert.Equal(t, sorted(wantRels...), keysOf(rels), "relationship keys of %s", want.typ)
	for name, w := range want.rels {
		got, _ := rels[name].(map[string]any)
		if got == nil {
			continue
		}
		wantKeys := []string{"links"}
		if w.hasData {
			wantKeys = append(wantKeys, "data")
		}
		if w.meta != nil {
			wantKeys = append(wantKeys, "meta")
		}
		assert.Equal(t, sorted(wantKeys...), keysOf(got), "members of %s.%s", want.typ, name)
		assert.Equal(t, map[string]any{"related": w.related}, got["links"], "links of %s.%s", want.typ, name)
		if w.hasData {
			assert.Equal(t, w.data, got["data"], "data of %s.%s", want.typ, name)
		}
		if w.meta != nil {
			m, _ := got["meta"].(map[string]any)
			assert.Equal(t, sorted(w.meta...), keysOf(m), "meta of %s.%s", want.typ, name)
		}
	}

	if want.self == nil {
		assert.NotContains(t, res, "links", "%s has no self link", want.typ)
	} else {
		assert.Equal(t, map[string]any{"self": want.self}, res["links"], "links of %s", want.typ)
	}
	if want.meta == nil {
		assert.NotContains(t, res, "meta", "%s has no resource meta", want.typ)
	} else {
		m, _ := res["meta"].(map[string]any)
		assert.Equal(t, sorted(want.meta...), keysOf(m), "meta of %s", want.typ)
	}
}

// without returns s minus the listed keys.
func without(s []string, drop ...string) []string {
	var out []string
outer:
	for _, k := range s {
		for _, d := range drop {
			if k == d {
				continue outer
			}
		}
		out = append(out, k)
	}
	return out
}

var (
	// TokenSerializer: token only while the raw secret is at hand (generate/regenerate);
	// the four activation attributes only for license (activation) tokens.
	wireTokenAttrs           = []string{"kind", "expiry", "name", "created", "updated"}
	wireActivationTokenAttrs = append(append([]string(nil), wireTokenAttrs...), "maxActivations", "activations", "maxDeactivations", "deactivations")
	// ProductSerializer.
	wireProductAttrs = []string{"name", "code", "distributionStrategy", "url", "platforms", "metadata", "created", "updated"}
	// PolicySerializer.
	wirePolicyAttrs = []string{"name", "duration", "strict", "floating", "usePool", "maxMachines", "maxProcesses", "maxUsers",
		"maxCores", "maxMemory", "maxDisk", "maxUses", "machineUniquenessStrategy", "machineMatchingStrategy",
		"componentUniquenessStrategy", "componentMatchingStrategy", "expirationStrategy", "expirationBasis", "renewalBasis",
		"transferStrategy", "authenticationStrategy", "machineLeasingStrategy", "processLeasingStrategy", "overageStrategy",
		"scheme", "encrypted", "protected", "requireProductScope", "requirePolicyScope", "requireMachineScope",
		"requireFingerprintScope", "requireComponentsScope", "requireUserScope", "requireChecksumScope", "requireVersionScope",
		"requireCheckIn", "checkInInterval", "checkInIntervalCount", "heartbeatDuration", "heartbeatCullStrategy",
		"heartbeatResurrectionStrategy", "heartbeatBasis", "requireHeartbeat", "metadata", "created", "updated"}
	// UserSerializer.
	wireUserAttrs = []string{"fullName", "firstName", "lastName", "email", "status", "role", "metadata", "created", "updated"}
	// LicenseSerializer.
	wireLicenseAttrs = []string{"name", "key", "expiry", "status", "uses", "suspended", "scheme", "encrypted", "strict", "floating",
		"protected", "version", "maxMachines", "maxProcesses", "maxUsers", "maxCores", "maxMemory", "maxDisk", "maxUses",
		"requireHeartbeat", "requireCheckIn", "lastValidated", "lastCheckIn", "nextCheckIn", "lastCheckOut", "metadata",
		"created", "updated"}
	// MachineSerializer.
	wireMachineAttrs = []string{"fingerprint", "cores", "memory", "disk", "ip", "hostname", "platform", "name", "requireHeartbeat",
		"heartbeatStatus", "heartbeatDuration", "maxProcesses", "lastCheckOut", "lastHeartbeat", "nextHeartbeat", "metadata",
		"created", "updated"}
	// KeySerializer.
	wireKeyAttrs = []string{"key", "created", "updated"}
	// WebhookEndpointSerializer.
	wireEndpointAttrs = []string{"url", "subscriptions", "signatureAlgorithm", "apiVersion", "created", "updated"}
	// WebhookEventSerializer.
	wireEventAttrs = []string{"endpoint", "apiVersion", "payload", "event", "status", "lastResponseCode", "lastResponseBody", "created", "updated"}
	// LicenseFileSerializer and MachineFileSerializer: no created/updated, no self link.
	wireFileAttrs = []string{"certificate", "algorithm", "includes", "ttl", "expiry", "issued"}
)

func TestRenderSerializerShapes(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	tt := newWorld(t, WithInsecureWebhooks())
	acct := tt.srv.AccountID
	p := func(parts ...string) string {
		s := "/v1/accounts/" + acct
		for _, x := range parts {
			s += "/" + x
		}
		return s
	}
	account := withData(p(), linkageOf("accounts", acct))

	prod := tt.mustCreate("/products", "products", map[string]any{"name": "App", "code": "app"}, nil)
	pol := tt.policy(prod, map[string]any{"floating": true, "maxMachines": 5})
	uid := tt.createUser("shape@example.com")
	lic := tt.mustLicense(pol, nil, map[string]any{"owner": link("users", uid)}).id()
	mr := tt.do(req{method: "POST", path: "/machines", body: doc("machines", map[string]any{"fingerprint": "shape-fp"},
		map[string]any{"license": link("licenses", lic), "owner": link("users", uid)})})
	require.Equal(t, 201, mr.status, string(mr.body))
	mach := mr.id()

	t.Run("tokens: token_serializer.rb", func(t *testing.T) {
		gen := tt.do(req{method: "POST", path: "/tokens", auth: basic("shape@example.com", "password")})
		require.Equal(t, 201, gen.status, string(gen.body))
		id := gen.id()
		shape := docShape{typ: "tokens", attrs: append(append([]string(nil), wireTokenAttrs...), "token"),
			rels: map[string]relShape{
				"account": account,
				// bearer: linkage always, related = polymorphic_path [:v1, account, bearer].
				"bearer": withData(p("users", uid), linkageOf("users", uid)),
			},
			self: p("tokens", id)}
		assertShape(t, gen.data(), shape)
		shape.attrs = wireTokenAttrs // no raw secret outside generate/regenerate
		assertShape(t, tt.get("/tokens/"+id).data(), shape)

		ptok, _ := tt.tokenFor("products", prod, nil)
		assertShape(t, tt.get("/tokens/"+ptok).data(), docShape{typ: "tokens", attrs: wireTokenAttrs,
			rels: map[string]relShape{"account": account, "bearer": withData(p("products", prod), linkageOf("products", prod))},
			self: p("tokens", ptok)})

		ltok, _ := tt.tokenFor("licenses", lic, map[string]any{"maxActivations": 2})
		assertShape(t, tt.get("/tokens/"+ltok).data(), docShape{typ: "tokens", attrs: wireActivationTokenAttrs,
			rels: map[string]relShape{"account": account, "bearer": withData(p("licenses", lic), linkageOf("licenses", lic))},
			self: p("tokens", ltok)})
	})

	t.Run("products: product_serializer.rb", func(t *testing.T) {
		rels := map[string]relShape{"account": account}
		for _, r := range []string{"policies", "licenses", "machines", "users", "tokens", "platforms", "channels", "releases", "artifacts"} {
			rels[r] = linkOnly(p("products", prod, r))
		}
		assertShape(t, tt.get("/products/"+prod).data(), docShape{typ: "products", attrs: wireProductAttrs, rels: rels, self: p("products", prod)})
	})

	t.Run("policies: policy_serializer.rb", func(t *testing.T) {
		rels := map[string]relShape{
			"account":      account,
			"product":      withData(p("policies", pol, "product"), linkageOf("products", prod)),
			"pool":         linkOnly(p("policies", pol, "pool")),
			"licenses":     linkOnly(p("policies", pol, "licenses")),
			"entitlements": linkOnly(p("policies", pol, "entitlements")),
		}
		shape := docShape{typ: "policies", attrs: wirePolicyAttrs, rels: rels, self: p("policies", pol)}
		assertShape(t, tt.get("/policies/"+pol).data(), shape)

		// app/migrations: ≤1.6 leasingStrategy, ≤1.3 fingerprint* strategies, ≤1.1 concurrent.
		at := func(version string) map[string]any {
			return tt.do(req{method: "GET", path: "/policies/" + pol, headers: map[string]string{"Keygen-Version": version}}).data()
		}
		v16 := append(without(wirePolicyAttrs, "processLeasingStrategy"), "leasingStrategy")
		assertShape(t, at("1.6"), docShape{typ: "policies", attrs: v16, rels: rels, self: p("policies", pol)})
		v13 := append(without(v16, "machineUniquenessStrategy", "machineMatchingStrategy"), "fingerprintUniquenessStrategy", "fingerprintMatchingStrategy")
		assertShape(t, at("1.3"), docShape{typ: "policies", attrs: v13, rels: rels, self: p("policies", pol)})
		assertShape(t, at("1.1"), docShape{typ: "policies", attrs: append(v13, "concurrent"), rels: rels, self: p("policies", pol)})
	})

	t.Run("users: user_serializer.rb", func(t *testing.T) {
		rels := map[string]relShape{
			"account":       account,
			"group":         withData(p("users", uid, "group"), nil),
			"products":      linkOnly(p("users", uid, "products")),
			"licenses":      linkOnly(p("users", uid, "licenses")),
			"machines":      linkOnly(p("users", uid, "machines")),
			"tokens":        linkOnly(p("users", uid, "tokens")),
			"secondFactors": linkOnly(p("users", uid, "second-factors")),
		}
		assertShape(t, tt.get("/users/"+uid).data(), docShape{typ: "users", attrs: wireUserAttrs, rels: rels, self: p("users", uid)})
	})

	licenseRels := func(owner string) map[string]relShape {
		return map[string]relShape{
			"account":      account,
			"product":      withData(p("licenses", lic, "product"), linkageOf("products", prod)),
			"policy":       withData(p("licenses", lic, "policy"), linkageOf("policies", pol)),
			"group":        withData(p("licenses", lic, "group"), nil),
			owner:          withData(p("licenses", lic, owner), linkageOf("users", uid)),
			"users":        linkOnly(p("licenses", lic, "users"), "count"),
			"machines":     linkOnly(p("licenses", lic, "machines"), "cores", "memory", "disk", "count"),
			"tokens":       linkOnly(p("licenses", lic, "tokens")),
			"entitlements": linkOnly(p("licenses", lic, "entitlements")),
		}
	}

	t.Run("licenses: license_serializer.rb", func(t *testing.T) {
		assertShape(t, tt.get("/licenses/"+lic).data(), docShape{typ: "licenses", attrs: wireLicenseAttrs, rels: licenseRels("owner"), self: p("licenses", lic)})
		list := tt.get("/licenses")
		require.Len(t, list.list(), 1)
		assertShape(t, list.list()[0].(map[string]any), docShape{typ: "licenses", attrs: wireLicenseAttrs, rels: licenseRels("owner"), self: p("licenses", lic)})
	})

	t.Run("licenses ≤1.5: rename_owner_relationship_to_user_for_license_migration.rb", func(t *testing.T) {
		r := tt.do(req{method: "GET", path: "/licenses/" + lic, headers: map[string]string{"Keygen-Version": "1.5"}})
		assertShape(t, r.data(), docShape{typ: "licenses", attrs: wireLicenseAttrs, rels: licenseRels("user"), self: p("licenses", lic)})
	})

	t.Run("licenses: legacy encrypted key only while the raw key is known", func(t *testing.T) {
		// LicenseSerializer: `attribute :key, unless: -> { legacy_encrypted? && raw.nil? }`.
		enc := tt.policy(prod, map[string]any{"encrypted": true, "floating": true})
		created := tt.mustLicense(enc, nil, nil)
		assert.Contains(t, created.attrs(), "key", "the create response carries the raw key")
		got := tt.get("/licenses/" + created.id())
		require.Equal(t, 200, got.status, string(got.body))
		assert.Equal(t, sorted(without(wireLicenseAttrs, "key")...), keysOf(got.attrs()))
	})

	machineRels := func(ownerRel string, owner any) map[string]relShape {
		return map[string]relShape{
			"account":    account,
			"product":    withData(p("machines", mach, "product"), linkageOf("products", prod)),
			"group":      withData(p("machines", mach, "group"), nil),
			"license":    withData(p("machines", mach, "license"), linkageOf("licenses", lic)),
			ownerRel:     withData(p("machines", mach, ownerRel), owner),
			"components": linkOnly(p("machines", mach, "components")),
			"processes":  linkOnly(p("machines", mach, "processes")),
		}
	}

	t.Run("machines: machine_serializer.rb", func(t *testing.T) {
		assertShape(t, tt.get("/machines/"+mach).data(), docShape{typ: "machines", attrs: wireMachineAttrs,
			rels: machineRels("owner", linkageOf("users", uid)), self: p("machines", mach)})
	})

	t.Run("machines ≤1.5: add_user_relationship_to_machine_migration.rb", func(t *testing.T) {
		// The user relationship holds the license's owner and replaces owner.
		r := tt.do(req{method: "GET", path: "/machines/" + mach, headers: map[string]string{"Keygen-Version": "1.5"}})
		assertShape(t, r.data(), docShape{typ: "machines", attrs: wireMachineAttrs, rels: machineRels("user", linkageOf("users", uid)), self: p("machines", mach)})

		// A machine whose own owner is unset still shows the license owner on ≤1.5.
		fr := tt.postMachine(lic, "shape-fp-2", nil, "")
		require.Equal(t, 201, fr.status, string(fr.body))
		r = tt.do(req{method: "GET", path: "/machines/" + fr.id(), headers: map[string]string{"Keygen-Version": "1.5"}})
		user, _ := r.data()["relationships"].(map[string]any)["user"].(map[string]any)
		assert.Equal(t, linkageOf("users", uid), user["data"])
		owner, _ := tt.get("/machines/" + fr.id()).data()["relationships"].(map[string]any)["owner"].(map[string]any)
		assert.Contains(t, owner, "data")
		assert.Nil(t, owner["data"], "on 1.8 the machine's own owner is null")
	})

	t.Run("keys: key_serializer.rb", func(t *testing.T) {
		pooled := tt.policy(prod, map[string]any{"usePool": true, "floating": true})
		k := tt.mustCreate("/keys", "keys", map[string]any{"key": "shape-pool-key"}, map[string]any{"policy": link("policies", pooled)})
		assertShape(t, tt.get("/keys/"+k).data(), docShape{typ: "keys", attrs: wireKeyAttrs, rels: map[string]relShape{
			"account": account,
			"product": withData(p("keys", k, "product"), linkageOf("products", prod)),
			"policy":  withData(p("keys", k, "policy"), linkageOf("policies", pooled)),
		}, self: p("keys", k)})
	})

	t.Run("webhook-endpoints: webhook_endpoint_serializer.rb", func(t *testing.T) {
		// The product relationship links the product itself, and is null (link and data)
		// for an account-wide endpoint.
		scoped := tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": rc.url("/scoped")},
			map[string]any{"product": link("products", prod)})
		assertShape(t, tt.get("/webhook-endpoints/"+scoped).data(), docShape{typ: "webhook-endpoints", attrs: wireEndpointAttrs,
			rels: map[string]relShape{"account": account, "product": withData(p("products", prod), linkageOf("products", prod))},
			self: p("webhook-endpoints", scoped)})
		global := tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": rc.url("/all")}, nil)
		assertShape(t, tt.get("/webhook-endpoints/"+global).data(), docShape{typ: "webhook-endpoints", attrs: wireEndpointAttrs,
			rels: map[string]relShape{"account": account, "product": withData(nil, nil)}, self: p("webhook-endpoints", global)})
	})

	t.Run("webhook-events: webhook_event_serializer.rb", func(t *testing.T) {
		tt.do(req{method: "PATCH", path: "/products/" + prod, body: doc("products", map[string]any{"name": "App 2"}, nil)})
		require.NoError(t, tt.srv.WaitWebhooks(context.Background()))
		list := tt.get("/webhook-events?events[]=product.updated")
		require.NotEmpty(t, list.list())
		id := list.list()[0].(map[string]any)["id"].(string)
		// Resource meta carries idempotencyToken; relationships are the account only.
		assertShape(t, tt.get("/webhook-events/"+id).data(), docShape{typ: "webhook-events", attrs: wireEventAttrs,
			rels: map[string]relShape{"account": account}, self: p("webhook-events", id), meta: []string{"idempotencyToken"}})
	})

	t.Run("license-files: license_file_serializer.rb", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/licenses/" + lic + "/actions/check-out"})
		require.Equal(t, 200, r.status, string(r.body))
		// The license relationship links the license itself; no self link.
		assertShape(t, r.data(), docShape{typ: "license-files", attrs: wireFileAttrs, rels: map[string]relShape{
			"account": account,
			"license": withData(p("licenses", lic), linkageOf("licenses", lic)),
		}})
	})

	t.Run("machine-files: machine_file_serializer.rb", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/machines/" + mach + "/actions/check-out"})
		require.Equal(t, 200, r.status, string(r.body))
		assertShape(t, r.data(), docShape{typ: "machine-files", attrs: wireFileAttrs, rels: map[string]relShape{
			"account": account,
			"license": withData(p("licenses", lic), linkageOf("licenses", lic)),
			"machine": withData(p("machines", mach), linkageOf("machines", mach)),
		}})
	})

	t.Run("me: the bearer rendered by its serializer, token included without its secret", func(t *testing.T) {
		_, secret := tt.tokenFor("users", uid, nil)
		r := tt.do(req{method: "GET", path: "/me", auth: "Bearer " + secret})
		require.Equal(t, 200, r.status, string(r.body))
		assert.Equal(t, sorted(wireUserAttrs...), keysOf(r.attrs()))
		inc, _ := r.doc["included"].([]any)
		require.Len(t, inc, 1)
		assert.Equal(t, sorted(wireTokenAttrs...), keysOf(inc[0].(map[string]any)["attributes"].(map[string]any)))
	})
}
