package keygen_test

// End-to-end tests of distribution: releases, artifacts and upgrades through the SDK against
// keygentest over real HTTP, uploads and downloads through its storage URLs.

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	keygen "github.com/licensekit/keygen"
)

// distE2E is a LICENSED product with a license whose app authenticates with its key, and a
// vendor code-signing key.
type distE2E struct {
	*e2e
	prod    *keygen.Product
	policy  *keygen.Policy
	lic     *keygen.License
	signPub string
	sign    ed25519.PrivateKey
}

func newDistE2E(t *testing.T) *distE2E {
	t.Helper()
	e := newE2E(t)
	prod, err := e.admin.Products.Create(e.ctx, keygen.ProductCreateOptions{Name: "Acme", DistributionStrategy: "LICENSED"})
	require.NoError(t, err)
	pol := e.policy(keygen.PolicyCreateOptions{ProductID: prod.ID, AuthenticationStrategy: "LICENSE"})
	lic, err := e.admin.Licenses.Create(e.ctx, keygen.LicenseCreateOptions{PolicyID: pol.ID})
	require.NoError(t, err)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	return &distE2E{e2e: e, prod: prod, policy: pol, lic: lic, signPub: hex.EncodeToString(pub), sign: priv}
}

func (d *distE2E) app() *keygen.Client {
	return d.client(keygen.WithLicenseKey(d.lic.Key), keygen.WithPublicKey(d.srv.PublicKey))
}

// release publishes a release; with a build it uploads a signed artifact of it for
// platform/arch, signing signed (the build itself when nil).
func (d *distE2E) release(version, channel string, build, signed []byte, opts ...func(*keygen.ReleaseCreateOptions)) *keygen.Release {
	d.t.Helper()
	o := keygen.ReleaseCreateOptions{ProductID: d.prod.ID, Version: version, Channel: channel, Status: "PUBLISHED"}
	for _, f := range opts {
		f(&o)
	}
	rel, err := d.admin.Releases.Create(d.ctx, o)
	require.NoError(d.t, err)
	if build != nil {
		if signed == nil {
			signed = build
		}
		digest := sha512.Sum512(signed)
		sig, err := d.sign.Sign(nil, digest[:], &ed25519.Options{Hash: crypto.SHA512, Context: d.prod.ID})
		require.NoError(d.t, err)
		size := int64(len(build))
		_, err = d.admin.Artifacts.Upload(d.ctx, keygen.ArtifactCreateOptions{
			ReleaseID: rel.ID, Filename: "acme-" + version + "-linux-amd64", Platform: "linux", Arch: "amd64", Filesize: &size,
			Checksum: base64.StdEncoding.EncodeToString(digest[:]), Signature: base64.StdEncoding.EncodeToString(sig),
		}, bytes.NewReader(build))
		require.NoError(d.t, err)
	}
	return rel
}

func TestE2EDistributionUploadListDownload(t *testing.T) {
	t.Parallel()
	d := newDistE2E(t)
	rel := d.release("1.0.0", "stable", []byte("acme 1.0.0"), nil)

	arts := collect(t, d.app().Artifacts.All(d.ctx, &keygen.ArtifactListOptions{Release: rel.ID}))
	require.Len(t, arts, 1)
	assert.Equal(t, "UPLOADED", arts[0].Status)
	assert.Equal(t, rel.ID, arts[0].ReleaseID)

	var got bytes.Buffer
	a, err := d.app().Artifacts.Download(d.ctx, arts[0].ID, &got, &keygen.DownloadOptions{PublicKey: d.signPub})
	require.NoError(t, err)
	assert.Equal(t, "acme 1.0.0", got.String())
	assert.Equal(t, arts[0].ID, a.ID)

	rels := collect(t, d.app().Releases.All(d.ctx, &keygen.ReleaseListOptions{Product: d.prod.ID}))
	require.Len(t, rels, 1)
	assert.Equal(t, "1.0.0", rels[0].Version)
}

func TestE2EDistributionTamperedBuilds(t *testing.T) {
	t.Parallel()
	d := newDistE2E(t)
	// The bytes stored are not the bytes signed: checksum and signature both fail.
	bad := d.release("1.0.0", "stable", []byte("acme 1.0.0 with a backdoor"), []byte("acme 1.0.0"))
	arts := collect(t, d.app().Artifacts.All(d.ctx, &keygen.ArtifactListOptions{Release: bad.ID}))
	require.Len(t, arts, 1)
	var sink bytes.Buffer
	_, err := d.app().Artifacts.Download(d.ctx, arts[0].ID, &sink, &keygen.DownloadOptions{PublicKey: d.signPub})
	require.ErrorIs(t, err, keygen.ErrSignatureInvalid)

	// Signed by someone else: the checksum matches, the signature does not.
	good := d.release("1.1.0", "stable", []byte("acme 1.1.0"), nil)
	arts = collect(t, d.app().Artifacts.All(d.ctx, &keygen.ArtifactListOptions{Release: good.ID}))
	require.Len(t, arts, 1)
	otherPub, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	_, err = d.app().Artifacts.Download(d.ctx, arts[0].ID, &sink, &keygen.DownloadOptions{PublicKey: hex.EncodeToString(otherPub)})
	require.ErrorIs(t, err, keygen.ErrSignatureInvalid)

	// Install leaves the target untouched on a bad build and replaces it on a good one.
	target := filepath.Join(t.TempDir(), "acme")
	require.NoError(t, os.WriteFile(target, []byte("acme 0.9.0"), 0o755))
	opts := &keygen.InstallOptions{PublicKey: d.signPub, Target: target, Platform: "linux", Arch: "amd64"}
	_, err = d.app().Releases.Install(d.ctx, bad.ID, opts)
	require.Error(t, err)
	b, _ := os.ReadFile(target)
	assert.Equal(t, "acme 0.9.0", string(b))
	_, err = d.app().Releases.Install(d.ctx, good.ID, opts)
	require.NoError(t, err)
	b, _ = os.ReadFile(target)
	assert.Equal(t, "acme 1.1.0", string(b))
}

func TestE2EDistributionUpgradeChannelsAndConstraints(t *testing.T) {
	t.Parallel()
	d := newDistE2E(t)
	d.release("1.0.0", "stable", nil, nil)
	d.release("1.1.0-beta.1", "beta", nil, nil)
	app := d.app()

	_, err := app.Releases.Upgrade(d.ctx, "1.0.0", nil)
	require.ErrorIs(t, err, keygen.ErrNoUpgrade, "stable finds no stable upgrade")
	require.ErrorIs(t, err, keygen.ErrNotFound)
	next, err := app.Releases.Upgrade(d.ctx, "1.0.0", &keygen.UpgradeOptions{Channel: "beta"})
	require.NoError(t, err)
	assert.Equal(t, "1.1.0-beta.1", next.Version, "beta widens to beta releases")

	// A release constrained by an entitlement the license lacks is no upgrade for it.
	ent, err := d.admin.Entitlements.Create(d.ctx, keygen.EntitlementCreateOptions{Name: "Updates", Code: "UPDATES"})
	require.NoError(t, err)
	d.release("1.2.0", "stable", nil, nil, func(o *keygen.ReleaseCreateOptions) { o.EntitlementIDs = []string{ent.ID} })
	_, err = app.Releases.Upgrade(d.ctx, "1.0.0", nil)
	require.ErrorIs(t, err, keygen.ErrNoUpgrade, "the license does not hold UPDATES")
	require.NoError(t, d.admin.Policies.AttachEntitlements(d.ctx, d.policy.ID, ent.ID))
	next, err = app.Releases.Upgrade(d.ctx, "1.0.0", nil)
	require.NoError(t, err)
	assert.Equal(t, "1.2.0", next.Version, "holding the entitlement, the license sees it")
}
