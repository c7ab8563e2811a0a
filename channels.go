package keygen

// Channels, platforms and arches are read-only: Keygen makes one the first time a release
// names a channel, or an artifact a platform or arch, and lists only those the caller may
// see through the releases it may read (keygen-sh/keygen-api,
// app/controllers/api/v1/release_{channels,platforms,arches}_controller.rb). Their records
// are found by id only, never by key.

import (
	"context"
	"iter"
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
)

// Channel is a release channel: stable, rc, beta, alpha or dev
// (app/serializers/release_channel_serializer.rb).
type Channel struct {
	ID      string    `json:"-"`
	Key     string    `json:"key"`
	Name    *string   `json:"name"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

func (*Channel) resourceType() string { return "channels" }

func (ch *Channel) bind(r *jsonapi.Head) error { ch.ID = r.ID; return nil }

// Platform is an artifact platform key, e.g. "linux" or "darwin"
// (app/serializers/release_platform_serializer.rb). Keygen lists only the platforms that
// artifacts still use.
type Platform struct {
	ID      string    `json:"-"`
	Key     string    `json:"key"`
	Name    *string   `json:"name"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

func (*Platform) resourceType() string { return "platforms" }

func (p *Platform) bind(r *jsonapi.Head) error { p.ID = r.ID; return nil }

// Arch is an artifact architecture key, e.g. "amd64" or "arm64"
// (app/serializers/release_arch_serializer.rb). Keygen lists only the arches that artifacts
// still use.
type Arch struct {
	ID      string    `json:"-"`
	Key     string    `json:"key"`
	Name    *string   `json:"name"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

func (*Arch) resourceType() string { return "arches" }

func (a *Arch) bind(r *jsonapi.Head) error { a.ID = r.ID; return nil }

// ChannelsService reads release channels.
type ChannelsService struct{ service }

// List lists channels, newest first: GET /v1/accounts/{account}/channels.
func (s *ChannelsService) List(ctx context.Context, opts *ListOptions) (*Page[Channel], error) {
	return listPage[Channel](ctx, s.c, "/channels", opts)
}

// All iterates over every channel: GET /v1/accounts/{account}/channels, page after page.
func (s *ChannelsService) All(ctx context.Context, opts *ListOptions) iter.Seq2[*Channel, error] {
	return allOf(ctx, opts, s.List)
}

// Get fetches a channel by id: GET /v1/accounts/{account}/channels/{id}.
func (s *ChannelsService) Get(ctx context.Context, id string) (*Channel, error) {
	return getByID[Channel](ctx, s.c, "/channels/%s", id)
}

// PlatformsService reads artifact platforms.
type PlatformsService struct{ service }

// List lists platforms, newest first: GET /v1/accounts/{account}/platforms.
func (s *PlatformsService) List(ctx context.Context, opts *ListOptions) (*Page[Platform], error) {
	return listPage[Platform](ctx, s.c, "/platforms", opts)
}

// All iterates over every platform: GET /v1/accounts/{account}/platforms, page after page.
func (s *PlatformsService) All(ctx context.Context, opts *ListOptions) iter.Seq2[*Platform, error] {
	return allOf(ctx, opts, s.List)
}

// Get fetches a platform by id: GET /v1/accounts/{account}/platforms/{id}.
func (s *PlatformsService) Get(ctx context.Context, id string) (*Platform, error) {
	return getByID[Platform](ctx, s.c, "/platforms/%s", id)
}

// ArchesService reads artifact architectures.
type ArchesService struct{ service }

// List lists arches, newest first: GET /v1/accounts/{account}/arches.
func (s *ArchesService) List(ctx context.Context, opts *ListOptions) (*Page[Arch], error) {
	return listPage[Arch](ctx, s.c, "/arches", opts)
}

// All iterates over every arch: GET /v1/accounts/{account}/arches, page after page.
func (s *ArchesService) All(ctx context.Context, opts *ListOptions) iter.Seq2[*Arch, error] {
	return allOf(ctx, opts, s.List)
}

// Get fetches an arch by id: GET /v1/accounts/{account}/arches/{id}.
func (s *ArchesService) Get(ctx context.Context, id string) (*Arch, error) {
	return getByID[Arch](ctx, s.c, "/arches/%s", id)
}
