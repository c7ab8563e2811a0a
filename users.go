package keygen

import (
	"context"
	"iter"
	"strings"
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
	"github.com/licensekit/keygen/internal/query"
)

// User is a user of the account: a customer (role "user") or a team member
// (keygen-sh/keygen-api, app/models/user.rb).
type User struct {
	ID        string  `json:"-"`
	FullName  *string `json:"fullName"`
	FirstName *string `json:"firstName"`
	LastName  *string `json:"lastName"`
	Email     string  `json:"email"`
	// Status is ACTIVE, INACTIVE or BANNED.
	Status string `json:"status"`
	// Role is user, admin, developer, sales-agent, support-agent or read-only.
	Role        string         `json:"role"`
	Permissions []string       `json:"permissions"`
	Metadata    map[string]any `json:"metadata"`
	Created     time.Time      `json:"created"`
	Updated     time.Time      `json:"updated"`

	GroupID       string `json:"-"`
	AccountID     string `json:"-"`
	EnvironmentID string `json:"-"`
}

func (*User) resourceType() string { return "users" }

func (u *User) bind(r *jsonapi.Head) error {
	u.ID = r.ID
	u.GroupID = r.Relationships.Group.ID()
	u.AccountID = r.Relationships.Account.ID()
	u.EnvironmentID = r.Relationships.Environment.ID()
	return nil
}

// UsersService manages users.
type UsersService struct{ service }

// UserCreateOptions are the attributes of a new user. Email is required.
type UserCreateOptions struct {
	Email     string `jsonapi:"attr,email"`
	FirstName string `jsonapi:"attr,firstName,omitempty"`
	LastName  string `jsonapi:"attr,lastName,omitempty"`
	// Password lets the user log in to generate tokens (6 to 72 bytes). It is sent once and
	// never logged or echoed in an error.
	Password string `jsonapi:"attr,password,omitempty"`
	// Role is user (Keygen's default), admin, developer, sales-agent, support-agent or
	// read-only; only an admin bearer may set a role other than user.
	Role string `jsonapi:"attr,role,omitempty"`
	// Permissions are Enterprise permission strings, e.g. "license.validate".
	Permissions []string       `jsonapi:"attr,permissions,omitempty"`
	Metadata    map[string]any `jsonapi:"attr,metadata,omitempty"`
	// GroupID puts the user in a group (privileged bearers only).
	GroupID string
}

// UserUpdateOptions change a user; zero fields are left unchanged.
type UserUpdateOptions struct {
	FirstName Nullable[string] `jsonapi:"attr,firstName,omitempty"`
	LastName  Nullable[string] `jsonapi:"attr,lastName,omitempty"`
	Email     *string          `jsonapi:"attr,email,omitempty"`
	// Password sets a new password without the old one (admin, developer, environment or
	// product bearers); a user changes their own with UpdatePassword.
	Password    *string  `jsonapi:"attr,password,omitempty"`
	Role        *string  `jsonapi:"attr,role,omitempty"`
	Permissions []string `jsonapi:"attr,permissions,omitempty"`
	// Metadata replaces the whole metadata object when non-nil.
	Metadata map[string]any `jsonapi:"attr,metadata,omitempty"`
}

// UserListOptions filter a user list (keygen-sh/keygen-api,
// app/controllers/api/v1/users_controller.rb). Keygen lists only role "user" unless Roles
// asks for others.
type UserListOptions struct {
	ListOptions
	// Roles is sent as roles[]=…, e.g. []string{"admin", "developer"}.
	Roles   []string
	Product string
	License string
	Group   string
	// Status is ACTIVE, INACTIVE or BANNED.
	Status   string
	Assigned *bool
	Active   *bool
	// Metadata matches metadata[key]=value; numbers, booleans and nil match typed values.
	Metadata map[string]any
}

func (o *UserListOptions) encode(q *query.Values) error {
	if o == nil {
		return nil
	}
	if err := o.ListOptions.encode(q); err != nil {
		return err
	}
	q.Strings("roles", o.Roles)
	q.String("product", o.Product)
	q.String("license", o.License)
	q.String("group", o.Group)
	q.String("status", o.Status)
	q.Bool("assigned", o.Assigned)
	q.Bool("active", o.Active)
	q.Map("metadata", o.Metadata)
	return nil
}

// Create creates a user: POST /v1/accounts/{account}/users. Keygen lets anyone create a user
// in an unprotected account, so a client with no credentials may call it.
func (s *UsersService) Create(ctx context.Context, opts UserCreateOptions) (*User, error) {
	if strings.TrimSpace(opts.Email) == "" {
		return nil, argErr("Users.Create", "Email is required")
	}
	attrs, err := jsonapi.Attributes(&opts)
	if err != nil {
		return nil, err
	}
	obj := jsonapi.Object{Type: "users", Attributes: attrs}
	if opts.GroupID != "" {
		obj.Relationships = map[string]any{"group": jsonapi.LinkTo("groups", opts.GroupID)}
	}
	return sendOne[User](ctx, s.c, &request{method: "POST", path: "/users", body: jsonapi.Body{Data: obj}})
}

// Get fetches a user by id or email: GET /v1/accounts/{account}/users/{id}.
func (s *UsersService) Get(ctx context.Context, id string) (*User, error) {
	return getByID[User](ctx, s.c, "/users/%s", id)
}

// Update changes a user: PATCH /v1/accounts/{account}/users/{id}.
func (s *UsersService) Update(ctx context.Context, id string, opts UserUpdateOptions) (*User, error) {
	return updateByID[User](ctx, s.c, "/users/%s", id, "users", &opts)
}

// Delete deletes a user: DELETE /v1/accounts/{account}/users/{id}. Keygen refuses to delete
// the last admin (422 ACCOUNT_ADMINS_REQUIRED).
func (s *UsersService) Delete(ctx context.Context, id string) error {
	return deleteByID(ctx, s.c, "/users/%s", id)
}

// List lists users, newest first: GET /v1/accounts/{account}/users.
func (s *UsersService) List(ctx context.Context, opts *UserListOptions) (*Page[User], error) {
	return listPage[User](ctx, s.c, "/users", opts)
}

// All iterates over every user matching opts: GET /v1/accounts/{account}/users, page after
// page (see ListOptions for how). It stops at the first error (yielded once), when ctx is
// done, or when the loop breaks.
func (s *UsersService) All(ctx context.Context, opts *UserListOptions) iter.Seq2[*User, error] {
	return allOf(ctx, opts, s.List)
}

// UpdatePassword changes a user's password given the old one:
// POST /v1/accounts/{account}/users/{id}/actions/update-password. The client must be
// authenticated with that user's own token; Keygen then revokes the user's other tokens.
// A wrong old password is a 401 pointing at /meta/oldPassword.
func (s *UsersService) UpdatePassword(ctx context.Context, id, oldPassword, newPassword string) (*User, error) {
	if oldPassword == "" || newPassword == "" {
		return nil, argErr("Users.UpdatePassword", "old and new passwords are required")
	}
	path, err := pathf("/users/%s/actions/update-password", id)
	if err != nil {
		return nil, err
	}
	body := jsonapi.Body{Meta: map[string]any{"oldPassword": oldPassword, "newPassword": newPassword}}
	return sendOne[User](ctx, s.c, &request{method: "POST", path: path, body: body})
}

// ResetPassword sets a new password with the token Keygen sent by RequestPasswordReset:
// POST /v1/accounts/{account}/users/{id}/actions/reset-password. It is sent with no
// credentials (the reset token is the proof); Keygen revokes all of the user's tokens.
// An unknown token answers 404, one older than 24 hours 401.
func (s *UsersService) ResetPassword(ctx context.Context, id, resetToken, newPassword string) (*User, error) {
	if resetToken == "" || newPassword == "" {
		return nil, argErr("Users.ResetPassword", "reset token and new password are required")
	}
	path, err := pathf("/users/%s/actions/reset-password", id)
	if err != nil {
		return nil, err
	}
	body := jsonapi.Body{Meta: map[string]any{"passwordResetToken": resetToken, "newPassword": newPassword}}
	return sendOne[User](ctx, s.c, &request{method: "POST", path: path, body: body, noAuth: true})
}

// RequestPasswordReset starts a password reset: POST /v1/accounts/{account}/passwords, sent
// with no credentials. With deliver, Keygen emails the user a reset link; without it, the
// token only reaches the account's user.password-reset webhook. Keygen answers 204 whether
// or not the email is known, so this cannot tell who has an account.
func (s *UsersService) RequestPasswordReset(ctx context.Context, email string, deliver bool) error {
	if strings.TrimSpace(email) == "" {
		return argErr("Users.RequestPasswordReset", "email is required")
	}
	body := jsonapi.Body{Meta: map[string]any{"email": email, "deliver": deliver}}
	return sendNoContent(ctx, s.c, &request{method: "POST", path: "/passwords", body: body, noAuth: true})
}

// Ban bans a user (role user only): POST /v1/accounts/{account}/users/{id}/actions/ban.
// A banned user cannot authenticate, and their licenses validate as BANNED.
func (s *UsersService) Ban(ctx context.Context, id string) (*User, error) {
	return s.action(ctx, id, "ban")
}

// Unban lifts a ban: POST /v1/accounts/{account}/users/{id}/actions/unban.
func (s *UsersService) Unban(ctx context.Context, id string) (*User, error) {
	return s.action(ctx, id, "unban")
}

func (s *UsersService) action(ctx context.Context, id, action string) (*User, error) {
	path, err := pathf("/users/%s/actions/"+action, id)
	if err != nil {
		return nil, err
	}
	return sendOne[User](ctx, s.c, &request{method: "POST", path: path})
}

// UserTokenOptions are the optional attributes of a user token. A nil *UserTokenOptions, like
// a zero one, sends no body: the token then expires after Keygen's default of 14 days.
type UserTokenOptions struct {
	// Name labels the token.
	Name string `jsonapi:"attr,name,omitempty"`
	// Expiry sets when the token expires: Set(t) for a time, Null[time.Time]() for never,
	// unset for Keygen's default (14 days from now).
	Expiry Nullable[time.Time] `jsonapi:"attr,expiry,omitempty"`
}

// GenerateToken creates a token for a user, e.g. to hand a customer a credential without
// knowing their password: POST /v1/accounts/{account}/users/{id}/tokens (200). Admins and
// developers may create tokens for role-user users and themselves, environments and
// products for role-user users (a product only for its own users). The returned Token
// carries the Secret; it is shown only this once.
func (s *UsersService) GenerateToken(ctx context.Context, userID string, opts *UserTokenOptions) (*Token, error) {
	var attrs map[string]any
	if opts != nil {
		var err error
		if attrs, err = jsonapi.Attributes(opts); err != nil {
			return nil, err
		}
	}
	return s.bearerToken(ctx, "/users/%s/tokens", userID, attrs)
}

// ChangeGroup moves a user to another group, or with an empty groupID out of its group:
// PUT /v1/accounts/{account}/users/{id}/group. A full group is a 422
// GROUP_USER_LIMIT_EXCEEDED, an unknown one GROUP_NOT_FOUND.
func (s *UsersService) ChangeGroup(ctx context.Context, userID, groupID string) (*User, error) {
	return changeToOne[User](ctx, s.c, "Users.ChangeGroup", "/users/%s/group", userID, "groups", groupID)
}
