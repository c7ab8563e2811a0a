package keygen

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Store keeps a Guard's state between runs of the app: the latest machine file and the
// latest signed time seen. Names are plain file names ("machine.lic", "guard.json"), never
// paths. A Store may be shared by guards of different apps only if their names differ,
// so give each app its own.
//
// Load returns what was last saved under name. A name never saved, or saved empty, is
// absent: Load returns (nil, nil), or an error matching fs.ErrNotExist, and the guard
// treats both the same. Save stores data under name, replacing what was there; nil or
// empty data means "absent" and removes it, which is how the guard forgets a machine file
// after a signed "no". Whatever Load returns is read defensively: any garbage counts as
// no stored state, never as a license.
type Store interface {
	Load(name string) ([]byte, error)
	Save(name string, data []byte) error
}

// maxStoredSize bounds what the guard reads from a store: a machine file is a few KiB, and
// a huge file planted in the store must not make the app buffer gigabytes.
const maxStoredSize = 1 << 20

// DirStore returns a Store that keeps each name as a file in dir, readable by the user
// only: the directory is created with mode 0700 (parents included) when missing, and
// files are written with mode 0600 atomically (a temporary file in dir, synced, then
// renamed over the old one), so a crash mid-write leaves the old content or the new one,
// never half of each. Load of a missing name returns (nil, nil); files over 1 MiB are
// refused with an error. Save of empty data removes the file.
//
// Put dir under the user's configuration directory (os.UserConfigDir), in a folder of your
// app's own.
func DirStore(dir string) Store { return dirStore{dir: dir} }

type dirStore struct{ dir string }

func (s dirStore) path(op, name string) (string, error) {
	if strings.TrimSpace(s.dir) == "" {
		return "", argErr("DirStore."+op, "the directory is empty")
	}
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\:`) || !fs.ValidPath(name) || strings.HasPrefix(name, ".") {
		// Leading dots are kept for our temporary files.
		return "", argErr("DirStore."+op, fmt.Sprintf("%q is not a plain file name", name))
	}
	return filepath.Join(s.dir, name), nil
}

// Load reads name, (nil, nil) when it does not exist.
func (s dirStore) Load(name string) ([]byte, error) {
	p, err := s.path("Load", name)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxStoredSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxStoredSize {
		return nil, fmt.Errorf("keygen: DirStore.Load: %s is over %d bytes", p, maxStoredSize)
	}
	return b, nil
}

// Save writes data under name atomically, or removes name when data is empty.
func (s dirStore) Save(name string, data []byte) error {
	p, err := s.path("Save", name)
	if err != nil {
		return err
	}
	if len(data) == 0 {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return err
	}
	// The temporary file must be in the same directory: rename is atomic only within one
	// file system. CreateTemp makes it 0600 already; the Chmod says so for platforms and
	// umasks where that is not obvious.
	tmp, err := os.CreateTemp(s.dir, "."+name+".tmp-*")
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	// Sync before rename: otherwise a crash can leave the new name pointing at an empty
	// file on file systems that reorder metadata and data writes.
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return err
	}
	done = true
	syncDir(s.dir)
	return nil
}

// syncDir makes the rename durable where the platform allows opening a directory for
// sync (not Windows, where Open of a directory for writing fails); best effort.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
