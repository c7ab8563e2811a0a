package keygentest

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"regexp"
	"strings"
)

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// isUUID reports whether s looks like a UUID, the test Keygen uses to tell ids from aliases.
func isUUID(s string) bool { return uuidRE.MatchString(s) }

// uuidLikeRE is Keygen's UUID_RE (config/initializers/regexp.rb): any case, dashes
// optional. It is what typed_params' uuid type accepts and what e.g. Entitlement#code
// must not match (app/models/entitlement.rb).
var uuidLikeRE = regexp.MustCompile(`^(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$`)

// pgUUID is how Postgres reads a uuid Keygen looks up by primary key: any case, dashes
// optional (UUID_RE); it returns the stored (lower-case, dashed) form, or "" when s is no
// UUID.
func pgUUID(s string) string {
	if !uuidLikeRE.MatchString(s) {
		return ""
	}
	h := lower(strings.ReplaceAll(s, "-", ""))
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:16])
	return string(out[:])
}

// randomHex returns n random bytes as 2n hex characters.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// digest is the hex SHA-256 under which secrets (tokens, reset tokens) are stored.
func digest(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// tokenPrefixes maps a bearer kind to the prefix of its token secrets (app/models/token.rb).
var tokenPrefixes = map[string]string{
	"admin-token":       "admin",
	"developer-token":   "dev",
	"sales-token":       "sales",
	"support-token":     "spprt",
	"read-only-token":   "read",
	"environment-token": "env",
	"product-token":     "prod",
	"user-token":        "user",
	"activation-token":  "activ",
}

// newTokenSecret makes a secret in Keygen's v3 format: <prefix>-<64 hex>v3, where license
// (activation) tokens carry only 32 hex characters.
func newTokenSecret(kind string) string {
	prefix := tokenPrefixes[kind]
	if prefix == "" {
		prefix = "user"
	}
	n := 32
	if kind == "activation-token" {
		n = 16
	}
	return prefix + "-" + randomHex(n) + "v3"
}

// passwordHash is a salted SHA-256 of a password. A fake needs no slow hash; it only must
// never keep the password itself.
type passwordHash struct {
	salt string
	sum  string
}

func hashPassword(pw string) *passwordHash {
	salt := randomHex(8)
	return &passwordHash{salt: salt, sum: digest(salt + pw)}
}

func (h *passwordHash) matches(pw string) bool {
	if h == nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(h.sum), []byte(digest(h.salt+pw))) == 1
}

// newLicenseKey makes Keygen's default license key: 32 hex characters whose last two are
// forced to "v3", upper-cased and grouped by 6 with dashes (generate_unencrypted_key! in
// app/models/license.rb).
func newLicenseKey() string {
	raw := strings.ToUpper(randomHex(15) + "v3")
	var groups []string
	for i := 0; i < len(raw); i += 6 {
		groups = append(groups, raw[i:min(i+6, len(raw))])
	}
	return strings.Join(groups, "-")
}
