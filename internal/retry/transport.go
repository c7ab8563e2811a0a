package retry

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
)

// Body is an answer's body, read whole within its attempt.
type Body struct {
	*bytes.Reader
	// Data is the body, at most the limit's worth of it.
	Data []byte
	// Truncated says the body went on past the limit; Data holds the first limit bytes.
	Truncated bool
}

// Close does nothing: the connection was released when the body was read.
func (*Body) Close() error { return nil }

// Transport reads every answer's body within the attempt that fetched it, so that a body cut
// short is a transport error of that attempt, which Check can retry (for methods that may
// be repeated), rather than a failure found after the retry loop is over. Limit bounds how
// much is read per status, so a misbehaving server cannot make the client buffer gigabytes.
//
// Transport has no CloseIdleConnections method on purpose: go-retryablehttp closes the idle
// connections of its client's transport after some failures, and the transport beneath may
// be shared with the rest of the program (http.DefaultTransport, a caller's own): closing
// its connections is not ours to do.
type Transport struct {
	Base  http.RoundTripper
	Limit func(status int) int64
}

// RoundTrip sends req through Base and reads the answer's body.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	limit := t.Limit(resp.StatusCode)
	data, err := readBody(resp.Body, resp.ContentLength, limit)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("reading response body: %w", err)
	}
	b := &Body{Data: data}
	if int64(len(data)) > limit {
		b.Data, b.Truncated = data[:limit], true
	}
	b.Reader = bytes.NewReader(b.Data)
	resp.Body = b
	// http.Client wraps the body it returns (to stop its timer), so the caller finds this
	// one through the call's state rather than by type.
	if c := callOf(req.Context()); c != nil {
		c.Body = b
	}
	return resp, nil
}

// readBody reads at most limit+1 bytes of r: into one buffer of the announced size when the
// server sent a Content-Length, else as io.ReadAll does.
func readBody(r io.Reader, contentLength, limit int64) ([]byte, error) {
	lr := io.LimitReader(r, limit+1)
	if contentLength < 0 || contentLength > limit {
		return io.ReadAll(lr)
	}
	buf := make([]byte, contentLength+1) // +1: a longer body than announced shows
	n, err := io.ReadFull(lr, buf)
	switch err {
	case io.ErrUnexpectedEOF, io.EOF:
		if int64(n) < contentLength {
			return buf[:n], io.ErrUnexpectedEOF
		}
		return buf[:n], nil
	case nil:
		rest, err := io.ReadAll(lr) // longer than announced: keep reading, within the limit
		return append(buf, rest...), err
	}
	return buf[:n], err
}
