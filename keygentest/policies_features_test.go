package keygentest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The scenarios of features/api/v1/policies/**/*.feature (keygen-sh/keygen-api), one case
// per scenario, named "<file>: <scenario title>". Scenarios that need Keygen EE (environments,
// the permissions attribute) or a canceled or disabled account are not here.

// postPolicy is "I send a POST request to /policies" for the world's product, at API version
// ver ("" for the current one).
func postPolicy(w *world, attrs map[string]any, ver string) req {
	r := req{method: "POST", path: "/policies",
		body: doc("policies", attrs, map[string]any{"product": link("products", w.prod)})}
	if ver != "" {
		r.headers = map[string]string{"Keygen-Version": ver}
	}
	return r
}

// protectAccount is `the account "test1" has the following attributes: { "protected": b }`.
func (w *world) protectAccount(b bool) {
	w.withStore(func(db *store) {
		for _, a := range db.accounts {
			a.Protected = b
		}
	})
}

// polInvalid is a one-error 422 of the policy create or update at the attribute.
func polInvalid(code, attr, detail string) apiCase {
	return apiCase{status: 422, title: unprocessed, code: code, detail: detail,
		source: map[string]any{"pointer": "/data/attributes/" + attr},
		check: func(t *testing.T, _ *world, r *reply) {
			errs, _ := r.doc["errors"].([]any)
			assert.Len(t, errs, 1, string(r.body))
		}}
}

func TestPolicyFeaturesCreate(t *testing.T) {
	t.Parallel()
	const f = "policies/create.feature: "
	type sc struct {
		name  string
		attrs map[string]any
		ver   string
		acct  *bool // the account's protected attribute, when the scenario sets it
		want  apiCase
	}
	ok := func(attrs map[string]any) apiCase { return apiCase{status: 201, attrs: attrs} }
	over := func(s, what string) apiCase {
		return polInvalid("OVERAGE_STRATEGY_NOT_ALLOWED", "overageStrategy", "incompatible overage strategy (cannot use "+s+" "+what+")")
	}
	twoWeeks := 2 * 7 * 24 * 3600
	scs := []sc{
		{"Admin creates a floating policy for their account with a max machines attribute",
			map[string]any{"name": "Premium Add-On", "machineUniquenessStrategy": "UNIQUE_PER_PRODUCT", "overageStrategy": "NO_OVERAGE", "maxMachines": 3, "floating": true, "strict": false, "duration": twoWeeks}, "", nil,
			ok(map[string]any{"maxMachines": 3.0, "machineUniquenessStrategy": "UNIQUE_PER_PRODUCT", "overageStrategy": "NO_OVERAGE", "maxUses": nil, "scheme": nil})},
		{"Admin creates a policy that has a max uses is less than the max value of a 4 byte integer",
			map[string]any{"name": "Large Usage Policy", "maxUses": 2147483646}, "", nil, ok(map[string]any{"name": "Large Usage Policy", "maxUses": 2147483646.0})},
		{"Admin creates a policy that has a max uses that is the max value of a 4 byte integer",
			map[string]any{"name": "Larger Usage Policy", "maxUses": 2147483647}, "", ptr(true), ok(map[string]any{"name": "Larger Usage Policy", "maxUses": 2147483647.0})},
		{"Admin creates a policy that has a machine leasing strategy",
			map[string]any{"machineLeasingStrategy": "PER_LICENSE", "name": "Machine Leasing Strategy"}, "", nil, ok(map[string]any{"machineLeasingStrategy": "PER_LICENSE", "name": "Machine Leasing Strategy"})},
		{"Admin creates a policy that has a process leasing strategy",
			map[string]any{"processLeasingStrategy": "PER_USER", "name": "Process Leasing Strategy"}, "", nil, ok(map[string]any{"processLeasingStrategy": "PER_USER", "name": "Process Leasing Strategy"})},
		{"Admin creates a policy that has a leasing strategy (v1.6)",
			map[string]any{"leasingStrategy": "PER_USER", "name": "Leasing Strategy"}, "1.6", nil, ok(map[string]any{"leasingStrategy": "PER_USER", "name": "Leasing Strategy"})},
		{"Admin creates a policy that has a fingerprint uniqueness strategy (v1.3)",
			map[string]any{"fingerprintUniquenessStrategy": "UNIQUE_PER_PRODUCT", "name": "Fingerprint Uniqueness Strategy"}, "1.3", nil, ok(map[string]any{"fingerprintUniquenessStrategy": "UNIQUE_PER_PRODUCT"})},
		{"Admin creates a policy that has a fingerprint matching strategy (v1.3)",
			map[string]any{"fingerprintMatchingStrategy": "MATCH_ALL", "name": "Fingerprint Matching Strategy"}, "1.3", nil, ok(map[string]any{"fingerprintMatchingStrategy": "MATCH_ALL"})},
		{"Admin creates a policy that has a component uniqueness strategy",
			map[string]any{"componentUniquenessStrategy": "UNIQUE_PER_MACHINE", "name": "Component Uniqueness Strategy"}, "", nil, ok(map[string]any{"componentUniquenessStrategy": "UNIQUE_PER_MACHINE"})},
		{"Admin creates a policy that has a component matching strategy",
			map[string]any{"componentMatchingStrategy": "MATCH_ALL", "name": "Component Matching Strategy"}, "", nil, ok(map[string]any{"componentMatchingStrategy": "MATCH_ALL"})},
		{"Admin creates a policy that has a maintain access expiration strategy",
			map[string]any{"name": "Maintain Expiration Strategy", "expirationStrategy": "MAINTAIN_ACCESS"}, "", nil, ok(map[string]any{"expirationStrategy": "MAINTAIN_ACCESS"})},
		{"Admin creates a policy that has an allow access expiration strategy",
			map[string]any{"name": "Allow Expiration Strategy", "expirationStrategy": "ALLOW_ACCESS"}, "", nil, ok(map[string]any{"expirationStrategy": "ALLOW_ACCESS"})},
		{"Admin creates a policy that has a creation expiration basis",
			map[string]any{"name": "Creation Expiration Basis", "expirationBasis": "FROM_CREATION"}, "", nil, ok(map[string]any{"expirationBasis": "FROM_CREATION"})},
		{"Admin creates a policy that has an first validation expiration basis",
			map[string]any{"name": "Validation Expiration Basis", "expirationBasis": "FROM_FIRST_VALIDATION"}, "", nil, ok(map[string]any{"expirationBasis": "FROM_FIRST_VALIDATION"})},
		{"Admin creates a policy that has an first activation expiration basis",
			map[string]any{"name": "Activation Expiration Basis", "expirationBasis": "FROM_FIRST_ACTIVATION"}, "", nil, ok(map[string]any{"expirationBasis": "FROM_FIRST_ACTIVATION"})},
		{"Admin creates a policy that has an first use expiration basis",
			map[string]any{"name": "Use Expiration Basis", "expirationBasis": "FROM_FIRST_USE"}, "", nil, ok(map[string]any{"expirationBasis": "FROM_FIRST_USE"})},
		{"Admin creates a policy that has an first download expiration basis",
			map[string]any{"name": "Download Expiration Basis", "expirationBasis": "FROM_FIRST_DOWNLOAD"}, "", nil, ok(map[string]any{"expirationBasis": "FROM_FIRST_DOWNLOAD"})},
		{"Admin creates a policy that has an expiry renewal basis",
			map[string]any{"name": "Expiry Renewal Basis", "renewalBasis": "FROM_EXPIRY"}, "", nil, ok(map[string]any{"renewalBasis": "FROM_EXPIRY"})},
		{"Admin creates a policy that has a now renewal basis",
			map[string]any{"name": "Now Renewal Basis", "renewalBasis": "FROM_NOW"}, "", nil, ok(map[string]any{"renewalBasis": "FROM_NOW"})},
		{"Admin creates a policy with a default overage strategy",
			map[string]any{"name": "Default Overage Strategy"}, "", nil, ok(map[string]any{"overageStrategy": "NO_OVERAGE"})},
		{"Admin creates a policy with a default overage strategy (v1.2)",
			map[string]any{"name": "Default Overage Strategy"}, "1.2", nil, ok(map[string]any{"overageStrategy": "NO_OVERAGE"})},
		{"Admin creates a policy with a default overage strategy (v1.1)",
			map[string]any{"name": "Default Overage Strategy"}, "1.1", nil, ok(map[string]any{"overageStrategy": "ALWAYS_ALLOW_OVERAGE"})},
		{"Admin creates a policy with a default overage strategy (v1.0)",
			map[string]any{"name": "Default Overage Strategy"}, "1.0", nil, ok(map[string]any{"overageStrategy": "ALWAYS_ALLOW_OVERAGE"})},
		{"Admin creates a policy that has an always allow overage strategy",
			map[string]any{"name": "Allow Overage Strategy", "overageStrategy": "ALWAYS_ALLOW_OVERAGE"}, "", nil, ok(map[string]any{"overageStrategy": "ALWAYS_ALLOW_OVERAGE"})},
		{"Admin creates a policy that has an allow 1.25x overage strategy (divisible machine limit)",
			map[string]any{"name": "Allow Overage Strategy", "overageStrategy": "ALLOW_1_25X_OVERAGE", "floating": true, "maxMachines": 4}, "", nil, ok(map[string]any{"overageStrategy": "ALLOW_1_25X_OVERAGE"})},
		{"Admin creates a policy that has an allow 1.25x overage strategy (divisible core limit)",
			map[string]any{"name": "Allow Overage Strategy", "overageStrategy": "ALLOW_1_25X_OVERAGE", "floating": true, "maxMachines": 4, "maxCores": 16}, "", nil, ok(map[string]any{"overageStrategy": "ALLOW_1_25X_OVERAGE"})},
		{"Admin creates a policy that has an allow 1.25x overage strategy (non-divisible core limit)",
			map[string]any{"name": "Allow Overage Strategy", "overageStrategy": "ALLOW_1_25X_OVERAGE", "floating": true, "maxMachines": 4, "maxCores": 69}, "", nil, over("ALLOW_1_25X_OVERAGE", "with a max cores value not divisible by 4")},
		{"Admin creates a policy that has an allow 1.25x overage strategy (divisible process limits)",
			map[string]any{"name": "Allow Overage Strategy", "overageStrategy": "ALLOW_1_25X_OVERAGE", "floating": true, "maxMachines": 4, "maxProcesses": 4}, "", nil, ok(map[string]any{"overageStrategy": "ALLOW_1_25X_OVERAGE"})},
		{"Admin creates a policy that has an allow 1.25x overage strategy (non-divisible process limit)",
			map[string]any{"name": "Allow Overage Strategy", "overageStrategy": "ALLOW_1_25X_OVERAGE", "floating": true, "maxMachines": 4, "maxProcesses": 2}, "", nil, over("ALLOW_1_25X_OVERAGE", "with a max processes value not divisible by 4")},
		{"Admin creates a policy that has an allow 1.25x overage strategy (divisible user limits)",
			map[string]any{"name": "Allow Overage Strategy", "overageStrategy": "ALLOW_1_25X_OVERAGE", "floating": true, "maxMachines": 4, "maxUsers": 4}, "", nil, ok(map[string]any{"overageStrategy": "ALLOW_1_25X_OVERAGE"})},
		{"Admin creates a policy that has an allow 1.25x overage strategy (non-divisible user limit)",
			map[string]any{"name": "Allow Overage Strategy", "overageStrategy": "ALLOW_1_25X_OVERAGE", "floating": true, "maxMachines": 4, "maxUsers": 2}, "", nil, over("ALLOW_1_25X_OVERAGE", "with a max users value not divisible by 4")},
		{"Admin creates a node-locked policy that has an allow 1.25x overage strategy",
			map[string]any{"name": "Allow Overage Strategy", "overageStrategy": "ALLOW_1_25X_OVERAGE", "floating": false, "maxMachines": 1}, "", nil, over("ALLOW_1_25X_OVERAGE", "for node-locked policy")},
		{"Admin creates a policy that has an allow 1.5x overage strategy (even machine limit)",
			map[string]any{"name": "Allow Overage Strategy", "overageStrategy": "ALLOW_1_5X_OVERAGE", "floating": true, "maxMachines": 2}, "", nil, ok(map[string]any{"overageStrategy": "ALLOW_1_5X_OVERAGE"})},
		{"Admin creates a policy that has an allow 1.5x overage strategy (odd machine limit)",
			map[string]any{"name": "Allow Overage Strategy", "overageStrategy": "ALLOW_1_5X_OVERAGE", "floating": true, "maxMachines": 3}, "", nil, over("ALLOW_1_5X_OVERAGE", "with a max machines value not divisible by 2")},
		{"Admin creates a policy that has an allow 1.5x overage strategy (even core limit)",
			map[string]any{"name": "Allow Overage Strategy", "overageStrategy": "ALLOW_1_5X_OVERAGE", "floating": true, "maxMachines": 2, "maxCores": 16}, "", nil, ok(map[string]any{"overageStrategy": "ALLOW_1_5X_OVERAGE"})},
		{"Admin creates a policy that has an allow 1.5x overage strategy (odd core limit)",
			map[string]any{"name": "Allow Overage Strategy", "overageStrategy": "ALLOW_1_5X_OVERAGE", "floating": true, "maxMachines": 2, "maxCores": 69}, "", nil, over("ALLOW_1_5X_OVERAGE", "with a max cores value not divisible by 2")},
		{"Admin creates a policy that has an allow 1.5x overage strategy (even process limit)",
			map[string]any{"name": "Allow Overage Strategy", "overageStrategy": "ALLOW_1_5X_OVERAGE", "floating": true, "maxMachines": 2, "maxProcesses": 2}, "", nil, ok(map[string]any{"overageStrategy": "ALLOW_1_5X_OVERAGE"})},
		{"Admin creates a policy that has an allow 1.5x overage strategy (odd process limit)",
			map[string]any{"name": "Allow Overage Strategy", "overageStrategy": "ALLOW_1_5X_OVERAGE", "floating": true, "maxMachines": 2, "maxProcesses": 3}, "", nil, over("ALLOW_1_5X_OVERAGE", "with a max processes value not divisible by 2")},
		{"Admin creates a policy that has an allow 1.5x overage strategy (even user limit)",
			map[string]any{"name": "Allow Overage Strategy", "overageStrategy": "ALLOW_1_5X_OVERAGE", "floating": true, "maxMachines": 2, "maxUsers": 2}, "", nil, ok(map[string]any{"overageStrategy": "ALLOW_1_5X_OVERAGE"})},
		{"Admin creates a policy that has an allow 2x overage strategy",
			map[string]any{"name": "Allow Overage Strategy", "overageStrategy": "ALLOW_2X_OVERAGE"}, "", nil, ok(map[string]any{"overageStrategy": "ALLOW_2X_OVERAGE"})},
		{"Admin creates a policy that has a no overage strategy",
			map[string]any{"name": "Disallow Overage Strategy", "overageStrategy": "NO_OVERAGE"}, "", nil, ok(map[string]any{"overageStrategy": "NO_OVERAGE"})},
		{"Admin creates a policy that has an always allow overage strategy (v1.1)",
			map[string]any{"name": "Allow Overage Strategy", "overageStrategy": "ALWAYS_ALLOW_OVERAGE"}, "1.1", nil, ok(map[string]any{"overageStrategy": "ALWAYS_ALLOW_OVERAGE", "concurrent": true})},
		{"Admin creates a policy that has a no overage strategy (v1.1)",
			map[string]any{"name": "Disallow Overage Strategy", "overageStrategy": "NO_OVERAGE"}, "1.1", nil, ok(map[string]any{"overageStrategy": "NO_OVERAGE", "concurrent": false})},
		{"Admin creates a policy that has a custom heartbeat duration",
			map[string]any{"name": "Long Heartbeat Policy", "heartbeatDuration": 604800}, "", nil, ok(map[string]any{"heartbeatDuration": 604800.0})},
		{"Admin creates a policy that does not have a custom heartbeat duration",
			map[string]any{"name": "Normal Heartbeat Policy"}, "", nil, ok(map[string]any{"heartbeatDuration": nil})},
		{"Admin creates a policy that has a heartbeat duration that exceeds the max value of a 4 byte integer",
			map[string]any{"name": "Longer Heartbeat Policy", "heartbeatDuration": 2147483648}, "", ptr(true),
			polInvalid("HEARTBEAT_DURATION_INVALID", "heartbeatDuration", "must be less than or equal to 2147483647")},
		{"Admin creates a policy that inherits from a protected account",
			map[string]any{"name": "Actionsack Map Pack", "machineMatchingStrategy": "MATCH_ALL", "expirationStrategy": "REVOKE_ACCESS", "transferStrategy": "RESET_EXPIRY", "authenticationStrategy": "LICENSE", "heartbeatCullStrategy": "KEEP_DEAD", "heartbeatResurrectionStrategy": "5_MINUTE_REVIVE", "machineLeasingStrategy": "PER_LICENSE", "processLeasingStrategy": "PER_LICENSE", "maxUses": 5}, "", ptr(true),
			ok(map[string]any{"name": "Actionsack Map Pack", "machineMatchingStrategy": "MATCH_ALL", "expirationStrategy": "REVOKE_ACCESS", "transferStrategy": "RESET_EXPIRY", "authenticationStrategy": "LICENSE", "heartbeatCullStrategy": "KEEP_DEAD", "heartbeatResurrectionStrategy": "5_MINUTE_REVIVE", "machineLeasingStrategy": "PER_LICENSE", "processLeasingStrategy": "PER_LICENSE", "overageStrategy": "NO_OVERAGE", "maxUses": 5.0, "protected": true})},
		{"Admin creates a policy that inherits from an unprotected account",
			map[string]any{"name": "Actionsack Map Pack 2"}, "", ptr(false), ok(map[string]any{"protected": false})},
		{"Admin creates a protected policy that inherits from an unprotected account",
			map[string]any{"name": "Actionsack Map Pack 2", "protected": true}, "", ptr(false), ok(map[string]any{"protected": true})},
		{"Admin creates an unprotected policy that inherits from a protected account",
			map[string]any{"name": "Actionsack Map Pack 2", "protected": false}, "", ptr(true), ok(map[string]any{"protected": false})},
		{"Admin attempts to create a policy using scheme RSA_2048_PKCS1_ENCRYPT that uses a pool",
			map[string]any{"name": "Invalid", "scheme": "RSA_2048_PKCS1_ENCRYPT", "usePool": true}, "", nil,
			polInvalid("SCHEME_NOT_SUPPORTED", "scheme", "cannot use a scheme and use a pool")},
		{"Admin attempts to create a policy using scheme RSA_2048_JWT_RS256 that uses a pool",
			map[string]any{"name": "Invalid", "scheme": "RSA_2048_JWT_RS256", "usePool": true}, "", nil,
			polInvalid("SCHEME_NOT_SUPPORTED", "scheme", "cannot use a scheme and use a pool")},
		{"Admin creates a policy for their account that requires certain scopes",
			map[string]any{"name": "Premium Add-On", "requireFingerprintScope": true, "requireComponentsScope": true, "requireProductScope": true, "requirePolicyScope": true, "requireMachineScope": true, "requireUserScope": true, "requireChecksumScope": true, "requireVersionScope": true, "duration": nil}, "", nil,
			ok(map[string]any{"name": "Premium Add-On", "requireFingerprintScope": true, "requireComponentsScope": true, "requireProductScope": true, "requirePolicyScope": true, "requireMachineScope": true, "requireUserScope": true, "requireChecksumScope": true, "requireVersionScope": true, "duration": nil})},
		{"Admin creates a policy for their account that requires license check-in that is not valid",
			map[string]any{"name": "Premium Add-On", "requireCheckIn": true, "checkInInterval": "millennium", "checkInIntervalCount": 0}, "", nil,
			apiCase{status: 422, title: unprocessed, code: "CHECK_IN_INTERVAL_NOT_ALLOWED", detail: "must be one of: day, week, month, year",
				source: map[string]any{"pointer": "/data/attributes/checkInInterval"},
				check: func(t *testing.T, _ *world, r *reply) {
					assert.Equal(t, "CHECK_IN_INTERVAL_COUNT_NOT_ALLOWED", r.err(1)["code"], string(r.body))
					assert.Equal(t, "must be a number between 1 and 365 inclusive", r.err(1)["detail"])
					assert.Equal(t, map[string]any{"pointer": "/data/attributes/checkInIntervalCount"}, r.err(1)["source"])
				}}},
		{"Admin creates a policy for their account that requires machine heartbeats",
			map[string]any{"name": "Heartbeat Policy", "requireHeartbeat": true, "heartbeatCullStrategy": "KEEP_DEAD"}, "", nil, ok(map[string]any{"requireHeartbeat": true})},
		{"Admin creates a policy for their account that does not require machine heartbeats",
			map[string]any{"name": "No Heartbeat Policy", "requireHeartbeat": false}, "", nil, ok(map[string]any{"requireHeartbeat": false})},
		{"Admin creates an incomplete policy for their account that requires license check-in",
			map[string]any{"name": "Premium Add-On", "requireCheckIn": true}, "", nil, apiCase{status: 422, title: unprocessed}},
		{"Admin creates a policy using scheme RSA_2048_PKCS1_SIGN for their account",
			map[string]any{"name": "RSA Signed", "scheme": "RSA_2048_PKCS1_SIGN"}, "", nil, ok(map[string]any{"scheme": "RSA_2048_PKCS1_SIGN", "name": "RSA Signed"})},
		{"Admin creates a policy using scheme RSA_2048_PKCS1_PSS_SIGN for their account",
			map[string]any{"name": "RSA Probabilistic Signature Scheme", "scheme": "RSA_2048_PKCS1_PSS_SIGN"}, "", nil, ok(map[string]any{"scheme": "RSA_2048_PKCS1_PSS_SIGN"})},
		{"Admin creates a policy using scheme RSA_2048_PKCS1_ENCRYPT for their account",
			map[string]any{"name": "RSA Encrypted", "scheme": "RSA_2048_PKCS1_ENCRYPT"}, "", nil, ok(map[string]any{"scheme": "RSA_2048_PKCS1_ENCRYPT"})},
		{"Admin creates a policy using scheme RSA_2048_JWT_RS256 for their account",
			map[string]any{"name": "JWT RS256", "scheme": "RSA_2048_JWT_RS256"}, "", nil, ok(map[string]any{"scheme": "RSA_2048_JWT_RS256"})},
		{"Admin creates a policy using scheme RSA_2048_PKCS1_SIGN_V2 for their account",
			map[string]any{"name": "RSA Signed", "scheme": "RSA_2048_PKCS1_SIGN_V2"}, "", nil, ok(map[string]any{"scheme": "RSA_2048_PKCS1_SIGN_V2"})},
		{"Admin creates a policy using scheme RSA_2048_PKCS1_PSS_SIGN_V2 for their account",
			map[string]any{"name": "RSA Probabilistic Signature Scheme", "scheme": "RSA_2048_PKCS1_PSS_SIGN_V2"}, "", nil, ok(map[string]any{"scheme": "RSA_2048_PKCS1_PSS_SIGN_V2"})},
		{"Admin creates a legacy encrypted policy using scheme LEGACY_ENCRYPT for their account",
			map[string]any{"name": "Legacy Encrypted", "scheme": "LEGACY_ENCRYPT", "encrypted": true}, "", nil, ok(map[string]any{"scheme": "LEGACY_ENCRYPT", "encrypted": true})},
		// The feature has two scenarios of this title: the second creates an ECDSA_P256_SIGN policy.
		{"Admin creates a policy using scheme ED25519_SIGN for their account",
			map[string]any{"name": "Ed25519", "scheme": "ED25519_SIGN"}, "", nil, ok(map[string]any{"scheme": "ED25519_SIGN"})},
		{"Admin creates a policy using scheme ED25519_SIGN for their account (ECDSA_P256_SIGN)",
			map[string]any{"name": "ECDSA", "scheme": "ECDSA_P256_SIGN"}, "", nil, ok(map[string]any{"scheme": "ECDSA_P256_SIGN"})},
		{"Admin creates a legacy encrypted policy without a scheme for their account",
			map[string]any{"name": "Legacy Encrypted", "encrypted": true}, "", nil, ok(map[string]any{"scheme": "LEGACY_ENCRYPT"})},
		{"Admin creates a policy using scheme LEGACY_ENCRYPT for their account without encryption",
			map[string]any{"name": "Legacy Encrypted", "scheme": "LEGACY_ENCRYPT"}, "", nil,
			apiCase{status: 422, title: unprocessed, code: "SCHEME_INVALID", detail: "must be encrypted when using LEGACY_ENCRYPT scheme", source: map[string]any{"pointer": "/data/attributes/scheme"}}},
		{"Admin creates a policy using an unsupported encryption scheme RSA_2048_PKCS1_SIGN for their account",
			map[string]any{"name": "Unsupported Encryption Scheme", "scheme": "RSA_2048_PKCS1_SIGN", "encrypted": true}, "", nil,
			apiCase{status: 422, title: unprocessed, code: "SCHEME_NOT_ALLOWED", detail: "unsupported encryption scheme (scheme must be LEGACY_ENCRYPT for legacy encrypted policies)", source: map[string]any{"pointer": "/data/attributes/scheme"}}},
		{"Admin creates an encrypted policy without a scheme for their account",
			map[string]any{"name": "Default Scheme", "encrypted": true}, "", nil, ok(map[string]any{"scheme": "LEGACY_ENCRYPT", "name": "Default Scheme"})},
		{"Admin creates a concurrent policy (v1.1)",
			map[string]any{"name": "Concurrent Policy", "concurrent": true}, "1.1", nil, ok(map[string]any{"overageStrategy": "ALWAYS_ALLOW_OVERAGE", "concurrent": true})},
		{"Admin creates a concurrent policy (v1.0)",
			map[string]any{"name": "Concurrent Policy", "concurrent": true}, "1.0", nil, ok(map[string]any{"overageStrategy": "ALWAYS_ALLOW_OVERAGE", "concurrent": true})},
		{"Admin creates a policy that has a maximum cores count",
			map[string]any{"name": "Core-metered Policy", "maxCores": 32}, "", nil, ok(map[string]any{"maxCores": 32.0})},
		{"Admin creates a policy that has a memory limit",
			map[string]any{"name": "Memory-metered Policy", "maxMemory": 34359738368}, "", nil, ok(map[string]any{"maxMemory": 34359738368.0})},
		{"Admin creates a policy that has a disk limit",
			map[string]any{"name": "Disk-metered Policy", "maxDisk": 1099511627776}, "", nil, ok(map[string]any{"maxDisk": 1099511627776.0})},
		{"Admin creates a policy that has a maximum process count",
			map[string]any{"name": "Per-Process", "maxProcesses": 16}, "", nil, ok(map[string]any{"name": "Per-Process", "maxProcesses": 16.0})},
		{"Admin creates a policy with a default heartbeat basis",
			map[string]any{"name": "Default Heartbeat Basis"}, "", nil, ok(map[string]any{"heartbeatBasis": "FROM_FIRST_PING"})},
		{"Admin creates a policy with a default heartbeat basis (requires heartbeat)",
			map[string]any{"name": "Default Heartbeat Basis", "requireHeartbeat": true}, "", nil, ok(map[string]any{"heartbeatBasis": "FROM_CREATION"})},
		{"Admin creates a policy with a default heartbeat basis (requires heartbeat, v1.3)",
			map[string]any{"name": "Default Heartbeat Basis", "requireHeartbeat": true}, "1.3", nil, ok(map[string]any{"heartbeatBasis": "FROM_CREATION"})},
		{"Admin creates a policy with a default heartbeat basis (requires heartbeat, v1.2)",
			map[string]any{"name": "Default Heartbeat Basis", "requireHeartbeat": true}, "1.2", nil, ok(map[string]any{"heartbeatBasis": "FROM_FIRST_PING"})},
		{"Admin creates a policy with a FROM_CREATION heartbeat basis",
			map[string]any{"name": "From Creation Heartbeat Basis", "heartbeatBasis": "FROM_CREATION"}, "", nil, ok(map[string]any{"heartbeatBasis": "FROM_CREATION"})},
		{"Admin creates a policy with a FROM_FIRST_PING heartbeat basis",
			map[string]any{"name": "From First Ping Heartbeat Basis", "heartbeatBasis": "FROM_FIRST_PING"}, "", nil, ok(map[string]any{"heartbeatBasis": "FROM_FIRST_PING"})},
	}
	var cases []apiCase
	for _, s := range scs {
		c := s.want
		c.name = f + s.name
		c.setup = func(w *world) req {
			if s.acct != nil {
				w.protectAccount(*s.acct)
			}
			return postPolicy(w, s.attrs, s.ver)
		}
		cases = append(cases, c)
	}
	cases = append(cases,
		apiCase{name: f + "Admin attempts to create an incomplete policy for their account", status: 400,
			setup: func(w *world) req {
				return req{method: "POST", path: "/policies", body: doc("policies", map[string]any{"name": "Premium Add-On", "maxMachines": 5,
					"floating": true, "strict": false, "scheme": "LEGACY_ENCRYPT", "encrypted": true, "duration": twoWeeks}, nil)}
			}},
		apiCase{name: f + "Admin attempts to create a policy for another account", status: 401,
			setup: func(w *world) req {
				other := newWorld(w.t)
				return req{method: "POST", path: "/policies", auth: "Bearer " + other.srv.AdminToken,
					body: doc("policies", map[string]any{"name": "Basic", "maxMachines": 1, "floating": false, "strict": true, "duration": twoWeeks},
						map[string]any{"product": link("products", w.prod)})}
			}},
	)
	runEach(t, newProductWorld, cases)
}

// policies makes n policies of the world's product and returns their ids in creation order.
func (w *world) policies(n int, attrs map[string]any) []string {
	var ids []string
	for range n {
		a := map[string]any{}
		for k, v := range attrs {
			a[k] = v
		}
		ids = append(ids, w.policy(w.prod, a))
	}
	return ids
}

func versioned(r req, ver string) req {
	r.headers = map[string]string{"Keygen-Version": ver}
	return r
}

// eachAttrs checks every listed resource holds the attributes.
func eachAttrs(n int, want map[string]any) func(t *testing.T, w *world, r *reply) {
	return func(t *testing.T, _ *world, r *reply) {
		assert.Len(t, r.list(), n, string(r.body))
		for _, d := range r.list() {
			attrs, _ := d.(map[string]any)["attributes"].(map[string]any)
			for k, v := range want {
				assert.Equal(t, v, attrs[k], k)
			}
		}
	}
}

func oneError(t *testing.T, _ *world, r *reply) {
	errs, _ := r.doc["errors"].([]any)
	assert.Len(t, errs, 1, string(r.body))
}

func TestPolicyFeaturesShowIndexDestroy(t *testing.T) {
	t.Parallel()
	const s, i, d = "policies/show.feature: ", "policies/index.feature: ", "policies/destroy.feature: "
	otherAdmin := func(w *world) string { return "Bearer " + newWorld(w.t).srv.AdminToken }
	staff := func(role string) func(w *world) string { return func(w *world) string { return w.roleAuth(role) } }
	cases := []apiCase{
		{name: i + "Admin retrieves all policies for their account", check: listLen(3),
			setup: func(w *world) req { w.policies(3, nil); return getAs("/policies", "") }},
		{name: d + "Admin deletes one of their policies", status: 204,
			setup: func(w *world) req {
				ids := w.policies(3, nil)
				return req{method: "DELETE", path: "/policies/" + ids[2]}
			},
			check: func(t *testing.T, w *world, _ *reply) { assert.Len(t, w.get("/policies").list(), 2) }},
		{name: d + "Admin attempts to delete a policy for another account", status: 401,
			setup: func(w *world) req {
				ids := w.policies(3, nil)
				return req{method: "DELETE", path: "/policies/" + ids[1], auth: otherAdmin(w)}
			},
			check: func(t *testing.T, w *world, r *reply) { oneError(t, w, r); assert.Len(t, w.get("/policies").list(), 3) }},
		{name: s + "Admin attempts to retrieve a policy for another account", status: 401, check: oneError,
			setup: func(w *world) req { ids := w.policies(3, nil); return getAs("/policies/"+ids[0], otherAdmin(w)) }},
		{name: i + "Admin attempts to retrieve all policies for another account", status: 401, check: oneError,
			setup: func(w *world) req { return getAs("/policies", otherAdmin(w)) }},
		{name: i + "License attempts to retrieve all policies", status: 403,
			setup: func(w *world) req {
				w.policies(5, nil)
				lic := w.licenseOf(w.policy(w.prod, nil), false, false, nil)
				return getAs("/policies", w.licenseAuth(lic, nil))
			}},
		{name: i + "User attempts to retrieve all policies", status: 403,
			setup: func(w *world) req {
				w.policies(5, nil)
				_, auth := w.userToken("user@example.com")
				return getAs("/policies", auth)
			}},
		{name: s + "Admin retrieves a policy with a process leasing strategy",
			attrs: map[string]any{"machineLeasingStrategy": "PER_LICENSE", "processLeasingStrategy": "PER_USER"},
			setup: func(w *world) req {
				return getAs("/policies/"+w.policy(w.prod, map[string]any{"machineLeasingStrategy": "PER_LICENSE", "processLeasingStrategy": "PER_USER"}), "")
			}},
		{name: s + "Admin retrieves a policy with a process leasing strategy (v1.6)", headers: map[string]string{"Keygen-Version": "1.6"},
			attrs: map[string]any{"machineLeasingStrategy": "PER_LICENSE", "leasingStrategy": "PER_USER"},
			check: func(t *testing.T, _ *world, r *reply) { assert.NotContains(t, r.attrs(), "processLeasingStrategy") },
			setup: func(w *world) req {
				return versioned(getAs("/policies/"+w.policy(w.prod, map[string]any{"machineLeasingStrategy": "PER_LICENSE", "processLeasingStrategy": "PER_USER"}), ""), "1.6")
			}},
		{name: i + "Admin retrieves policies with leasing strategies (v1.6)",
			check: eachAttrs(2, map[string]any{"machineLeasingStrategy": "PER_LICENSE", "leasingStrategy": "PER_MACHINE"}),
			setup: func(w *world) req {
				w.policies(2, map[string]any{"machineLeasingStrategy": "PER_LICENSE", "processLeasingStrategy": "PER_MACHINE"})
				return versioned(getAs("/policies", ""), "1.6")
			}},
		{name: i + "Admin retrieves policies with machine strategies (v1.4)",
			check: both(eachAttrs(2, map[string]any{"machineUniquenessStrategy": "UNIQUE_PER_POLICY", "machineMatchingStrategy": "MATCH_TWO"}),
				func(t *testing.T, w *world, r *reply) {
					assert.Equal(t, w.srv.AccountID, r.header.Get("Keygen-Account"))
					assert.Equal(t, "1.4", r.header.Get("Keygen-Version"))
				}),
			setup: func(w *world) req {
				w.policies(2, map[string]any{"machineUniquenessStrategy": "UNIQUE_PER_POLICY", "machineMatchingStrategy": "MATCH_TWO"})
				return versioned(getAs("/policies", ""), "1.4")
			}},
		// The 1.3 migrations rename Keygen-Account to Keygen-Account-Id
		// (app/migrations/rename_keygen_id_headers_for_responses_migration.rb).
		{name: i + "Admin retrieves policies with machine strategies (v1.3)",
			check: both(eachAttrs(2, map[string]any{"fingerprintUniquenessStrategy": "UNIQUE_PER_POLICY", "fingerprintMatchingStrategy": "MATCH_TWO"}),
				func(t *testing.T, w *world, r *reply) {
					assert.Equal(t, w.srv.AccountID, r.header.Get("Keygen-Account-Id"))
					assert.Empty(t, r.header.Values("Keygen-Account"))
					assert.Equal(t, "1.3", r.header.Get("Keygen-Version"))
				}),
			setup: func(w *world) req {
				w.policies(2, map[string]any{"machineUniquenessStrategy": "UNIQUE_PER_POLICY", "machineMatchingStrategy": "MATCH_TWO"})
				return versioned(getAs("/policies", ""), "1.3")
			}},
		{name: i + "Admin retrieves an offset-paginated list of policies", check: listLen(5),
			setup: func(w *world) req { w.policies(20, nil); return getAs("/policies?page[number]=2&page[size]=5", "") }},
		{name: i + "Admin retrieves an offset-paginated list of policies with a page size that is too high", status: 400,
			setup: func(w *world) req { w.policies(20, nil); return getAs("/policies?page[number]=1&page[size]=250", "") }},
		{name: i + "Admin retrieves an offset-paginated list of policies with a page size that is too low", status: 400,
			setup: func(w *world) req { w.policies(20, nil); return getAs("/policies?page[number]=1&page[size]=-10", "") }},
		{name: i + "Admin retrieves an offset-paginated list of policies with an invalid page number", status: 400,
			setup: func(w *world) req { w.policies(20, nil); return getAs("/policies?page[number]=-1&page[size]=10", "") }},
		{name: i + "Admin retrieves all policies without a limit for their account", check: listLen(10),
			setup: func(w *world) req { w.policies(20, nil); return getAs("/policies", "") }},
		{name: i + "Admin retrieves all policies with a low limit for their account", check: listLen(5),
			setup: func(w *world) req { w.policies(10, nil); return getAs("/policies?limit=5", "") }},
		{name: i + "Admin retrieves all policies with a high limit for their account", check: listLen(20),
			setup: func(w *world) req { w.policies(20, nil); return getAs("/policies?limit=20", "") }},
		{name: i + "Admin retrieves all policies with a limit that is too high", status: 400,
			setup: func(w *world) req { w.policies(20, nil); return getAs("/policies?limit=900", "") }},
		{name: i + "Admin retrieves all policies with a limit that is too low", status: 400,
			setup: func(w *world) req { w.policies(20, nil); return getAs("/policies?limit=-10", "") }},
	}
	// Keyset pagination over 19 policies, newest first; $policies[-n] is the nth newest.
	for _, k := range []struct {
		name        string
		cursor, nxt int // index from the end (0 = none)
		n           int
	}{{"Admin retrieves a keyset-paginated list of policies (first page)", 0, 5, 5},
		{"Admin retrieves a keyset-paginated list of policies (next page)", 5, 10, 5},
		{"Admin retrieves a keyset-paginated list of policies (last page)", 15, 0, 4}} {
		var ids []string
		cases = append(cases, apiCase{name: i + k.name,
			setup: func(w *world) req {
				ids = w.policies(19, nil)
				cur := ""
				if k.cursor > 0 {
					cur = ids[len(ids)-k.cursor]
				}
				return getAs("/policies?page[size]=5&page[cursor]="+cur, "")
			},
			check: func(t *testing.T, w *world, r *reply) {
				base := "/v1/accounts/" + w.srv.AccountID + "/policies"
				cur := ""
				if k.cursor > 0 {
					cur = ids[len(ids)-k.cursor]
				}
				var next any
				if k.nxt > 0 {
					next = base + "?page[cursor]=" + ids[len(ids)-k.nxt] + "&page[size]=5"
				}
				listLen(k.n)(t, w, r)
				wantLinks(map[string]any{"self": base + "?page[cursor]=" + cur + "&page[size]=5", "next": next})(t, w, r)
			}})
	}
	for _, st := range []struct{ name, role, path string }{
		{s + "Developer retrieves a policy for their account", "developer", "one"},
		{s + "Sales retrieves a policy for their account", "sales-agent", "one"},
		{s + "Read-only retrieves a policy for their account", "read-only", "one"},
		{i + "Developer retrieves all policies for their account", "developer", "all"},
		{i + "Sales retrieves all policies for their account", "sales-agent", "all"},
		{i + "Support retrieves all policies for their account", "support-agent", "all"},
	} {
		auth := staff(st.role)
		if st.path == "one" {
			cases = append(cases, apiCase{name: st.name, check: func(t *testing.T, w *world, r *reply) { assert.Equal(t, "policies", r.data()["type"]) },
				setup: func(w *world) req { ids := w.policies(3, nil); return getAs("/policies/"+ids[0], auth(w)) }})
		} else {
			cases = append(cases, apiCase{name: st.name, check: listLen(3),
				setup: func(w *world) req { w.policies(3, nil); return getAs("/policies", auth(w)) }})
		}
	}
	for _, vc := range []struct{ name, ver, attr, sent, want string }{
		{"Admin retrieves a policy with a machine uniqueness strategy (v1.4)", "1.4", "machineUniquenessStrategy", "machineUniquenessStrategy", "UNIQUE_PER_PRODUCT"},
		{"Admin retrieves a policy with a machine uniqueness strategy (v1.3)", "1.3", "fingerprintUniquenessStrategy", "machineUniquenessStrategy", "UNIQUE_PER_PRODUCT"},
		{"Admin retrieves a policy with a machine uniqueness strategy (v1.2)", "1.2", "fingerprintUniquenessStrategy", "machineUniquenessStrategy", "UNIQUE_PER_PRODUCT"},
		{"Admin retrieves a policy with a machine uniqueness strategy (v1.1)", "1.1", "fingerprintUniquenessStrategy", "machineUniquenessStrategy", "UNIQUE_PER_PRODUCT"},
		{"Admin retrieves a policy with a machine uniqueness strategy (v1.0)", "1.0", "fingerprintUniquenessStrategy", "machineUniquenessStrategy", "UNIQUE_PER_PRODUCT"},
		{"Admin retrieves a policy with a machine matching strategy (v1.4)", "1.4", "machineMatchingStrategy", "machineMatchingStrategy", "MATCH_ANY"},
		{"Admin retrieves a policy with a machine matching strategy (v1.3)", "1.3", "fingerprintMatchingStrategy", "machineMatchingStrategy", "MATCH_ANY"},
		{"Admin retrieves a policy with a machine matching strategy (v1.2)", "1.2", "fingerprintMatchingStrategy", "machineMatchingStrategy", "MATCH_ANY"},
		{"Admin retrieves a policy with a machine matching strategy (v1.1)", "1.1", "fingerprintMatchingStrategy", "machineMatchingStrategy", "MATCH_ANY"},
		{"Admin retrieves a policy with a machine matching strategy (v1.0)", "1.0", "fingerprintMatchingStrategy", "machineMatchingStrategy", "MATCH_ANY"},
	} {
		cases = append(cases, apiCase{name: s + vc.name, attrs: map[string]any{vc.attr: vc.want}, headers: map[string]string{"Keygen-Version": vc.ver},
			setup: func(w *world) req {
				return versioned(getAs("/policies/"+w.policy(w.prod, map[string]any{vc.sent: vc.want}), ""), vc.ver)
			}})
	}
	runEach(t, newProductWorld, cases)
}

func patchPolicyReq(id string, attrs map[string]any, ver string) req {
	r := req{method: "PATCH", path: "/policies/" + id, body: map[string]any{"data": map[string]any{"type": "policies", "id": id, "attributes": attrs}}}
	if ver != "" {
		r = versioned(r, ver)
	}
	return r
}

func TestPolicyFeaturesUpdate(t *testing.T) {
	t.Parallel()
	const u = "policies/update.feature: "
	bad := func(name string, attrs map[string]any, ver string) apiCase {
		return apiCase{name: u + name, status: 400, title: "Bad request",
			setup: func(w *world) req { return patchPolicyReq(w.policy(w.prod, nil), attrs, ver) }}
	}
	cases := []apiCase{
		{name: u + "Admin updates a policy for their account",
			attrs: map[string]any{"duration": 31557600.0, "requireFingerprintScope": true, "requireComponentsScope": true, "name": "Trial",
				"maxProcesses": 69.0, "maxUsers": 420.0, "maxCores": 32.0, "maxUses": 3.0},
			setup: func(w *world) req {
				id := w.policy(w.prod, map[string]any{"duration": 31557600, "maxCores": 12, "maxUses": 5})
				return patchPolicyReq(id, map[string]any{"requireFingerprintScope": true, "requireComponentsScope": true, "name": "Trial",
					"maxProcesses": 69, "maxUsers": 420, "maxCores": 32, "maxUses": 3}, "1.1")
			}},
		{name: u + "Admin removes attributes from a policy for their account",
			attrs: map[string]any{"requireUserScope": false, "requireChecksumScope": true, "requireVersionScope": true, "requireCheckIn": false,
				"checkInInterval": nil, "checkInIntervalCount": nil, "duration": nil},
			setup: func(w *world) req {
				id := w.policy(w.prod, map[string]any{"requireUserScope": true, "requireChecksumScope": false, "requireVersionScope": false,
					"requireCheckIn": true, "checkInInterval": "day", "checkInIntervalCount": 1})
				// The factory stores a duration of 86000, under the validated floor.
				w.withStore(func(db *store) { db.policies[id].Duration = ptr(int64(86000)) })
				return patchPolicyReq(id, map[string]any{"requireUserScope": false, "requireChecksumScope": true, "requireVersionScope": true,
					"requireCheckIn": false, "checkInInterval": nil, "checkInIntervalCount": nil, "duration": nil}, "")
			}},
		{name: u + "Admin attempts to update a policy for another account", status: 401,
			setup: func(w *world) req {
				r := req{method: "PATCH", path: "/policies/" + w.policy(w.prod, nil), auth: "Bearer " + newWorld(w.t).srv.AdminToken,
					body: doc("policies", map[string]any{"name": "Product Add-On"}, nil)}
				return r
			}},
		bad("Admin updates a policy's scheme attribute for their account", map[string]any{"scheme": "RSA_2048_PKCS1_SIGN"}, ""),
		bad("Admin updates a policy's encrypted attribute for their account", map[string]any{"encrypted": false}, ""),
		bad("Admin updates a policy for their account to use a pool", map[string]any{"usePool": true}, ""),
		bad("Admin updates a policy to be concurrent (v1.2)", map[string]any{"concurrent": false}, "1.2"),
		{name: u + "Admin updates a policy to be concurrent (v1.1)", attrs: map[string]any{"overageStrategy": "NO_OVERAGE", "concurrent": false},
			setup: func(w *world) req {
				return patchPolicyReq(w.policy(w.prod, nil), map[string]any{"concurrent": false}, "1.1")
			}},
		{name: u + "Admin updates a policy to be concurrent (v1.0)", attrs: map[string]any{"overageStrategy": "NO_OVERAGE", "concurrent": false},
			setup: func(w *world) req {
				return patchPolicyReq(w.policy(w.prod, nil), map[string]any{"concurrent": false}, "1.0")
			}},
		{name: u + "Admin updates a policy's fingerprint strategies (v1.4)", status: 400, title: "Bad request", detail: "unpermitted parameter",
			source: map[string]any{"pointer": "/data/attributes/fingerprintUniquenessStrategy"},
			setup: func(w *world) req {
				// Sent verbatim: typed params report the first unpermitted key in the body's order.
				return versioned(req{method: "PATCH", path: "/policies/" + w.policy(w.prod, nil),
					raw: `{"data":{"type":"policies","attributes":{"fingerprintUniquenessStrategy":"UNIQUE_PER_ACCOUNT","fingerprintMatchingStrategy":"MATCH_MOST"}}}`}, "1.4")
			}},
		{name: u + "Admin updates a policy's fingerprint strategies (v1.0)",
			attrs: map[string]any{"fingerprintUniquenessStrategy": "UNIQUE_PER_ACCOUNT", "fingerprintMatchingStrategy": "MATCH_MOST"},
			setup: func(w *world) req {
				return versioned(req{method: "PATCH", path: "/policies/" + w.policy(w.prod, nil),
					body: doc("policies", map[string]any{"fingerprintUniquenessStrategy": "UNIQUE_PER_ACCOUNT", "fingerprintMatchingStrategy": "MATCH_MOST"}, nil)}, "1.0")
			}},
	}
	runEach(t, newProductWorld, cases)
}

// Rules of app/models/policy.rb that no scenario pins.
func TestPolicyModelRules(t *testing.T) {
	t.Parallel()
	const m = "app/models/policy.rb: "
	post := func(attrs map[string]any) func(w *world) req {
		return func(w *world) req { attrs["name"] = "P"; return postPolicy(w, attrs, "") }
	}
	pointers := func(want ...string) func(t *testing.T, w *world, r *reply) {
		return func(t *testing.T, _ *world, r *reply) {
			var got []string
			errs, _ := r.doc["errors"].([]any)
			for _, e := range errs {
				src, _ := e.(map[string]any)["source"].(map[string]any)
				got = append(got, src["pointer"].(string))
			}
			assert.Equal(t, want, got, string(r.body))
		}
	}
	cases := []apiCase{
		{name: m + "max_machines is at most 2147483647 (floating)", status: 422, code: "MAX_MACHINES_INVALID",
			detail: "must be less than or equal to 2147483647", source: map[string]any{"pointer": "/data/attributes/maxMachines"}, check: oneError,
			setup: post(map[string]any{"floating": true, "maxMachines": 2147483648})},
		{name: m + "max_machines is at most 2147483647 before the node-locked rule", status: 422, code: "MAX_MACHINES_INVALID",
			detail: "must be less than or equal to 2147483647", source: map[string]any{"pointer": "/data/attributes/maxMachines"}, check: oneError,
			setup: post(map[string]any{"floating": false, "maxMachines": 2147483648})},
		// The cull strategy's ALWAYS_REVIVE rule is declared before the heartbeat basis's
		// inclusion, so its error comes first.
		{name: m + "incompatible heartbeat cull strategy is reported before an unsupported heartbeat basis", status: 422,
			code: "HEARTBEAT_CULL_STRATEGY_NOT_ALLOWED", detail: "incompatible heartbeat cull strategy (must be KEEP_DEAD when resurrection strategy is ALWAYS_REVIVE)",
			check: pointers("/data/attributes/heartbeatCullStrategy", "/data/attributes/heartbeatBasis", "/data/attributes/transferStrategy"),
			setup: post(map[string]any{"heartbeatResurrectionStrategy": "ALWAYS_REVIVE", "heartbeatCullStrategy": "DEACTIVATE_DEAD",
				"heartbeatBasis": "FROM_NEVER", "transferStrategy": "NOPE"})},
		// max_processes and max_users are validated before the overage strategy's inclusion.
		{name: m + "max processes and max users are reported before an unsupported overage strategy", status: 422,
			code: "MAX_PROCESSES_INVALID", detail: "must be greater than 0",
			check: pointers("/data/attributes/maxProcesses", "/data/attributes/maxUsers", "/data/attributes/overageStrategy"),
			setup: post(map[string]any{"overageStrategy": "SOMETIMES", "maxProcesses": 0, "maxUsers": 0})},
	}
	runEach(t, newProductWorld, cases)
}

// PoliciesController#update declares data.attributes without optional: a document without
// attributes is refused by typed params (app/controllers/api/v1/policies_controller.rb).
func TestPolicyUpdateRequiresAttributes(t *testing.T) {
	t.Parallel()
	runEach(t, newProductWorld, []apiCase{
		{name: "app/controllers/api/v1/policies_controller.rb: update requires data.attributes", status: 400, title: "Bad request",
			detail: "is missing", source: map[string]any{"pointer": "/data/attributes"}, check: oneError,
			setup: func(w *world) req {
				id := w.policy(w.prod, nil)
				return req{method: "PATCH", path: "/policies/" + id, body: map[string]any{"data": map[string]any{"type": "policies", "id": id}}}
			}},
	})
}
