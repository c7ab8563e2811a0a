package keygentest

// Per-type renderers (keygen-api.md §2). Each returns the resource object; handlers wrap it
// with c.ok / c.created / c.list. Later helpers reuse these for licenses and machines.

// token renders a token; secret is the raw value, shown only by generate/regenerate.
func (v view) token(t *Token, secret string) *resource {
	attrs := map[string]any{
		"kind":   t.Kind,
		"expiry": optTime(t.Expiry),
		"name":   opt(t.Name),
	}
	if secret != "" {
		attrs["token"] = secret
	}
	if t.Kind == "activation-token" {
		attrs["maxActivations"] = opt(t.MaxActivations)
		attrs["activations"] = t.Activations
		attrs["maxDeactivations"] = opt(t.MaxDeactivations)
		attrs["deactivations"] = t.Deactivations
	}
	r := v.newResource("tokens", t.ID, stamp(attrs, &t.base))
	bearerID := t.BearerID
	r.Relationships["bearer"] = toOne(v.path(t.BearerType, t.BearerID), t.BearerType, &bearerID)
	return r
}

func (v view) product(p *Product) *resource {
	attrs := map[string]any{
		"name":                 p.Name,
		"code":                 opt(p.Code),
		"distributionStrategy": opt(p.DistributionStrategy),
		"url":                  opt(p.URL),
		"platforms":            list(p.Platforms),
		"metadata":             v.metadata(p.Metadata),
	}
	r := v.newResource("products", p.ID, stamp(attrs, &p.base))
	for _, rel := range []string{"policies", "licenses", "machines", "users", "tokens", "platforms", "channels", "releases", "artifacts"} {
		r.Relationships[rel] = toMany(v.path("products", p.ID, rel), nil)
	}
	return r
}

func (v view) policy(p *Policy) *resource {
	attrs := map[string]any{
		"name":                          p.Name,
		"duration":                      opt(p.Duration),
		"strict":                        p.Strict,
		"floating":                      p.Floating,
		"usePool":                       p.UsePool,
		"maxMachines":                   opt(p.MaxMachines),
		"maxProcesses":                  opt(p.MaxProcesses),
		"maxUsers":                      opt(p.MaxUsers),
		"maxCores":                      opt(p.MaxCores),
		"maxMemory":                     opt(p.MaxMemory),
		"maxDisk":                       opt(p.MaxDisk),
		"maxUses":                       opt(p.MaxUses),
		"machineUniquenessStrategy":     p.MachineUniquenessStrategy,
		"machineMatchingStrategy":       p.MachineMatchingStrategy,
		"componentUniquenessStrategy":   p.ComponentUniquenessStrategy,
		"componentMatchingStrategy":     p.ComponentMatchingStrategy,
		"expirationStrategy":            p.ExpirationStrategy,
		"expirationBasis":               p.ExpirationBasis,
		"renewalBasis":                  p.RenewalBasis,
		"transferStrategy":              p.TransferStrategy,
		"authenticationStrategy":        p.AuthenticationStrategy,
		"machineLeasingStrategy":        p.MachineLeasingStrategy,
		"processLeasingStrategy":        p.ProcessLeasingStrategy,
		"overageStrategy":               p.OverageStrategy,
		"scheme":                        opt(p.Scheme),
		"encrypted":                     p.Encrypted,
		"protected":                     p.Protected,
		"requireProductScope":           p.RequireProductScope,
		"requirePolicyScope":            p.RequirePolicyScope,
		"requireMachineScope":           p.RequireMachineScope,
		"requireFingerprintScope":       p.RequireFingerprintScope,
		"requireComponentsScope":        p.RequireComponentsScope,
		"requireUserScope":              p.RequireUserScope,
		"requireChecksumScope":          p.RequireChecksumScope,
		"requireVersionScope":           p.RequireVersionScope,
		"requireCheckIn":                p.RequireCheckIn,
		"checkInInterval":               opt(p.CheckInInterval),
		"checkInIntervalCount":          opt(p.CheckInIntervalCount),
		"heartbeatDuration":             opt(p.HeartbeatDuration),
		"heartbeatCullStrategy":         p.HeartbeatCullStrategy,
		"heartbeatResurrectionStrategy": p.HeartbeatResurrectionStrategy,
		"heartbeatBasis":                p.HeartbeatBasis,
		"requireHeartbeat":              p.RequireHeartbeat,
		"metadata":                      v.metadata(p.Metadata),
	}
	// Older API versions name some attributes differently (keygen-api.md §1.12).
	if v.minor <= 6 {
		attrs["leasingStrategy"] = attrs["processLeasingStrategy"]
		delete(attrs, "processLeasingStrategy")
	}
	if v.minor <= 3 {
		attrs["fingerprintUniquenessStrategy"] = attrs["machineUniquenessStrategy"]
		attrs["fingerprintMatchingStrategy"] = attrs["machineMatchingStrategy"]
		delete(attrs, "machineUniquenessStrategy")
		delete(attrs, "machineMatchingStrategy")
	}
	if v.minor <= 1 {
		attrs["concurrent"] = p.OverageStrategy != "NO_OVERAGE"
	}
	r := v.newResource("policies", p.ID, stamp(attrs, &p.base))
	productID := p.ProductID
	r.Relationships["product"] = toOne(v.path("policies", p.ID, "product"), "products", &productID)
	r.Relationships["pool"] = toMany(v.path("policies", p.ID, "pool"), nil)
	r.Relationships["licenses"] = toMany(v.path("policies", p.ID, "licenses"), nil)
	r.Relationships["entitlements"] = toMany(v.path("policies", p.ID, "entitlements"), nil)
	return r
}

func (v view) user(u *User) *resource {
	var full any
	if u.FirstName != nil && u.LastName != nil {
		full = *u.FirstName + " " + *u.LastName
	}
	attrs := map[string]any{
		"fullName":  full,
		"firstName": opt(u.FirstName),
		"lastName":  opt(u.LastName),
		"email":     u.Email,
		"status":    userStatus(v.db, u, v.now),
		"role":      u.Role,
		"metadata":  v.metadata(u.Metadata),
	}
	r := v.newResource("users", u.ID, stamp(attrs, &u.base))
	r.Relationships["group"] = toOne(v.path("users", u.ID, "group"), "groups", u.GroupID)
	for _, rel := range []string{"products", "licenses", "machines", "tokens"} {
		r.Relationships[rel] = toMany(v.path("users", u.ID, rel), nil)
	}
	r.Relationships["secondFactors"] = toMany(v.path("users", u.ID, "second-factors"), nil)
	return r
}

func (v view) key(k *Key) *resource {
	r := v.newResource("keys", k.ID, stamp(map[string]any{"key": k.Key}, &k.base))
	var productID *string
	if p := v.db.policies[k.PolicyID]; p != nil {
		productID = strPtr(p.ProductID)
	}
	policyID := k.PolicyID
	r.Relationships["product"] = toOne(v.path("keys", k.ID, "product"), "products", productID)
	r.Relationships["policy"] = toOne(v.path("keys", k.ID, "policy"), "policies", &policyID)
	return r
}

func (v view) license(l *License) *resource { return v.licenseDoc(l, false) }

// licenseDoc renders a license. LicenseSerializer omits key for a legacy encrypted license
// unless its raw key is at hand, which is only while the create request that generated it
// runs (withRaw): afterwards only the key's digest is stored.
func (v view) licenseDoc(l *License, withRaw bool) *resource {
	db := v.db
	pol := db.policies[l.PolicyID]
	if pol == nil {
		pol = &Policy{}
	}
	maxMachines := effective(l.MaxMachines, pol.MaxMachines)
	if !pol.Floating && pol.ID != "" && l.MaxMachines == nil {
		one := int64(1)
		maxMachines = &one
	}
	attrs := map[string]any{
		"name":             opt(l.Name),
		"key":              l.Key,
		"expiry":           optTime(l.Expiry),
		"status":           licenseStatus(db, l, v.now),
		"uses":             l.Uses,
		"suspended":        l.Suspended,
		"scheme":           opt(pol.Scheme),
		"encrypted":        pol.Encrypted,
		"strict":           pol.Strict,
		"floating":         pol.Floating,
		"protected":        licenseProtected(db, l),
		"version":          opt(l.Version),
		"maxMachines":      opt(maxMachines),
		"maxProcesses":     opt(effective(l.MaxProcesses, pol.MaxProcesses)),
		"maxUsers":         opt(effective(l.MaxUsers, pol.MaxUsers)),
		"maxCores":         opt(effective(l.MaxCores, pol.MaxCores)),
		"maxMemory":        opt(effective(l.MaxMemory, pol.MaxMemory)),
		"maxDisk":          opt(effective(l.MaxDisk, pol.MaxDisk)),
		"maxUses":          opt(effective(l.MaxUses, pol.MaxUses)),
		"requireHeartbeat": pol.RequireHeartbeat,
		"requireCheckIn":   pol.RequireCheckIn,
		"lastValidated":    optTime(l.LastValidated),
		"lastCheckIn":      optTime(l.LastCheckIn),
		"nextCheckIn":      optTime(nextCheckIn(pol, l)),
		"lastCheckOut":     optTime(l.LastCheckOut),
		"metadata":         v.metadata(l.Metadata),
	}
	if pol.Encrypted && pol.Scheme != nil && *pol.Scheme == "LEGACY_ENCRYPT" && !withRaw {
		delete(attrs, "key")
	}
	r := v.newResource("licenses", l.ID, stamp(attrs, &l.base))
	var productID *string
	if pol.ID != "" {
		productID = strPtr(pol.ProductID)
	}
	policyID := l.PolicyID
	r.Relationships["product"] = toOne(v.path("licenses", l.ID, "product"), "products", productID)
	r.Relationships["policy"] = toOne(v.path("licenses", l.ID, "policy"), "policies", &policyID)
	r.Relationships["group"] = toOne(v.path("licenses", l.ID, "group"), "groups", l.GroupID)
	if v.minor <= 5 {
		r.Relationships["user"] = toOne(v.path("licenses", l.ID, "user"), "users", l.OwnerID)
	} else {
		r.Relationships["owner"] = toOne(v.path("licenses", l.ID, "owner"), "users", l.OwnerID)
	}
	users := len(l.UserIDs)
	if l.OwnerID != nil {
		users++
	}
	r.Relationships["users"] = toMany(v.path("licenses", l.ID, "users"), map[string]any{"count": users})
	var cores, memory, disk int64
	machines := db.licenseMachines(l)
	for _, m := range machines {
		cores += deref(m.Cores)
		memory += deref(m.Memory)
		disk += deref(m.Disk)
	}
	r.Relationships["machines"] = toMany(v.path("licenses", l.ID, "machines"),
		map[string]any{"cores": cores, "memory": memory, "disk": disk, "count": len(machines)})
	r.Relationships["tokens"] = toMany(v.path("licenses", l.ID, "tokens"), nil)
	r.Relationships["entitlements"] = toMany(v.path("licenses", l.ID, "entitlements"), nil)
	return r
}

func (v view) machine(m *Machine) *resource {
	db := v.db
	var maxProcesses *int64
	var productID *string
	if l := db.licenses[m.LicenseID]; l != nil {
		if pol := db.policies[l.PolicyID]; pol != nil {
			maxProcesses = effective(l.MaxProcesses, pol.MaxProcesses)
			productID = strPtr(pol.ProductID)
		}
	}
	attrs := map[string]any{
		"fingerprint":       m.Fingerprint,
		"cores":             opt(m.Cores),
		"memory":            opt(m.Memory),
		"disk":              opt(m.Disk),
		"ip":                opt(m.IP),
		"hostname":          opt(m.Hostname),
		"platform":          opt(m.Platform),
		"name":              opt(m.Name),
		"requireHeartbeat":  machineRequiresHeartbeat(db, m),
		"heartbeatStatus":   heartbeatStatus(db, m, v.now),
		"heartbeatDuration": heartbeatDuration(machinePolicy(db, m)),
		"maxProcesses":      opt(maxProcesses),
		"lastCheckOut":      optTime(m.LastCheckOut),
		"lastHeartbeat":     optTime(m.LastHeartbeat),
		"nextHeartbeat":     optTime(nextHeartbeat(db, m)),
		"metadata":          v.metadata(m.Metadata),
	}
	r := v.newResource("machines", m.ID, stamp(attrs, &m.base))
	licenseID := m.LicenseID
	r.Relationships["product"] = toOne(v.path("machines", m.ID, "product"), "products", productID)
	r.Relationships["license"] = toOne(v.path("machines", m.ID, "license"), "licenses", &licenseID)
	r.Relationships["group"] = toOne(v.path("machines", m.ID, "group"), "groups", m.GroupID)
	if v.minor <= 5 {
		// AddUserRelationshipToMachineMigration (API ≤1.5): a user relationship holding the
		// license's owner replaces the machine's owner relationship.
		var licenseOwner *string
		if l := db.licenses[m.LicenseID]; l != nil {
			licenseOwner = l.OwnerID
		}
		r.Relationships["user"] = toOne(v.path("machines", m.ID, "user"), "users", licenseOwner)
	} else {
		r.Relationships["owner"] = toOne(v.path("machines", m.ID, "owner"), "users", m.OwnerID)
	}
	r.Relationships["components"] = toMany(v.path("machines", m.ID, "components"), nil)
	r.Relationships["processes"] = toMany(v.path("machines", m.ID, "processes"), nil)
	return r
}

func (v view) webhookEndpoint(e *WebhookEndpoint) *resource {
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
	r.Relationships["product"] = map[string]any{"links": map[string]any{"related": related}, "data": nil}
	if e.ProductID != nil {
		r.Relationships["product"].(map[string]any)["data"] = map[string]any{"type": "products", "id": *e.ProductID}
	}
	return r
}

func (v view) webhookEvent(e *WebhookEvent) *resource {
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

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
