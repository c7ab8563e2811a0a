//go:build linux

package keygentest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	keygen "github.com/licensekit/keygen"
)

// BenchmarkServerCPUValidateKey measures server CPU per signed validate-key over real HTTP,
// as a deployment sees it: each server runs in a child process (this test binary again) and
// its CPU time is read from /proc/<pid>/stat around the run. "canned" is a server that
// answers the same bytes from memory and signs them as keygentest does: the least a signing
// server must do. Both children run side by side and every iteration sends one request to
// each, so that a busy moment of a shared machine weighs on both alike; cpu-ratio is
// keygentest's CPU over canned's.
func BenchmarkServerCPUValidateKey(b *testing.B) {
	type child struct {
		url, path string
		body      []byte
		pid       int
		cpu       time.Duration
	}
	var kids [2]*child
	for i, kind := range []string{"canned", "keygentest"} {
		url, path, body, pid := startBenchChild(b, kind)
		kids[i] = &child{url: url, path: path, body: body, pid: pid}
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	send := func(k *child) {
		req, _ := http.NewRequest("POST", k.url+k.path, bytes.NewReader(k.body))
		req.Header.Set("Content-Type", "application/vnd.api+json")
		req.Header.Set("Accept", "application/vnd.api+json")
		res, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatal(res.StatusCode)
		}
	}
	for range 200 { // warm up: connections, caches
		send(kids[0])
		send(kids[1])
	}
	for _, k := range kids {
		k.cpu = procCPU(b, k.pid)
	}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		i++
		send(kids[i%2]) // alternate which goes first
		send(kids[(i+1)%2])
	}
	b.StopTimer()
	for _, k := range kids {
		k.cpu = procCPU(b, k.pid) - k.cpu
	}
	b.ReportMetric(float64(kids[0].cpu)/float64(b.N), "canned-cpu-ns/op")
	b.ReportMetric(float64(kids[1].cpu)/float64(b.N), "keygentest-cpu-ns/op")
	b.ReportMetric(float64(kids[1].cpu)/float64(kids[0].cpu), "cpu-ratio")
}

const benchChildEnv = "KEYGENTEST_BENCH_CHILD"

func TestMain(m *testing.M) {
	if kind := os.Getenv(benchChildEnv); kind != "" {
		if err := serveBenchChild(kind); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func startBenchChild(b *testing.B, kind string) (url, path string, body []byte, pid int) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), benchChildEnv+"="+kind)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		b.Fatal(err)
	}
	f := strings.Fields(line)
	if len(f) != 3 {
		b.Fatalf("child said %q", line)
	}
	return f[0], f[1], []byte(f[2]), cmd.Process.Pid
}

// serveBenchChild serves validate-key: keygentest itself, or its first answer canned and
// signed per request. Its first line on stdout is "<url> <path> <request body>".
func serveBenchChild(kind string) error {
	// The child is this test binary, whose init makes marshalDoc cross-check every document
	// with encoding/json; a deployed keygentest does not, so neither does the child.
	verifyEncoding = false
	s, err := Start()
	if err != nil {
		return err
	}
	ctx := context.Background()
	admin := s.Client()
	prod, err := admin.Products.Create(ctx, keygen.ProductCreateOptions{Name: "Bench"})
	if err != nil {
		return err
	}
	pol, err := admin.Policies.Create(ctx, keygen.PolicyCreateOptions{Name: "Bench", ProductID: prod.ID})
	if err != nil {
		return err
	}
	lic, err := admin.Licenses.Create(ctx, keygen.LicenseCreateOptions{PolicyID: pol.ID})
	if err != nil {
		return err
	}
	path := "/v1/accounts/" + s.AccountID + "/licenses/actions/validate-key"
	body := `{"meta":{"key":"` + lic.Key + `","nonce":42,"scope":{"product":"` + prod.ID + `"}}}`
	url := s.URL
	if kind == "canned" {
		res, err := http.Post(s.URL+path, "application/vnd.api+json", strings.NewReader(body))
		if err != nil {
			return err
		}
		canned, _ := io.ReadAll(res.Body)
		res.Body.Close()
		acct := s.account()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			signResponse(w.Header(), acct, r, time.Now(), canned)
			w.Header().Set("Content-Type", "application/vnd.api+json; charset=utf-8")
			w.WriteHeader(200)
			_, _ = w.Write(canned)
		}))
		url = "http://" + ln.Addr().String()
	}
	fmt.Println(url, path, body)
	select {}
}

// procCPU is a process's user+system CPU time, from /proc/<pid>/stat (clock ticks of 10ms).
func procCPU(b *testing.B, pid int) time.Duration {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		b.Fatal(err)
	}
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}
