package keygen

import (
	"context"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testProfileLicenseKey = "A1B2C3-D4E5F6-A7B8C9-D0E1F2-V3"

func TestProfileGetBearers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		fixture   string
		wantType  string
		wantID    string
		tokenID   string
		tokenKind string
		check     func(t *testing.T, p *Profile)
	}{
		{
			name: "user", fixture: "me_user.json", wantType: BearerTypeUser, wantID: testUserID,
			tokenID: "11111111-2222-4333-8444-555555555555", tokenKind: "admin-token",
			check: func(t *testing.T, p *Profile) {
				require.NotNil(t, p.User)
				assert.Equal(t, testUserID, p.User.ID)
				assert.Equal(t, "ada@example.com", p.User.Email)
				assert.Equal(t, Ptr("Ada Lovelace"), p.User.FullName)
				assert.Equal(t, "admin", p.User.Role)
				assert.Equal(t, "ACTIVE", p.User.Status)
				assert.Empty(t, p.User.GroupID)
				assert.Equal(t, "4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11", p.User.AccountID)
				assert.Nil(t, p.Product)
				assert.Nil(t, p.License)
				assert.Nil(t, p.Environment)
			},
		},
		{
			name: "product", fixture: "me_product.json", wantType: BearerTypeProduct, wantID: testProductID,
			tokenID: "22222222-3333-4444-8555-666666666666", tokenKind: "product-token",
			check: func(t *testing.T, p *Profile) {
				require.NotNil(t, p.Product)
				assert.Equal(t, "Cool App", p.Product.Name)
				assert.Equal(t, Ptr("cool-app"), p.Product.Code)
				assert.Equal(t, []string{"macOS"}, p.Product.Platforms)
				assert.Nil(t, p.User)
				assert.Nil(t, p.License)
				assert.Nil(t, p.Environment)
			},
		},
		{
			name: "license token", fixture: "me_license_token.json", wantType: BearerTypeLicense, wantID: "8c1f2e3d-4a5b-4c6d-9e7f-0a1b2c3d4e5f",
			tokenID: "33333333-4444-4555-8666-777777777777", tokenKind: "activation-token",
			check: func(t *testing.T, p *Profile) {
				assertProfileLicense(t, p)
				assert.Equal(t, Ptr(10), p.Token.MaxActivations)
				assert.Equal(t, 2, p.Token.Activations)
			},
		},
		{
			name: "environment", fixture: "me_environment.json", wantType: BearerTypeEnvironment, wantID: "3e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b",
			tokenID: "44444444-5555-4666-8777-888888888888", tokenKind: "environment-token",
			check: func(t *testing.T, p *Profile) {
				require.NotNil(t, p.Environment)
				assert.Equal(t, "3e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b", p.Environment.ID)
				assert.Equal(t, "Staging", p.Environment.Name)
				assert.Equal(t, "staging", p.Environment.Code)
				assert.Equal(t, mustTime(t, "2024-02-01T00:00:00Z"), p.Environment.Created)
				assert.Equal(t, mustTime(t, "2024-02-03T00:00:00Z"), p.Environment.Updated)
				assert.Nil(t, p.User)
				assert.Nil(t, p.Product)
				assert.Nil(t, p.License)
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newTestClient(t)
			calls := expect(t, mt, wire{method: "GET", path: "/me", fixture: tc.fixture})
			p, err := c.Profile.Get(context.Background())
			require.NoError(t, err)
			assert.Equal(t, 1, *calls)
			assert.Equal(t, tc.wantType, p.Type)
			assert.Equal(t, tc.wantID, p.ID)
			require.NotNil(t, p.Token, "the included token")
			assert.Equal(t, tc.tokenID, p.Token.ID)
			assert.Equal(t, tc.tokenKind, p.Token.Kind)
			assert.Empty(t, p.Token.Secret)
			assert.Equal(t, tc.wantType, p.Token.BearerType)
			assert.Equal(t, tc.wantID, p.Token.BearerID)
			tc.check(t, p)
		})
	}
}

func assertProfileLicense(t *testing.T, p *Profile) {
	t.Helper()
	require.NotNil(t, p.License)
	l := p.License
	assert.Equal(t, "8c1f2e3d-4a5b-4c6d-9e7f-0a1b2c3d4e5f", l.ID)
	assert.Equal(t, testProfileLicenseKey, l.Key)
	assert.Equal(t, Ptr("Desk 1"), l.Name)
	assert.Equal(t, "ACTIVE", l.Status)
	require.NotNil(t, l.Expiry)
	assert.Equal(t, mustTime(t, "2025-05-01T10:00:00Z"), *l.Expiry)
	assert.Equal(t, 3, l.Uses)
	assert.Equal(t, Ptr(4), l.MaxMachines)
	assert.Equal(t, testPolicyID, l.PolicyID)
	assert.Equal(t, testProductID, l.ProductID)
	assert.Equal(t, testUserID, l.OwnerID)
	assert.Equal(t, 2, l.MachineCount)
	assert.Equal(t, map[string]any{"seat": "desk-1"}, l.Metadata)
	assert.Nil(t, p.User)
	assert.Nil(t, p.Product)
	assert.Nil(t, p.Environment)
}

func TestProfileGetWithLicenseKey(t *testing.T) {
	t.Parallel()
	// A client holding only the license key: no token, so no included token comes back.
	mt := httpmock.NewMockTransport()
	c, err := NewClient(testAccount, WithBaseURL(testBase), WithLicenseKey(testProfileLicenseKey),
		WithHTTPClient(&http.Client{Transport: mt}), WithoutRetries())
	require.NoError(t, err)
	calls := expect(t, mt, wire{method: "GET", path: "/me", auth: "License " + testProfileLicenseKey, fixture: "me_license_key.json"})
	p, err := c.Profile.Get(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assert.Equal(t, BearerTypeLicense, p.Type)
	assert.Nil(t, p.Token)
	assertProfileLicense(t, p)
}

func TestProfileGetUnknownBearerType(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	mt.RegisterResponder("GET", apiURL("/me"), profileResponder(200,
		`{"data":{"id":"0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e","type":"groups","attributes":{"name":"Team"}}}`))
	p, err := c.Profile.Get(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "groups", p.Type)
	assert.Equal(t, "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", p.ID)
	assert.Nil(t, p.User)
	assert.Nil(t, p.Product)
	assert.Nil(t, p.License)
	assert.Nil(t, p.Environment)
	assert.Nil(t, p.Token)
}

func TestProfileGetNullData(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	mt.RegisterResponder("GET", apiURL("/me"), profileResponder(200, `{"data":null}`))
	_, err := c.Profile.Get(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no data")
}

func TestProfileGetUnauthorized(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	mt.RegisterResponder("GET", apiURL("/me"), profileResponder(401,
		`{"errors":[{"title":"Unauthorized","detail":"You must be authenticated to complete the request","code":"TOKEN_INVALID"}]}`))
	p, err := c.Profile.Get(context.Background())
	assert.Nil(t, p)
	require.ErrorIs(t, err, ErrUnauthorized)
	assert.True(t, HasCode(err, CodeTokenInvalid))
	assert.NotContains(t, err.Error(), testToken)
}

// profileResponder answers GET /me with a literal document.
func profileResponder(status int, body string) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/vnd.api+json; charset=utf-8")
		resp.Request = req
		return resp, nil
	}
}
