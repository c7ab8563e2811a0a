package keygen

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
)

// ValidationCode is the outcome code of a license validation (keygen-sh/keygen-api,
// app/services/license_validation_service.rb).
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

// ValidationScope narrows a validation (keygen-sh/keygen-api,
// app/controllers/api/v1/licenses/actions/validations_controller.rb). Empty fields are not
// sent.
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

// Validate validates a license by id or key:
// POST /v1/accounts/{account}/licenses/{id}/actions/validate. An invalid license is a
// Validation with Valid false, not an error; an unknown id is a 404 *Error.
func (s *LicensesService) Validate(ctx context.Context, id string, opts *ValidateOptions) (*Validation, error) {
	path, err := pathf("/licenses/%s/actions/validate", id)
	if err != nil {
		return nil, err
	}
	meta := s.validationMeta(opts)
	r := &request{method: "POST", path: path}
	if meta.Nonce != 0 || meta.Scope != nil {
		r.body = jsonapi.Body{Meta: meta}
	}
	return s.validate(ctx, r, question{nonce: meta.Nonce, scope: meta.Scope, bindScope: true})
}

// ValidateKey validates a license by its key:
// POST /v1/accounts/{account}/licenses/actions/validate-key. Keygen needs no credentials for
// it, so a client without any can call it (the client's credentials are sent if it has
// some). An unknown key is not an error: it is a Validation with Code NOT_FOUND and a nil
// License. Signed keys (with "/") work here, unlike in paths.
func (s *LicensesService) ValidateKey(ctx context.Context, key string, opts *ValidateOptions) (*Validation, error) {
	if strings.TrimSpace(key) == "" {
		return nil, argErr("Licenses.ValidateKey", "key is required")
	}
	meta := s.validationMeta(opts)
	meta.Key = key
	r := &request{method: "POST", path: "/licenses/actions/validate-key", body: jsonapi.Body{Meta: meta}}
	return s.validate(ctx, r, question{nonce: meta.Nonce, scope: meta.Scope, bindScope: true, key: key})
}

// question is what a validation asked, which its signed answer must match. Keygen signs the
// method, path, host, date and the digest of the answer, not the request body nor the
// credential, so a relay could ask another question (another key, another fingerprint, no
// scope at all) and hand back the genuine signed answer to it. The server echoes what it was
// asked (meta.scope, meta.nonce, the license found by its key: keygen-sh/keygen-api,
// app/controllers/api/v1/licenses/actions/validations_controller.rb), so the answer can be
// held to the question here.
type question struct {
	nonce int64
	// scope is the scope sent (nil for none); bindScope says the echo must match it (the
	// quick GET validation sends none and gets none).
	scope     *ValidationScope
	bindScope bool
	// key is the license key sent by ValidateKey: a license in the answer must have it.
	key string
}

// validationMeta is the meta of a validation request.
type validationMeta struct {
	Key   string           `json:"key,omitempty"`
	Nonce int64            `json:"nonce,omitempty"`
	Scope *ValidationScope `json:"scope,omitempty"`
}

// validationMeta builds the request meta (scope and nonce). With a public key and no caller
// nonce, a random one is made up so that a recorded signed answer cannot be replayed to us.
func (s *LicensesService) validationMeta(opts *ValidateOptions) *validationMeta {
	m := &validationMeta{}
	if opts != nil {
		m.Nonce, m.Scope = opts.Nonce, opts.Scope
	}
	if m.Nonce == 0 && s.c.cfg.publicKey != nil {
		m.Nonce = newNonce()
	}
	return m
}

// newNonce returns a random positive integer below 2^53, so that it survives JSON numbers
// decoded as float64 anywhere on the way.
func newNonce() int64 {
	var b [8]byte
	for {
		_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error since Go 1.24
		if n := int64(binary.BigEndian.Uint64(b[:]) & (1<<53 - 1)); n > 0 {
			return n
		}
	}
}

// validationAnswer is the top-level meta of a validation answer (keygen-sh/keygen-api,
// app/controllers/api/v1/licenses/actions/validations_controller.rb). The scope is kept raw
// so that the echo can be compared with what was sent, null and absence included.
type validationAnswer struct {
	TS     time.Time       `json:"ts"`
	Valid  bool            `json:"valid"`
	Detail string          `json:"detail"`
	Code   ValidationCode  `json:"code"`
	Nonce  *int64          `json:"nonce"`
	Scope  json.RawMessage `json:"scope"`
}

// validate sends a validation and reads its meta and (possibly null) license. The response
// signature, when checked, has already passed in c.send; that the signed answer answers q
// (nonce, scope, key) is checked here. Its own errors leave out the path and the key: they
// may hold the license key.
func (s *LicensesService) validate(ctx context.Context, r *request, q question) (*Validation, error) {
	resp, err := s.c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	// One pass over the answer: the license and the validation meta together.
	doc, err := jsonapi.DecodeOne[License, validationAnswer](resp.body)
	if err != nil {
		return nil, fmt.Errorf("keygen: license validation: %w", err)
	}
	m := &doc.Meta
	if m.Code == "" {
		return nil, errors.New("keygen: license validation: the answer has no meta.code")
	}
	verifying := s.c.cfg.publicKey != nil
	if verifying && q.nonce != 0 && (m.Nonce == nil || *m.Nonce != q.nonce) {
		return nil, sigErr("validation nonce does not match the one sent (a replayed answer?)")
	}
	if verifying && q.bindScope {
		if err := sameScope(q.scope, m.Scope); err != nil {
			return nil, err
		}
	}
	v := &Validation{Valid: m.Valid, Code: m.Code, Detail: m.Detail, Timestamp: m.TS}
	if len(m.Scope) > 0 && !bytes.Equal(bytes.TrimSpace(m.Scope), []byte("null")) {
		v.Scope = new(ValidationScope)
		if err := json.Unmarshal(m.Scope, v.Scope); err != nil {
			return nil, fmt.Errorf("keygen: license validation: decoding meta.scope: %w", err)
		}
	}
	if m.Nonce != nil {
		v.Nonce = *m.Nonce
	}
	if doc.Data != nil {
		v.License = &doc.Data.Attributes
		if err := bindModel[License](v.License, &doc.Data.Head); err != nil {
			return nil, fmt.Errorf("keygen: license validation: %w", err)
		}
		if verifying && q.key != "" && v.License.Key != q.key {
			// Keygen finds the license by the exact key sent (LicenseKeyLookupService), so
			// another key in the answer means another question was asked on our behalf.
			return nil, sigErr("validation answer is about another license key than the one sent (a relayed answer?)")
		}
	}
	return v, nil
}

// sameScope checks that the scope Keygen echoed is the one sent: present exactly when one
// was sent, with the same members and values (JSON equality: member order and spacing do
// not matter; the server echoes arrays as sent, duplicates included).
func sameScope(sent *ValidationScope, echoed json.RawMessage) error {
	echoed = bytes.TrimSpace(echoed)
	absent := len(echoed) == 0 || bytes.Equal(echoed, []byte("null"))
	switch {
	case sent == nil && absent:
		return nil
	case sent == nil:
		return sigErr("validation answer echoes a scope although none was sent (a relayed answer?)")
	case absent:
		return sigErr("validation answer echoes no scope although one was sent (a relayed answer?)")
	}
	want, err := marshalJSON(sent)
	if err != nil {
		return err
	}
	var a, b any
	if err := json.Unmarshal(want, &a); err != nil {
		return err
	}
	if err := json.Unmarshal(echoed, &b); err != nil {
		return sigErr("validation answer's scope is not JSON")
	}
	if !reflect.DeepEqual(a, b) {
		return sigErr("validation answer echoes another scope than the one sent (a relayed answer?)")
	}
	return nil
}

// QuickValidate validates a license by id or key, without scope checks:
// GET /v1/accounts/{account}/licenses/{id}/actions/validate. Keygen skips every scope check
// (fingerprint, product…), takes no nonce and sends no validation webhook, so it suits a
// backend asking "is this license in good standing?". An app checking its own machine should
// use Validate or ValidateKey with a scope instead. With WithPublicKey the answer's signature
// is still checked, but with no nonce a recorded answer could be replayed.
func (s *LicensesService) QuickValidate(ctx context.Context, idOrKey string) (*Validation, error) {
	path, err := pathf("/licenses/%s/actions/validate", idOrKey)
	if err != nil {
		return nil, err
	}
	return s.validate(ctx, &request{method: "GET", path: path}, question{})
}
