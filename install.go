package keygen

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// InstallOptions say which of a release's artifacts Install takes, how it checks it, and
// what it replaces.
type InstallOptions struct {
	// PublicKey is the vendor's Ed25519 code-signing public key, as 64 hex characters:
	// required. The artifact must carry a checksum and a signature that verify with it
	// (see DownloadOptions).
	PublicKey string
	// Platform and Arch are the artifact's platform and arch keys; they default to
	// runtime.GOOS and runtime.GOARCH ("linux", "amd64"…), the keys to give artifacts made
	// for Go programs.
	Platform string
	Arch     string
	// Filename picks one artifact when the release has several for the platform and arch.
	Filename string
	// Target is the file to replace; by default the running executable (os.Executable, with
	// symlinks resolved). It must exist: its permissions are kept.
	Target string
}

// Install replaces a file, by default the running executable, with a release's artifact
// for this platform: it reads the release (GET /v1/accounts/{account}/releases/{id}), finds
// its one UPLOADED artifact for the platform and arch (GET /v1/accounts/{account}/artifacts,
// filtered by release, platform and arch, and checked again here), downloads it to a
// temporary file beside the target, verifies its checksum and signature (see
// ArtifactsService.Download; the product id of the release is the signature's context),
// gives it the target's permissions and renames it over the target. Until that rename
// nothing of the target changes: on any failure the temporary file is removed and the
// target is left as it was. The rename is atomic, the temporary file being in the target's
// directory, which must therefore be writable.
//
// A running program on Windows cannot be overwritten but can be renamed: there Install
// first moves the target aside to target+".old", then renames the new file in (moving the
// old one back if that fails). The running program keeps working from the .old file, which
// Windows will not let anyone delete while it runs: remove it when the new version starts
// (os.Remove(exe + ".old"), ignoring a not-exist error).
//
// It returns the artifact installed. The new program runs only when started again.
func (s *ReleasesService) Install(ctx context.Context, releaseID string, opts *InstallOptions) (*Artifact, error) {
	const op = "Releases.Install"
	if opts == nil || opts.PublicKey == "" {
		return nil, argErr(op, "PublicKey (the vendor's code-signing key) is required")
	}
	if _, err := s.c.codeSigningKey(op, opts.PublicKey); err != nil {
		return nil, err
	}
	if opts.Filename != "" && !plainFilename(opts.Filename) {
		return nil, argErr(op, "Filename must be a file name, without a path separator or '..'")
	}
	if strings.TrimSpace(releaseID) == "" {
		return nil, argErr(op, "releaseID is empty")
	}
	platform, arch := opts.Platform, opts.Arch
	if platform == "" {
		platform = runtime.GOOS
	}
	if arch == "" {
		arch = runtime.GOARCH
	}
	target, mode, err := installTarget(opts.Target)
	if err != nil {
		return nil, fmt.Errorf("keygen: %s: %w", op, err)
	}

	rel, err := s.Get(ctx, releaseID)
	if err != nil {
		return nil, err
	}
	a, err := s.pickArtifact(ctx, rel, platform, arch, opts.Filename)
	if err != nil {
		return nil, err
	}

	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".*.keygen-update")
	if err != nil {
		return nil, fmt.Errorf("keygen: %s: %w", op, err)
	}
	installed := false
	defer func() {
		if !installed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	got, err := s.c.Artifacts.Download(ctx, a.ID, tmp, &DownloadOptions{PublicKey: opts.PublicKey, Product: rel.ProductID})
	if err != nil {
		return nil, err
	}
	if got.ID != a.ID || got.ReleaseID != rel.ID {
		// Download verified the file against the answer it got: it must be the artifact asked
		// for, of the release asked for.
		return nil, sigErr("artifact answer is for another artifact or release than the one asked for")
	}
	if err := tmp.Sync(); err != nil {
		return nil, fmt.Errorf("keygen: %s: %w", op, err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("keygen: %s: %w", op, err)
	}
	// Only now, verified, do the bytes become executable.
	if err := os.Chmod(tmp.Name(), mode.Perm()); err != nil {
		return nil, fmt.Errorf("keygen: %s: %w", op, err)
	}
	if err := replaceFile(tmp.Name(), target, runtime.GOOS); err != nil {
		return nil, fmt.Errorf("keygen: %s: %w", op, err)
	}
	installed = true
	return got, nil
}

// pickArtifact finds the release's one uploaded artifact for platform and arch (and
// filename when given). Keygen filters the list already; each artifact is checked again, so
// that a list that is wrong, or answered for another question, installs nothing foreign.
func (s *ReleasesService) pickArtifact(ctx context.Context, rel *Release, platform, arch, filename string) (*Artifact, error) {
	var found []*Artifact
	opts := &ArtifactListOptions{Release: rel.ID, Platform: platform, Arch: arch}
	for a, err := range s.c.Artifacts.All(ctx, opts) {
		if err != nil {
			return nil, err
		}
		if a.ReleaseID != rel.ID || a.Platform == nil || *a.Platform != platform || a.Arch == nil || *a.Arch != arch ||
			a.Status != "UPLOADED" || (filename != "" && a.Filename != filename) {
			continue
		}
		found = append(found, a)
	}
	switch {
	case len(found) == 0:
		return nil, fmt.Errorf("keygen: release %s has no uploaded artifact for %s/%s", rel.Version, platform, arch)
	case len(found) > 1:
		names := make([]string, len(found))
		for i, a := range found {
			names[i] = a.Filename
		}
		slices.Sort(names)
		return nil, fmt.Errorf("keygen: release %s has %d artifacts for %s/%s (%s): set InstallOptions.Filename", rel.Version, len(found), platform, arch, strings.Join(names, ", "))
	}
	a := found[0]
	if !plainFilename(a.Filename) {
		// The file is installed under the target's name, never this one; but no genuine
		// build is named so, and whatever handles the name next might take it as a path.
		return nil, fmt.Errorf("keygen: artifact %s: refusing a filename with a path separator or '..'", a.ID)
	}
	return a, nil
}

// plainFilename reports a file name that cannot be read as a path: no separator of any
// platform, no "..", no NUL.
func plainFilename(name string) bool {
	return name != "" && name != "." && !strings.ContainsAny(name, "/\\\x00") && !strings.Contains(name, "..")
}

// installTarget resolves the file to replace (the running executable by default) through
// its symlinks, so that the link is not replaced by a file, and returns its mode.
func installTarget(target string) (string, os.FileMode, error) {
	if target == "" {
		exe, err := os.Executable()
		if err != nil {
			return "", 0, fmt.Errorf("finding the running executable: %w", err)
		}
		target = exe
	}
	resolved, err := filepath.EvalSymlinks(target)
	if err != nil {
		return "", 0, fmt.Errorf("the target: %w", err)
	}
	fi, err := os.Stat(resolved)
	if err != nil {
		return "", 0, fmt.Errorf("the target: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return "", 0, errors.New("the target is not a regular file")
	}
	return resolved, fi.Mode(), nil
}

// replaceFile renames tmp over target. goos is runtime.GOOS, a parameter so that the Windows
// way can be tested anywhere.
func replaceFile(tmp, target, goos string) error {
	if goos != "windows" {
		return os.Rename(tmp, target)
	}
	// Windows refuses to overwrite a running executable, or to delete it, but lets it be
	// renamed: move it aside, then move the new one in.
	old := target + ".old"
	if err := os.Remove(old); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing the previous %s: %w", filepath.Base(old), err)
	}
	if err := os.Rename(target, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, target); err != nil {
		if rerr := os.Rename(old, target); rerr != nil {
			return fmt.Errorf("%w (and moving the old file back failed: %v; it is at %s)", err, rerr, old)
		}
		return err
	}
	return nil
}
