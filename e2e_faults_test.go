package keygen_test

// Fault injection between the SDK and keygentest: a proxy on 127.0.0.1 that cuts bodies,
// drops connections after the request, plays an outage, counts connections, or never
// answers. Each test failed before the request path read bodies within the attempt, kept a
// pool of its own, left foreign transports alone, budgeted retries and bounded calls.

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	keygen "github.com/licensekit/keygen"
)

// faultProxy forwards to target; fault, when set, may take over the exchange instead.
type faultProxy struct {
	*httptest.Server
	target string

	mu    sync.Mutex
	fault func(w http.ResponseWriter, r *http.Request, real func() (*http.Response, []byte)) bool

	requests atomic.Int64
	conns    atomic.Int64
}

func newFaultProxy(t *testing.T, target string) *faultProxy {
	t.Helper()
	p := &faultProxy{target: target}
	p.Server = httptest.NewUnstartedServer(http.HandlerFunc(p.serve))
	p.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			p.conns.Add(1)
		}
	}
	p.Start()
	t.Cleanup(p.Close)
	return p
}

func (p *faultProxy) setFault(f func(w http.ResponseWriter, r *http.Request, real func() (*http.Response, []byte)) bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fault = f
}

func (p *faultProxy) serve(w http.ResponseWriter, r *http.Request) {
	p.requests.Add(1)
	body, _ := io.ReadAll(r.Body)
	real := func() (*http.Response, []byte) {
		out, err := http.NewRequestWithContext(r.Context(), r.Method, p.target+r.URL.RequestURI(), bytes.NewReader(body))
		if err != nil {
			return nil, nil
		}
		out.Header = r.Header.Clone()
		res, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			return nil, nil
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, b
	}
	p.mu.Lock()
	fault := p.fault
	p.mu.Unlock()
	if fault != nil && fault(w, r, real) {
		return
	}
	res, b := real()
	if res == nil {
		http.Error(w, "upstream failed", http.StatusBadGateway)
		return
	}
	for k, v := range res.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(res.StatusCode)
	_, _ = w.Write(b)
}

// cutBody answers with the real status and headers but only half the body, then drops the
// connection.
func cutBody(w http.ResponseWriter, res *http.Response, body []byte) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	buf.WriteString("HTTP/1.1 " + strconv.Itoa(res.StatusCode) + " " + http.StatusText(res.StatusCode) + "\r\n")
	buf.WriteString("Content-Type: " + res.Header.Get("Content-Type") + "\r\n")
	buf.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n")
	buf.Write(body[:len(body)/2])
	buf.Flush()
}

// dropAfterRequest closes the connection once the request is read, with no answer at all.
func dropAfterRequest(w http.ResponseWriter) {
	if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
		conn.Close()
	}
}

func fastRetries(budget int) keygen.Option {
	return keygen.WithRetry(keygen.RetryPolicy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond, Budget: budget})
}

func (e *e2e) proxied(p *faultProxy, opts ...keygen.Option) *keygen.Client {
	e.t.Helper()
	c, err := keygen.NewClient(e.srv.AccountID, append([]keygen.Option{keygen.WithBaseURL(p.URL), keygen.WithToken(e.srv.AdminToken)}, opts...)...)
	require.NoError(e.t, err)
	return c
}

func TestE2EFaultCutBodyIsRetriedForGET(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	prod := e.product("Cut")
	p := newFaultProxy(t, e.srv.URL)
	var cuts atomic.Int32
	p.setFault(func(w http.ResponseWriter, r *http.Request, real func() (*http.Response, []byte)) bool {
		if cuts.Add(1) > 2 {
			return false
		}
		res, b := real()
		cutBody(w, res, b)
		return true
	})
	c := e.proxied(p, fastRetries(0))
	got, err := c.Products.Get(e.ctx, prod.ID)
	require.NoError(t, err, "two cut bodies, then a whole one: the GET recovers")
	assert.Equal(t, prod.ID, got.ID)
	assert.EqualValues(t, 3, p.requests.Load())

	// A POST whose answer is cut may have created something: it is not sent again.
	cuts.Store(0)
	p.requests.Store(0)
	_, err = c.Products.Create(e.ctx, keygen.ProductCreateOptions{Name: "Once"})
	var te *keygen.TransportError
	require.ErrorAs(t, err, &te)
	assert.EqualValues(t, 1, p.requests.Load())
	page, err := e.admin.Products.List(e.ctx, &keygen.ProductListOptions{ListOptions: keygen.ListOptions{PageSize: 100}})
	require.NoError(t, err)
	n := 0
	for _, pr := range page.Data {
		if pr.Name == "Once" {
			n++
		}
	}
	assert.Equal(t, 1, n, "exactly one product was made")
}

func TestE2EFaultResetAfterSend(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	prod := e.product("Reset")
	p := newFaultProxy(t, e.srv.URL)
	var drops atomic.Int32
	p.setFault(func(w http.ResponseWriter, _ *http.Request, _ func() (*http.Response, []byte)) bool {
		if drops.Add(1) > 1 {
			return false
		}
		dropAfterRequest(w)
		return true
	})
	c := e.proxied(p, fastRetries(0))
	_, err := c.Products.Get(e.ctx, prod.ID)
	require.NoError(t, err)
	assert.EqualValues(t, 2, p.requests.Load())

	drops.Store(0)
	p.requests.Store(0)
	_, err = c.Products.Update(e.ctx, prod.ID, keygen.ProductUpdateOptions{Name: keygen.Ptr("Patched")})
	var te *keygen.TransportError
	require.ErrorAs(t, err, &te, "a PATCH that may have reached the server is not repeated")
	assert.EqualValues(t, 1, p.requests.Load())
}

// TestE2EFaultOutageBudget: during an outage each call would be sent 1+MaxRetries times; the
// client-wide budget caps the extra requests, and successes earn it back.
func TestE2EFaultOutageBudget(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	prod := e.product("Outage")
	p := newFaultProxy(t, e.srv.URL)
	var down atomic.Bool
	down.Store(true)
	p.setFault(func(w http.ResponseWriter, _ *http.Request, _ func() (*http.Response, []byte)) bool {
		if !down.Load() {
			return false
		}
		http.Error(w, "down", http.StatusServiceUnavailable)
		return true
	})
	const calls, budget = 100, 10
	c := e.proxied(p, fastRetries(budget))
	for range calls {
		_, err := c.Products.Get(e.ctx, prod.ID)
		var ae *keygen.Error
		require.ErrorAs(t, err, &ae)
		require.Equal(t, http.StatusServiceUnavailable, ae.StatusCode)
	}
	sent := p.requests.Load()
	t.Logf("outage: %d calls sent %d requests (%.2fx); without a budget: %d", calls, sent, float64(sent)/calls, calls*4)
	assert.LessOrEqual(t, sent, int64(calls+budget), "at most the budget's retries on top of one attempt per call")
	assert.Equal(t, int64(calls+budget), sent, "every retry the budget allowed was made")

	// The server is back: calls succeed and earn retries again.
	down.Store(false)
	for range 25 {
		_, err := c.Products.Get(e.ctx, prod.ID)
		require.NoError(t, err)
	}
	down.Store(true)
	p.requests.Store(0)
	_, err := c.Products.Get(e.ctx, prod.ID)
	require.Error(t, err)
	assert.EqualValues(t, 4, p.requests.Load(), "after 25 successes a failing call is retried again")
}

// TestE2EFaultConnectionsUnderConcurrency: 64 goroutines share one client; the client's own
// pool keeps their connections instead of opening one for most calls.
func TestE2EFaultConnectionsUnderConcurrency(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	prod := e.product("Pool")
	p := newFaultProxy(t, e.srv.URL)
	c := e.proxied(p)
	const workers, each = 64, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if _, err := c.Products.Get(e.ctx, prod.ID); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	t.Logf("%d calls over %d connections", workers*each, p.conns.Load())
	assert.LessOrEqual(t, p.conns.Load(), int64(2*workers), "connections are pooled, not opened per call")
}

// closeCounter is a caller's transport that counts CloseIdleConnections calls.
type closeCounter struct {
	http.RoundTripper
	closed atomic.Int32
}

func (c *closeCounter) CloseIdleConnections() { c.closed.Add(1) }

func TestE2EFaultForeignTransportLeftAlone(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	p := newFaultProxy(t, e.srv.URL)
	p.setFault(func(w http.ResponseWriter, _ *http.Request, _ func() (*http.Response, []byte)) bool {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return true
	})
	tr := &closeCounter{RoundTripper: http.DefaultTransport}
	c := e.proxied(p, fastRetries(0), keygen.WithHTTPClient(&http.Client{Transport: tr}))
	_, err := c.Products.Get(e.ctx, "no-matter")
	require.Error(t, err)
	_, err = keygen.NewClient("x", keygen.WithBaseURL("http://127.0.0.1:1"), keygen.WithHTTPClient(&http.Client{Transport: tr}), fastRetries(0))
	require.NoError(t, err)
	assert.Zero(t, tr.closed.Load(), "the SDK closed idle connections of a transport it does not own")
}

// TestE2EFaultHangingServer: a server that accepts and never answers costs a call its
// deadline, not minutes.
func TestE2EFaultHangingServer(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	var held sync.WaitGroup
	stop := make(chan struct{})
	// The accept loop counts in held too, so that every Add below happens while the count
	// is above zero (an Add from zero racing Wait is what the race detector reports).
	t.Cleanup(func() { close(stop); ln.Close(); held.Wait() })
	held.Add(1)
	go func() {
		defer held.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			held.Add(1)
			go func() {
				defer held.Done()
				_, _ = http.ReadRequest(bufio.NewReader(conn))
				<-stop
				conn.Close()
			}()
		}
	}()
	url := "http://" + ln.Addr().String()

	c, err := keygen.NewClient("acme", keygen.WithBaseURL(url), keygen.WithToken("admin-x"), keygen.WithTimeout(300*time.Millisecond))
	require.NoError(t, err)
	start := time.Now()
	_, err = c.Licenses.Get(context.Background(), "lic")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 3*time.Second, "WithTimeout bounds the whole call")

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	c, err = keygen.NewClient("acme", keygen.WithBaseURL(url), keygen.WithToken("admin-x"))
	require.NoError(t, err)
	start = time.Now()
	_, err = c.Licenses.Get(ctx, "lic")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 3*time.Second, "the context's deadline wins")
}
