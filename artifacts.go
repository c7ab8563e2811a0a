package keygen

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"net/url"
	"strings"
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
	"github.com/licensekit/keygen/internal/query"
)

// Artifact is a file of a release: a build for a platform and architecture, an installer, a
// package (keygen-sh/keygen-api, app/serializers/release_artifact_serializer.rb).
type Artifact struct {
	ID string `json:"-"`
	// Filename is unique within the release; Get and Download find an artifact by it too.
	Filename string `json:"filename"`
	// Filetype is the extension, lower-cased, without its dot.
	Filetype *string `json:"filetype"`
	Filesize *int64  `json:"filesize"`
	Platform *string `json:"platform"`
	Arch     *string `json:"arch"`
	// Signature and Checksum are what the vendor set when creating the artifact: by
	// Keygen's CLI (keygen upload), a SHA-512 checksum and an Ed25519ph signature of the
	// file, in unpadded base64. Keygen stores them and never checks them: Download does.
	Signature *string `json:"signature"`
	Checksum  *string `json:"checksum"`
	// Status is WAITING (created, nothing uploaded yet), PROCESSING, UPLOADED, FAILED
	// (nothing was uploaded within an hour) or YANKED (deleted).
	Status   string         `json:"status"`
	Metadata map[string]any `json:"metadata"`
	Created  time.Time      `json:"created"`
	Updated  time.Time      `json:"updated"`

	ReleaseID     string `json:"-"`
	AccountID     string `json:"-"`
	EnvironmentID string `json:"-"`

	// RedirectURL is the presigned storage URL of the answer that produced one (Keygen's
	// data.links.redirect, also its Location header): on the artifact Create returns, the
	// URL to PUT the file to; on the one Download returns, the URL it was read from. It
	// carries a short-lived credential: do not log it. "" on other answers.
	RedirectURL string `json:"-"`
}

func (*Artifact) resourceType() string { return "artifacts" }

func (a *Artifact) bind(h *jsonapi.Head) error {
	a.ID = h.ID
	a.ReleaseID = h.Relationships.Release.ID()
	a.AccountID = h.Relationships.Account.ID()
	a.EnvironmentID = h.Relationships.Environment.ID()
	return nil
}

// ArtifactsService manages artifacts, their uploads and downloads.
type ArtifactsService struct{ service }

// ArtifactCreateOptions are a new artifact's attributes. Filename and ReleaseID (the
// release's id, not its version) are required; a filename already used in the release is a
// 422 FILENAME_TAKEN. Keygen stores Checksum and Signature as given, for Download to check:
// a SHA-512 digest of the file and an Ed25519ph signature of it, in base64 (see
// DownloadOptions).
type ArtifactCreateOptions struct {
	ReleaseID string
	Filename  string `jsonapi:"attr,filename"`
	// Filetype defaults to none; when the filename has an extension it must match it.
	Filetype string `jsonapi:"attr,filetype,omitempty"`
	// Filesize is the file's size in bytes, up to 5 GB. Upload sets it from its reader when
	// it is nil and the reader's size is known.
	Filesize  *int64         `jsonapi:"attr,filesize,omitempty"`
	Platform  string         `jsonapi:"attr,platform,omitempty"`
	Arch      string         `jsonapi:"attr,arch,omitempty"`
	Signature string         `jsonapi:"attr,signature,omitempty"`
	Checksum  string         `jsonapi:"attr,checksum,omitempty"`
	Metadata  map[string]any `jsonapi:"attr,metadata,omitempty"`
}

// ArtifactUpdateOptions change an artifact; zero fields are left unchanged. The filename,
// platform, arch and filetype cannot be changed (Keygen answers 400).
type ArtifactUpdateOptions struct {
	Filesize  Nullable[int64]  `jsonapi:"attr,filesize,omitempty"`
	Signature Nullable[string] `jsonapi:"attr,signature,omitempty"`
	Checksum  Nullable[string] `jsonapi:"attr,checksum,omitempty"`
	// Metadata replaces the whole metadata object when non-nil.
	Metadata map[string]any `jsonapi:"attr,metadata,omitempty"`
}

// ArtifactListOptions filter an artifact list (the scopes of
// app/controllers/api/v1/release_artifacts_controller.rb).
type ArtifactListOptions struct {
	ListOptions
	// Release is a release id, version or tag.
	Release string
	Product string
	// Channel widens as Keygen's channels do (beta lists stable, rc and beta artifacts).
	Channel  string
	Status   string
	Platform string
	Arch     string
	Filetype string
	Package  string
	Engine   string
}

func (o *ArtifactListOptions) encode(q *query.Values) error {
	if o == nil {
		return nil
	}
	if err := o.ListOptions.encode(q); err != nil {
		return err
	}
	q.String("release", o.Release)
	q.String("product", o.Product)
	q.String("channel", o.Channel)
	q.String("status", o.Status)
	q.String("platform", o.Platform)
	q.String("arch", o.Arch)
	q.String("filetype", o.Filetype)
	q.String("package", o.Package)
	q.String("engine", o.Engine)
	return nil
}

// DownloadOptions say how Download finds and checks an artifact.
type DownloadOptions struct {
	// PublicKey is the vendor's Ed25519 code-signing public key, as 64 hex characters (the
	// key of `keygen genkey`, never the account's key, which Keygen holds). With it the
	// artifact must carry a checksum and a signature, and Download succeeds only when both
	// verify against the bytes received.
	PublicKey string
	// Product is the Ed25519ph context of the signature. Keygen's CLI signs with the
	// product id as context (keygen-sh/keygen-cli, cmd/upload.go), as keygen-go verifies;
	// when empty, Download reads the artifact's release to learn its product (one more
	// call). A signature made with no context, as plain Ed25519ph, verifies too.
	Product string
	// Release picks among artifacts of the same filename in several releases (?release=: an
	// id, version or tag); without it Keygen takes the latest version's.
	Release string
	// TTL asks for a download URL valid this long (whole seconds; privileged bearers only,
	// others get Keygen's default of an hour).
	TTL time.Duration
}

// Create creates an artifact and returns it with RedirectURL set to the presigned URL to
// PUT the file to (Upload does both): POST /v1/accounts/{account}/artifacts. Keygen answers
// 307 with that URL in Location, which the SDK does not follow. The artifact is WAITING
// until Keygen sees the upload.
func (s *ArtifactsService) Create(ctx context.Context, opts ArtifactCreateOptions) (*Artifact, error) {
	if err := checkArtifactCreate("Artifacts.Create", &opts); err != nil {
		return nil, err
	}
	attrs, err := jsonapi.Attributes(&opts)
	if err != nil {
		return nil, err
	}
	rels := map[string]any{"release": jsonapi.LinkTo("releases", opts.ReleaseID)}
	body := jsonapi.Body{Data: jsonapi.Object{Type: "artifacts", Attributes: attrs, Relationships: rels}}
	resp, err := s.c.send(ctx, &request{method: "POST", path: "/artifacts", body: body, noRedirect: true})
	if err != nil {
		return nil, err
	}
	return s.c.decodeArtifact(resp)
}

func checkArtifactCreate(op string, opts *ArtifactCreateOptions) error {
	if strings.TrimSpace(opts.ReleaseID) == "" {
		return argErr(op, "ReleaseID is required")
	}
	if strings.TrimSpace(opts.Filename) == "" {
		return argErr(op, "Filename is required")
	}
	if opts.Filesize != nil && *opts.Filesize < 0 {
		return argErr(op, "Filesize is negative")
	}
	return nil
}

// Upload creates an artifact (POST /v1/accounts/{account}/artifacts) and streams r to its
// presigned upload URL (a PUT with no Keygen credentials, which never reach the storage
// host). opts.Filesize is the number of bytes sent: when nil, Upload takes the size of r if
// it can tell it (*os.File, *bytes.Reader, *strings.Reader, *bytes.Buffer: what is left to
// read) and refuses a reader of unknown size, which storage hosts would refuse. r is read
// once, not closed, and not retried.
//
// It returns the artifact as created (status WAITING): Keygen processes the upload
// asynchronously, and the artifact becomes UPLOADED (or FAILED) a little later. When the
// transfer fails after the artifact was created, Upload returns both the artifact and the
// error, so that the caller can delete it or try again under another filename.
func (s *ArtifactsService) Upload(ctx context.Context, opts ArtifactCreateOptions, r io.Reader) (*Artifact, error) {
	const op = "Artifacts.Upload"
	if r == nil {
		return nil, argErr(op, "the reader is nil")
	}
	if err := checkArtifactCreate(op, &opts); err != nil {
		return nil, err
	}
	size, known := readerSize(r)
	switch {
	case opts.Filesize == nil && !known:
		return nil, argErr(op, "Filesize is required for a reader of unknown size (storage hosts refuse chunked uploads)")
	case opts.Filesize == nil:
		opts.Filesize = &size
	case known && *opts.Filesize != size:
		return nil, argErr(op, fmt.Sprintf("Filesize is %d but the reader holds %d bytes", *opts.Filesize, size))
	}
	a, err := s.Create(ctx, opts)
	if err != nil {
		return nil, err
	}
	if a.RedirectURL == "" {
		return a, fmt.Errorf("keygen: POST /artifacts: the answer has no upload URL")
	}
	if err := s.c.putObject(ctx, a.RedirectURL, r, *opts.Filesize); err != nil {
		return a, err
	}
	return a, nil
}

// readerSize tells how many bytes are left to read in r, when r can say.
func readerSize(r io.Reader) (int64, bool) {
	switch v := r.(type) {
	case interface{ Len() int }:
		return int64(v.Len()), true
	case interface {
		io.Seeker
		Stat() (fs.FileInfo, error)
	}:
		fi, err := v.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return 0, false
		}
		off, err := v.Seek(0, io.SeekCurrent)
		if err != nil || off > fi.Size() {
			return 0, false
		}
		return fi.Size() - off, true
	}
	return 0, false
}

// Get fetches an artifact by id or filename (the latest release's artifact of that name):
// GET /v1/accounts/{account}/artifacts/{id}. This is Keygen's download route: Get asks it
// for the document only (prefer=no-download, so no download URL is made nor a download
// counted) and follows no redirect. Use Download for the file.
func (s *ArtifactsService) Get(ctx context.Context, idOrFilename string) (*Artifact, error) {
	path, err := pathf("/artifacts/%s", idOrFilename)
	if err != nil {
		return nil, err
	}
	resp, err := s.c.send(ctx, &request{method: "GET", path: path, query: "prefer=no-download", noRedirect: true})
	if err != nil {
		return nil, err
	}
	return s.c.decodeArtifact(resp)
}

// Update changes an artifact: PATCH /v1/accounts/{account}/artifacts/{id}.
func (s *ArtifactsService) Update(ctx context.Context, id string, opts ArtifactUpdateOptions) (*Artifact, error) {
	return updateByID[Artifact](ctx, s.c, "/artifacts/%s", id, "artifacts", &opts)
}

// Delete yanks an artifact and removes its file; the record stays, with status YANKED:
// DELETE /v1/accounts/{account}/artifacts/{id} (204).
func (s *ArtifactsService) Delete(ctx context.Context, id string) error {
	return deleteByID(ctx, s.c, "/artifacts/%s", id)
}

// List lists artifacts, newest first: GET /v1/accounts/{account}/artifacts.
func (s *ArtifactsService) List(ctx context.Context, opts *ArtifactListOptions) (*Page[Artifact], error) {
	return listPage[Artifact](ctx, s.c, "/artifacts", opts)
}

// All iterates over every artifact matching opts: GET /v1/accounts/{account}/artifacts, page
// after page (see ListOptions for how). It stops at the first error (yielded once), when ctx
// is done, or when the loop breaks.
func (s *ArtifactsService) All(ctx context.Context, opts *ArtifactListOptions) iter.Seq2[*Artifact, error] {
	return allOf(ctx, opts, s.List)
}

// Download streams an artifact's file to dst and returns the artifact:
// GET /v1/accounts/{account}/artifacts/{id or filename}, whose 303 answer names a presigned
// storage URL, then a GET of that URL with no Keygen credentials. The storage URL must be
// https (http only to a loopback host). Only UPLOADED artifacts of releases that are not
// yanked can be downloaded: others are an error naming their status.
//
// The bytes reach dst as they arrive, before they can be checked: when Download returns an
// error, dst may hold some or all of them, unverified, and the caller must discard them
// (Releases.Install does, downloading to a temporary file). A file cut short (fewer bytes
// than the artifact's filesize or the storage host's Content-Length) is an error.
//
// Whenever the artifact has a checksum, the bytes must match it (a mismatch is
// ErrSignatureInvalid); it is read as a SHA-512 digest in base64 (padded or not, standard or
// URL alphabet) or hex, and any other is refused. With opts.PublicKey, Download returns a nil
// error only when the artifact has both a checksum and a signature and both verify: the
// signature as Ed25519ph over the SHA-512 digest of the bytes received. Response signatures
// (WithPublicKey) prove the Keygen answer, checksum and signature included, came from
// Keygen; only the vendor's key proves the file is the vendor's.
//
// A slow or stalled transfer is bounded by ctx alone: the client's timeouts bound its Keygen
// calls, and cutting a large download after a fixed time would be wrong.
func (s *ArtifactsService) Download(ctx context.Context, idOrFilename string, dst io.Writer, opts *DownloadOptions) (*Artifact, error) {
	const op = "Artifacts.Download"
	if dst == nil {
		return nil, argErr(op, "dst is nil")
	}
	var o DownloadOptions
	if opts != nil {
		o = *opts
	}
	var vendorKey ed25519.PublicKey
	if o.PublicKey != "" {
		var err error
		if vendorKey, err = s.c.codeSigningKey(op, o.PublicKey); err != nil {
			return nil, err
		}
	}
	if o.TTL < 0 {
		return nil, argErr(op, "TTL is negative")
	}
	path, err := pathf("/artifacts/%s", idOrFilename)
	if err != nil {
		return nil, err
	}
	var q query.Values
	q.String("release", o.Release)
	q.Int("ttl", int(o.TTL/time.Second))
	resp, err := s.c.send(ctx, &request{method: "GET", path: path, query: q.Encode(), noRedirect: true})
	if err != nil {
		return nil, err
	}
	a, err := s.c.decodeArtifact(resp)
	if err != nil {
		return nil, err
	}
	if a.RedirectURL == "" {
		return nil, fmt.Errorf("keygen: artifact %s cannot be downloaded (status %s, or its release is yanked)", a.ID, a.Status)
	}
	u, err := checkTransferURL(a.RedirectURL)
	if err != nil {
		return nil, fmt.Errorf("keygen: downloading artifact %s: %w", a.ID, err)
	}

	// Everything that can be refused before the transfer is: nothing reaches dst for an
	// artifact that could never verify.
	var checksum, signature []byte
	if a.Checksum != nil && *a.Checksum != "" {
		if checksum = decodeSHA512(*a.Checksum); checksum == nil {
			return nil, sigErr("artifact %s: its checksum is not a SHA-512 digest in base64 or hex, it cannot be checked", a.ID)
		}
	}
	if vendorKey != nil {
		if checksum == nil {
			return nil, sigErr("artifact %s has no checksum: it cannot be verified", a.ID)
		}
		if a.Signature == nil || *a.Signature == "" {
			return nil, sigErr("artifact %s has no signature: it cannot be verified", a.ID)
		}
		if signature = decodeSignature(*a.Signature); signature == nil {
			return nil, sigErr("artifact %s: its signature is not an Ed25519 signature in base64 or hex", a.ID)
		}
		if o.Product == "" {
			if o.Product, err = s.c.releaseProduct(ctx, a.ReleaseID); err != nil {
				return nil, err
			}
		}
	}
	want := int64(-1)
	if a.Filesize != nil {
		want = *a.Filesize
	}
	digest, err := s.c.getObject(ctx, u, dst, want)
	if err != nil {
		return nil, err
	}
	if checksum != nil && !bytes.Equal(digest, checksum) {
		return nil, sigErr("artifact %s: the file does not match its checksum", a.ID)
	}
	if vendorKey != nil && !verifyEd25519ph(vendorKey, digest, signature, o.Product) {
		return nil, sigErr("artifact %s: the file's signature does not verify with the code-signing key", a.ID)
	}
	return a, nil
}

// codeSigningKey parses a vendor's code-signing key, refusing the account's own key: Keygen
// holds its private half, so whoever controls Keygen could then sign artifacts.
func (c *Client) codeSigningKey(op, key string) (ed25519.PublicKey, error) {
	k, err := ParsePublicKey(key)
	if err != nil {
		return nil, argErr(op, "PublicKey: "+err.Error())
	}
	if acct, ok := c.cfg.publicKey.(ed25519.PublicKey); ok && acct.Equal(k) {
		return nil, argErr(op, "PublicKey is the account's public key: artifacts are signed with your own code-signing key, whose private half Keygen never holds")
	}
	return k, nil
}

// releaseProduct reads the product of a release, the context Keygen's CLI signs with.
func (c *Client) releaseProduct(ctx context.Context, releaseID string) (string, error) {
	if releaseID == "" {
		return "", errors.New("keygen: the artifact names no release: set DownloadOptions.Product")
	}
	r, err := c.Releases.Get(ctx, releaseID)
	if err != nil {
		return "", err
	}
	return r.ProductID, nil
}

// verifyEd25519ph checks an Ed25519ph signature of a SHA-512 digest (RFC 8032 §5.1), first
// with the product id as context, as Keygen's CLI signs, then with none.
func verifyEd25519ph(pub ed25519.PublicKey, digest, sig []byte, product string) bool {
	contexts := []string{""}
	if product != "" && len(product) <= 255 {
		contexts = []string{product, ""}
	}
	for _, c := range contexts {
		if ed25519.VerifyWithOptions(pub, digest, sig, &ed25519.Options{Hash: crypto.SHA512, Context: c}) == nil {
			return true
		}
	}
	return false
}

// decode64 reads s in any encoding Keygen's CLI writes (keygen-sh/keygen-cli, cmd/upload.go:
// base64 with or without padding, in the standard or URL alphabet, or hex) and returns the
// bytes if there are exactly n of them, nil otherwise. Readings that succeed agree: the
// encodings of n bytes differ in length, or in alphabet where both alphabets agree.
func decode64(s string, n int) []byte {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == n {
			return b
		}
	}
	if b, err := hex.DecodeString(s); err == nil && len(b) == n {
		return b
	}
	return nil
}

func decodeSHA512(s string) []byte    { return decode64(s, 64) }
func decodeSignature(s string) []byte { return decode64(s, ed25519.SignatureSize) }

// artifactAnswer is an artifact document with the resource's links, read in one pass:
// data.links.redirect is the storage URL, covered by the answer's signature, unlike the
// Location header that repeats it.
type artifactAnswer struct {
	Data *struct {
		jsonapi.Res[Artifact]
		Links struct {
			Redirect string `json:"redirect"`
		} `json:"links"`
	} `json:"data"`
}

// decodeArtifact reads the artifact of a create, get or download answer, with its storage
// URL: data.links.redirect, or else the Location header (resolved against the request). When
// both are present they must agree.
func (c *Client) decodeArtifact(resp *response) (*Artifact, error) {
	var doc artifactAnswer
	if err := json.Unmarshal(resp.body, &doc); err != nil || doc.Data == nil {
		// decodeOne says what is wrong, down to the attribute at fault.
		if _, err := decodeOne[Artifact](resp); err != nil {
			return nil, err
		}
		return nil, resp.errorf(errors.New("the response is not an artifact document"))
	}
	a := &doc.Data.Attributes
	if err := bindModel[Artifact](a, &doc.Data.Head); err != nil {
		return nil, resp.errorf(err)
	}
	link, loc := doc.Data.Links.Redirect, resp.header.Get("Location")
	if loc != "" {
		if base := resp.req.URL; base != nil {
			if ref, err := url.Parse(loc); err == nil {
				loc = base.ResolveReference(ref).String()
			}
		}
	}
	switch {
	case link != "" && loc != "" && link != loc:
		if c.cfg.publicKey != nil {
			return nil, sigErr("%s: the Location header differs from the signed data.links.redirect", resp.name())
		}
		return nil, resp.errorf(errors.New("the Location header differs from data.links.redirect"))
	case link != "":
		a.RedirectURL = link
	default:
		a.RedirectURL = loc
	}
	return a, nil
}
