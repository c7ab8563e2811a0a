package keygentest

// The checksum and version scopes of license validation
// (app/services/license_validation_service.rb): the license's product's releases as
// Release.for_license reaches them (releases.go, licenseReaches), PUBLISHED only.

// checksumScopeVersion returns the version of the highest PUBLISHED release the license
// reaches that has an UPLOADED artifact with the checksum, or "" when none has.
func (c *call) checksumScopeVersion(l *license, checksum string) string {
	d := c.dist()
	var best *release
	for _, a := range d.artifacts {
		if a.AccountID != l.AccountID || a.Status != "UPLOADED" || a.Checksum == nil || *a.Checksum != checksum {
			continue
		}
		r := d.releases[a.ReleaseID]
		if r == nil || !c.licenseReadsPublished(l, r) {
			continue
		}
		if best == nil || compareSemver(r.Semver, best.Semver) > 0 {
			best = r
		}
	}
	if best == nil {
		return ""
	}
	return best.Version
}

// versionScopeMatches reports whether the license reaches a PUBLISHED release of its product
// with the version.
func (c *call) versionScopeMatches(l *license, version string) bool {
	for _, r := range c.dist().releases {
		if r.AccountID == l.AccountID && r.Version == version && c.licenseReadsPublished(l, r) {
			return true
		}
	}
	return false
}

// licenseReadsPublished: a PUBLISHED release of the license's product that it reaches.
func (c *call) licenseReadsPublished(l *license, r *release) bool {
	prod := c.db().products[r.ProductID]
	return prod != nil && r.Status == "PUBLISHED" && c.licenseReaches(l, prod, r)
}
