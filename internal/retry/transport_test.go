package retry

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type fixedRT struct {
	body string
	cl   int64
}

func (f fixedRT) RoundTrip(*http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(f.body)), ContentLength: f.cl}, nil
}

func roundTrip(t *testing.T, rt http.RoundTripper, limit int64) (*Body, error) {
	t.Helper()
	call := &Call{Idempotent: true, MaxRetries: 3}
	ctx := Begin(context.Background(), "GET", call)
	req, err := http.NewRequestWithContext(ctx, "GET", "http://x/", nil)
	require.NoError(t, err)
	tr := &Transport{Base: rt, Limit: func(int) int64 { return limit }}
	resp, err := tr.RoundTrip(req)
	if err != nil {
		assert.Nil(t, call.Body)
		return nil, err
	}
	b, ok := resp.Body.(*Body)
	require.True(t, ok)
	assert.Same(t, b, call.Body, "the call's state holds the body read")
	rest, _ := io.ReadAll(b)
	assert.Equal(t, string(b.Data), string(rest), "the body reads as its data")
	return b, nil
}

func TestTransportReadsWithinTheAttempt(t *testing.T) {
	b, err := roundTrip(t, fixedRT{"0123456789", 10}, 100)
	require.NoError(t, err)
	assert.Equal(t, "0123456789", string(b.Data))
	assert.False(t, b.Truncated)

	b, err = roundTrip(t, fixedRT{"0123456789", -1}, 100)
	require.NoError(t, err)
	assert.Equal(t, "0123456789", string(b.Data), "no Content-Length")

	_, err = roundTrip(t, fixedRT{"01234", 10}, 100)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF, "shorter than announced is an error of the attempt")

	b, err = roundTrip(t, fixedRT{"0123456789", 4}, 100)
	require.NoError(t, err)
	assert.Equal(t, "0123456789", string(b.Data), "longer than announced is read on, within the limit")

	for _, cl := range []int64{-1, 10} {
		b, err = roundTrip(t, fixedRT{"0123456789", cl}, 4)
		require.NoError(t, err)
		assert.Equal(t, "0123", string(b.Data))
		assert.True(t, b.Truncated, "over the limit")
	}
}

type failingBody struct{ io.Reader }

func (failingBody) Close() error { return nil }

type cutRT struct{}

func (cutRT) RoundTrip(*http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, ContentLength: -1,
		Body: failingBody{io.MultiReader(strings.NewReader("{\"data\":"), errReader{})}}, nil
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset by peer") }

func TestTransportCutBodyIsATransportError(t *testing.T) {
	_, err := roundTrip(t, cutRT{}, 100)
	require.ErrorContains(t, err, "connection reset by peer")
	retry, _ := Check(Begin(context.Background(), "GET", &Call{Idempotent: true, MaxRetries: 3}), nil, err)
	assert.True(t, retry, "Check retries it for a GET")
	retry, _ = Check(Begin(context.Background(), "POST", &Call{Idempotent: true, MaxRetries: 3}), nil, err)
	assert.False(t, retry, "but not for a POST, which may have been acted on")
}

func TestTransportHidesCloseIdleConnections(t *testing.T) {
	var rt http.RoundTripper = &Transport{Base: http.DefaultTransport}
	_, ok := rt.(interface{ CloseIdleConnections() })
	assert.False(t, ok, "go-retryablehttp must not reach the transport beneath")
}
