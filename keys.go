package keygen

import (
	"context"
	"iter"
	"strings"
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
	"github.com/licensekit/keygen/internal/query"
)

// Key is a pre-made license key waiting in a pooled policy (keygen-sh/keygen-api,
// app/models/key.rb).
type Key struct {
	ID      string    `json:"-"`
	Key     string    `json:"key"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`

	ProductID     string `json:"-"`
	PolicyID      string `json:"-"`
	AccountID     string `json:"-"`
	EnvironmentID string `json:"-"`
}

func (*Key) resourceType() string { return "keys" }

func (k *Key) bind(r *jsonapi.Head) error {
	k.ID = r.ID
	k.ProductID = r.Relationships.Product.ID()
	k.PolicyID = r.Relationships.Policy.ID()
	k.AccountID = r.Relationships.Account.ID()
	k.EnvironmentID = r.Relationships.Environment.ID()
	return nil
}

// KeyCreateOptions add a key to a pooled policy's pool. Both fields are required.
type KeyCreateOptions struct {
	// Key is the license key to hand out later: 8 to 1024 characters, unique in the account.
	Key string
	// PolicyID is the pooled policy (usePool true) the key waits in.
	PolicyID string
}

// KeyUpdateOptions change a pooled key; a nil Key leaves it unchanged.
type KeyUpdateOptions struct {
	Key *string `jsonapi:"attr,key,omitempty"`
}

// KeyListOptions filter a key list (keygen-sh/keygen-api,
// app/controllers/api/v1/keys_controller.rb).
type KeyListOptions struct {
	ListOptions
	// Product keeps the keys of one product's policies (by id).
	Product string
	// Policy keeps the keys of one policy (by id).
	Policy string
}

// KeysService manages the keys waiting in pooled policies. Creating a license on a pooled
// policy consumes the oldest key; PoliciesService.PopKey takes one out by hand.
type KeysService struct{ service }

// Create adds a key to a policy's pool: POST /v1/accounts/{account}/keys. A policy without a
// pool answers 422 POLICY_NOT_SUPPORTED; a key already in use answers 422 KEY_TAKEN.
func (s *KeysService) Create(ctx context.Context, opts KeyCreateOptions) (*Key, error) {
	if strings.TrimSpace(opts.Key) == "" {
		return nil, argErr("Keys.Create", "Key is required")
	}
	if strings.TrimSpace(opts.PolicyID) == "" {
		return nil, argErr("Keys.Create", "PolicyID is required")
	}
	body := jsonapi.Body{Data: jsonapi.Object{
		Type:          "keys",
		Attributes:    map[string]any{"key": opts.Key},
		Relationships: map[string]any{"policy": jsonapi.LinkTo("policies", opts.PolicyID)},
	}}
	return sendOne[Key](ctx, s.c, &request{method: "POST", path: "/keys", body: body})
}

// Get fetches a key by id: GET /v1/accounts/{account}/keys/{id}.
func (s *KeysService) Get(ctx context.Context, id string) (*Key, error) {
	return getByID[Key](ctx, s.c, "/keys/%s", id)
}

// Update changes a key: PATCH /v1/accounts/{account}/keys/{id}.
func (s *KeysService) Update(ctx context.Context, id string, opts KeyUpdateOptions) (*Key, error) {
	return updateByID[Key](ctx, s.c, "/keys/%s", id, "keys", &opts)
}

// Delete removes a key from its pool: DELETE /v1/accounts/{account}/keys/{id}.
func (s *KeysService) Delete(ctx context.Context, id string) error {
	return deleteByID(ctx, s.c, "/keys/%s", id)
}

// encode writes the paging parameters and the filters (nil options write nothing).
func (o *KeyListOptions) encode(q *query.Values) error {
	if o == nil {
		return nil
	}
	if err := o.ListOptions.encode(q); err != nil {
		return err
	}
	q.String("product", o.Product)
	q.String("policy", o.Policy)
	return nil
}

// List lists pooled keys, newest first: GET /v1/accounts/{account}/keys.
func (s *KeysService) List(ctx context.Context, opts *KeyListOptions) (*Page[Key], error) {
	return listPage[Key](ctx, s.c, "/keys", opts)
}

// All iterates over every pooled key matching opts: GET /v1/accounts/{account}/keys, page
// after page (see ListOptions for how). It stops at the first error (yielded once), when ctx is done, or when the
// loop breaks.
func (s *KeysService) All(ctx context.Context, opts *KeyListOptions) iter.Seq2[*Key, error] {
	return allOf(ctx, opts, s.List)
}
