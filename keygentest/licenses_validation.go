package keygentest

import (
	"math"
	"strconv"
	"strings"
)

// License validation (app/controllers/api/v1/licenses/actions/validations_controller.rb).

// routeValidation registers the routes for license validation (config/routes.rb).
func (s *Server) routeValidation(r *router) {
	r.get("/licenses/{id}/actions/validate", s.lazy(s.quickValidate))
	r.post("/licenses/{id}/actions/validate", s.lazy(s.validateByID))
	r.post("/licenses/actions/validate-key", s.lazy(s.validateByKey))
}

// scopeSchema is the validation scope: unknown keys are 400s.
func scopeSchema() *param {
	return obj(fields{
		"product":      str().opt(),
		"policy":       str().opt(),
		"user":         str().opt().nullOnly(),
		"machine":      str().opt(),
		"fingerprint":  str().opt(),
		"fingerprints": strs().opt(),
		"components":   strs().opt(),
		"entitlements": strs().opt(),
		"checksum":     str().opt(),
		"version":      str().opt(),
		// environment is EE-only: in CE it is an unpermitted parameter.
	}).opt()
}

// checkScopeNulls reports a null inside a scope array the way Keygen's typed params do
// ("cannot be null", pointer to the item), before the generic type checks.
func checkScopeNulls(body any) error {
	meta, _ := body.(map[string]any)["meta"].(map[string]any)
	scope, _ := meta["scope"].(map[string]any)
	for _, k := range []string{"components", "entitlements", "fingerprints"} {
		if items, ok := scope[k].([]any); ok {
			for i, v := range items {
				if v == nil {
					return errBadRequest("cannot be null", pointer("/meta/scope/"+k+"/"+strconv.Itoa(i)))
				}
			}
		}
	}
	return nil
}

// validation is the outcome of the validation service.
type validation struct {
	valid  bool
	detail string
	code   string
}

func (s *Server) quickValidate(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	l, err := c.findLicenseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.verifyPermission(p, "license.validate"); err != nil {
		return err
	}
	res := c.validateLicense(l, nil, false)
	// Keygen skips the touch for quick validations from its own dashboard's origin.
	if c.r.Header.Get("Origin") != "https://app.keygen.sh" {
		c.touchValidated(l)
	}
	meta := map[string]any{"ts": fmtTime(c.now()), "valid": res.valid, "detail": res.detail, "code": res.code}
	return c.json(200, document{Data: c.view().license(l), Meta: c.validationMeta(meta)})
}

// The validation bodies are built once: validation is the hottest route, and checking never
// changes a schema.
var (
	validateKeyBody  = validationBody(true)
	validateByIDBody = validationBody(false)
)

// validationBody is the body of both POST routes; validate-key adds the key.
func validationBody(byKey bool) *param {
	meta := fields{"nonce": integer().opt(), "scope": scopeSchema()}
	if byKey {
		meta["key"] = str()
		meta["legacy_encrypted"] = boolean().opt()
		meta["encrypted"] = boolean().opt()
		return obj(fields{"meta": obj(meta)})
	}
	return obj(fields{"meta": obj(meta).opt()})
}

func (s *Server) validateByID(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	l, err := c.findLicenseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.verifyPermission(p, "license.validate"); err != nil {
		return err
	}
	if c.body != nil {
		if err := checkScopeNulls(c.body); err != nil {
			return err
		}
	}
	in, err := c.parse(validateByIDBody)
	if err != nil {
		return err
	}
	return c.answerValidation(l, in.obj("meta"))
}

func (s *Server) validateByKey(c *call) error {
	p, err := c.authenticate()
	if err != nil {
		return err
	}
	if c.body != nil {
		if err := checkScopeNulls(c.body); err != nil {
			return err
		}
	}
	in, err := c.parse(validateKeyBody)
	if err != nil {
		return err
	}
	meta := in.obj("meta")
	key, _ := meta.str("key")
	if key == "" {
		return errBadRequest("cannot be blank", pointer("/meta/key"))
	}
	l := c.db().findLicenseByKey(c.acct.ID, key)
	// LicenseKeyLookupService: legacy encrypted keys are stored hashed and are only found
	// with legacy_encrypted (or encrypted) true, which in turn finds no other license.
	legacy, _ := meta.bool("legacy_encrypted")
	encrypted, _ := meta.bool("encrypted")
	legacyFlag := legacy || encrypted
	if l != nil && c.licensePolicy(l).Encrypted != legacyFlag {
		l = nil
	}
	// LicensePolicy#validate_key?: anyone, but a bearer must be allowed to validate the
	// license it found (seeing it is enough; else 403).
	if p != nil && l != nil {
		if err := c.authorize(p, "license.validate", c.seesLicense(p, l)); err != nil {
			return err
		}
	}
	return c.answerValidation(l, meta)
}

// answerValidation runs the service with the request's scope and answers the license
// document with the validation meta; it touches lastValidated and emits the event.
func (c *call) answerValidation(l *license, in params) error {
	var scope params
	if in.has("scope") {
		scope = in.obj("scope")
	}
	res := validation{false, "does not exist", "NOT_FOUND"}
	if l != nil {
		res = c.validateLicense(l, scope, true)
	}
	meta := map[string]any{"ts": fmtTime(c.now()), "valid": res.valid, "detail": res.detail, "code": res.code}
	if n, ok := in.int("nonce"); ok {
		meta["nonce"] = n
	}
	if in.has("scope") {
		meta["scope"] = camelKeys(scopeEcho(scope), -1)
	}
	meta = c.validationMeta(meta)
	if l == nil {
		return c.json(200, document{Data: nil, Meta: meta})
	}
	c.touchValidated(l)
	c.setExpiryOnFirst(l, "FROM_FIRST_VALIDATION")
	doc := c.view().license(l)
	event := "license.validation.failed"
	if res.valid {
		event = "license.validation.succeeded"
	}
	c.emit(event, doc, meta)
	return c.json(200, document{Data: doc, Meta: meta})
}

// validationMeta renames code to constant for API 1.1 and older
// (app/migrations/rename_code_to_constant_for_validation_migration.rb),
// where valid is also false for every code but VALID and EXPIRED.
func (c *call) validationMeta(meta map[string]any) map[string]any {
	if c.minor <= 1 {
		code := meta["code"].(string)
		meta["constant"] = code
		delete(meta, "code")
		if code != "VALID" && code != "EXPIRED" {
			meta["valid"] = false
		}
	}
	return meta
}

// scopeEcho turns checked scope params back into plain JSON values.
func scopeEcho(p params) map[string]any {
	out := map[string]any{}
	for k, v := range p {
		out[k] = v
	}
	return out
}

func (c *call) touchValidated(l *license) {
	now := c.now()
	l.LastValidated = &now
}

// validateLicense is LicenseValidationService (app/services/license_validation_service.rb): the
// first failing rule wins. scoped=false is the quick validation, which skips every scope check.
func (c *call) validateLicense(l *license, scope params, scoped bool) validation {
	db, now := c.db(), c.now()
	pol := c.licensePolicy(l)
	expired := licenseExpiredAt(l, now)
	switch {
	case licenseBannedIn(db, l):
		return validation{false, "is banned", "BANNED"}
	case l.Suspended:
		return validation{false, "is suspended", "SUSPENDED"}
	case pol.ExpirationStrategy == "REVOKE_ACCESS" && expired:
		return validation{false, "is expired", "EXPIRED"}
	case checkInOverdue(pol, l, now):
		return validation{false, "is overdue for check in", "OVERDUE"}
	}
	if scoped {
		if res, failed := c.validateScope(l, pol, scope); failed {
			return res
		}
	}
	machines := db.licenseMachines(l)
	var scopeUser *string
	if scope.has("user") {
		if id := scope.strPtr("user"); id != nil {
			for _, u := range licenseUsers(db, l) {
				if u.ID == *id || u.Email == normalizeEmail(*id) {
					scopeUser = &u.ID
				}
			}
		}
	}
	leased := machines
	if pol.MachineLeasingStrategy == "PER_USER" {
		leased = leasedMachines(db, l, pol, scopeUser, "")
	}
	overage := func(count, limit int64, nodeLocked bool) bool {
		return overageAllows(pol.OverageStrategy, count, limit, nodeLocked)
	}
	if max := effective(l.MaxUsers, pol.MaxUsers); max != nil {
		if n := int64(len(licenseUsers(db, l))); n > *max {
			return validation{overage(n, *max, false), "has too many associated users", "TOO_MANY_USERS"}
		}
	}
	accessWhileExpired := pol.ExpirationStrategy == "ALLOW_ACCESS" || pol.ExpirationStrategy == "MAINTAIN_ACCESS"
	if !pol.Strict {
		if expired {
			return validation{accessWhileExpired, "is expired", "EXPIRED"}
		}
		return validation{true, "is valid", "VALID"}
	}
	if !pol.Floating && len(machines) == 0 {
		return validation{false, "must have exactly 1 associated machine", "NO_MACHINE"}
	}
	if !pol.Floating && len(machines) > 1 {
		limit := int64(1)
		if l.MaxMachines != nil {
			limit = *l.MaxMachines
		}
		if n := int64(len(leased)); n > limit {
			ok := pol.OverageStrategy == "ALWAYS_ALLOW_OVERAGE" || (pol.OverageStrategy == "ALLOW_2X_OVERAGE" && n <= limit*2)
			return validation{ok, "has too many associated machines", "TOO_MANY_MACHINES"}
		}
	}
	if pol.Floating && len(machines) == 0 {
		return validation{false, "must have at least 1 associated machine", "NO_MACHINES"}
	}
	if max := licenseMaxMachines(l, pol); pol.Floating && max != nil && len(machines) > 1 {
		if n := int64(len(leased)); n > *max {
			return validation{overage(n, *max, false), "has too many associated machines", "TOO_MANY_MACHINES"}
		}
	}
	for _, r := range []struct {
		limit        *int64
		get          func(*machine) *int64
		detail, code string
	}{
		{effective(l.MaxCores, pol.MaxCores), func(m *machine) *int64 { return m.Cores }, "has too many associated machine cores", "TOO_MANY_CORES"},
		{effective(l.MaxMemory, pol.MaxMemory), func(m *machine) *int64 { return m.Memory }, "has too much associated machine memory", "TOO_MUCH_MEMORY"},
		{effective(l.MaxDisk, pol.MaxDisk), func(m *machine) *int64 { return m.Disk }, "has too much associated machine disk", "TOO_MUCH_DISK"},
	} {
		if r.limit == nil {
			continue
		}
		var total int64
		for _, m := range leased {
			total += deref(r.get(m))
		}
		if total > *r.limit {
			return validation{overage(total, *r.limit, false), r.detail, r.code}
		}
	}
	if n, max, over := tooManyProcesses(db, l, pol, scope, scopeUser, now); over {
		return validation{overage(n, max, false), "has too many associated processes", "TOO_MANY_PROCESSES"}
	}
	if expired {
		return validation{accessWhileExpired, "is expired", "EXPIRED"}
	}
	return validation{true, "is valid", "VALID"}
}

// normalizeEmail is the User model's email normalization (downcase, strip), which Rails
// also applies to the value of a where(email:) query.
func normalizeEmail(s string) string { return strings.TrimSpace(strings.ToLower(s)) }

// validateScope applies the scope checks of LicenseValidationService in Keygen's order (the EE
// environment scope is refused as a parameter, so it never reaches here).
func (c *call) validateScope(l *license, pol *policy, scope params) (validation, bool) {
	db, now := c.db(), c.now()
	fail := func(detail, code string) (validation, bool) { return validation{false, detail, code}, true }
	if scope.has("product") {
		if v, _ := scope.str("product"); v != pol.ProductID {
			return fail("product scope does not match", "PRODUCT_SCOPE_MISMATCH")
		}
	} else if pol.RequireProductScope {
		return fail("product scope is required", "PRODUCT_SCOPE_REQUIRED")
	}
	if scope.has("policy") {
		if v, _ := scope.str("policy"); v != pol.ID {
			return fail("policy scope does not match", "POLICY_SCOPE_MISMATCH")
		}
	} else if pol.RequirePolicyScope {
		return fail("policy scope is required", "POLICY_SCOPE_REQUIRED")
	}
	user := scope.strPtr("user")
	if scope.has("user") {
		// license.owner_id == scope[:user]: a null user scope matches an ownerless license.
		match := (user == nil && l.OwnerID == nil) || (user != nil && l.OwnerID != nil && *l.OwnerID == *user)
		// users.where(email:) applies the User email normalization to the query value.
		for _, u := range licenseUsers(db, l) {
			if user != nil && (u.ID == *user || u.Email == normalizeEmail(*user)) {
				match = true
			}
		}
		if !match {
			return fail("user scope does not match", "USER_SCOPE_MISMATCH")
		}
	} else if pol.RequireUserScope {
		return fail("user scope is required", "USER_SCOPE_REQUIRED")
	}
	if scope.has("entitlements") {
		codes := uniq(scope.strings("entitlements"))
		if len(codes) == 0 {
			return fail("entitlements scope is empty", "ENTITLEMENTS_SCOPE_EMPTY")
		}
		// License#entitlements: the policy's and the license's own, codes compared exactly.
		held := db.licenseEntitlementCodes(l)
		for _, code := range codes {
			if !contains(held, code) {
				return fail("is missing one or more required entitlements", "ENTITLEMENTS_MISSING")
			}
		}
	}
	machines := db.licenseMachines(l)
	// ownerMatches is the machine scope's check (machine.owner.email == user, a plain
	// string comparison); with normalize it is the fingerprint scope's Machine.for_owner,
	// a query, which normalizes the email like the User model does.
	ownerMatches := func(m *machine, normalize bool) bool {
		if user == nil || m.OwnerID == nil || *m.OwnerID == *user {
			return true
		}
		u := db.users[*m.OwnerID]
		want := *user
		if normalize {
			want = normalizeEmail(want)
		}
		return u != nil && u.Email == want
	}
	if scope.has("machine") {
		switch {
		case !pol.Floating && len(machines) == 0:
			return fail("machine is not activated (has no associated machine)", "NO_MACHINE")
		case pol.Floating && len(machines) == 0:
			return fail("machine is not activated (has no associated machines)", "NO_MACHINES")
		}
		id, _ := scope.str("machine")
		var m *machine
		for _, x := range machines {
			if x.ID == id {
				m = x
			}
		}
		if m == nil {
			return fail("machine is not activated (does not match any associated machines)", "MACHINE_SCOPE_MISMATCH")
		}
		if !ownerMatches(m, false) {
			return fail("user scope does not match (does not match associated machine owner)", "USER_SCOPE_MISMATCH")
		}
		st := heartbeatStatus(db, m, now)
		if pol.RequireHeartbeat && st == "NOT_STARTED" {
			return fail("machine heartbeat is required", "HEARTBEAT_NOT_STARTED")
		}
		if st == "DEAD" {
			return fail("machine heartbeat is dead", "HEARTBEAT_DEAD")
		}
	} else if pol.RequireMachineScope {
		return fail("machine scope is required", "MACHINE_SCOPE_REQUIRED")
	}
	if scope.has("fingerprint") || scope.has("fingerprints") {
		var fps []string
		if fp, ok := scope.str("fingerprint"); ok {
			fps = []string{fp}
		} else {
			fps = scope.strings("fingerprints")
		}
		fps = uniq(fps)
		if len(fps) == 0 {
			return fail("fingerprint scope is empty", "FINGERPRINT_SCOPE_EMPTY")
		}
		switch {
		case !pol.Floating && len(machines) == 0:
			return fail("fingerprint is not activated (has no associated machine)", "NO_MACHINE")
		case pol.Floating && len(machines) == 0:
			return fail("fingerprint is not activated (has no associated machines)", "NO_MACHINES")
		}
		var dead, alive []*machine
		for _, m := range machines {
			if !contains(fps, m.Fingerprint) {
				continue
			}
			if heartbeatStatus(db, m, now) == "DEAD" {
				dead = append(dead, m)
			} else {
				alive = append(alive, m)
			}
		}
		if len(dead) == len(fps) {
			return fail("machine heartbeat is dead", "HEARTBEAT_DEAD")
		}
		n := len(fps)
		switch {
		case n > 1 && pol.MachineMatchingStrategy == "MATCH_MOST":
			if float64(len(alive)) < math.Ceil(float64(n)/2) {
				return fail("one or more fingerprint is not activated (does not match enough associated machines)", "FINGERPRINT_SCOPE_MISMATCH")
			}
		case n > 1 && pol.MachineMatchingStrategy == "MATCH_TWO":
			if len(alive) < 2 {
				return fail("one or more fingerprint is not activated (does not match at least 2 associated machines)", "FINGERPRINT_SCOPE_MISMATCH")
			}
		case n > 1 && pol.MachineMatchingStrategy == "MATCH_ALL":
			if len(alive) < n {
				return fail("one or more fingerprint is not activated (does not match all associated machines)", "FINGERPRINT_SCOPE_MISMATCH")
			}
		case n > 1:
			if len(alive) == 0 {
				return fail("one or more fingerprint is not activated (does not match any associated machines)", "FINGERPRINT_SCOPE_MISMATCH")
			}
		default:
			if len(alive) == 0 {
				return fail("fingerprint is not activated (does not match any associated machines)", "FINGERPRINT_SCOPE_MISMATCH")
			}
		}
		for _, m := range alive {
			if !ownerMatches(m, true) {
				return fail("user scope does not match (does not match associated machine owners)", "USER_SCOPE_MISMATCH")
			}
		}
		for _, m := range alive {
			if pol.RequireHeartbeat && heartbeatStatus(db, m, now) == "NOT_STARTED" {
				return fail("machine heartbeat is required", "HEARTBEAT_NOT_STARTED")
			}
		}
	} else if pol.RequireFingerprintScope {
		return fail("fingerprint scope is required", "FINGERPRINT_SCOPE_REQUIRED")
	}
	if scope.has("components") {
		if !scope.has("fingerprint") {
			return fail("fingerprint scope is required when using the components scope", "FINGERPRINT_SCOPE_REQUIRED")
		}
		comps := uniq(scope.strings("components"))
		if len(comps) == 0 {
			return fail("components scope is empty", "COMPONENTS_SCOPE_EMPTY")
		}
		fp, _ := scope.str("fingerprint")
		if detail, ok := componentsScope(db, l, pol, fp, comps); !ok {
			return fail(detail, "COMPONENTS_SCOPE_MISMATCH")
		}
	} else if pol.RequireComponentsScope {
		return fail("components scope is required", "COMPONENTS_SCOPE_REQUIRED")
	}
	// The checksum and version scopes match the license's accessible PUBLISHED releases
	// (releases_validation.go); a match records the version on the license.
	if scope.has("checksum") {
		sum, _ := scope.str("checksum")
		v := c.checksumScopeVersion(l, sum)
		if v == "" {
			return fail("checksum scope is not valid (does not match any accessible artifacts)", "CHECKSUM_SCOPE_MISMATCH")
		}
		l.Version = &v
	} else if pol.RequireChecksumScope {
		return fail("checksum scope is required", "CHECKSUM_SCOPE_REQUIRED")
	}
	if scope.has("version") {
		v, _ := scope.str("version")
		if !c.versionScopeMatches(l, v) {
			return fail("version scope is not valid (does not match any accessible releases)", "VERSION_SCOPE_MISMATCH")
		}
		l.Version = &v
	} else if pol.RequireVersionScope {
		return fail("version scope is required", "VERSION_SCOPE_REQUIRED")
	}
	return validation{}, false
}
