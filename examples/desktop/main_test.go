package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDesktop runs the desktop story end to end against the in-memory Keygen, twice over the
// same state directory as a user starting the app on two days would (each run has a fresh
// keygentest, so the second finds another account's file and replaces it online), and
// checks the steps it prints.
func TestDesktop(t *testing.T) {
	dir := t.TempDir()
	for run := 1; run <= 2; run++ {
		var out bytes.Buffer
		err := runStory(dir, &out)
		t.Logf("run %d:\n%s", run, out.String())
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		steps := []string{
			"vendor: issued license key ",
			"app: license state in " + filepath.Join(dir, "license"),
			"start 1: licensed (VALID), online; may run offline until ",
			"start 2: licensed (VALID), online; may run offline until ",
			"vendor: machines on the license: 1",
			"vendor: Keygen is unreachable now",
			"start 3: licensed (VALID), offline, from the stored machine file; may run offline until ",
			"start 4: refused: the system clock was set back",
		}
		text := out.String()
		at := 0
		for _, s := range steps {
			i := strings.Index(text[at:], s)
			if i < 0 {
				t.Fatalf("run %d: step %q missing or out of order", run, s)
			}
			at += i + len(s)
		}
		for _, name := range []string{"machine.lic", "guard.json"} {
			info, err := os.Stat(filepath.Join(dir, "license", name))
			if err != nil {
				t.Fatalf("run %d: %s not stored: %v", run, name, err)
			}
			if info.Mode().Perm() != 0o600 {
				t.Errorf("run %d: %s has mode %v", run, name, info.Mode().Perm())
			}
		}
	}
}

func runStory(dir string, out *bytes.Buffer) error {
	return run(context.Background(), dir, out)
}
