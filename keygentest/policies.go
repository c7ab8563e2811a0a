package keygentest

import "fmt"

// Policies (app/models/policy.rb, app/controllers/api/v1/policies_controller.rb). The pool
// and the other relationships are in policies_relationships.go.

// policy is a license policy (app/models/policy.rb), holding every attribute with its default.
type policy struct {
	base
	ProductID                     string
	Name                          string
	Duration                      *int64
	Strict                        bool
	Floating                      bool
	UsePool                       bool
	MaxMachines                   *int64
	MaxProcesses                  *int64
	MaxUsers                      *int64
	MaxCores                      *int64
	MaxMemory                     *int64
	MaxDisk                       *int64
	MaxUses                       *int64
	MachineUniquenessStrategy     string
	MachineMatchingStrategy       string
	ComponentUniquenessStrategy   string
	ComponentMatchingStrategy     string
	ExpirationStrategy            string
	ExpirationBasis               string
	RenewalBasis                  string
	TransferStrategy              string
	AuthenticationStrategy        string
	MachineLeasingStrategy        string
	ProcessLeasingStrategy        string
	OverageStrategy               string
	Scheme                        *string
	Encrypted                     bool
	Protected                     bool
	RequireProductScope           bool
	RequirePolicyScope            bool
	RequireMachineScope           bool
	RequireFingerprintScope       bool
	RequireComponentsScope        bool
	RequireUserScope              bool
	RequireChecksumScope          bool
	RequireVersionScope           bool
	RequireCheckIn                bool
	CheckInInterval               *string
	CheckInIntervalCount          *int64
	HeartbeatDuration             *int64
	HeartbeatCullStrategy         string
	HeartbeatResurrectionStrategy string
	HeartbeatBasis                string
	RequireHeartbeat              bool
	Metadata                      map[string]any
}

func (db *store) findPolicy(acct, id string) *policy {
	if p := db.policies[id]; p != nil && p.AccountID == acct {
		return p
	}
	return nil
}

// deletePolicy removes a policy with its pool, its licenses and their machines and tokens
// (Keygen cascades these asynchronously).
func (db *store) deletePolicy(p *policy) {
	for _, k := range db.keys {
		if k.PolicyID == p.ID {
			delete(db.keys, k.ID)
		}
	}
	for _, l := range db.licenses {
		if l.PolicyID == p.ID {
			db.deleteLicense(l)
		}
	}
	delete(db.policies, p.ID)
}

// seesPolicy: staff all; a product its policies; users the policies of their licenses; a
// license its own policy.
func (c *call) seesPolicy(p *principal, pol *policy) bool {
	switch {
	case p.isStaff():
		return true
	case p.product != nil:
		return p.isProduct(pol.ProductID)
	case p.license != nil:
		return p.license.PolicyID == pol.ID
	case p.user != nil:
		for _, l := range c.db().licensesOfUser(p.user) {
			if l.PolicyID == pol.ID {
				return true
			}
		}
	}
	return false
}

func (v view) policy(p *policy) *resource {
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
	// Older API versions name some attributes differently
	// (config/initializers/request_migrations.rb).
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

func (s *Server) routePolicies(r *router) {
	r.post("/policies", s.createPolicy)
	r.get("/policies", s.listPolicies)
	r.get("/policies/{id}", s.showPolicy)
	r.update("/policies/{id}", s.updatePolicy)
	r.del("/policies/{id}", s.deletePolicy)
	r.get("/policies/{id}/pool", s.listPool)
	r.get("/policies/{id}/pool/{key}", s.showPoolKey)
	r.del("/policies/{id}/pool", s.popPool)
	r.get("/policies/{id}/licenses", s.policyLicenses(false))
	r.get("/policies/{id}/licenses/{license}", s.policyLicenses(true))
	r.get("/policies/{id}/product", s.policyProduct)
}

var cryptoSchemes = []string{"LEGACY_ENCRYPT", "RSA_2048_PKCS1_ENCRYPT", "RSA_2048_PKCS1_SIGN", "RSA_2048_PKCS1_PSS_SIGN",
	"RSA_2048_JWT_RS256", "RSA_2048_PKCS1_SIGN_V2", "RSA_2048_PKCS1_PSS_SIGN_V2", "ED25519_SIGN", "ECDSA_P256_SIGN"}

// policyEnums are the string attributes checked by inclusion, with their allowed values,
// their default on create and the noun of their "unsupported …" message.
var policyEnums = []struct {
	attr, noun, def string
	values          []string
	field           func(*policy) *string
}{
	{"machineUniquenessStrategy", "machine uniqueness strategy", "UNIQUE_PER_LICENSE", []string{"UNIQUE_PER_ACCOUNT", "UNIQUE_PER_PRODUCT", "UNIQUE_PER_POLICY", "UNIQUE_PER_LICENSE"}, func(p *policy) *string { return &p.MachineUniquenessStrategy }},
	{"machineMatchingStrategy", "machine matching strategy", "MATCH_ANY", []string{"MATCH_ANY", "MATCH_TWO", "MATCH_MOST", "MATCH_ALL"}, func(p *policy) *string { return &p.MachineMatchingStrategy }},
	{"componentUniquenessStrategy", "component uniqueness strategy", "UNIQUE_PER_MACHINE", []string{"UNIQUE_PER_ACCOUNT", "UNIQUE_PER_PRODUCT", "UNIQUE_PER_POLICY", "UNIQUE_PER_LICENSE", "UNIQUE_PER_MACHINE"}, func(p *policy) *string { return &p.ComponentUniquenessStrategy }},
	{"componentMatchingStrategy", "component matching strategy", "MATCH_ANY", []string{"MATCH_ANY", "MATCH_TWO", "MATCH_MOST", "MATCH_ALL"}, func(p *policy) *string { return &p.ComponentMatchingStrategy }},
	{"expirationStrategy", "expiration strategy", "RESTRICT_ACCESS", []string{"RESTRICT_ACCESS", "REVOKE_ACCESS", "MAINTAIN_ACCESS", "ALLOW_ACCESS"}, func(p *policy) *string { return &p.ExpirationStrategy }},
	{"expirationBasis", "expiration basis", "FROM_CREATION", []string{"FROM_CREATION", "FROM_FIRST_VALIDATION", "FROM_FIRST_ACTIVATION", "FROM_FIRST_DOWNLOAD", "FROM_FIRST_USE"}, func(p *policy) *string { return &p.ExpirationBasis }},
	{"renewalBasis", "renewal basis", "FROM_EXPIRY", []string{"FROM_EXPIRY", "FROM_NOW", "FROM_NOW_IF_EXPIRED"}, func(p *policy) *string { return &p.RenewalBasis }},
	{"authenticationStrategy", "authentication strategy", "TOKEN", []string{"TOKEN", "LICENSE", "SESSION", "MIXED", "NONE"}, func(p *policy) *string { return &p.AuthenticationStrategy }},
	{"heartbeatCullStrategy", "heartbeat cull strategy", "DEACTIVATE_DEAD", []string{"DEACTIVATE_DEAD", "KEEP_DEAD"}, func(p *policy) *string { return &p.HeartbeatCullStrategy }},
	{"heartbeatResurrectionStrategy", "heartbeat resurrection strategy", "NO_REVIVE", []string{"ALWAYS_REVIVE", "15_MINUTE_REVIVE", "10_MINUTE_REVIVE", "5_MINUTE_REVIVE", "2_MINUTE_REVIVE", "1_MINUTE_REVIVE", "NO_REVIVE"}, func(p *policy) *string { return &p.HeartbeatResurrectionStrategy }},
	{"heartbeatBasis", "heartbeat basis", "", []string{"FROM_CREATION", "FROM_FIRST_PING"}, func(p *policy) *string { return &p.HeartbeatBasis }},
	{"transferStrategy", "transfer strategy", "KEEP_EXPIRY", []string{"RESET_EXPIRY", "KEEP_EXPIRY"}, func(p *policy) *string { return &p.TransferStrategy }},
	{"machineLeasingStrategy", "machine leasing strategy", "PER_LICENSE", []string{"PER_LICENSE", "PER_USER"}, func(p *policy) *string { return &p.MachineLeasingStrategy }},
	{"processLeasingStrategy", "process leasing strategy", "PER_MACHINE", []string{"PER_LICENSE", "PER_MACHINE", "PER_USER"}, func(p *policy) *string { return &p.ProcessLeasingStrategy }},
	{"overageStrategy", "overage strategy", "", []string{"ALWAYS_ALLOW_OVERAGE", "ALLOW_1_25X_OVERAGE", "ALLOW_1_5X_OVERAGE", "ALLOW_2X_OVERAGE", "NO_OVERAGE"}, func(p *policy) *string { return &p.OverageStrategy }},
}

// policyBools are the boolean attributes settable on create and update.
var policyBools = map[string]func(*policy) *bool{
	"strict": func(p *policy) *bool { return &p.Strict }, "floating": func(p *policy) *bool { return &p.Floating },
	"protected":                 func(p *policy) *bool { return &p.Protected },
	"require_product_scope":     func(p *policy) *bool { return &p.RequireProductScope },
	"require_policy_scope":      func(p *policy) *bool { return &p.RequirePolicyScope },
	"require_machine_scope":     func(p *policy) *bool { return &p.RequireMachineScope },
	"require_fingerprint_scope": func(p *policy) *bool { return &p.RequireFingerprintScope },
	"require_components_scope":  func(p *policy) *bool { return &p.RequireComponentsScope },
	"require_user_scope":        func(p *policy) *bool { return &p.RequireUserScope },
	"require_checksum_scope":    func(p *policy) *bool { return &p.RequireChecksumScope },
	"require_version_scope":     func(p *policy) *bool { return &p.RequireVersionScope },
	"require_check_in":          func(p *policy) *bool { return &p.RequireCheckIn },
	"require_heartbeat":         func(p *policy) *bool { return &p.RequireHeartbeat },
}

// policyInts are the nullable integer attributes.
var policyInts = map[string]func(*policy) **int64{
	"duration": func(p *policy) **int64 { return &p.Duration }, "max_machines": func(p *policy) **int64 { return &p.MaxMachines },
	"max_processes": func(p *policy) **int64 { return &p.MaxProcesses }, "max_users": func(p *policy) **int64 { return &p.MaxUsers },
	"max_cores": func(p *policy) **int64 { return &p.MaxCores }, "max_memory": func(p *policy) **int64 { return &p.MaxMemory },
	"max_disk": func(p *policy) **int64 { return &p.MaxDisk }, "max_uses": func(p *policy) **int64 { return &p.MaxUses },
	"check_in_interval_count": func(p *policy) **int64 { return &p.CheckInIntervalCount },
	"heartbeat_duration":      func(p *policy) **int64 { return &p.HeartbeatDuration },
}

// policyAttrs is the attribute schema for a request at API version 1.minor; legacy names
// are accepted only by the versions that had them (config/initializers/request_migrations.rb).
func policyAttrs(create bool, minor int) fields {
	f := fields{"name": str().opt(), "check_in_interval": str().opt().nullOnly(), "metadata": metadataParam()}
	for k := range policyBools {
		f[k] = boolean().opt()
	}
	for k := range policyInts {
		f[k] = integer().opt().null()
	}
	for _, e := range policyEnums {
		f[snake(e.attr)] = str().opt()
	}
	if create {
		f["scheme"] = str().opt()
		f["encrypted"] = boolean().opt()
		f["use_pool"] = boolean().opt()
	}
	for _, a := range policyVersioned {
		switch {
		case minor > a.upTo:
			f[a.name] = anyParam().opt() // bounced by bouncePolicy, before any type check
		case a.name == "concurrent":
			f[a.name] = boolean().opt()
		default:
			f[a.name] = str().opt()
		}
	}
	return f
}

// policyVersioned are the attributes PoliciesController declares only up to API version
// 1.<upTo> (their `if:` conditions), in its declaration order.
var policyVersioned = []struct {
	name string
	upTo int
}{{"concurrent", 1}, {"fingerprint_uniqueness_strategy", 3}, {"fingerprint_matching_strategy", 3}, {"leasing_strategy", 6}}

// bouncePolicy refuses a versioned attribute sent at a version that does not declare it.
// Typed params bounce such params after refusing unknown keys and before checking types,
// walking the schema in declaration order, so the first declared one is reported whatever
// the body's order (typed_params' Processor and Bouncer; app/controllers/api/v1/policies_controller.rb).
func bouncePolicy(a params, minor int) error {
	for _, v := range policyVersioned {
		if minor > v.upTo && a.has(v.name) {
			return paramError("unpermitted parameter", []string{"data", "attributes", v.name}, false)
		}
	}
	return nil
}

func policySchema(create bool, minor int) *param {
	data := fields{"type": typeOf("policy"), "attributes": obj(policyAttrs(create, minor))}
	if create {
		// The environment relationship is declared only on EE (Keygen.ee in
		// PoliciesController#create's typed params): CE refuses it as unpermitted.
		data["relationships"] = obj(fields{"product": linkage("product")})
	} else {
		// data.attributes is required on update too (app/controllers/api/v1/policies_controller.rb).
		data["id"] = str().opt()
	}
	return obj(fields{"data": obj(data)})
}

// applyPolicy copies sent attributes onto a policy, mapping legacy names.
func applyPolicy(pol *policy, a params) {
	if s, ok := a.str("name"); ok {
		pol.Name = s
	}
	for k, f := range policyBools {
		if b, ok := a.bool(k); ok {
			*f(pol) = b
		}
	}
	for k, f := range policyInts {
		if a.has(k) {
			*f(pol) = a.intPtr(k)
		}
	}
	for legacy, current := range map[string]string{"fingerprint_uniqueness_strategy": "machine_uniqueness_strategy",
		"fingerprint_matching_strategy": "machine_matching_strategy", "leasing_strategy": "process_leasing_strategy"} {
		if s, ok := a.str(legacy); ok {
			a[current] = s
		}
	}
	for _, e := range policyEnums {
		if s, ok := a.str(snake(e.attr)); ok {
			*e.field(pol) = s
		}
	}
	if b, ok := a.bool("concurrent"); ok {
		pol.OverageStrategy = map[bool]string{true: "ALWAYS_ALLOW_OVERAGE", false: "NO_OVERAGE"}[b]
	}
	if a.has("check_in_interval") {
		pol.CheckInInterval = a.strPtr("check_in_interval")
	}
	if a.has("metadata") {
		pol.Metadata = orEmpty(a.hash("metadata"))
	}
}

// findPolicy resolves a policy the bearer may see, else 404.
func (c *call) findPolicy(p *principal, id string) (*policy, error) {
	pol := c.db().findPolicy(c.acct.ID, id)
	if pol == nil || !c.seesPolicy(p, pol) {
		return nil, errNotFound("policy", id)
	}
	return pol, nil
}

// mayWritePolicy: admins, developers, environments (and sales agents, except deletes) any
// policy; a product its own.
func mayWritePolicy(p *principal, productID string, del bool) bool {
	return p.canWriteAll() || (!del && p.hasRole("sales-agent")) || p.isProduct(productID)
}

func (s *Server) createPolicy(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	in, err := c.parse(policySchema(true, c.minor))
	if err != nil {
		return err
	}
	if err := bouncePolicy(in.obj("data").obj("attributes"), c.minor); err != nil {
		return err
	}
	productID, _ := in.relID("product")
	prod := c.db().findProduct(c.acct.ID, productID)
	if err := c.verifyPermission(p, "policy.create"); err != nil {
		return err
	}
	if prod != nil && !mayWritePolicy(p, prod.ID, false) || prod == nil && !p.canWriteAll() && !p.hasRole("sales-agent") {
		return errDenied()
	}
	pol := &policy{base: newBase(c.acct.ID, c.now()), Protected: c.acct.Protected, Metadata: map[string]any{}}
	if prod != nil {
		pol.ProductID = prod.ID
	}
	for _, e := range policyEnums {
		*e.field(pol) = e.def
	}
	a := in.obj("data").obj("attributes")
	applyPolicy(pol, a)
	if b, ok := a.bool("use_pool"); ok {
		pol.UsePool = b
	}
	if b, ok := a.bool("encrypted"); ok {
		pol.Encrypted = b
	}
	pol.Scheme = a.strPtr("scheme")
	if pol.Encrypted && pol.Scheme == nil {
		pol.Scheme = strPtr("LEGACY_ENCRYPT")
	}
	v := newInvalid("policies")
	if prod == nil {
		v.rel("product", "NOT_FOUND", "must exist")
	}
	validatePolicy(v, pol)
	if err := v.err(); err != nil {
		return err
	}
	// Defaults Keygen sets after validation (before_create).
	if !pol.Floating {
		one := int64(1)
		pol.MaxMachines = &one
	}
	if pol.OverageStrategy == "" {
		pol.OverageStrategy = "NO_OVERAGE"
		if c.minor <= 1 {
			pol.OverageStrategy = "ALWAYS_ALLOW_OVERAGE"
		}
	}
	if pol.HeartbeatBasis == "" {
		pol.HeartbeatBasis = "FROM_FIRST_PING"
		if pol.RequireHeartbeat && c.minor > 2 {
			pol.HeartbeatBasis = "FROM_CREATION"
		}
	}
	c.db().policies[pol.ID] = pol
	res := c.view().policy(pol)
	c.emit("policy.created", res, nil)
	return c.created(res)
}

// validatePolicy applies the policy model's validations in Keygen's order.
func validatePolicy(v *invalid, pol *policy) {
	const maxInt = 2147483647
	if pol.Name == "" {
		v.attr("name", "MISSING", "can't be blank")
	} else if len(pol.Name) > 255 {
		v.attr("name", "TOO_LONG", "is too long (maximum is 255 characters)")
	}
	num := func(attr string, n *int64, lo int64, loMsg string) {
		switch {
		case n == nil:
		case *n < lo:
			v.attr(attr, "INVALID", loMsg)
		case *n > maxInt && attr != "maxMemory" && attr != "maxDisk":
			v.attr(attr, "INVALID", fmt.Sprintf("must be less than or equal to %d", maxInt))
		}
	}
	// duration and heartbeatDuration have two numericality rules (> 0, then ≥ the floor);
	// Keygen keeps one error per code and pointer, so a non-positive value reports the first.
	num("duration", pol.Duration, 1, "must be greater than 0")
	num("heartbeatDuration", pol.HeartbeatDuration, 1, "must be greater than 0")
	if d := pol.Duration; d != nil && *d > 0 && *d < 86400 {
		v.attr("duration", "INVALID", "must be greater than or equal to 86400 (1 day)")
	}
	if d := pol.HeartbeatDuration; d != nil && *d > 0 && *d < 60 {
		v.attr("heartbeatDuration", "INVALID", "must be greater than or equal to 60 (1 minute)")
	}
	if m := pol.MaxMachines; m != nil {
		switch {
		case *m < 0:
			v.attr("maxMachines", "INVALID", "must be greater than or equal to 0")
		case *m > maxInt:
			// The range rule is declared before the floating and node-locked ones
			// (app/models/policy.rb); their errors share its code, so only it is reported.
			v.attr("maxMachines", "INVALID", fmt.Sprintf("must be less than or equal to %d", maxInt))
		case pol.Floating && *m < 1:
			v.attr("maxMachines", "INVALID", "must be greater than or equal to 1 for floating policy")
		case !pol.Floating && *m != 1:
			v.attr("maxMachines", "INVALID", "must be equal to 1 for non-floating policy")
		}
	}
	num("maxCores", pol.MaxCores, 1, "must be greater than or equal to 1")
	num("maxMemory", pol.MaxMemory, 1, "must be greater than or equal to 1")
	num("maxDisk", pol.MaxDisk, 1, "must be greater than or equal to 1")
	num("maxUses", pol.MaxUses, 0, "must be greater than or equal to 0")
	if pol.RequireCheckIn {
		if pol.CheckInInterval == nil || !contains([]string{"day", "week", "month", "year"}, *pol.CheckInInterval) {
			v.attr("checkInInterval", "NOT_ALLOWED", "must be one of: day, week, month, year")
		}
		if n := pol.CheckInIntervalCount; n == nil || *n < 1 || *n > 365 {
			v.attr("checkInIntervalCount", "NOT_ALLOWED", "must be a number between 1 and 365 inclusive")
		}
	}
	if pol.Scheme != nil {
		switch {
		case pol.Encrypted && *pol.Scheme != "LEGACY_ENCRYPT":
			v.attr("scheme", "NOT_ALLOWED", "unsupported encryption scheme (scheme must be LEGACY_ENCRYPT for legacy encrypted policies)")
		case !contains(cryptoSchemes, *pol.Scheme):
			v.attr("scheme", "NOT_ALLOWED", "unsupported signing scheme")
		}
	}
	for _, e := range policyEnums {
		if e.attr == "authenticationStrategy" {
			// metadata is declared between renewal_basis and authentication_strategy
			// (app/models/policy.rb).
			validateMetadata(v, pol.Metadata)
		}
		if e.attr == "overageStrategy" {
			// max_processes and max_users are declared before the overage strategy's
			// inclusion (app/models/policy.rb).
			num("maxProcesses", pol.MaxProcesses, 1, "must be greater than 0")
			num("maxUsers", pol.MaxUsers, 1, "must be greater than 0")
		}
		if val := *e.field(pol); val != "" && !contains(e.values, val) {
			v.attr(e.attr, "NOT_ALLOWED", "unsupported "+e.noun)
		}
		// The ALWAYS_REVIVE rule follows the cull strategy's inclusion, before the
		// resurrection strategy's and the later ones (app/models/policy.rb).
		if e.attr == "heartbeatCullStrategy" && pol.HeartbeatResurrectionStrategy == "ALWAYS_REVIVE" && pol.HeartbeatCullStrategy != "KEEP_DEAD" {
			v.attr("heartbeatCullStrategy", "NOT_ALLOWED", "incompatible heartbeat cull strategy (must be KEEP_DEAD when resurrection strategy is ALWAYS_REVIVE)")
		}
	}
	validateOverage(v, pol)
	if pol.UsePool && pol.Encrypted {
		v.attr("encrypted", "NOT_SUPPORTED", "cannot be encrypted and use a pool")
	}
	if pol.UsePool && pol.Scheme != nil {
		v.attr("scheme", "NOT_SUPPORTED", "cannot use a scheme and use a pool")
	}
	if !pol.Encrypted && pol.Scheme != nil && *pol.Scheme == "LEGACY_ENCRYPT" {
		v.attr("scheme", "INVALID", "must be encrypted when using LEGACY_ENCRYPT scheme")
	}
}

// validateOverage: node-locked policies cannot use 1.25x/1.5x; 1.25x needs limits divisible
// by 4 and 1.5x by 2.
func validateOverage(v *invalid, pol *policy) {
	for _, rule := range []struct {
		strategy, factor string
		div              int64
	}{{"ALLOW_1_25X_OVERAGE", "4", 4}, {"ALLOW_1_5X_OVERAGE", "2", 2}} {
		if pol.OverageStrategy != rule.strategy {
			continue
		}
		msg := "incompatible overage strategy (cannot use " + rule.strategy
		if !pol.Floating {
			v.attr("overageStrategy", "NOT_ALLOWED", msg+" for node-locked policy)")
		}
		for _, lim := range []struct {
			name string
			n    *int64
		}{{"machines", pol.MaxMachines}, {"cores", pol.MaxCores}, {"memory", pol.MaxMemory}, {"disk", pol.MaxDisk}, {"processes", pol.MaxProcesses}, {"users", pol.MaxUsers}} {
			if lim.n != nil && *lim.n%rule.div != 0 && (pol.Floating || lim.name != "machines") {
				v.attr("overageStrategy", "NOT_ALLOWED", msg+" with a max "+lim.name+" value not divisible by "+rule.factor+")")
			}
		}
	}
}

// overageAllows reports whether count over limit is tolerated by the overage strategy.
func overageAllows(strategy string, count, limit int64, nodeLocked bool) bool {
	c, l := float64(count), float64(limit)
	switch strategy {
	case "ALWAYS_ALLOW_OVERAGE":
		return true
	case "ALLOW_1_25X_OVERAGE":
		return !nodeLocked && c <= l*1.25
	case "ALLOW_1_5X_OVERAGE":
		return !nodeLocked && c <= l*1.5
	case "ALLOW_2X_OVERAGE":
		return c <= l*2
	}
	return false
}

func (s *Server) listPolicies(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	product := c.query.Get("product")
	items := ofAccount(c.db().policies, c.acct.ID, func(pol *policy) bool {
		return c.seesPolicy(p, pol) && (product == "" || pol.ProductID == product)
	})
	v := c.view()
	if _, err := c.pager(); err != nil {
		return err
	}
	if err := c.verifyPermission(p, "policy.read"); err != nil {
		return err
	}
	return paginate(c, items, true, v.policy)
}

func (s *Server) showPolicy(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	pol, err := c.findPolicy(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.verifyPermission(p, "policy.read"); err != nil {
		return err
	}
	return c.ok(c.view().policy(pol))
}

func (s *Server) updatePolicy(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	pol, err := c.findPolicy(p, c.param("id"))
	if err != nil {
		return err
	}
	in, err := c.parse(policySchema(false, c.minor))
	if err != nil {
		return err
	}
	if err := bouncePolicy(in.obj("data").obj("attributes"), c.minor); err != nil {
		return err
	}
	if err := c.authorize(p, "policy.update", mayWritePolicy(p, pol.ProductID, false)); err != nil {
		return err
	}
	next := *pol
	applyPolicy(&next, in.obj("data").obj("attributes"))
	v := newInvalid("policies")
	validatePolicy(v, &next)
	if err := v.err(); err != nil {
		return err
	}
	// policy.update saves, and stamps updated_at, only when something changed
	// (ActiveRecord timestamps; app/controllers/api/v1/policies_controller.rb).
	touchIfChanged(pol, &next, c.now())
	*pol = next
	res := c.view().policy(pol)
	c.emit("policy.updated", res, nil)
	return c.ok(res)
}

func (s *Server) deletePolicy(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	pol, err := c.findPolicy(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.authorize(p, "policy.delete", mayWritePolicy(p, pol.ProductID, true)); err != nil {
		return err
	}
	c.emit("policy.deleted", c.view().policy(pol), nil)
	c.db().deletePolicy(pol)
	return c.noContent()
}
