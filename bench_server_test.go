package keygen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// The HTTP benchmarks serve their canned answers from a child process (this test binary run
// again with KEYGEN_BENCH_SERVE set), so that the CPU time this process spends is the
// client's alone: cpu-ns/op is comparable between the raw baseline and the SDK even on a
// noisy machine, where wall time is not.

const benchServeEnv = "KEYGEN_BENCH_SERVE"

func TestMain(m *testing.M) {
	if kind := os.Getenv(benchServeEnv); kind != "" {
		if err := serveCanned(kind); err != nil {
			fmt.Fprintln(os.Stderr, "bench server:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// cannedServer starts the child serving kind and returns its base URL.
func cannedServer(b *testing.B, kind string) string {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), benchServeEnv+"="+kind)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		b.Fatalf("bench server did not start: %v", err)
	}
	return strings.TrimSpace(line)
}

// serveCanned serves one kind of canned answer on 127.0.0.1 until killed; its first line on
// stdout is its URL.
func serveCanned(kind string) error {
	var h http.HandlerFunc
	switch kind {
	case "product", "license", "validation":
		name := map[string]string{"product": "product.json", "license": "license.json", "validation": "license_validation.json"}[kind]
		body, err := compactedFixture(name)
		if err != nil {
			return err
		}
		h = func(w http.ResponseWriter, r *http.Request) {
			drain(r)
			w.Header().Set("Content-Type", mediaType)
			w.Write(body)
		}
	case "pages":
		// Five pages of 100 licenses, by page[number] or by page[cursor] (the id of the last
		// license of the page before), as Keygen serves them.
		const pages = 5
		bodies := make([][]byte, pages)
		next := map[string]int{"": 0}
		for i := range bodies {
			var err error
			if bodies[i], err = buildLicensePage(100, i+1, pages); err != nil {
				return err
			}
			next[fmt.Sprintf("8c1f2d3e-4a5b-4c6d-8e7f-%012x", (i+1)*100-1)] = i + 1
		}
		h = func(w http.ResponseWriter, r *http.Request) {
			drain(r)
			q := r.URL.Query()
			i := -1
			if n, err := strconv.Atoi(q.Get("page[number]")); err == nil {
				i = n - 1
			} else if c, ok := q["page[cursor]"]; ok {
				if n, ok := next[c[0]]; ok {
					i = n
				}
			}
			if i < 0 || i >= pages {
				http.Error(w, "bad page", http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", mediaType)
			w.Write(bodies[i])
		}
	default:
		return fmt.Errorf("unknown kind %q", kind)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Println("http://" + ln.Addr().String())
	return http.Serve(ln, h)
}

func drain(r *http.Request) {
	var buf [4096]byte
	for {
		if _, err := r.Body.Read(buf[:]); err != nil {
			return
		}
	}
}

// compactedFixture reads testdata/<name> compacted: Keygen sends compact JSON.
func compactedFixture(name string) ([]byte, error) {
	body, err := readFixture(name)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, body); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
