package keygentest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"time"
)

// License and machine check-out
// (app/controllers/api/v1/licenses/actions/checkouts_controller.rb,
// app/controllers/api/v1/machines/actions/checkouts_controller.rb,
// app/services/abstract_checkout_service.rb).

// routeCheckout registers the routes for license and machine check-out.
func (s *Server) routeCheckout(r *router) {
	r.post("/licenses/{id}/actions/check-out", s.lazy(s.checkOutLicense(false)))
	r.get("/licenses/{id}/actions/check-out", s.lazy(s.checkOutLicense(true)))
	r.post("/machines/{id}/actions/check-out", s.lazy(s.checkOutMachine(false)))
	r.get("/machines/{id}/actions/check-out", s.lazy(s.checkOutMachine(true)))
}

const defaultCheckoutTTL = 2629746 // one ActiveSupport month, in seconds

var (
	licenseFileIncludes = []string{"entitlements", "environment", "product", "policy", "group", "owner", "users"}
	machineFileIncludes = []string{"license.entitlements", "license.product", "license.policy", "license.owner", "license.users",
		"license", "components", "environment", "group", "owner"}
)

// checkoutOptions are the check-out parameters from the query and, for POST, the body's
// meta (which wins).
type checkoutOptions struct {
	encrypt   bool
	algorithm string
	ttl       *int64
	include   []string
}

var checkoutMeta = obj(fields{"meta": obj(fields{
	"encrypt":   boolean().opt(),
	"algorithm": str().opt().null(),
	"ttl":       integer().opt().null(),
	"include":   strs().opt(),
}).opt()})

func (c *call) checkoutOptions(raw bool, allowed []string, userAlias string) (*checkoutOptions, error) {
	o := &checkoutOptions{}
	ttl := int64(defaultCheckoutTTL)
	o.ttl = &ttl
	q := c.query
	// The query is coerced as Keygen's typed_query does: a boolean is true only for its
	// truthy spellings (anything else, blank included, is false), an integer is Ruby's
	// String#to_i of the value (blank is nil).
	if q.Has("encrypt") {
		o.encrypt = contains([]string{"1", "true", "TRUE", "t", "T", "yes", "YES", "y", "Y"}, q.Get("encrypt"))
	}
	o.algorithm = q.Get("algorithm")
	if q.Has("ttl") {
		if v := strings.TrimSpace(q.Get("ttl")); v == "" {
			o.ttl = nil
		} else {
			n := int64(rubyToI(v))
			o.ttl = &n
		}
	}
	for _, k := range []string{"include", "include[]"} {
		for _, v := range q[k] {
			for _, s := range strings.Split(v, ",") {
				if s = strings.TrimSpace(s); s != "" {
					o.include = append(o.include, s)
				}
			}
		}
	}
	if !raw {
		in, err := c.parse(checkoutMeta)
		if err != nil {
			return nil, err
		}
		m := in.obj("meta")
		if b, ok := m.bool("encrypt"); ok {
			o.encrypt = b
		}
		if m.has("algorithm") {
			o.algorithm, _ = m.str("algorithm")
		}
		if m.has("ttl") {
			o.ttl = m.intPtr("ttl")
		}
		if m.has("include") {
			o.include = m.strings("include")
		}
	}
	// The legacy user include is deleted and its owner replacement pushed at the end;
	// the includes are then intersected with the allowed ones (deduplicating them).
	if contains(o.include, userAlias) {
		var kept []string
		for _, inc := range o.include {
			if inc != userAlias {
				kept = append(kept, inc)
			}
		}
		o.include = append(kept, strings.TrimSuffix(userAlias, "user")+"owner")
	}
	for _, inc := range o.include {
		if !contains(allowed, inc) {
			return nil, checkoutError("invalid includes", "CHECKOUT_INCLUDE_INVALID", "include")
		}
	}
	if o.include != nil {
		o.include = uniq(o.include)
	}
	if o.ttl != nil && *o.ttl < 3600 {
		return nil, checkoutError("must be greater than or equal to 3600 (1 hour)", "CHECKOUT_TTL_INVALID", "ttl")
	}
	return o, nil
}

func checkoutError(detail, code, param string) error {
	e := errBadRequest(detail, parameter(param))
	e.errors[0].Code = code
	return e
}

// resolveAlgorithm picks "<encoding>+<signature>": the given algorithm, else base64 (or
// aes-256-gcm when encrypting) with the signature following the policy scheme.
func (o *checkoutOptions) resolveAlgorithm(scheme *string) (enc, sig string, err error) {
	alg := o.algorithm
	if alg == "" {
		enc = "base64"
		if o.encrypt {
			enc = "aes-256-gcm"
		}
		alg = enc + "+" + schemeSigningAlgorithm(scheme)
	}
	enc, sig, _ = strings.Cut(alg, "+")
	if enc != "base64" && enc != "aes-256-gcm" {
		return "", "", checkoutError("invalid encoding algorithm", "CHECKOUT_ALGORITHM_INVALID", "algorithm")
	}
	if !contains([]string{"ed25519", "rsa-pss-sha256", "rsa-sha256", "ecdsa-p256"}, sig) {
		return "", "", checkoutError("invalid signing algorithm", "CHECKOUT_ALGORITHM_INVALID", "algorithm")
	}
	return enc, sig, nil
}

// issueFile renders the payload document, encodes or encrypts it, signs "<prefix>/<enc>" and
// armours the result (app/services/abstract_checkout_service.rb). It returns the certificate
// and the file's times.
func (c *call) issueFile(prefix, secret string, data *resource, included []*resource, o *checkoutOptions, encAlg, sigAlg string) (cert string, issued time.Time, expiry *time.Time) {
	issued = c.now()
	var ttl any
	if o.ttl != nil {
		e := addDuration(issued, *o.ttl)
		expiry, ttl = &e, *o.ttl
	}
	payload := document{Data: data, Included: included, Meta: map[string]any{"issued": fmtTime(issued), "expiry": optTime(expiry), "ttl": ttl}}
	if included == nil && len(o.include) > 0 {
		payload.Included = []*resource{}
	}
	plain, _ := json.Marshal(payload)
	var enc string
	if encAlg == "aes-256-gcm" {
		enc = encryptFile(plain, secret)
	} else {
		enc = base64.StdEncoding.EncodeToString(plain)
	}
	sig := base64.StdEncoding.EncodeToString(signWith(c.acct, sigAlg, []byte(prefix+"/"+enc)))
	kind := strings.ToUpper(prefix)
	return certificate(kind, enc, sig, encAlg+"+"+sigAlg), issued, expiry
}

// encryptFile is aes-256-gcm with key SHA-256(secret) and a random 12-byte IV, rendered
// "<b64 ciphertext>.<b64 iv>.<b64 tag>".
func encryptFile(plain []byte, secret string) string {
	key := sha256.Sum256([]byte(secret))
	block, _ := aes.NewCipher(key[:])
	gcm, _ := cipher.NewGCM(block)
	iv := make([]byte, gcm.NonceSize())
	_, _ = rand.Read(iv)
	sealed := gcm.Seal(nil, iv, plain, nil)
	ct, tag := sealed[:len(sealed)-gcm.Overhead()], sealed[len(sealed)-gcm.Overhead():]
	b := base64.StdEncoding.EncodeToString
	return b(ct) + "." + b(iv) + "." + b(tag)
}

// fileResource renders a license-files or machine-files resource (not persisted: a
// random id and no self link).
func (c *call) fileResource(typ string, cert, alg string, o *checkoutOptions, issued time.Time, expiry *time.Time, licenseID, machineID string) *resource {
	v := c.view()
	includes := o.include
	if includes == nil {
		includes = []string{}
	}
	attrs := map[string]any{"certificate": cert, "algorithm": alg, "includes": includes, "ttl": opt(o.ttl),
		"expiry": optTime(expiry), "issued": fmtTime(issued)}
	r := v.newResource(typ, newUUID(), attrs)
	r.Links = nil // license/machine files have no self link, so no links member
	r.Relationships["license"] = toOne(v.path("licenses", licenseID), "licenses", &licenseID)
	if machineID != "" {
		r.Relationships["machine"] = toOne(v.path("machines", machineID), "machines", &machineID)
	}
	return r
}

// answerFile answers the POST (200 resource) or GET (raw certificate) check-out.
func (c *call) answerFile(raw bool, res *resource, cert, id string) error {
	if !raw {
		return c.ok(res)
	}
	c.header.Set("Content-Type", "application/octet-stream")
	c.header.Set("Content-Disposition", `attachment; filename="`+id+`.lic"`)
	c.setPayload(http.StatusOK, []byte(cert))
	return nil
}

func (s *Server) checkOutLicense(raw bool) handlerFunc {
	return func(c *call) error {
		p, err := c.requireAuth()
		if err != nil {
			return err
		}
		l, err := c.findLicenseFor(p, c.param("id"))
		if err != nil {
			return err
		}
		if err := c.verifyPermission(p, "license.check-out"); err != nil {
			return err
		}
		db := c.db()
		ok := p.hasRole("admin", "developer", "sales-agent", "support-agent", "environment") ||
			(p.product != nil && p.isProduct(c.licenseProductID(l))) ||
			(p.user != nil && licenseHasUser(l, p.user.ID) && !licenseProtected(db, l)) || p.isLicense(l.ID)
		if !ok {
			return errDenied()
		}
		o, err := c.checkoutOptions(raw, licenseFileIncludes, "user")
		if err != nil {
			return err
		}
		pol := c.licensePolicy(l)
		encAlg, sigAlg, err := o.resolveAlgorithm(pol.Scheme)
		if err != nil {
			return err
		}
		v := c.view()
		cert, issued, expiry := c.issueFile("license", l.Key, v.license(l), c.licenseIncludes(l, o.include), o, encAlg, sigAlg)
		now := c.now()
		l.LastCheckOut = &now
		res := c.fileResource("license-files", cert, encAlg+"+"+sigAlg, o, issued, expiry, l.ID, "")
		c.emit("license.checked-out", c.view().license(l), nil)
		return c.answerFile(raw, res, cert, l.ID)
	}
}

// licenseIncludes renders the requested related resources of a license (environments are
// not modelled, so they include nothing).
func (c *call) licenseIncludes(l *license, include []string) []*resource {
	db, v := c.db(), c.view()
	var out []*resource
	pol := db.policies[l.PolicyID]
	for _, inc := range include {
		switch inc {
		case "entitlements":
			for _, e := range db.licenseEntitlements(l) {
				out = append(out, v.entitlement(e))
			}
		case "group":
			if l.GroupID != nil && db.findGroup(l.AccountID, *l.GroupID) != nil {
				out = append(out, v.group(db.findGroup(l.AccountID, *l.GroupID)))
			}
		case "product":
			if prod := db.productOfLicense(l); prod != nil {
				out = append(out, v.product(prod))
			}
		case "policy":
			if pol != nil {
				out = append(out, v.policy(pol))
			}
		case "owner":
			if l.OwnerID != nil && db.users[*l.OwnerID] != nil {
				out = append(out, v.user(db.users[*l.OwnerID]))
			}
		case "users":
			users := licenseUsers(db, l)
			sort.SliceStable(users, func(i, j int) bool { return users[i].Created.Before(users[j].Created) })
			for _, u := range users {
				out = append(out, v.user(u))
			}
		}
	}
	return out
}

func (s *Server) checkOutMachine(raw bool) handlerFunc {
	return func(c *call) error {
		p, err := c.requireAuth()
		if err != nil {
			return err
		}
		m, err := c.findMachineFor(p, c.param("id"))
		if err != nil {
			return err
		}
		db := c.db()
		l := db.licenses[m.LicenseID]
		if l == nil {
			return errNotFound("machine", c.param("id"))
		}
		if err := c.verifyPermission(p, "machine.check-out"); err != nil {
			return err
		}
		ok := p.hasRole("admin", "developer", "sales-agent", "support-agent", "environment") ||
			(p.product != nil && p.isProduct(c.licenseProductID(l))) ||
			(p.user != nil && (c.machineOwnedBy(p, m, l) || licenseHasUser(l, p.user.ID)) && !licenseProtected(db, l)) || p.isLicense(l.ID)
		if !ok {
			return errDenied()
		}
		o, err := c.checkoutOptions(raw, machineFileIncludes, "license.user")
		if err != nil {
			return err
		}
		encAlg, sigAlg, err := o.resolveAlgorithm(c.licensePolicy(l).Scheme)
		if err != nil {
			return err
		}
		v := c.view()
		var included []*resource
		var licenseIncl []string
		// A nested include (license.policy) includes the license on its path too, once.
		licenseIncluded := false
		for _, inc := range o.include {
			switch {
			case inc == "license" || strings.HasPrefix(inc, "license."):
				if !licenseIncluded {
					included = append(included, v.license(l))
					licenseIncluded = true
				}
				if inc != "license" {
					licenseIncl = append(licenseIncl, strings.TrimPrefix(inc, "license."))
				}
			case inc == "group" && m.GroupID != nil && db.findGroup(m.AccountID, *m.GroupID) != nil:
				included = append(included, v.group(db.findGroup(m.AccountID, *m.GroupID)))
			case inc == "components":
				for _, cp := range db.machineComponents(m.ID) {
					included = append(included, v.component(cp))
				}
			case inc == "owner" && m.OwnerID != nil && db.users[*m.OwnerID] != nil:
				included = append(included, v.user(db.users[*m.OwnerID]))
			}
		}
		included = append(included, c.licenseIncludes(l, licenseIncl)...)
		cert, issued, expiry := c.issueFile("machine", l.Key+m.Fingerprint, v.machine(m), included, o, encAlg, sigAlg)
		now := c.now()
		m.LastCheckOut = &now
		res := c.fileResource("machine-files", cert, encAlg+"+"+sigAlg, o, issued, expiry, l.ID, m.ID)
		c.emit("machine.checked-out", c.view().machine(m), nil)
		return c.answerFile(raw, res, cert, m.ID)
	}
}

// schemeSigningAlgorithm is the file signing algorithm that follows a policy scheme
// (app/services/license_checkout_service.rb): PSS schemes rsa-pss-sha256, other RSA schemes
// rsa-sha256, ED25519_SIGN ed25519, ECDSA_P256_SIGN ecdsa-p256, none ed25519.
func schemeSigningAlgorithm(scheme *string) string {
	if scheme == nil {
		return "ed25519"
	}
	switch *scheme {
	case "RSA_2048_PKCS1_PSS_SIGN_V2", "RSA_2048_PKCS1_PSS_SIGN":
		return "rsa-pss-sha256"
	case "RSA_2048_PKCS1_SIGN_V2", "RSA_2048_PKCS1_SIGN", "RSA_2048_PKCS1_ENCRYPT", "RSA_2048_JWT_RS256":
		return "rsa-sha256"
	case "ECDSA_P256_SIGN":
		return "ecdsa-p256"
	}
	return "ed25519"
}

// certificate wraps a file document in Keygen's armour
// (app/services/abstract_checkout_service.rb): base64 of the JSON {"enc","sig","alg"} wrapped
// at 60 characters between BEGIN/END lines.
func certificate(kind string, enc, sig, alg string) string {
	doc, _ := json.Marshal(orderedJSON{{"enc", enc}, {"sig", sig}, {"alg", alg}})
	b64 := base64.StdEncoding.EncodeToString(doc)
	var lines []string
	for len(b64) > 60 {
		lines = append(lines, b64[:60])
		b64 = b64[60:]
	}
	lines = append(lines, b64)
	return "-----BEGIN " + kind + " FILE-----\n" + strings.Join(lines, "\n") + "\n-----END " + kind + " FILE-----\n"
}
