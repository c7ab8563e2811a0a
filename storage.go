package keygen

// Artifact bytes never travel through Keygen: its answers name a presigned URL on a storage
// host (S3 or alike), valid about an hour, to PUT the file to or GET it from
// (keygen-sh/keygen-api, app/models/release_artifact.rb, upload! and download!). Those
// transfers go through the client's transport but with none of its credentials or Keygen-*
// headers: the URL carries its own short-lived credential, and a Keygen token must never
// reach another host. They stream: nothing is buffered whole, whatever the file's size.

import (
	"context"
	"crypto/sha512"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// checkTransferURL parses a storage URL and refuses any that is not https, but for http to a
// loopback host (a local test server). A presigned URL is a credential: errors never repeat
// it.
func checkTransferURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, errors.New("the storage URL is not an absolute URL")
	}
	if u.User != nil {
		return nil, errors.New("the storage URL carries user info")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopbackHost(u.Hostname()) {
			return nil, fmt.Errorf("refusing a storage URL over plain http to %s: only https is accepted (or http to a loopback host)", u.Host)
		}
	default:
		return nil, fmt.Errorf("refusing a storage URL with scheme %q: only https is accepted", u.Scheme)
	}
	return u, nil
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// storageName names a storage URL in errors: scheme, host and path, never the query, which
// holds the presigned credential.
func storageName(u *url.URL) string {
	return u.Scheme + "://" + u.Host + u.EscapedPath()
}

// storageClient sends through the client's transport (its proxy, TLS settings and
// connection pool) but not through go-retryablehttp: a streamed body cannot be sent twice.
// It has no Timeout, which would cut a long transfer: the caller's context bounds it. Each
// redirect is held to the same URL policy.
func (c *Client) storageClient() *http.Client {
	rt := c.cfg.httpClient.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	return &http.Client{Transport: rt, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		_, err := checkTransferURL(req.URL.String())
		return err
	}}
}

// storageRequest builds a request with no Authorization and no Keygen-* header.
func (c *Client) storageRequest(ctx context.Context, method string, u *url.URL, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("keygen: %s %s: %w", method, storageName(u), err)
	}
	req.Header.Set("User-Agent", "licensekit-keygen-go/"+Version)
	return req, nil
}

// doStorage sends req and turns a transport failure into an error that names the storage
// URL without its query, and the context's error when the context ended.
func (c *Client) doStorage(ctx context.Context, req *http.Request, u *url.URL) (*http.Response, error) {
	resp, err := c.storageClient().Do(req)
	if err == nil {
		return resp, nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return nil, fmt.Errorf("keygen: %s %s: %w", req.Method, storageName(u), ctxErr)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its text repeats the URL, credential included
	}
	return nil, fmt.Errorf("keygen: %s %s: %w", req.Method, storageName(u), err)
}

// putObject streams size bytes of r to the presigned upload URL. The size is sent as
// Content-Length: S3 refuses chunked uploads. r is not closed.
func (c *Client) putObject(ctx context.Context, rawURL string, r io.Reader, size int64) error {
	u, err := checkTransferURL(rawURL)
	if err != nil {
		return fmt.Errorf("keygen: uploading the artifact: %w", err)
	}
	body := io.NopCloser(r) // the client closes a request body: the reader is the caller's
	if size == 0 {
		body = http.NoBody
	}
	req, err := c.storageRequest(ctx, http.MethodPut, u, body)
	if err != nil {
		return err
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := c.doStorage(ctx, req, u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBodySize)) // lets the connection be reused
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		// The storage host's error body is not repeated: S3's echoes the signed request.
		return fmt.Errorf("keygen: PUT %s: the storage host answered %s", storageName(u), resp.Status)
	}
	return nil
}

// getObject streams the object at the presigned download URL to dst through a SHA-512 hash,
// in bounded memory, and returns the digest. want is the expected size, -1 when unknown: a
// body of any other length (cut short, or longer than announced) is an error, and nothing
// past want+1 bytes is read.
func (c *Client) getObject(ctx context.Context, u *url.URL, dst io.Writer, want int64) ([]byte, error) {
	req, err := c.storageRequest(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.doStorage(ctx, req, u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	name := "GET " + storageName(u)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("keygen: %s: the storage host answered %s", name, resp.Status)
	}
	if n := resp.ContentLength; n >= 0 {
		if want >= 0 && n != want {
			return nil, fmt.Errorf("keygen: %s: the storage host sends %d bytes, the artifact has %d", name, n, want)
		}
		want = n
	}
	var h hash.Hash = sha512.New()
	var body io.Reader = resp.Body
	if want >= 0 {
		body = io.LimitReader(resp.Body, want+1)
	}
	n, err := io.Copy(io.MultiWriter(dst, h), body)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			err = ctxErr
		}
		return nil, fmt.Errorf("keygen: %s: after %d bytes: %w", name, n, err)
	}
	if want >= 0 && n != want {
		if n < want {
			return nil, fmt.Errorf("keygen: %s: truncated: %d of %d bytes", name, n, want)
		}
		return nil, fmt.Errorf("keygen: %s: more than the %d bytes announced", name, want)
	}
	return h.Sum(nil), nil
}
