package keygen

import (
	"bytes"
	"context"
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

const userID = "9d2e3f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6"

// assertAda checks every field of testdata/user.json.
func assertAda(t *testing.T, u *User) {
	t.Helper()
	assert.Equal(t, userID, u.ID)
	assert.Equal(t, Ptr("Ada Lovelace"), u.FullName)
	assert.Equal(t, Ptr("Ada"), u.FirstName)
	assert.Equal(t, Ptr("Lovelace"), u.LastName)
	assert.Equal(t, "ada@example.com", u.Email)
	assert.Equal(t, "ACTIVE", u.Status)
	assert.Equal(t, "user", u.Role)
	assert.Equal(t, []string{"license.validate", "machine.create"}, u.Permissions)
	assert.Equal(t, map[string]any{"stripeCustomerId": "cus_Q1w2e3", "seats": float64(3)}, u.Metadata)
	assert.Equal(t, mustTime(t, "2024-05-01T10:00:00Z"), u.Created)
	assert.Equal(t, mustTime(t, "2024-05-03T08:15:42.125Z"), u.Updated)
	assert.Equal(t, "3b4c5d6e-7f80-4912-a3b4-c5d6e7f8a9b0", u.GroupID)
	assert.Equal(t, "4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11", u.AccountID)
	assert.Equal(t, "6a0c3b52-7d3e-4c8e-a1f0-2b9e5d4c3a21", u.EnvironmentID)
}

func TestUsersCreate(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "POST", path: "/users", golden: "users_create.json", status: 201, fixture: "user.json"})
	u, err := c.Users.Create(context.Background(), UserCreateOptions{
		Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Password: "correct horse battery",
		Role: "user", Permissions: []string{"license.validate", "machine.create"},
		Metadata: map[string]any{"stripeCustomerId": "cus_Q1w2e3"},
		GroupID:  "3b4c5d6e-7f80-4912-a3b4-c5d6e7f8a9b0",
	})
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assertAda(t, u)
}

func TestUsersCreateRequiresEmail(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	_, err := c.Users.Create(context.Background(), UserCreateOptions{Password: "hunter22"})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.NotContains(t, err.Error(), "hunter22")
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestUsersGetByEmail(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/users/ada@example.com", fixture: "user.json"})
	u, err := c.Users.Get(context.Background(), "ada@example.com")
	require.NoError(t, err)
	assertAda(t, u)

	_, err = c.Users.Get(context.Background(), " ")
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestUsersUpdate(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "PATCH", path: "/users/" + userID, golden: "users_update.json", fixture: "user.json"})
	u, err := c.Users.Update(context.Background(), userID, UserUpdateOptions{
		FirstName: Set("Ada"),
		LastName:  Null[string](), // clear it
		Email:     Ptr("ada@example.com"),
		Metadata:  map[string]any{"seats": 3},
	})
	require.NoError(t, err)
	assertAda(t, u)

	_, err = c.Users.Update(context.Background(), "", UserUpdateOptions{})
	require.ErrorIs(t, err, ErrInvalidArgument)
}

func TestUsersDelete(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "DELETE", path: "/users/" + userID, status: 204})
	require.NoError(t, c.Users.Delete(context.Background(), userID))
	assert.Equal(t, 1, *calls)
	require.ErrorIs(t, c.Users.Delete(context.Background(), ""), ErrInvalidArgument)
	assert.Equal(t, 1, *calls)
}

func TestUsersList(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/users", fixture: "users.json", query: url.Values{
		"page[number]":       {"1"},
		"page[size]":         {"2"},
		"roles[]":            {"user", "admin"},
		"product":            {"2313b7e7-1ea6-4a01-901e-2931de6bb1e2"},
		"license":            {"8c1f2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"},
		"group":              {"3b4c5d6e-7f80-4912-a3b4-c5d6e7f8a9b0"},
		"status":             {"BANNED"},
		"assigned":           {"true"},
		"active":             {"false"},
		"metadata[plan]":     {"pro"},
		"metadata[seats]":    {"3"},
		"metadata[verified]": {"true"},
	}})
	page, err := c.Users.List(context.Background(), &UserListOptions{
		ListOptions: ListOptions{PageSize: 2},
		Roles:       []string{"user", "admin"},
		Product:     "2313b7e7-1ea6-4a01-901e-2931de6bb1e2",
		License:     "8c1f2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
		Group:       "3b4c5d6e-7f80-4912-a3b4-c5d6e7f8a9b0",
		Status:      "BANNED",
		Assigned:    Ptr(true),
		Active:      Ptr(false),
		Metadata:    map[string]any{"plan": "pro", "seats": 3, "verified": true},
	})
	require.NoError(t, err)
	require.Len(t, page.Data, 2)
	g := page.Data[0]
	assert.Equal(t, "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9", g.ID)
	assert.Equal(t, "grace@example.com", g.Email)
	assert.Equal(t, "BANNED", g.Status)
	assert.Nil(t, g.FullName)
	assert.Nil(t, g.FirstName)
	assert.Nil(t, g.LastName)
	assert.Empty(t, g.GroupID)
	assert.Empty(t, g.EnvironmentID)
	assert.Equal(t, map[string]any{}, g.Metadata)
	assert.Equal(t, []string{}, g.Permissions)
	assert.Equal(t, "admin", page.Data[1].Role)
	assert.Equal(t, 2, page.Pages)
	assert.Equal(t, 3, page.Count)
	assert.True(t, page.HasNext())
}

func TestUsersListRejectsBadPaging(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	_, err := c.Users.List(context.Background(), &UserListOptions{ListOptions: ListOptions{PageSize: 101}})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestUsersAllWalksPages(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	var pages []string
	mt.RegisterResponder("GET", apiURL("/users"), func(req *http.Request) (*http.Response, error) {
		q := req.URL.Query()
		require.True(t, q.Has("page[cursor]"), "All pages by keyset")
		n := q.Get("page[cursor]")
		pages = append(pages, n)
		assert.Equal(t, []string{"admin"}, q["roles[]"])
		assert.Equal(t, "2", q.Get("page[size]"))
		// users.json's next link names a page number, not a cursor: the walk goes on
		// from the id of its last user.
		name := map[string]string{"": "users.json", "1c2d3e4f-5061-4728-93a4-b5c6d7e8f9a0": "users_page2.json"}[n]
		require.NotEmpty(t, name, "unexpected cursor %q", n)
		return httpmock.NewBytesResponse(200, fixture(t, name)), nil
	})
	var emails []string
	for u, err := range c.Users.All(context.Background(), &UserListOptions{ListOptions: ListOptions{PageSize: 2}, Roles: []string{"admin"}}) {
		require.NoError(t, err)
		emails = append(emails, u.Email)
	}
	assert.Equal(t, []string{"grace@example.com", "linus@example.com", "alan@example.com"}, emails)
	assert.Equal(t, []string{"", "1c2d3e4f-5061-4728-93a4-b5c6d7e8f9a0"}, pages)
}

func TestUsersUpdatePassword(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/users/" + userID + "/actions/update-password", golden: "users_update_password.json", fixture: "user.json"})
	u, err := c.Users.UpdatePassword(context.Background(), userID, "old-secret-1", "new-secret-2")
	require.NoError(t, err)
	assertAda(t, u)

	_, err = c.Users.UpdatePassword(context.Background(), userID, "", "new-secret-2")
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

// A wrong old password is a 401 pointing at /meta/oldPassword; neither password may show in
// the error or in the logs.
func TestUsersUpdatePasswordWrongOldKeepsSecrets(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	c, mt := newTestClient(t, WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	expect(t, mt, wire{method: "POST", path: "/users/" + userID + "/actions/update-password", golden: "users_update_password.json", status: 401, fixture: "user_password_invalid.json"})
	_, err := c.Users.UpdatePassword(context.Background(), userID, "old-secret-1", "new-secret-2")
	require.ErrorIs(t, err, ErrUnauthorized)
	var apiErr *Error
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, "/meta/oldPassword", apiErr.Errors[0].Source.Pointer)
	assert.Equal(t, "is not valid", apiErr.Errors[0].Detail)
	assert.Equal(t, "d9e3a4f5-2c6b-4a7f-9e0d-9c8b7a6f5e4d", apiErr.RequestID)
	assert.NotEmpty(t, logs.String())
	for _, secret := range []string{"old-secret-1", "new-secret-2", testToken} {
		assert.NotContains(t, err.Error(), secret)
		assert.NotContains(t, logs.String(), secret)
	}
}

func TestUsersResetPasswordSendsNoCredentials(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/users/" + userID + "/actions/reset-password", auth: "-", golden: "users_reset_password.json", fixture: "user.json"})
	u, err := c.Users.ResetPassword(context.Background(), userID, "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a6978v3", "new-secret-2")
	require.NoError(t, err)
	assertAda(t, u)

	_, err = c.Users.ResetPassword(context.Background(), userID, "", "new-secret-2")
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestUsersRequestPasswordReset(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "POST", path: "/passwords", auth: "-", golden: "passwords_request.json", status: 204})
	require.NoError(t, c.Users.RequestPasswordReset(context.Background(), "ada@example.com", false))
	assert.Equal(t, 1, *calls)

	require.ErrorIs(t, c.Users.RequestPasswordReset(context.Background(), "", true), ErrInvalidArgument)
	assert.Equal(t, 1, *calls)
}

func TestUsersBanUnban(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	ban := expect(t, mt, wire{method: "POST", path: "/users/" + userID + "/actions/ban", fixture: "user.json"})
	unban := expect(t, mt, wire{method: "POST", path: "/users/" + userID + "/actions/unban", fixture: "user.json"})
	u, err := c.Users.Ban(context.Background(), userID)
	require.NoError(t, err)
	assertAda(t, u)
	u, err = c.Users.Unban(context.Background(), userID)
	require.NoError(t, err)
	assertAda(t, u)
	assert.Equal(t, 1, *ban)
	assert.Equal(t, 1, *unban)

	_, err = c.Users.Ban(context.Background(), "")
	require.ErrorIs(t, err, ErrInvalidArgument)
}

func TestUsersGenerateToken(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{
		method: "POST", path: "/users/" + testUserID + "/tokens",
		golden: "users_generate_token.json", fixture: "token_generated.json", // 200, not 201
	})
	// A non-UTC expiry goes out in UTC with milliseconds.
	expiry := time.Date(2024, 5, 15, 12, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	tok, err := c.Users.GenerateToken(context.Background(), testUserID, &UserTokenOptions{Name: "CI deploys", Expiry: Set(expiry)})
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assertCIToken(t, tok, true)
}

func TestUsersGenerateTokenNilOptionsAndBadID(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "POST", path: "/users/ada@example.com/tokens", fixture: "token_generated.json"})
	_, err := c.Users.GenerateToken(context.Background(), "ada@example.com", nil)
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)

	_, err = c.Users.GenerateToken(context.Background(), "", &UserTokenOptions{Name: "x"})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}
