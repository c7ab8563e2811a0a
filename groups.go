package keygen

import (
	"context"
	"iter"
	"strings"
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
	"github.com/licensekit/keygen/internal/query"
)

// Group gathers users, licenses and machines under shared limits, and lets its owners (users)
// read its members (keygen-sh/keygen-api, app/serializers/group_serializer.rb). A member
// joins it on create (GroupID in the create options) or through ChangeGroup on licenses,
// users and machines.
type Group struct {
	ID   string `json:"-"`
	Name string `json:"name"`
	// MaxLicenses, MaxMachines and MaxUsers cap the members of each kind; nil means no limit.
	// Keygen checks them when a member joins, so lowering one below the current count is
	// allowed and removes nobody.
	MaxLicenses *int           `json:"maxLicenses"`
	MaxMachines *int           `json:"maxMachines"`
	MaxUsers    *int           `json:"maxUsers"`
	Metadata    map[string]any `json:"metadata"`
	Created     time.Time      `json:"created"`
	Updated     time.Time      `json:"updated"`

	AccountID     string `json:"-"`
	EnvironmentID string `json:"-"`
}

func (*Group) resourceType() string { return "groups" }

func (g *Group) bind(r *jsonapi.Head) error {
	g.ID = r.ID
	g.AccountID = r.Relationships.Account.ID()
	g.EnvironmentID = r.Relationships.Environment.ID()
	return nil
}

// GroupOwner records that a user owns a group, which lets the user read the group's members
// (app/serializers/group_owner_serializer.rb). Its ID is the record's, not the user's.
type GroupOwner struct {
	ID      string    `json:"-"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`

	GroupID       string `json:"-"`
	UserID        string `json:"-"`
	AccountID     string `json:"-"`
	EnvironmentID string `json:"-"`
}

func (*GroupOwner) resourceType() string { return "group-owners" }

func (o *GroupOwner) bind(r *jsonapi.Head) error {
	o.ID = r.ID
	o.GroupID = r.Relationships.Group.ID()
	o.UserID = r.Relationships.User.ID()
	o.AccountID = r.Relationships.Account.ID()
	o.EnvironmentID = r.Relationships.Environment.ID()
	return nil
}

// GroupsService manages groups and their owners.
type GroupsService struct{ service }

// GroupCreateOptions are the attributes of a new group. Name is required; a nil limit means
// none.
type GroupCreateOptions struct {
	Name        string         `jsonapi:"attr,name"`
	MaxLicenses *int           `jsonapi:"attr,maxLicenses,omitempty"`
	MaxMachines *int           `jsonapi:"attr,maxMachines,omitempty"`
	MaxUsers    *int           `jsonapi:"attr,maxUsers,omitempty"`
	Metadata    map[string]any `jsonapi:"attr,metadata,omitempty"`
}

// GroupUpdateOptions change a group; zero fields are left unchanged. A limit set to
// Null[int]() is lifted (app/controllers/api/v1/groups_controller.rb allows nil on update).
type GroupUpdateOptions struct {
	Name        *string       `jsonapi:"attr,name,omitempty"`
	MaxLicenses Nullable[int] `jsonapi:"attr,maxLicenses,omitempty"`
	MaxMachines Nullable[int] `jsonapi:"attr,maxMachines,omitempty"`
	MaxUsers    Nullable[int] `jsonapi:"attr,maxUsers,omitempty"`
	// Metadata replaces the whole metadata object when non-nil.
	Metadata map[string]any `jsonapi:"attr,metadata,omitempty"`
}

// GroupListOptions page a group list (the groups controller declares no filters).
type GroupListOptions struct {
	ListOptions
}

func (o *GroupListOptions) encode(q *query.Values) error {
	if o == nil {
		return nil
	}
	return o.ListOptions.encode(q)
}

// Create creates a group: POST /v1/accounts/{account}/groups.
func (s *GroupsService) Create(ctx context.Context, opts GroupCreateOptions) (*Group, error) {
	if strings.TrimSpace(opts.Name) == "" {
		return nil, argErr("Groups.Create", "Name is required")
	}
	attrs, err := jsonapi.Attributes(&opts)
	if err != nil {
		return nil, err
	}
	body := jsonapi.Body{Data: jsonapi.Object{Type: "groups", Attributes: attrs}}
	return sendOne[Group](ctx, s.c, &request{method: "POST", path: "/groups", body: body})
}

// Get fetches a group: GET /v1/accounts/{account}/groups/{id}.
func (s *GroupsService) Get(ctx context.Context, id string) (*Group, error) {
	return getByID[Group](ctx, s.c, "/groups/%s", id)
}

// Update changes a group: PATCH /v1/accounts/{account}/groups/{id}.
func (s *GroupsService) Update(ctx context.Context, id string, opts GroupUpdateOptions) (*Group, error) {
	if opts.Name != nil && strings.TrimSpace(*opts.Name) == "" {
		return nil, argErr("Groups.Update", "Name cannot be blank")
	}
	return updateByID[Group](ctx, s.c, "/groups/%s", id, "groups", &opts)
}

// Delete deletes a group: DELETE /v1/accounts/{account}/groups/{id}. Its members stay, with
// no group, and its owners are removed.
func (s *GroupsService) Delete(ctx context.Context, id string) error {
	return deleteByID(ctx, s.c, "/groups/%s", id)
}

// List lists groups, newest first: GET /v1/accounts/{account}/groups.
func (s *GroupsService) List(ctx context.Context, opts *GroupListOptions) (*Page[Group], error) {
	return listPage[Group](ctx, s.c, "/groups", opts)
}

// All iterates over every group: GET /v1/accounts/{account}/groups, page after page (see
// ListOptions for how). It stops at the first error (yielded once), when ctx is done, or
// when the loop breaks.
func (s *GroupsService) All(ctx context.Context, opts *GroupListOptions) iter.Seq2[*Group, error] {
	return allOf(ctx, opts, s.List)
}

// ListOwners lists a group's owners: GET /v1/accounts/{account}/groups/{id}/owners.
func (s *GroupsService) ListOwners(ctx context.Context, groupID string, opts *ListOptions) (*Page[GroupOwner], error) {
	return listRelated[GroupOwner](ctx, s.c, "/groups/%s/owners", groupID, opts)
}

// AttachOwners makes users owners of a group: POST /v1/accounts/{account}/groups/{id}/owners
// with 1 to 100 user ids. A user who already owns it is a 422 USER_TAKEN, an unknown one a
// 422 USER_NOT_FOUND. Keygen adds the owners one by one, without a transaction
// (app/controllers/api/v1/groups/relationships/group_owners_controller.rb): after such an
// error the owners listed before that user stay added (ListOwners shows which).
func (s *GroupsService) AttachOwners(ctx context.Context, groupID string, userIDs ...string) error {
	return attachIDs(ctx, s.c, "Groups.AttachOwners", "/groups/%s/owners", groupID, "users", userIDs)
}

// DetachOwners removes users from a group's owners:
// DELETE /v1/accounts/{account}/groups/{id}/owners with 1 to 100 user ids. A user who is not
// an owner fails the call (422, pointer /data/<index>) and none is removed.
func (s *GroupsService) DetachOwners(ctx context.Context, groupID string, userIDs ...string) error {
	return detachIDs(ctx, s.c, "Groups.DetachOwners", "/groups/%s/owners", groupID, "users", userIDs)
}

// ListUsers lists a group's users: GET /v1/accounts/{account}/groups/{id}/users.
func (s *GroupsService) ListUsers(ctx context.Context, groupID string, opts *ListOptions) (*Page[User], error) {
	return listRelated[User](ctx, s.c, "/groups/%s/users", groupID, opts)
}

// ListLicenses lists a group's licenses: GET /v1/accounts/{account}/groups/{id}/licenses.
func (s *GroupsService) ListLicenses(ctx context.Context, groupID string, opts *ListOptions) (*Page[License], error) {
	return listRelated[License](ctx, s.c, "/groups/%s/licenses", groupID, opts)
}

// ListMachines lists a group's machines: GET /v1/accounts/{account}/groups/{id}/machines.
func (s *GroupsService) ListMachines(ctx context.Context, groupID string, opts *ListOptions) (*Page[Machine], error) {
	return listRelated[Machine](ctx, s.c, "/groups/%s/machines", groupID, opts)
}
