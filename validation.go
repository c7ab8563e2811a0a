package keygen

import "time"

// ValidationCode is the outcome code of a license validation (keygen-api.md §3).
type ValidationCode string

// Validation codes. Check Validation.Valid, not Code == Valid: some codes (EXPIRED,
// TOO_MANY_MACHINES…) come with valid=true under lenient policies.
const (
	ValidationValid                    ValidationCode = "VALID"
	ValidationNotFound                 ValidationCode = "NOT_FOUND"
	ValidationBanned                   ValidationCode = "BANNED"
	ValidationSuspended                ValidationCode = "SUSPENDED"
	ValidationExpired                  ValidationCode = "EXPIRED"
	ValidationOverdue                  ValidationCode = "OVERDUE"
	ValidationNoMachine                ValidationCode = "NO_MACHINE"
	ValidationNoMachines               ValidationCode = "NO_MACHINES"
	ValidationTooManyMachines          ValidationCode = "TOO_MANY_MACHINES"
	ValidationTooManyCores             ValidationCode = "TOO_MANY_CORES"
	ValidationTooMuchMemory            ValidationCode = "TOO_MUCH_MEMORY"
	ValidationTooMuchDisk              ValidationCode = "TOO_MUCH_DISK"
	ValidationTooManyProcesses         ValidationCode = "TOO_MANY_PROCESSES"
	ValidationTooManyUsers             ValidationCode = "TOO_MANY_USERS"
	ValidationFingerprintScopeRequired ValidationCode = "FINGERPRINT_SCOPE_REQUIRED"
	ValidationFingerprintScopeMismatch ValidationCode = "FINGERPRINT_SCOPE_MISMATCH"
	ValidationFingerprintScopeEmpty    ValidationCode = "FINGERPRINT_SCOPE_EMPTY"
	ValidationMachineScopeRequired     ValidationCode = "MACHINE_SCOPE_REQUIRED"
	ValidationMachineScopeMismatch     ValidationCode = "MACHINE_SCOPE_MISMATCH"
	ValidationProductScopeRequired     ValidationCode = "PRODUCT_SCOPE_REQUIRED"
	ValidationProductScopeMismatch     ValidationCode = "PRODUCT_SCOPE_MISMATCH"
	ValidationPolicyScopeRequired      ValidationCode = "POLICY_SCOPE_REQUIRED"
	ValidationPolicyScopeMismatch      ValidationCode = "POLICY_SCOPE_MISMATCH"
	ValidationUserScopeRequired        ValidationCode = "USER_SCOPE_REQUIRED"
	ValidationUserScopeMismatch        ValidationCode = "USER_SCOPE_MISMATCH"
	ValidationEntitlementsMissing      ValidationCode = "ENTITLEMENTS_MISSING"
	ValidationEntitlementsScopeEmpty   ValidationCode = "ENTITLEMENTS_SCOPE_EMPTY"
	ValidationComponentsScopeRequired  ValidationCode = "COMPONENTS_SCOPE_REQUIRED"
	ValidationComponentsScopeMismatch  ValidationCode = "COMPONENTS_SCOPE_MISMATCH"
	ValidationComponentsScopeEmpty     ValidationCode = "COMPONENTS_SCOPE_EMPTY"
	ValidationHeartbeatNotStarted      ValidationCode = "HEARTBEAT_NOT_STARTED"
	ValidationHeartbeatDead            ValidationCode = "HEARTBEAT_DEAD"
	ValidationEnvironmentScopeRequired ValidationCode = "ENVIRONMENT_SCOPE_REQUIRED"
	ValidationEnvironmentScopeMismatch ValidationCode = "ENVIRONMENT_SCOPE_MISMATCH"
	ValidationChecksumScopeRequired    ValidationCode = "CHECKSUM_SCOPE_REQUIRED"
	ValidationChecksumScopeMismatch    ValidationCode = "CHECKSUM_SCOPE_MISMATCH"
	ValidationVersionScopeRequired     ValidationCode = "VERSION_SCOPE_REQUIRED"
	ValidationVersionScopeMismatch     ValidationCode = "VERSION_SCOPE_MISMATCH"
)

// ValidationScope narrows a validation (keygen-api.md §3). Empty fields are not sent.
type ValidationScope struct {
	Product      string   `json:"product,omitempty"`
	Policy       string   `json:"policy,omitempty"`
	User         string   `json:"user,omitempty"`
	Machine      string   `json:"machine,omitempty"`
	Fingerprint  string   `json:"fingerprint,omitempty"`
	Fingerprints []string `json:"fingerprints,omitempty"`
	Components   []string `json:"components,omitempty"`
	Entitlements []string `json:"entitlements,omitempty"`
	Checksum     string   `json:"checksum,omitempty"`
	Version      string   `json:"version,omitempty"`
	Environment  string   `json:"environment,omitempty"`
}

// ValidateOptions are the optional parts of a validation.
type ValidateOptions struct {
	Scope *ValidationScope
	// Nonce is echoed in the signed answer. With WithPublicKey a random one is sent when
	// this is zero, and the answer must echo it.
	Nonce int64
}

// Validation is the outcome of a license validation. It is data, not an error: an invalid,
// expired or unknown license is a Validation with Valid false.
type Validation struct {
	Valid  bool
	Code   ValidationCode
	Detail string
	// Timestamp is the server's time of the validation (meta.ts): signed, so a trusted clock.
	Timestamp time.Time
	Nonce     int64
	// Scope is the scope the server echoed back.
	Scope *ValidationScope
	// License is the validated license, nil for NOT_FOUND.
	License *License
}
