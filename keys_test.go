package keygen

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testKeyID = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"

func assertPoolKey(t *testing.T, k *Key) {
	t.Helper()
	assert.Equal(t, testKeyID, k.ID)
	assert.Equal(t, "POOL-7Q2X-K9WM-44HD", k.Key)
	assert.Equal(t, mustTime(t, "2024-05-04T08:15:00Z"), k.Created)
	assert.Equal(t, mustTime(t, "2024-05-04T08:15:00Z"), k.Updated)
	assert.Equal(t, testProductID, k.ProductID)
	assert.Equal(t, testPolicyID, k.PolicyID)
	assert.Equal(t, "4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11", k.AccountID)
	assert.Equal(t, "3e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b", k.EnvironmentID)
}

func TestKeysCreate(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "POST", path: "/keys", golden: "keys_create.json", status: 201, fixture: "key.json"})
	k, err := c.Keys.Create(context.Background(), KeyCreateOptions{Key: "POOL-7Q2X-K9WM-44HD", PolicyID: testPolicyID})
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assertPoolKey(t, k)
}

func TestKeysCreateLocalErrors(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	_, err := c.Keys.Create(context.Background(), KeyCreateOptions{PolicyID: testPolicyID})
	require.ErrorIs(t, err, ErrInvalidArgument)
	_, err = c.Keys.Create(context.Background(), KeyCreateOptions{Key: "POOL-7Q2X-K9WM-44HD"})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestKeysGet(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/keys/" + testKeyID, fixture: "key.json"})
	k, err := c.Keys.Get(context.Background(), testKeyID)
	require.NoError(t, err)
	assertPoolKey(t, k)

	_, err = c.Keys.Get(context.Background(), "")
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestKeysUpdate(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "PATCH", path: "/keys/" + testKeyID, golden: "keys_update.json", fixture: "key.json"})
	k, err := c.Keys.Update(context.Background(), testKeyID, KeyUpdateOptions{Key: Ptr("POOL-7Q2X-K9WM-44HD")})
	require.NoError(t, err)
	assertPoolKey(t, k)

	_, err = c.Keys.Update(context.Background(), "", KeyUpdateOptions{})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestKeysDelete(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "DELETE", path: "/keys/" + testKeyID, status: 204})
	require.NoError(t, c.Keys.Delete(context.Background(), testKeyID))
	assert.Equal(t, 1, *calls)
	require.ErrorIs(t, c.Keys.Delete(context.Background(), ""), ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestKeysList(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/keys", fixture: "keys_page1.json", query: url.Values{
		"page[number]": {"1"}, "page[size]": {"2"}, "product": {testProductID}, "policy": {testPolicyID},
	}})
	page, err := c.Keys.List(context.Background(), &KeyListOptions{
		ListOptions: ListOptions{PageSize: 2, PageNumber: 1}, Product: testProductID, Policy: testPolicyID,
	})
	require.NoError(t, err)
	require.Len(t, page.Data, 2)
	assert.Equal(t, "POOL-KEY-0001", page.Data[0].Key)
	assert.Equal(t, "POOL-KEY-0002", page.Data[1].Key)
	assert.Equal(t, testPolicyID, page.Data[1].PolicyID)
	assert.Equal(t, testProductID, page.Data[1].ProductID)
	assert.Empty(t, page.Data[1].EnvironmentID)
	assert.True(t, page.HasNext())
	assert.Equal(t, 2, page.Pages)
	assert.Equal(t, 3, page.Count)

	_, err = c.Keys.List(context.Background(), &KeyListOptions{ListOptions: ListOptions{PageSize: 101}})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

// pagedKeys answers GET /keys from keys_page<N>.json according to page[cursor], checking the
// rest of the query, and records the pages served: "1" for the empty cursor, "2" for the
// id of page 1's last key. (The fixtures' links name page numbers, as for List; a walk by
// keyset goes on from the last id.)
func pagedKeys(t *testing.T, mt *httpmock.MockTransport, failPage string) *[]string {
	t.Helper()
	served := new([]string)
	pages := map[string][]byte{"1": fixture(t, "keys_page1.json"), "2": fixture(t, "keys_page2.json")}
	mt.RegisterResponder("GET", apiURL("/keys"), func(req *http.Request) (*http.Response, error) {
		cursor := req.URL.Query().Get("page[cursor]")
		n := map[string]string{"": "1", "0a1b2c3d-0002-4000-8000-000000000002": "2"}[cursor]
		*served = append(*served, n)
		checkRequest(t, req, wire{method: "GET", query: url.Values{
			"page[cursor]": {cursor}, "page[size]": {"2"}, "policy": {testPolicyID},
		}})
		if n == failPage {
			resp := httpmock.NewStringResponse(404, `{"errors":[{"title":"Not found","detail":"The requested policy was not found","code":"NOT_FOUND"}]}`)
			resp.Request = req
			return resp, nil
		}
		body, ok := pages[n]
		if !ok {
			t.Errorf("unexpected page[cursor]=%q", cursor)
			return httpmock.NewStringResponse(500, ""), nil
		}
		resp := httpmock.NewBytesResponse(200, body)
		resp.Header.Set("Content-Type", "application/vnd.api+json")
		resp.Request = req
		return resp, nil
	})
	return served
}

func TestKeysAllWalksEveryPage(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	served := pagedKeys(t, mt, "")
	var keys []string
	for k, err := range c.Keys.All(context.Background(), &KeyListOptions{ListOptions: ListOptions{PageSize: 2}, Policy: testPolicyID}) {
		require.NoError(t, err)
		keys = append(keys, k.Key)
	}
	assert.Equal(t, []string{"POOL-KEY-0001", "POOL-KEY-0002", "POOL-KEY-0003"}, keys)
	// Page 2 has links.next null: the walk ends there without asking for page 3.
	assert.Equal(t, []string{"1", "2"}, *served)
}

func TestKeysAllStopsWhenTheLoopBreaks(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	served := pagedKeys(t, mt, "")
	var keys []string
	for k, err := range c.Keys.All(context.Background(), &KeyListOptions{ListOptions: ListOptions{PageSize: 2}, Policy: testPolicyID}) {
		require.NoError(t, err)
		keys = append(keys, k.Key)
		if len(keys) == 2 {
			break
		}
	}
	assert.Equal(t, []string{"POOL-KEY-0001", "POOL-KEY-0002"}, keys)
	assert.Equal(t, []string{"1"}, *served, "no page is fetched after the loop breaks")
}

func TestKeysAllYieldsTheFirstErrorOnce(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	served := pagedKeys(t, mt, "2")
	var keys []string
	var errs []error
	for k, err := range c.Keys.All(context.Background(), &KeyListOptions{ListOptions: ListOptions{PageSize: 2}, Policy: testPolicyID}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		keys = append(keys, k.Key)
	}
	assert.Equal(t, []string{"POOL-KEY-0001", "POOL-KEY-0002"}, keys)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrNotFound)
	assert.Equal(t, []string{"1", "2"}, *served)
}

func TestKeysAllHonoursContext(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	served := pagedKeys(t, mt, "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var keys []string
	var errs []error
	for k, err := range c.Keys.All(ctx, &KeyListOptions{ListOptions: ListOptions{PageSize: 2}, Policy: testPolicyID}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		keys = append(keys, k.Key)
		cancel() // cancelled while reading page 1: page 2 must not be fetched
	}
	assert.Len(t, keys, 2)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], context.Canceled)
	assert.Equal(t, []string{"1"}, *served)
}
