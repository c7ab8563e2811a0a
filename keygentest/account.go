package keygentest

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"sync"
)

// account is the tenant every other entity belongs to.
type account struct {
	base
	Slug       string
	Name       string
	Protected  bool
	APIVersion string // the pinned version applied when a request sends no Keygen-Version
	PrivateKey ed25519.PrivateKey

	// The RSA-2048 and ECDSA P-256 keys are made on first use (Account.rsa, Account.ecdsa): RSA
	// key generation is slow, and most tests never need it.
	rsaOnce   sync.Once
	rsaKey    *rsa.PrivateKey
	ecdsaOnce sync.Once
	ecdsaKey  *ecdsa.PrivateKey
}

// findAccount resolves an account by UUID or slug (case-insensitive slug).
func (db *store) findAccount(idOrSlug string) *account {
	if a := db.accounts[idOrSlug]; a != nil {
		return a
	}
	slug := lower(idOrSlug)
	for _, a := range db.accounts {
		if a.Slug == slug {
			return a
		}
	}
	return nil
}

// rsa returns the account's RSA-2048 key, generating it once on first use (RSA key
// generation is slow, so a server that never signs with RSA never pays for it).
func (a *account) rsa() *rsa.PrivateKey {
	a.rsaOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic("keygentest: generate RSA key: " + err.Error())
		}
		a.rsaKey = k
	})
	return a.rsaKey
}

// ecdsa returns the account's ECDSA P-256 key, generating it once on first use.
func (a *account) ecdsa() *ecdsa.PrivateKey {
	a.ecdsaOnce.Do(func() {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic("keygentest: generate ECDSA key: " + err.Error())
		}
		a.ecdsaKey = k
	})
	return a.ecdsaKey
}

// account returns the server's one account (nil before seeding).
func (s *Server) account() *account {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.db.accounts[s.AccountID]
}

// RSAPublicKeyPEM returns the account's RSA-2048 public key as a PKIX ("PUBLIC KEY") PEM
// block. It verifies RSA signed license keys (RSA_2048_* schemes) and license/machine
// files signed with rsa-sha256 or rsa-pss-sha256. The key is generated on first use.
func (s *Server) RSAPublicKeyPEM() string {
	return pkixPEM(&s.account().rsa().PublicKey)
}

// ECDSAPublicKeyPEM returns the account's ECDSA P-256 public key as a PKIX PEM block. It
// verifies ECDSA_P256_SIGN license keys and files signed with ecdsa-p256.
func (s *Server) ECDSAPublicKeyPEM() string {
	return pkixPEM(&s.account().ecdsa().PublicKey)
}

func pkixPEM(pub any) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic("keygentest: marshal public key: " + err.Error())
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}
