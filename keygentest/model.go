package keygentest

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"sync"
	"time"
)

// base holds what every stored entity has. Times come from the server clock.
type base struct {
	ID        string
	AccountID string
	Created   time.Time
	Updated   time.Time
}

func (b *base) meta() *base { return b }

// entity is implemented by every stored type (through the embedded base), which lets the
// list helpers sort and page any of them.
type entity interface{ meta() *base }

// Account is the tenant every other entity belongs to.
type Account struct {
	base
	Slug       string
	Name       string
	Protected  bool
	APIVersion string // the pinned version applied when a request sends no Keygen-Version
	PrivateKey ed25519.PrivateKey

	// The RSA-2048 and ECDSA P-256 keys are made on first use (keyschemes.go): RSA key
	// generation is slow, and most tests never need it.
	rsaOnce   sync.Once
	rsaKey    *rsa.PrivateKey
	ecdsaOnce sync.Once
	ecdsaKey  *ecdsa.PrivateKey
}

// User is a person of the account (keygen-api.md §2.4); admins are users with role admin.
type User struct {
	base
	Email       string // stored lower-cased
	FirstName   *string
	LastName    *string
	Role        string // user, admin, developer, sales-agent, support-agent, read-only
	Permissions []string
	Metadata    map[string]any // keys snake_case, as received after key conversion
	GroupID     *string
	BannedAt    *time.Time
	// Password is a salted hash; nil means the user has no password.
	Password *passwordHash
	// ResetDigest is the SHA-256 (hex) of the last password-reset token handed out.
	ResetDigest string
	ResetSentAt *time.Time
}

// Token is an API token (keygen-api.md §2.1). Only a digest of its secret is kept.
type Token struct {
	base
	Kind             string // admin-token, user-token, product-token, activation-token, ...
	BearerType       string // users, products, licenses, environments
	BearerID         string
	Digest           string // hex SHA-256 of the secret
	Name             *string
	Expiry           *time.Time
	MaxActivations   *int
	Activations      int
	MaxDeactivations *int
	Deactivations    int
	Permissions      []string
}

// Product is a product of the account (keygen-api.md §2.2).
type Product struct {
	base
	Name                 string
	Code                 *string
	DistributionStrategy *string // LICENSED by default; nullable on update
	URL                  *string
	Platforms            []string // nil renders as null
	Permissions          []string
	Metadata             map[string]any
}

// Policy is a license policy (keygen-api.md §2.3), holding every attribute with its default.
type Policy struct {
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

// License is a license (keygen-api.md §2.6). Limits hold the license's own overrides; the
// effective value falls back to the policy's (see effective* helpers in limits.go).
type License struct {
	base
	PolicyID string
	OwnerID  *string
	GroupID  *string
	UserIDs  []string // attached licensees, besides the owner
	// userLinks holds the license-users records of UserIDs by user id (license_users.go);
	// made on first use for licensees set directly.
	userLinks     map[string]*LicenseUser
	Name          *string
	Key           string
	Expiry        *time.Time
	Uses          int64
	Suspended     bool
	Protected     *bool // nil: inherit the policy's flag
	Version       *string
	MaxMachines   *int64
	MaxProcesses  *int64
	MaxUsers      *int64
	MaxCores      *int64
	MaxMemory     *int64
	MaxDisk       *int64
	MaxUses       *int64
	LastValidated *time.Time
	LastCheckIn   *time.Time
	LastCheckOut  *time.Time
	Permissions   []string
	Metadata      map[string]any
}

// LicenseUser is one license-users record: a user attached to a license besides its
// owner (keygen-api.md §2.6, POST|DELETE /licenses/{id}/users).
type LicenseUser struct {
	base
	LicenseID string
	UserID    string
}

// Machine is an activated machine (keygen-api.md §2.7).
type Machine struct {
	base
	LicenseID     string
	OwnerID       *string
	GroupID       *string
	Fingerprint   string
	Cores         *int64
	Memory        *int64
	Disk          *int64
	IP            *string
	Hostname      *string
	Platform      *string
	Name          *string
	LastHeartbeat *time.Time
	LastCheckOut  *time.Time
	// ResurrectedAt is set by a reviving ping; the status is RESURRECTED until the next ping.
	ResurrectedAt *time.Time
	// HeartbeatEverSent makes requireHeartbeat true even when the policy does not require it.
	HeartbeatEverSent bool
	// DeathEventSent is set once machine.heartbeat.dead was emitted (reset on resurrection).
	DeathEventSent bool
	Metadata       map[string]any
}

// Key is a pooled key of a policy (keygen-api.md §2.8).
type Key struct {
	base
	PolicyID string
	Key      string
}

// WebhookEndpoint is a registered webhook receiver (keygen-api.md §2.9).
type WebhookEndpoint struct {
	base
	URL                string
	Subscriptions      []string
	SignatureAlgorithm string
	APIVersion         string
	ProductID          *string
}

// WebhookEvent is one delivery record (keygen-api.md §2.10).
type WebhookEvent struct {
	base
	EndpointID       string
	Endpoint         string
	APIVersion       *string
	Payload          string // the rendered resource document, as a JSON string
	Event            string
	Status           string // DELIVERING, DELIVERED, FAILING, FAILED
	LastResponseCode *int
	LastResponseBody *string
	IdempotencyToken string
}
