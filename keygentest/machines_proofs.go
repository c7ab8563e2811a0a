package keygentest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
)

// generateMachineProof is the deprecated POST /machines/{id}/actions/generate-offline-proof
// (app/controllers/api/v1/machines/actions/v1x0/proofs_controller.rb): it answers the
// machine with meta.proof, "proof/<urlsafe base64 of the dataset>.<urlsafe base64 of its
// RSA-SHA256 signature with the account's key>" (Machine#generate_proof,
// app/models/machine.rb). Staff and products may send their own meta.dataset; for anyone
// else a meta is unpermitted. The machine is found before the parameters are checked, and
// they before the policy (Machines::V1x0::ProofPolicy, app/policies/machines/v1x0).
func (s *Server) generateMachineProof(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	m, err := c.findMachineFor(p, c.param("id"))
	if err != nil {
		return err
	}
	schema := obj(fields{})
	if p.hasRole("admin", "developer", "sales-agent", "support-agent", "product", "environment") {
		schema = obj(fields{"meta": obj(fields{"dataset": &param{kind: kHash}}).opt()})
	}
	in, err := c.parse(schema)
	if err != nil {
		return err
	}
	db := c.db()
	l := db.licenses[m.LicenseID]
	var allowed bool
	switch {
	case p.hasRole("admin", "developer", "sales-agent", "environment"):
		allowed = true
	case p.hasRole("product"):
		allowed = l != nil && p.product != nil && c.licenseProductID(l) == p.product.ID
	case p.user != nil:
		allowed = l != nil && l.OwnerID != nil && *l.OwnerID == p.user.ID && !licenseProtected(db, l)
	case p.license != nil:
		allowed = p.isLicense(m.LicenseID)
	}
	if err := c.authorize(p, "machine.proofs.generate", allowed); err != nil {
		return err
	}
	// A custom dataset is signed as sent; keygentest writes its keys sorted, where Ruby's
	// JSON.generate keeps the order of the request.
	var dataset any = in.obj("meta").hash("dataset")
	if !in.obj("meta").has("dataset") {
		pol := machinePolicy(db, m)
		if pol == nil {
			pol = &policy{}
		}
		lic := orderedJSON{}
		if l != nil {
			lic = orderedJSON{{"id", l.ID}, {"key", l.Key}, {"expiry", optTime(l.Expiry)}}
		}
		productID := ""
		if l != nil {
			productID = c.licenseProductID(l)
		}
		dataset = orderedJSON{
			{"account", orderedJSON{{"id", c.acct.ID}}},
			{"product", orderedJSON{{"id", productID}}},
			{"policy", orderedJSON{{"id", pol.ID}, {"duration", pol.Duration}}},
			{"license", lic},
			{"machine", orderedJSON{{"id", m.ID}, {"fingerprint", m.Fingerprint}, {"created", fmtTime(m.Created)}}},
			{"ts", fmtTime(c.now())},
		}
	}
	raw, err := rubyJSON(dataset)
	if err != nil {
		return err
	}
	signing := "proof/" + base64.URLEncoding.EncodeToString(raw)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, c.acct.rsa(), crypto.SHA256, sum[:])
	if err != nil {
		return err
	}
	meta := map[string]any{"proof": signing + "." + base64.URLEncoding.EncodeToString(sig)}
	res := c.view().machine(m)
	c.emit("machine.proofs.generated", res, meta)
	return c.json(200, document{Data: res, Meta: meta})
}
