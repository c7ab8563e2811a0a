package keygen

import (
	"context"
	"iter"
	"strings"
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
	"github.com/licensekit/keygen/internal/query"
)

// Product is a Keygen product (keygen-sh/keygen-api, app/models/product.rb).
type Product struct {
	ID   string `json:"-"`
	Name string `json:"name"`
	// Code is a unique, human-readable alias usable in place of the id.
	Code *string `json:"code"`
	// DistributionStrategy is LICENSED, OPEN or CLOSED.
	DistributionStrategy string         `json:"distributionStrategy"`
	URL                  *string        `json:"url"`
	Platforms            []string       `json:"platforms"`
	Permissions          []string       `json:"permissions"`
	Metadata             map[string]any `json:"metadata"`
	Created              time.Time      `json:"created"`
	Updated              time.Time      `json:"updated"`

	AccountID     string `json:"-"`
	EnvironmentID string `json:"-"`
}

func (*Product) resourceType() string { return "products" }

func (p *Product) bind(r *jsonapi.Head) error {
	p.ID = r.ID
	p.AccountID = r.Relationships.Account.ID()
	p.EnvironmentID = r.Relationships.Environment.ID()
	return nil
}

// ProductCreateOptions are the attributes of a new product. Name is required.
type ProductCreateOptions struct {
	Name                 string         `jsonapi:"attr,name"`
	Code                 string         `jsonapi:"attr,code,omitempty"`
	DistributionStrategy string         `jsonapi:"attr,distributionStrategy,omitempty"`
	URL                  string         `jsonapi:"attr,url,omitempty"`
	Platforms            []string       `jsonapi:"attr,platforms,omitempty"`
	Permissions          []string       `jsonapi:"attr,permissions,omitempty"`
	Metadata             map[string]any `jsonapi:"attr,metadata,omitempty"`
}

// ProductUpdateOptions change a product; zero fields are left unchanged.
type ProductUpdateOptions struct {
	Name *string `jsonapi:"attr,name,omitempty"`
	// Code cannot be cleared on update (keygen-sh/keygen-api,
	// app/controllers/api/v1/products_controller.rb: it is not allow_nil there).
	Code                 *string            `jsonapi:"attr,code,omitempty"`
	DistributionStrategy Nullable[string]   `jsonapi:"attr,distributionStrategy,omitempty"`
	URL                  Nullable[string]   `jsonapi:"attr,url,omitempty"`
	Platforms            Nullable[[]string] `jsonapi:"attr,platforms,omitempty"`
	Permissions          []string           `jsonapi:"attr,permissions,omitempty"`
	// Metadata replaces the whole metadata object when non-nil.
	Metadata map[string]any `jsonapi:"attr,metadata,omitempty"`
}

// ProductListOptions filter a product list (Keygen has no product filters beyond paging).
type ProductListOptions struct {
	ListOptions
}

// ProductsService manages products.
type ProductsService struct{ service }

// Create creates a product: POST /v1/accounts/{account}/products.
func (s *ProductsService) Create(ctx context.Context, opts ProductCreateOptions) (*Product, error) {
	if strings.TrimSpace(opts.Name) == "" {
		return nil, argErr("Products.Create", "Name is required")
	}
	attrs, err := jsonapi.Attributes(&opts)
	if err != nil {
		return nil, err
	}
	body := jsonapi.Body{Data: jsonapi.Object{Type: "products", Attributes: attrs}}
	return sendOne[Product](ctx, s.c, &request{method: "POST", path: "/products", body: body})
}

// Get fetches a product by id or code: GET /v1/accounts/{account}/products/{id}.
func (s *ProductsService) Get(ctx context.Context, id string) (*Product, error) {
	return getByID[Product](ctx, s.c, "/products/%s", id)
}

// Update changes a product: PATCH /v1/accounts/{account}/products/{id}.
func (s *ProductsService) Update(ctx context.Context, id string, opts ProductUpdateOptions) (*Product, error) {
	return updateByID[Product](ctx, s.c, "/products/%s", id, "products", &opts)
}

// Delete deletes a product and, asynchronously, its policies and licenses:
// DELETE /v1/accounts/{account}/products/{id}.
func (s *ProductsService) Delete(ctx context.Context, id string) error {
	return deleteByID(ctx, s.c, "/products/%s", id)
}

// encode writes the paging parameters (nil options write nothing).
func (o *ProductListOptions) encode(q *query.Values) error {
	if o == nil {
		return nil
	}
	return o.ListOptions.encode(q)
}

// List lists products, newest first: GET /v1/accounts/{account}/products.
func (s *ProductsService) List(ctx context.Context, opts *ProductListOptions) (*Page[Product], error) {
	return listPage[Product](ctx, s.c, "/products", opts)
}

// All iterates over every product: GET /v1/accounts/{account}/products, page after page (see
// ListOptions for how). It stops at the first error (yielded once), when ctx is done, or when
// the loop breaks.
func (s *ProductsService) All(ctx context.Context, opts *ProductListOptions) iter.Seq2[*Product, error] {
	return allOf(ctx, opts, s.List)
}

// ProductTokenOptions are the optional attributes of a product token. A nil
// *ProductTokenOptions, like a zero one, sends no body: the token then has no name and never
// expires.
type ProductTokenOptions struct {
	// Name labels the token.
	Name string `jsonapi:"attr,name,omitempty"`
	// Expiry sets when the token expires: Set(t) for a time, Null[time.Time]() or unset for
	// never.
	Expiry Nullable[time.Time] `jsonapi:"attr,expiry,omitempty"`
	// Permissions restricts the token (Keygen Enterprise), e.g. "license.read".
	Permissions []string `jsonapi:"attr,permissions,omitempty"`
}

// GenerateToken creates a product token, the credential a backend service of that product
// uses: POST /v1/accounts/{account}/products/{id}/tokens (200). It needs an admin, developer
// or environment bearer. The returned Token carries the Secret; it is shown only this once.
func (s *ProductsService) GenerateToken(ctx context.Context, productID string, opts *ProductTokenOptions) (*Token, error) {
	var attrs map[string]any
	if opts != nil {
		var err error
		if attrs, err = jsonapi.Attributes(opts); err != nil {
			return nil, err
		}
	}
	return s.bearerToken(ctx, "/products/%s/tokens", productID, attrs)
}
