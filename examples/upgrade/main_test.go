package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestUpgrade runs the example against keygentest and checks its steps, in order: the
// upgrade is found and installed, the installed build is the new one, a later check finds
// nothing newer, and a tampered build is refused without touching the executable.
func TestUpgrade(t *testing.T) {
	var out bytes.Buffer
	err := run(&out)
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	steps := []string{
		"vendor: published 1.0.0 and 1.1.0",
		"app: upgrade available: 1.0.0 -> 1.1.0",
		"app: installed 1.1.0 (checksum and signature verified)",
		`app: the executable is now "acme 1.1.0"`,
		"app: 1.1.0 is up to date",
		"attacker: replaced the build of 1.2.0",
		"app: upgrade available: 1.1.0 -> 1.2.0",
		"app: refused the build of 1.2.0: ",
		`app: the executable is now "acme 1.1.0"`,
	}
	text, at := out.String(), 0
	for _, s := range steps {
		i := strings.Index(text[at:], s)
		if i < 0 {
			t.Fatalf("step %q missing or out of order", s)
		}
		at += i + len(s)
	}
}
