package main

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
)

// TestQuickstart runs the first-run story against the in-memory Keygen and checks that each
// step of the licensing story happened, in order.
func TestQuickstart(t *testing.T) {
	t.Setenv("KEYGEN_ACCOUNT", "")
	t.Setenv("KEYGEN_TOKEN", "")
	out := captureStdout(t, func() {
		if err := run(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
	for _, want := range []string{
		"using an in-memory Keygen",
		"valid=false code=NO_MACHINE",
		"activated",
		"valid=true code=VALID",
		"enabled: true",
		"asking for ENTERPRISE: valid=false code=ENTITLEMENTS_MISSING",
		"refused as expected",
		"signature verified, payload decrypted",
		"a tampered copy is rejected",
		"Done",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
		_, out, _ = strings.Cut(out, want) // steps must come in this order
	}
}

func captureStdout(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	defer func() { os.Stdout = old }()
	f()
	w.Close()
	return <-done
}
