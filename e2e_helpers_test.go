package keygen_test

// End-to-end tests: the SDK over real HTTP against keygentest on loopback. Each test starts
// its own server (one per test or per subtest group), so tests never share state and can
// run with -race. Expected values come from Keygen's API reference and server
// (https://keygen.sh/docs/api/, keygen-sh/keygen-api), never from keygentest's code.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	keygen "github.com/licensekit/keygen"
	"github.com/licensekit/keygen/keygentest"
)

// e2e is one test's server and admin client.
type e2e struct {
	t     *testing.T
	ctx   context.Context
	srv   *keygentest.Server
	admin *keygen.Client
}

// newE2E starts a keygentest server that lives as long as the test.
func newE2E(t *testing.T) *e2e {
	t.Helper()
	srv := keygentest.NewServer()
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return &e2e{t: t, ctx: ctx, srv: srv, admin: srv.Client(keygen.WithoutRetries())}
}

// client returns a client for the server's account with exactly the given options (no
// credentials unless they are among them).
func (e *e2e) client(opts ...keygen.Option) *keygen.Client {
	e.t.Helper()
	all := append([]keygen.Option{keygen.WithBaseURL(e.srv.URL), keygen.WithoutRetries()}, opts...)
	c, err := keygen.NewClient(e.srv.AccountID, all...)
	require.NoError(e.t, err)
	return c
}

// tokenClient returns a client authenticated with a bearer token.
func (e *e2e) tokenClient(token string, opts ...keygen.Option) *keygen.Client {
	e.t.Helper()
	return e.client(append([]keygen.Option{keygen.WithToken(token)}, opts...)...)
}

func (e *e2e) product(name string) *keygen.Product {
	e.t.Helper()
	p, err := e.admin.Products.Create(e.ctx, keygen.ProductCreateOptions{Name: name})
	require.NoError(e.t, err)
	return p
}

func (e *e2e) policy(opts keygen.PolicyCreateOptions) *keygen.Policy {
	e.t.Helper()
	if opts.Name == "" {
		opts.Name = "Policy " + randomHex(e.t, 4)
	}
	p, err := e.admin.Policies.Create(e.ctx, opts)
	require.NoError(e.t, err)
	return p
}

// user creates a role-user with a password and returns it with a fresh user token.
func (e *e2e) user(email, password string) (*keygen.User, *keygen.Token) {
	e.t.Helper()
	u, err := e.admin.Users.Create(e.ctx, keygen.UserCreateOptions{Email: email, Password: password})
	require.NoError(e.t, err)
	tok, err := e.client().Tokens.Generate(e.ctx, email, password, nil)
	require.NoError(e.t, err)
	return u, tok
}

// rawPost sends an authenticated JSON POST outside the SDK, so that setup does not depend
// on the code under test (POST /products/{id}/tokens, /licenses/{id}/tokens; the SDK's own
// GenerateToken methods are tested in e2e_bearer_tokens_test.go). It returns the decoded
// document.
func (e *e2e) rawPost(path, token string, body any) map[string]any {
	e.t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(e.t, err)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequestWithContext(e.ctx, "POST", e.srv.URL+"/v1/accounts/"+e.srv.AccountID+path, rd)
	require.NoError(e.t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/vnd.api+json")
	req.Header.Set("Accept", "application/vnd.api+json")
	req.Header.Set("Keygen-Version", "1.8")
	res, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	defer res.Body.Close()
	var doc map[string]any
	require.NoError(e.t, json.NewDecoder(res.Body).Decode(&doc))
	require.Less(e.t, res.StatusCode, 300, "POST %s: %d %v", path, res.StatusCode, doc)
	return doc
}

// bearerToken creates a token through POST /{products|licenses}/{id}/tokens and returns its
// secret (the SDK's Tokens.Generate may not create product or license tokens as an admin).
// keygen-sh/keygen-api, app/controllers/api/v1/{products,licenses}/relationships/tokens_controller.rb.
func (e *e2e) bearerToken(owner, id string) string {
	e.t.Helper()
	doc := e.rawPost("/"+owner+"/"+id+"/tokens", e.srv.AdminToken, nil)
	data, _ := doc["data"].(map[string]any)
	attrs, _ := data["attributes"].(map[string]any)
	secret, _ := attrs["token"].(string)
	require.NotEmpty(e.t, secret, "no token secret in %v", doc)
	return secret
}

// apiErr asserts that err is a *keygen.Error with the given status and returns it.
func apiErr(t *testing.T, err error, status int) *keygen.Error {
	t.Helper()
	require.Error(t, err)
	var e *keygen.Error
	require.True(t, errors.As(err, &e), "want *keygen.Error, got %T: %v", err, err)
	require.Equal(t, status, e.StatusCode, "status of %v", err)
	require.NotEmpty(t, e.Errors, "error objects of %v", err)
	return e
}

// errWithCode asserts that err is a *keygen.Error with status and code, whose error object
// for that code points at pointer ("" to skip the pointer check). It returns that object.
func errWithCode(t *testing.T, err error, status int, code, pointer string) keygen.ErrorObject {
	t.Helper()
	e := apiErr(t, err, status)
	require.True(t, e.HasCode(code), "want code %s in %v", code, err)
	require.True(t, keygen.HasCode(err, code))
	for _, o := range e.Errors {
		if o.Code == code {
			if pointer != "" {
				assert.Equal(t, pointer, o.Source.Pointer, "source pointer of %s", code)
			}
			return o
		}
	}
	t.Fatalf("unreachable")
	return keygen.ErrorObject{}
}

// recent asserts that tm is a server timestamp of this test (the server clock may have
// been advanced by up to slack).
func recent(t *testing.T, tm time.Time, slack time.Duration) {
	t.Helper()
	require.False(t, tm.IsZero(), "time is zero")
	now := time.Now()
	assert.True(t, tm.After(now.Add(-time.Minute)) && tm.Before(now.Add(time.Minute+slack)), "time %s is not around now (%s)", tm, now)
}

// randomHex returns n random bytes as hex, for unique names.
func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return fmt.Sprintf("%x", b)
}

// collect drains an All iterator, failing the test on an error.
func collect[T any](t *testing.T, seq iter.Seq2[*T, error]) []*T {
	t.Helper()
	var out []*T
	for v, err := range seq {
		require.NoError(t, err)
		out = append(out, v)
	}
	return out
}

func ids[T any](items []*T, id func(*T) string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, id(it))
	}
	return out
}
