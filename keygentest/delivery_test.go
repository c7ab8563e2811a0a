package keygentest

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Webhook delivery (delivery.go, after app/workers/webhook_worker.rb).

// receiver is a webhook endpoint under test: it records every delivery and answers with
// respond (200 "ok" when nil).
type receiver struct {
	t       *testing.T
	srv     *httptest.Server
	mu      sync.Mutex
	got     []*delivery
	respond func(n int, w http.ResponseWriter) // n counts deliveries from 1
}

type delivery struct {
	method, path, rawQuery, host string
	header                       http.Header
	body                         []byte
	doc                          map[string]any
}

func (d *delivery) attrs() map[string]any {
	return d.doc["data"].(map[string]any)["attributes"].(map[string]any)
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{t: t}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		d := &delivery{method: r.Method, path: r.URL.Path, rawQuery: r.URL.RawQuery, host: r.Host, header: r.Header.Clone(), body: body}
		_ = json.Unmarshal(body, &d.doc)
		rc.mu.Lock()
		rc.got = append(rc.got, d)
		n, respond := len(rc.got), rc.respond
		rc.mu.Unlock()
		if respond != nil {
			respond(n, w)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) url(path string) string { return rc.srv.URL + path }

func (rc *receiver) setRespond(f func(n int, w http.ResponseWriter)) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.respond = f
}

func (rc *receiver) deliveries() []*delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]*delivery(nil), rc.got...)
}

func wait(t *testing.T, srv *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, srv.WaitWebhooks(ctx))
}

var hookSigRE = regexp.MustCompile(`^keyid="([^"]+)", algorithm="([^"]+)", signature="([^"]+)", headers="\(request-target\) host date digest"$`)

// TestWebhookDelivery pins a delivery's request (app/workers/webhook_worker.rb) and its
// signature: headers, the webhook-events document as body, and an ed25519 signature with the
// account key over "post", the endpoint's path and query, and its host without the port.
func TestWebhookDelivery(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	tt := newWorld(t, WithInsecureWebhooks())
	tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": rc.url("/hooks/keygen?source=test"), "apiVersion": "1.7", "subscriptions": []string{"product.created"}}, nil)
	prod := tt.product()
	wait(t, tt.srv)

	got := rc.deliveries()
	require.Len(t, got, 1)
	d := got[0]
	h := d.header

	t.Run("request line and headers", func(t *testing.T) {
		assert.Equal(t, "POST", d.method)
		assert.Equal(t, "/hooks/keygen", d.path)
		assert.Equal(t, "source=test", d.rawQuery)
		assert.Equal(t, "application/json", h.Get("Content-Type"))
		assert.Equal(t, "Keygen/1.7 (+https://keygen.sh/docs/api/webhooks/)", h.Get("User-Agent"))
		assert.Equal(t, "1.7", h.Get("Keygen-Version"))
		assert.Equal(t, h.Get("Date"), h.Get("Keygen-Date"))
		assert.Equal(t, h.Get("Digest"), h.Get("Keygen-Digest"))
		_, err := http.ParseTime(h.Get("Date"))
		assert.NoError(t, err)
	})
	t.Run("body is the webhook-events document", func(t *testing.T) {
		data := d.doc["data"].(map[string]any)
		assert.Equal(t, "webhook-events", data["type"])
		a := data["attributes"].(map[string]any)
		assert.Equal(t, rc.url("/hooks/keygen?source=test"), a["endpoint"])
		assert.Equal(t, "1.7", a["apiVersion"])
		assert.Equal(t, "product.created", a["event"])
		assert.Equal(t, "DELIVERING", a["status"])
		assert.Nil(t, a["lastResponseCode"])
		assert.Nil(t, a["lastResponseBody"])
		assert.Contains(t, a, "created")
		assert.Contains(t, a, "updated")
		var payload map[string]any
		require.NoError(t, json.Unmarshal([]byte(a["payload"].(string)), &payload))
		assert.Equal(t, prod, payload["data"].(map[string]any)["id"])
		assert.Contains(t, data["relationships"].(map[string]any), "account")
		assert.Equal(t, "/v1/accounts/"+tt.srv.AccountID+"/webhook-events/"+data["id"].(string), data["links"].(map[string]any)["self"])
		assert.Regexp(t, hex64, data["meta"].(map[string]any)["idempotencyToken"])
	})
	t.Run("digest and ed25519 signature verify", func(t *testing.T) {
		sum := sha256.Sum256(d.body)
		assert.Equal(t, "sha-256="+base64.StdEncoding.EncodeToString(sum[:]), h.Get("Digest"))
		m := hookSigRE.FindStringSubmatch(h.Get("Keygen-Signature"))
		require.NotNil(t, m, h.Get("Keygen-Signature"))
		assert.Equal(t, tt.srv.AccountID, m[1])
		assert.Equal(t, "ed25519", m[2])
		sig, err := base64.StdEncoding.DecodeString(m[3])
		require.NoError(t, err)
		pub, err := hex.DecodeString(tt.srv.PublicKey)
		require.NoError(t, err)
		host, _, err := net.SplitHostPort(d.host)
		require.NoError(t, err)
		assert.Equal(t, "127.0.0.1", host)
		msg := "(request-target): post /hooks/keygen?source=test\n" +
			"host: 127.0.0.1\n" +
			"date: " + h.Get("Date") + "\n" +
			"digest: " + h.Get("Digest")
		assert.True(t, ed25519.Verify(ed25519.PublicKey(pub), []byte(msg), sig), "signature over %q", msg)
	})
	t.Run("2xx marks the event DELIVERED with the response", func(t *testing.T) {
		a := tt.onlyEvent("product.created")
		assert.Equal(t, "DELIVERED", a["status"])
		assert.Equal(t, float64(200), a["lastResponseCode"])
		assert.Equal(t, "ok", a["lastResponseBody"])
	})
}

// TestWebhookSignedTargetWithoutQuery: the signed target is the endpoint's path
// alone when it has no query, and "/" when it has no path.
func TestWebhookSignedTargetWithoutQuery(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	tt := newWorld(t, WithInsecureWebhooks())
	tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": rc.srv.URL, "subscriptions": []string{"product.created"}}, nil)
	tt.product()
	wait(t, tt.srv)
	got := rc.deliveries()
	require.Len(t, got, 1)
	h := got[0].header
	m := hookSigRE.FindStringSubmatch(h.Get("Keygen-Signature"))
	require.NotNil(t, m)
	sig, _ := base64.StdEncoding.DecodeString(m[3])
	pub, _ := hex.DecodeString(tt.srv.PublicKey)
	msg := "(request-target): post /\nhost: 127.0.0.1\ndate: " + h.Get("Date") + "\ndigest: " + h.Get("Digest")
	assert.True(t, ed25519.Verify(pub, []byte(msg), sig))
}

// TestWebhookFailures pins the failure paths of app/workers/webhook_worker.rb: FAILING then
// retried, FAILED when the retries are spent, RES_BODY_TOO_LARGE, CONN_REFUSED without retry,
// 410 disabling the endpoint.
//
// It is not parallel: its subtests race real timers (a 100 ms timeout, 200 ms backoffs)
// against the test's own steps, which parallel tests on a loaded machine would delay.
func TestWebhookFailures(t *testing.T) {
	t.Run("non-2xx is FAILING, then retried to DELIVERED", func(t *testing.T) {
		rc := newReceiver(t)
		release := make(chan struct{})
		rc.setRespond(func(n int, w http.ResponseWriter) {
			if n == 1 {
				w.WriteHeader(503)
				_, _ = io.WriteString(w, "busy")
				return
			}
			<-release
			_, _ = io.WriteString(w, "thanks")
		})
		tt := newWorld(t, WithInsecureWebhooks(), WithWebhookRetries(3, 10*time.Millisecond))
		tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": rc.url("/h"), "subscriptions": []string{"product.created"}}, nil)
		tt.product()
		require.Eventually(t, func() bool { return len(rc.deliveries()) == 2 }, 5*time.Second, 5*time.Millisecond)
		a := tt.onlyEvent("product.created")
		assert.Equal(t, "FAILING", a["status"])
		assert.Equal(t, float64(503), a["lastResponseCode"])
		assert.Equal(t, "busy", a["lastResponseBody"])
		close(release)
		wait(t, tt.srv)
		a = tt.onlyEvent("product.created")
		assert.Equal(t, "DELIVERED", a["status"])
		assert.Equal(t, "thanks", a["lastResponseBody"])
		got := rc.deliveries()
		assert.Equal(t, got[0].doc["data"].(map[string]any)["meta"], got[1].doc["data"].(map[string]any)["meta"], "a retry resends the same event")
	})
	t.Run("retries spent is FAILED", func(t *testing.T) {
		rc := newReceiver(t)
		rc.setRespond(func(n int, w http.ResponseWriter) {
			w.WriteHeader(500)
			_, _ = io.WriteString(w, strings.Repeat("x", 2049))
		})
		tt := newWorld(t, WithInsecureWebhooks(), WithWebhookRetries(2, time.Millisecond))
		tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": rc.url("/h"), "subscriptions": []string{"product.created"}}, nil)
		tt.product()
		wait(t, tt.srv)
		assert.Len(t, rc.deliveries(), 3, "1 attempt + 2 retries")
		a := tt.onlyEvent("product.created")
		assert.Equal(t, "FAILED", a["status"])
		assert.Equal(t, float64(500), a["lastResponseCode"])
		assert.Equal(t, "RES_BODY_TOO_LARGE", a["lastResponseBody"], "bodies over 2048 bytes")
	})
	t.Run("a 2048-byte body is kept", func(t *testing.T) {
		rc := newReceiver(t)
		rc.setRespond(func(n int, w http.ResponseWriter) { _, _ = io.WriteString(w, strings.Repeat("y", 2048)) })
		tt := newWorld(t, WithInsecureWebhooks())
		tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": rc.url("/h"), "subscriptions": []string{"product.created"}}, nil)
		tt.product()
		wait(t, tt.srv)
		assert.Equal(t, strings.Repeat("y", 2048), tt.onlyEvent("product.created")["lastResponseBody"])
	})
	t.Run("connection refused is FAILED at once with CONN_REFUSED", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		require.NoError(t, ln.Close())
		tt := newWorld(t, WithInsecureWebhooks(), WithWebhookRetries(3, time.Hour))
		tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": "http://" + addr + "/h", "subscriptions": []string{"product.created"}}, nil)
		tt.product()
		wait(t, tt.srv) // an hour-long backoff would time this out: no retry happens
		a := tt.onlyEvent("product.created")
		assert.Equal(t, "FAILED", a["status"])
		assert.Nil(t, a["lastResponseCode"])
		assert.Equal(t, "CONN_REFUSED", a["lastResponseBody"])
	})
	t.Run("keygentest never delivers off the machine: a public host is FAILED as DNS_ERROR", func(t *testing.T) {
		tt := newWorld(t, WithWebhookRetries(3, time.Hour))
		tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": "https://hooks.example.com/h", "subscriptions": []string{"product.created"}}, nil)
		tt.product()
		wait(t, tt.srv) // no retry, no lookup, no connection
		a := tt.onlyEvent("product.created")
		assert.Equal(t, "FAILED", a["status"])
		assert.Equal(t, "DNS_ERROR", a["lastResponseBody"])
	})
	t.Run("timeout is REQ_TIMEOUT and retried", func(t *testing.T) {
		rc := newReceiver(t)
		// The timeout leaves each attempt time to reach the receiver (a 20 ms one did not
		// always on a loaded machine), and the receiver answers well after it.
		rc.setRespond(func(n int, w http.ResponseWriter) { time.Sleep(500 * time.Millisecond) })
		tt := newWorld(t, WithInsecureWebhooks(), WithWebhookTimeout(100*time.Millisecond), WithWebhookRetries(1, time.Millisecond))
		tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": rc.url("/h"), "subscriptions": []string{"product.created"}}, nil)
		tt.product()
		wait(t, tt.srv)
		a := tt.onlyEvent("product.created")
		assert.Equal(t, "FAILED", a["status"])
		assert.Equal(t, "REQ_TIMEOUT", a["lastResponseBody"])
		// Both attempts reach the receiver, the retry possibly after the deliverer gave up on
		// it: the receiver records a request when its handler starts.
		assert.Eventually(t, func() bool { return len(rc.deliveries()) == 2 }, 5*time.Second, 5*time.Millisecond,
			"1 attempt + 1 retry")
	})
	t.Run("410 fails the event and disables the endpoint", func(t *testing.T) {
		rc := newReceiver(t)
		rc.setRespond(func(n int, w http.ResponseWriter) { w.WriteHeader(410) })
		tt := newWorld(t, WithInsecureWebhooks())
		ep := tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": rc.url("/h")}, nil)
		tt.product()
		wait(t, tt.srv)
		assert.Equal(t, "FAILED", tt.onlyEvent("product.created")["status"])
		assert.Equal(t, []any{}, tt.get("/webhook-endpoints/" + ep).attrs()["subscriptions"])
		assert.Len(t, rc.deliveries(), 1)
	})
	t.Run("deleting the endpoint drops queued deliveries", func(t *testing.T) {
		rc := newReceiver(t)
		rc.setRespond(func(n int, w http.ResponseWriter) { w.WriteHeader(500) })
		tt := newWorld(t, WithInsecureWebhooks(), WithWebhookRetries(3, 200*time.Millisecond))
		ep := tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": rc.url("/h"), "subscriptions": []string{"product.created"}}, nil)
		tt.product()
		require.Eventually(t, func() bool { return len(rc.deliveries()) == 1 }, 5*time.Second, 5*time.Millisecond)
		require.Equal(t, 204, tt.do(req{method: "DELETE", path: "/webhook-endpoints/" + ep}).status)
		wait(t, tt.srv)
		assert.Len(t, rc.deliveries(), 1)
		assert.Equal(t, "FAILING", tt.onlyEvent("product.created")["status"])
	})
}

// TestWebhookDeliveryOrder pins that one endpoint receives its events in creation order.
func TestWebhookDeliveryOrder(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	tt := newWorld(t, WithInsecureWebhooks())
	tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": rc.url("/h"), "subscriptions": []string{"product.created", "product.updated"}}, nil)
	prod := tt.product()
	for i := 0; i < 5; i++ {
		tt.do(req{method: "PATCH", path: "/products/" + prod, body: doc("products", map[string]any{"name": "n" + string(rune('a'+i))}, nil)})
	}
	wait(t, tt.srv)
	got := rc.deliveries()
	require.Len(t, got, 6)
	assert.Equal(t, "product.created", got[0].attrs()["event"])
	for i, d := range got[1:] {
		var p map[string]any
		require.NoError(t, json.Unmarshal([]byte(d.attrs()["payload"].(string)), &p))
		assert.Equal(t, "n"+string(rune('a'+i)), p["data"].(map[string]any)["attributes"].(map[string]any)["name"])
	}
}

// TestWebhookCloseStopsDeliveries pins that Close cancels in-flight deliveries and leaves
// no delivery goroutine behind. It is not parallel: it looks for delivery goroutines among
// all of the process's, and parallel tests' servers have their own (sequential tests run
// before any parallel one resumes).
func TestWebhookCloseStopsDeliveries(t *testing.T) {
	rc := newReceiver(t)
	block := make(chan struct{})
	defer close(block)
	rc.setRespond(func(n int, w http.ResponseWriter) {
		select {
		case <-block:
		case <-time.After(5 * time.Second):
		}
	})
	srv := NewServer(WithInsecureWebhooks(), WithWebhookRetries(3, time.Hour))
	tt := &world{t: t, srv: srv}
	tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": rc.url("/slow")}, nil)
	tt.product()
	tt.product()
	require.Eventually(t, func() bool { return len(rc.deliveries()) >= 1 }, 5*time.Second, 5*time.Millisecond)

	start := time.Now()
	srv.Close()
	assert.Less(t, time.Since(start), 2*time.Second, "Close does not wait for slow receivers")
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	assert.NoError(t, srv.WaitWebhooks(ctx), "nothing is pending after Close")
	require.Eventually(t, func() bool { return !deliveryGoroutines() }, 2*time.Second, 10*time.Millisecond, "delivery goroutines leaked")
}

// deliveryGoroutines reports whether any goroutine of the deliverer is alive.
func deliveryGoroutines() bool {
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	return strings.Contains(string(buf[:n]), "keygentest.(*deliverer)")
}

// TestDialLoopbackOnly: the default delivery transport dials loopback receivers only: other
// hosts, names or IP literals alike, are refused before any lookup or connection.
func TestDialLoopbackOnly(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	for _, addr := range []string{"127.0.0.1:" + port, "localhost:" + port} {
		conn, err := dialLoopbackOnly(context.Background(), "tcp", addr)
		require.NoError(t, err, addr)
		conn.Close()
	}
	for _, addr := range []string{"192.0.2.1:443", "hooks.example.com:443", "10.0.0.1:80", "[2001:db8::1]:443"} {
		_, err := dialLoopbackOnly(context.Background(), "tcp", addr)
		var dnsErr *net.DNSError
		require.ErrorAs(t, err, &dnsErr, addr)
		assert.True(t, dnsErr.IsNotFound)
	}
}
