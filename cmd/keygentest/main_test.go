package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// started is a running keygentest program.
type started struct {
	info   map[string]string
	cmd    *exec.Cmd
	done   chan struct{} // closed once the process has exited
	result error         // Wait's error, readable after done
}

// build compiles the program once per test into a temporary directory.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "keygentest")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, string(out))
	return bin
}

// start runs the program and reads its JSON line.
func start(t *testing.T, bin string, args ...string) *started {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	p := &started{cmd: cmd, done: make(chan struct{})}
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
	})

	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		var first string
		for sc.Scan() {
			if first == "" {
				first = sc.Text()
				lines <- first
				continue
			}
			t.Errorf("unexpected second stdout line: %q", sc.Text())
		}
		if first == "" {
			close(lines)
		}
		p.result = cmd.Wait()
		close(p.done)
	}()
	select {
	case line, ok := <-lines:
		if !ok {
			<-p.done
			t.Fatalf("exited without a JSON line: %s", stderr.String())
		}
		require.NoError(t, json.Unmarshal([]byte(line), &p.info), line)
		keys := []string{}
		for k := range p.info {
			keys = append(keys, k)
		}
		assert.ElementsMatch(t, []string{"url", "account", "adminToken", "adminEmail", "adminPassword", "publicKey"}, keys)
		assert.True(t, strings.HasPrefix(line, `{"url":`), "url comes first: %s", line)
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		<-p.done
		t.Fatalf("no JSON line within 20s: %s", stderr.String())
	}
	return p
}

func (p *started) call(t *testing.T, method, path, token string, body any) *http.Response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	if !strings.HasPrefix(path, "/_keygentest") {
		path = "/v1/accounts/" + p.info["account"] + path
	}
	req, err := http.NewRequest(method, p.info["url"]+path, rd)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/vnd.api+json")
	req.Header.Set("Accept", "application/vnd.api+json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// stop sends SIGTERM and waits for a clean exit.
func (p *started) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-p.done:
		assert.NoError(t, p.result, "exit after SIGTERM")
	case <-time.After(10 * time.Second):
		t.Fatal("still running 10s after SIGTERM")
	}
}

// TestProgram pins the program's contract: it prints one JSON line once listening, serves
// the API with the admin token, moves its clock with POST /_keygentest/advance and stops on
// SIGTERM.
func TestProgram(t *testing.T) {
	bin := build(t)
	p := start(t, bin, "-addr", "127.0.0.1:0")
	admin := p.info["adminToken"]
	assert.Len(t, p.info["publicKey"], 64)

	res := p.call(t, "POST", "/products", admin, map[string]any{"data": map[string]any{"type": "products", "attributes": map[string]any{"name": "From the program"}}})
	require.Equal(t, 201, res.StatusCode)

	res = p.call(t, "GET", "/products", admin, nil)
	require.Equal(t, 200, res.StatusCode)
	before, err := http.ParseTime(res.Header.Get("Date"))
	require.NoError(t, err)

	assert.Equal(t, 401, p.call(t, "POST", "/_keygentest/advance?by=48h", "", nil).StatusCode, "no token")
	assert.Equal(t, 401, p.call(t, "POST", "/_keygentest/advance?by=48h", "admin-wrong", nil).StatusCode, "wrong token")
	assert.Equal(t, 400, p.call(t, "POST", "/_keygentest/advance?by=soon", admin, nil).StatusCode, "bad duration")
	require.Equal(t, 204, p.call(t, "POST", "/_keygentest/advance?by=48h", admin, nil).StatusCode)

	res = p.call(t, "GET", "/products", admin, nil)
	after, err := http.ParseTime(res.Header.Get("Date"))
	require.NoError(t, err)
	assert.WithinDuration(t, before.Add(48*time.Hour), after, time.Minute, "the Date header moved with the clock")

	p.stop(t)
}

// TestProgramFlags pins the -rate-limit/-rate-window and -insecure-webhooks pass-throughs.
func TestProgramFlags(t *testing.T) {
	bin := build(t)
	p := start(t, bin, "-rate-limit", "2", "-rate-window", "1h", "-insecure-webhooks")
	admin := p.info["adminToken"]

	body := map[string]any{"data": map[string]any{"type": "webhook-endpoints", "attributes": map[string]any{"url": "http://127.0.0.1:9/hook"}}}
	res := p.call(t, "POST", "/webhook-endpoints", admin, body)
	assert.Equal(t, 201, res.StatusCode, "http endpoint admitted")
	assert.Equal(t, "2", res.Header.Get("X-RateLimit-Limit"))
	assert.Equal(t, "1h", res.Header.Get("X-RateLimit-Window"))
	assert.Equal(t, 200, p.call(t, "GET", "/webhook-endpoints", admin, nil).StatusCode)
	res = p.call(t, "GET", "/webhook-endpoints", admin, nil)
	assert.Equal(t, 429, res.StatusCode)
	assert.NotEmpty(t, res.Header.Get("Retry-After"))
	p.stop(t)
}

// TestProgramArtifacts uploads and downloads an artifact over HTTP as any client would: the
// create answer's Location takes a plain PUT, the download answer's Location a plain GET, and
// a client that follows redirects gets the bytes directly. -max-artifact-bytes bounds uploads.
func TestProgramArtifacts(t *testing.T) {
	bin := build(t)
	p := start(t, bin, "-max-artifact-bytes", "1024")
	admin := p.info["adminToken"]
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(client *http.Client, method, path string, body any) (*http.Response, map[string]any) {
		t.Helper()
		b, _ := json.Marshal(body)
		req, err := http.NewRequest(method, p.info["url"]+"/v1/accounts/"+p.info["account"]+path, bytes.NewReader(b))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/vnd.api+json")
		req.Header.Set("Authorization", "Bearer "+admin)
		res, err := client.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		var doc map[string]any
		_ = json.NewDecoder(res.Body).Decode(&doc)
		return res, doc
	}
	id := func(doc map[string]any) string { return doc["data"].(map[string]any)["id"].(string) }
	res, doc := send(noFollow, "POST", "/products", map[string]any{"data": map[string]any{"type": "products", "attributes": map[string]any{"name": "App"}}})
	require.Equal(t, 201, res.StatusCode)
	prod := id(doc)
	res, doc = send(noFollow, "POST", "/releases", map[string]any{"data": map[string]any{"type": "releases",
		"attributes":    map[string]any{"version": "1.0.0", "channel": "stable", "status": "PUBLISHED"},
		"relationships": map[string]any{"product": map[string]any{"data": map[string]any{"type": "products", "id": prod}}}}})
	require.Equal(t, 201, res.StatusCode)
	rel := id(doc)
	artifact := func(name string) (string, string) {
		res, doc := send(noFollow, "POST", "/artifacts", map[string]any{"data": map[string]any{"type": "artifacts",
			"attributes":    map[string]any{"filename": name},
			"relationships": map[string]any{"release": map[string]any{"data": map[string]any{"type": "releases", "id": rel}}}}})
		require.Equal(t, 307, res.StatusCode)
		return id(doc), res.Header.Get("Location")
	}
	art, upload := artifact("app.tar.gz")
	require.True(t, strings.HasPrefix(upload, p.info["url"]+"/_keygentest/uploads/"), upload)

	put := func(url string, body []byte) int {
		req, err := http.NewRequest("PUT", url, bytes.NewReader(body))
		require.NoError(t, err)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		return res.StatusCode
	}
	payload := bytes.Repeat([]byte("keygen"), 100)
	require.Equal(t, 200, put(upload, payload))

	res, doc = send(noFollow, "GET", "/artifacts/"+art, nil)
	require.Equal(t, 303, res.StatusCode)
	assert.Equal(t, "UPLOADED", doc["data"].(map[string]any)["attributes"].(map[string]any)["status"])
	download := res.Header.Get("Location")
	require.True(t, strings.HasPrefix(download, p.info["url"]+"/_keygentest/downloads/"), download)
	got, err := http.Get(download)
	require.NoError(t, err)
	b, _ := io.ReadAll(got.Body)
	got.Body.Close()
	assert.Equal(t, 200, got.StatusCode)
	assert.Equal(t, payload, b)

	// A client that follows redirects lands on the bytes.
	req, err := http.NewRequest("GET", p.info["url"]+"/v1/accounts/"+p.info["account"]+"/artifacts/app.tar.gz", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+admin)
	followed, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	b, _ = io.ReadAll(followed.Body)
	followed.Body.Close()
	assert.Equal(t, payload, b)

	_, upload2 := artifact("big.bin")
	assert.Equal(t, 413, put(upload2, bytes.Repeat([]byte("x"), 1000)), "600 stored + 1000 pass 1024")
	p.stop(t)
}
