package keygen

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestChannels(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/channels", fixture: "channels.json", query: url.Values{"limit": {"2"}}})
	expect(t, mt, wire{method: "GET", path: "/channels/a1b2c3d4-0001-4000-8000-000000000001", fixture: "channel.json"})
	page, err := c.Channels.List(context.Background(), &ListOptions{Limit: 2})
	require.NoError(t, err)
	require.Len(t, page.Data, 2)
	assert.Equal(t, "beta", page.Data[0].Key)
	assert.Nil(t, page.Data[0].Name)
	assert.Equal(t, mustTime(t, "2024-02-03T03:04:05.5Z"), page.Data[0].Updated)

	ch, err := c.Channels.Get(context.Background(), "a1b2c3d4-0001-4000-8000-000000000001")
	require.NoError(t, err)
	assert.Equal(t, Channel{
		ID: "a1b2c3d4-0001-4000-8000-000000000001", Key: "stable", Name: Ptr("Stable"),
		Created: mustTime(t, "2024-01-02T03:04:05Z"), Updated: mustTime(t, "2024-01-02T03:04:05Z"),
	}, *ch)

	_, err = c.Channels.Get(context.Background(), "")
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 2, mt.GetTotalCallCount())
}

func TestChannelsAll(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/channels", fixture: "channels.json", query: url.Values{"page[cursor]": {""}, "page[size]": {"100"}}})
	var keys []string
	for ch, err := range c.Channels.All(context.Background(), nil) {
		require.NoError(t, err)
		keys = append(keys, ch.Key)
	}
	assert.Equal(t, []string{"beta", "stable"}, keys)
}

func TestPlatforms(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/platforms", fixture: "platforms.json"})
	expect(t, mt, wire{method: "GET", path: "/platforms/b1b2c3d4-0002-4000-8000-000000000002", fixture: "platform.json"})
	page, err := c.Platforms.List(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, page.Data, 2)
	assert.Equal(t, "linux", page.Data[0].Key)
	assert.Nil(t, page.Data[0].Name)

	p, err := c.Platforms.Get(context.Background(), "b1b2c3d4-0002-4000-8000-000000000002")
	require.NoError(t, err)
	assert.Equal(t, Platform{
		ID: "b1b2c3d4-0002-4000-8000-000000000002", Key: "darwin", Name: Ptr("macOS"),
		Created: mustTime(t, "2024-01-04T00:00:00Z"), Updated: mustTime(t, "2024-01-06T00:00:00Z"),
	}, *p)

	_, err = c.Platforms.Get(context.Background(), " ")
	require.ErrorIs(t, err, ErrInvalidArgument)
}

func TestArches(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/arches", fixture: "arches.json", query: url.Values{"page[number]": {"1"}, "page[size]": {"10"}}})
	expect(t, mt, wire{method: "GET", path: "/arches/c1b2c3d4-0002-4000-8000-000000000002", fixture: "arch.json"})
	page, err := c.Arches.List(context.Background(), &ListOptions{PageSize: 10})
	require.NoError(t, err)
	require.Len(t, page.Data, 2)
	assert.Equal(t, "amd64", page.Data[0].Key)

	a, err := c.Arches.Get(context.Background(), "c1b2c3d4-0002-4000-8000-000000000002")
	require.NoError(t, err)
	assert.Equal(t, Arch{
		ID: "c1b2c3d4-0002-4000-8000-000000000002", Key: "arm64", Name: Ptr("ARM64"),
		Created: mustTime(t, "2024-01-04T00:00:00Z"), Updated: mustTime(t, "2024-01-04T00:00:00Z"),
	}, *a)
}
