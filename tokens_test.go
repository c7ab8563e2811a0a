package keygen

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testTokenID  = "c7a1e0d2-3b4f-4e5a-9c6d-7e8f9a0b1c2d"
	testUserID   = "0d9c8b7a-6f5e-4d3c-8b2a-1f0e9d8c7b6a"
	testEmail    = "ada@example.com"
	testPassword = "hunter2-Sup3r-S3cret"
)

func basicAuth(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

func assertCIToken(t *testing.T, tok *Token, withSecret bool) {
	t.Helper()
	assert.Equal(t, testTokenID, tok.ID)
	assert.Equal(t, "user-token", tok.Kind)
	if withSecret {
		assert.Equal(t, "user-5f1d0c9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1ev3", tok.Secret)
	} else {
		assert.Empty(t, tok.Secret)
	}
	assert.Equal(t, Ptr("CI deploys"), tok.Name)
	require.NotNil(t, tok.Expiry)
	assert.Equal(t, mustTime(t, "2024-05-15T10:00:00Z"), *tok.Expiry)
	assert.Equal(t, []string{"license.validate", "machine.create"}, tok.Permissions)
	assert.Nil(t, tok.MaxActivations)
	assert.Zero(t, tok.Activations)
	assert.Nil(t, tok.MaxDeactivations)
	assert.Zero(t, tok.Deactivations)
	assert.Equal(t, mustTime(t, "2024-05-01T10:00:00Z"), tok.Created)
	assert.Equal(t, mustTime(t, "2024-05-01T10:00:00Z"), tok.Updated)
	assert.Equal(t, "users", tok.BearerType)
	assert.Equal(t, testUserID, tok.BearerID)
	assert.Equal(t, "4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11", tok.AccountID)
	assert.Empty(t, tok.EnvironmentID)
}

func TestTokensGenerateWithPassword(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{
		method: "POST", path: "/tokens", golden: "tokens_generate.json",
		auth:   basicAuth(testEmail, testPassword),
		status: 201, fixture: "token_generated.json",
	})
	tok, err := c.Tokens.Generate(context.Background(), testEmail, testPassword, &TokenGenerateOptions{
		Name:   "CI deploys",
		Expiry: Set(time.Date(2024, 5, 15, 12, 0, 0, 0, time.FixedZone("CEST", 2*3600))),
	})
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assertCIToken(t, tok, true)
}

func TestTokensGenerateWithPasswordNoOptions(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{
		method: "POST", path: "/tokens", auth: basicAuth(testEmail, testPassword),
		status: 201, fixture: "token_generated.json",
	})
	// Basic credentials win over the client's own token, and no body is sent.
	tok, err := c.Tokens.Generate(context.Background(), testEmail, testPassword, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assert.NotEmpty(t, tok.Secret)
}

func TestTokensGenerateForCurrentBearer(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "POST", path: "/tokens", status: 201, fixture: "token_generated.json"})
	tok, err := c.Tokens.Generate(context.Background(), "", "", &TokenGenerateOptions{})
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assertCIToken(t, tok, true)
}

func TestTokensGenerateForBearer(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "POST", path: "/tokens", golden: "tokens_generate_bearer.json", status: 201, fixture: "token_generated.json"})
	tok, err := c.Tokens.Generate(context.Background(), "", "", &TokenGenerateOptions{
		Expiry:      Null[time.Time](), // never expires
		Permissions: []string{"license.validate", "machine.create"},
		BearerType:  "user", // singular is accepted and sent plural
		BearerID:    testUserID,
		OTP:         "123456",
	})
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assert.Equal(t, BearerTypeUser, tok.BearerType)
	assert.Equal(t, testUserID, tok.BearerID)
}

func TestTokensGenerateLocalErrors(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	ctx := context.Background()
	for name, call := range map[string]func() error{
		"email without password": func() error { _, err := c.Tokens.Generate(ctx, testEmail, "", nil); return err },
		"password without email": func() error { _, err := c.Tokens.Generate(ctx, "", testPassword, nil); return err },
		"colon in email": func() error {
			_, err := c.Tokens.Generate(ctx, "a:b@example.com", testPassword, nil)
			return err
		},
		"bearer type without id": func() error {
			_, err := c.Tokens.Generate(ctx, "", "", &TokenGenerateOptions{BearerType: "users"})
			return err
		},
		"bearer id without type": func() error {
			_, err := c.Tokens.Generate(ctx, "", "", &TokenGenerateOptions{BearerID: testUserID})
			return err
		},
		"unknown bearer type": func() error {
			_, err := c.Tokens.Generate(ctx, testEmail, testPassword, &TokenGenerateOptions{BearerType: "accounts", BearerID: testUserID})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			err := call()
			require.ErrorIs(t, err, ErrInvalidArgument)
			assert.NotContains(t, err.Error(), testPassword)
		})
	}
	assert.Zero(t, mt.GetTotalCallCount())
}

// The password must never reach an error string or a log line, whatever goes wrong; nor may
// the Basic header that encodes it.
func TestTokensGeneratePasswordNeverLeaks(t *testing.T) {
	t.Parallel()
	secrets := []string{testPassword, base64.StdEncoding.EncodeToString([]byte(testEmail + ":" + testPassword))}
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	t.Run("wrong password", func(t *testing.T) {
		c, mt := newTestClient(t, WithLogger(logger))
		expect(t, mt, wire{method: "POST", path: "/tokens", auth: basicAuth(testEmail, testPassword), status: 401, fixture: "error_password_invalid.json"})
		_, err := c.Tokens.Generate(context.Background(), testEmail, testPassword, nil)
		require.ErrorIs(t, err, ErrUnauthorized)
		assert.True(t, HasCode(err, CodePasswordInvalid))
		var apiErr *Error
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "Authorization", apiErr.Errors[0].Source.Header)
		for _, s := range secrets {
			assert.NotContains(t, err.Error(), s)
		}
	})
	t.Run("transport failure", func(t *testing.T) {
		c, mt := newTestClient(t, WithLogger(logger))
		mt.RegisterResponder("POST", apiURL("/tokens"), httpmock.NewErrorResponder(errors.New("connection reset by peer")))
		_, err := c.Tokens.Generate(context.Background(), testEmail, testPassword, &TokenGenerateOptions{Name: "x"})
		require.Error(t, err)
		var te *TransportError
		require.ErrorAs(t, err, &te)
		for _, s := range secrets {
			assert.NotContains(t, err.Error(), s)
		}
	})
	t.Run("server error page", func(t *testing.T) {
		c, mt := newTestClient(t, WithLogger(logger))
		mt.RegisterResponder("POST", apiURL("/tokens"), func(req *http.Request) (*http.Response, error) {
			// A proxy that echoes the request's headers must not make the SDK echo them.
			resp := httpmock.NewStringResponse(502, "<html>Bad gateway for "+req.Header.Get("Authorization")+"</html>")
			resp.Header.Set("Content-Type", "text/html")
			return resp, nil
		})
		_, err := c.Tokens.Generate(context.Background(), testEmail, testPassword, nil)
		var apiErr *Error
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 502, apiErr.StatusCode)
		for _, s := range secrets {
			assert.NotContains(t, err.Error(), s)
		}
	})
	require.NotEmpty(t, logs.String(), "the logger saw the requests")
	for _, s := range secrets {
		assert.NotContains(t, logs.String(), s)
	}
}

func TestTokensGet(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/tokens/" + testTokenID, fixture: "token.json"})
	tok, err := c.Tokens.Get(context.Background(), testTokenID)
	require.NoError(t, err)
	assertCIToken(t, tok, false)

	_, err = c.Tokens.Get(context.Background(), "")
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestTokensRegenerate(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "PUT", path: "/tokens/" + testTokenID, fixture: "token_generated.json"})
	tok, err := c.Tokens.Regenerate(context.Background(), testTokenID)
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assertCIToken(t, tok, true)

	_, err = c.Tokens.Regenerate(context.Background(), " ")
	require.ErrorIs(t, err, ErrInvalidArgument)
}

func TestTokensRevoke(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "DELETE", path: "/tokens/" + testTokenID, status: 204})
	require.NoError(t, c.Tokens.Revoke(context.Background(), testTokenID))
	assert.Equal(t, 1, *calls)

	require.ErrorIs(t, c.Tokens.Revoke(context.Background(), ""), ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestTokensList(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/tokens", fixture: "tokens.json", query: url.Values{
		"page[number]": {"1"}, "page[size]": {"2"},
		"bearer[type]": {"licenses"}, "bearer[id]": {"8c1f2e3d-4a5b-4c6d-9e7f-0a1b2c3d4e5f"}, "bearer[role]": {"license"},
	}})
	page, err := c.Tokens.List(context.Background(), &TokenListOptions{
		ListOptions: ListOptions{PageSize: 2},
		BearerType:  "License",
		BearerID:    "8c1f2e3d-4a5b-4c6d-9e7f-0a1b2c3d4e5f",
		BearerRole:  "license",
	})
	require.NoError(t, err)
	require.Len(t, page.Data, 2)
	lt := page.Data[0]
	assert.Equal(t, "activation-token", lt.Kind)
	assert.Nil(t, lt.Name)
	assert.Nil(t, lt.Expiry)
	assert.Equal(t, Ptr(5), lt.MaxActivations)
	assert.Equal(t, 2, lt.Activations)
	assert.Nil(t, lt.MaxDeactivations)
	assert.Equal(t, 1, lt.Deactivations)
	assert.Equal(t, "licenses", lt.BearerType)
	assert.Equal(t, "8c1f2e3d-4a5b-4c6d-9e7f-0a1b2c3d4e5f", lt.BearerID)
	assert.Equal(t, "3e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b", lt.EnvironmentID)
	assert.Equal(t, "4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11", lt.AccountID)
	assert.Nil(t, lt.Permissions)
	assert.Empty(t, lt.Secret)
	assert.Equal(t, mustTime(t, "2024-05-03T09:00:00Z"), lt.Created)
	assert.Equal(t, mustTime(t, "2024-05-03T09:30:00Z"), lt.Updated)
	assert.Equal(t, "user-token", page.Data[1].Kind)
	assert.Equal(t, 1, page.Pages)
	assert.Equal(t, 2, page.Count)
	assert.False(t, page.HasNext())
}

func TestTokensListNilOptionsAndBadFilter(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/tokens", fixture: "tokens.json"})
	page, err := c.Tokens.List(context.Background(), nil)
	require.NoError(t, err)
	assert.Len(t, page.Data, 2)

	_, err = c.Tokens.List(context.Background(), &TokenListOptions{BearerType: "admins"})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestTokensAll(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/tokens", fixture: "tokens.json", query: url.Values{
		"page[cursor]": {""}, "page[size]": {"100"}, "bearer[type]": {"users"},
	}})
	var kinds []string
	for tok, err := range c.Tokens.All(context.Background(), &TokenListOptions{BearerType: "users"}) {
		require.NoError(t, err)
		kinds = append(kinds, tok.Kind)
	}
	assert.Equal(t, []string{"activation-token", "user-token"}, kinds)
	assert.Equal(t, 1, mt.GetTotalCallCount(), "links.next is null: one page")
}
