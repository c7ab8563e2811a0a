package main

import (
	"context"
	"testing"
)

// TestDesktop runs the desktop story end to end against the in-memory Keygen: run fails on
// any unexpected validation code, refused activation, heartbeat or offline check.
func TestDesktop(t *testing.T) {
	if err := run(context.Background()); err != nil {
		t.Fatal(err)
	}
}
