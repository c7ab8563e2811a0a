package keygen

import (
	"context"
	"iter"
	"strings"
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
	"github.com/licensekit/keygen/internal/query"
)

// Package groups a product's releases, e.g. one per program of a product that ships several
// (keygen-sh/keygen-api, app/models/release_package.rb and
// app/serializers/release_package_serializer.rb).
type Package struct {
	ID   string `json:"-"`
	Name string `json:"name"`
	// Key identifies the package in URLs and filters; unique within the account.
	Key string `json:"key"`
	// Engine is the package manager the package is served to (pypi, tauri, raw, rubygems,
	// npm, oci), nil for none.
	Engine   *string        `json:"engine"`
	Metadata map[string]any `json:"metadata"`
	Created  time.Time      `json:"created"`
	Updated  time.Time      `json:"updated"`

	ProductID     string `json:"-"`
	AccountID     string `json:"-"`
	EnvironmentID string `json:"-"`
}

func (*Package) resourceType() string { return "packages" }

func (p *Package) bind(r *jsonapi.Head) error {
	p.ID = r.ID
	p.ProductID = r.Relationships.Product.ID()
	p.AccountID = r.Relationships.Account.ID()
	p.EnvironmentID = r.Relationships.Environment.ID()
	return nil
}

// PackagesService manages release packages.
type PackagesService struct{ service }

// PackageCreateOptions are a new package's attributes. ProductID, Name and Key are required;
// a key already used in the account is a 422 KEY_TAKEN.
type PackageCreateOptions struct {
	ProductID string
	Name      string `jsonapi:"attr,name"`
	Key       string `jsonapi:"attr,key"`
	// Engine is one of pypi, tauri, raw, rubygems, npm or oci (anything else is a 400);
	// empty for none.
	Engine   string         `jsonapi:"attr,engine,omitempty"`
	Metadata map[string]any `jsonapi:"attr,metadata,omitempty"`
}

// PackageUpdateOptions change a package; zero fields are left unchanged. Only the engine can
// be cleared: Keygen requires a name and a key.
type PackageUpdateOptions struct {
	Name   string           `jsonapi:"attr,name,omitempty"`
	Key    string           `jsonapi:"attr,key,omitempty"`
	Engine Nullable[string] `jsonapi:"attr,engine,omitempty"`
	// Metadata replaces the whole metadata object when non-nil.
	Metadata map[string]any `jsonapi:"attr,metadata,omitempty"`
}

// PackageListOptions filter a package list (the product and engine scopes of
// app/controllers/api/v1/release_packages_controller.rb).
type PackageListOptions struct {
	ListOptions
	Product string
	// Engine is an engine key (pypi, tauri, raw, rubygems, npm, oci).
	Engine string
}

func (o *PackageListOptions) encode(q *query.Values) error {
	if o == nil {
		return nil
	}
	if err := o.ListOptions.encode(q); err != nil {
		return err
	}
	q.String("product", o.Product)
	q.String("engine", o.Engine)
	return nil
}

// Create creates a package: POST /v1/accounts/{account}/packages (201).
func (s *PackagesService) Create(ctx context.Context, opts PackageCreateOptions) (*Package, error) {
	for _, f := range []struct{ name, v string }{{"ProductID", opts.ProductID}, {"Name", opts.Name}, {"Key", opts.Key}} {
		if strings.TrimSpace(f.v) == "" {
			return nil, argErr("Packages.Create", f.name+" is required")
		}
	}
	attrs, err := jsonapi.Attributes(&opts)
	if err != nil {
		return nil, err
	}
	rels := map[string]any{"product": jsonapi.LinkTo("products", opts.ProductID)}
	body := jsonapi.Body{Data: jsonapi.Object{Type: "packages", Attributes: attrs, Relationships: rels}}
	return sendOne[Package](ctx, s.c, &request{method: "POST", path: "/packages", body: body})
}

// Get fetches a package by id or key: GET /v1/accounts/{account}/packages/{id}.
func (s *PackagesService) Get(ctx context.Context, idOrKey string) (*Package, error) {
	return getByID[Package](ctx, s.c, "/packages/%s", idOrKey)
}

// Update changes a package: PATCH /v1/accounts/{account}/packages/{id}.
func (s *PackagesService) Update(ctx context.Context, id string, opts PackageUpdateOptions) (*Package, error) {
	return updateByID[Package](ctx, s.c, "/packages/%s", id, "packages", &opts)
}

// Delete deletes a package: DELETE /v1/accounts/{account}/packages/{id} (204).
func (s *PackagesService) Delete(ctx context.Context, id string) error {
	return deleteByID(ctx, s.c, "/packages/%s", id)
}

// List lists packages, newest first: GET /v1/accounts/{account}/packages.
func (s *PackagesService) List(ctx context.Context, opts *PackageListOptions) (*Page[Package], error) {
	return listPage[Package](ctx, s.c, "/packages", opts)
}

// All iterates over every package matching opts: GET /v1/accounts/{account}/packages, page
// after page (see ListOptions for how). It stops at the first error (yielded once), when ctx
// is done, or when the loop breaks.
func (s *PackagesService) All(ctx context.Context, opts *PackageListOptions) iter.Seq2[*Package, error] {
	return allOf(ctx, opts, s.List)
}
