package keygen

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licensekit/keygen/internal/query"
)

func TestListOptionsEncoding(t *testing.T) {
	cases := []struct {
		opts *ListOptions
		want url.Values
	}{
		{nil, url.Values{}},
		{&ListOptions{}, url.Values{}},
		{&ListOptions{PageSize: 5}, url.Values{"page[number]": {"1"}, "page[size]": {"5"}}},
		{&ListOptions{PageSize: 25, PageNumber: 3}, url.Values{"page[number]": {"3"}, "page[size]": {"25"}}},
		{&ListOptions{PageNumber: 100, PageSize: 100}, url.Values{"page[number]": {"100"}, "page[size]": {"100"}}},
		{&ListOptions{PageNumber: 2}, url.Values{"page[number]": {"2"}}},
		{&ListOptions{Limit: 20}, url.Values{"limit": {"20"}}},
		{&ListOptions{Limit: 1, Ascending: true}, url.Values{"limit": {"1"}, "order": {"asc"}}},
		{&ListOptions{Ascending: true}, url.Values{"order": {"asc"}}},
	}
	for _, tc := range cases {
		var q query.Values
		require.NoError(t, tc.opts.encode(&q))
		got, err := url.ParseQuery(q.Encode())
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, "%+v", tc.opts)
	}
	// On the wire, brackets are percent-encoded like Keygen's own links.
	var q query.Values
	require.NoError(t, (&ListOptions{PageSize: 5, PageNumber: 2}).encode(&q))
	assert.Equal(t, "page%5Bnumber%5D=2&page%5Bsize%5D=5", q.Encode())
}

func TestListOptionsBoundsFailBeforeIO(t *testing.T) {
	for _, lo := range []ListOptions{{PageSize: -1}, {PageSize: 101}, {PageNumber: -1}, {PageNumber: 101}, {Limit: -5}, {Limit: 101}} {
		c, mt := newTestClient(t)
		_, err := c.Products.List(context.Background(), &ProductListOptions{lo})
		require.ErrorIs(t, err, ErrInvalidArgument, "%+v", lo)
		for range c.Products.All(context.Background(), &ProductListOptions{lo}) {
		}
		assert.Zero(t, mt.GetTotalCallCount(), "%+v", lo)
	}
}

func TestListSendsEncodedOptions(t *testing.T) {
	c, mt := newTestClient(t)
	var got url.Values
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		got = req.URL.Query()
		return jsonResponse(req, 200, `{"data":[]}`), nil
	})
	page, err := c.Products.List(context.Background(), &ProductListOptions{ListOptions{Limit: 3, Ascending: true}})
	require.NoError(t, err)
	assert.Equal(t, url.Values{"limit": {"3"}, "order": {"asc"}}, got)
	assert.Empty(t, page.Data)
	assert.NotNil(t, page.Data)
	assert.False(t, page.HasNext())
	_, err = c.Products.List(context.Background(), nil)
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestPageLinksAndCounts(t *testing.T) {
	c, mt := newTestClient(t)
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		return jsonResponse(req, 200, `{"data":[`+productData("a")+`],"links":{
			"self":"/v1/accounts/acme/products?page%5Bnumber%5D=2&page%5Bsize%5D=1",
			"first":"/v1/accounts/acme/products?page%5Bnumber%5D=1&page%5Bsize%5D=1",
			"prev":"/v1/accounts/acme/products?page%5Bnumber%5D=1&page%5Bsize%5D=1",
			"next":"/v1/accounts/acme/products?page%5Bnumber%5D=3&page%5Bsize%5D=1",
			"last":"/v1/accounts/acme/products?page%5Bnumber%5D=3&page%5Bsize%5D=1",
			"meta":{"pages":3,"count":3}}}`), nil
	})
	page, err := c.Products.List(context.Background(), &ProductListOptions{ListOptions{PageSize: 1, PageNumber: 2}})
	require.NoError(t, err)
	require.Len(t, page.Data, 1)
	assert.Equal(t, "a", page.Data[0].ID)
	assert.Equal(t, "/v1/accounts/acme/products?page%5Bnumber%5D=2&page%5Bsize%5D=1", page.Self)
	assert.Equal(t, "/v1/accounts/acme/products?page%5Bnumber%5D=1&page%5Bsize%5D=1", page.First)
	assert.Equal(t, "/v1/accounts/acme/products?page%5Bnumber%5D=1&page%5Bsize%5D=1", page.Prev)
	assert.Equal(t, "/v1/accounts/acme/products?page%5Bnumber%5D=3&page%5Bsize%5D=1", page.Next)
	assert.Equal(t, "/v1/accounts/acme/products?page%5Bnumber%5D=3&page%5Bsize%5D=1", page.Last)
	assert.Equal(t, 3, page.Pages)
	assert.Equal(t, 3, page.Count)
	assert.True(t, page.HasNext())
	var nilPage *Page[Product]
	assert.False(t, nilPage.HasNext())
}

func TestPageWithoutCounts(t *testing.T) {
	// Webhook events are not counted: only self, prev and next, nulls for the rest.
	c, mt := newTestClient(t)
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		return jsonResponse(req, 200, `{"data":[],"links":{"self":"/s","prev":null,"next":null}}`), nil
	})
	page, err := c.Products.List(context.Background(), &ProductListOptions{ListOptions{PageSize: 1}})
	require.NoError(t, err)
	assert.Equal(t, "/s", page.Self)
	assert.Empty(t, page.Prev+page.Next+page.First+page.Last)
	assert.Zero(t, page.Pages)
	assert.Zero(t, page.Count)
	assert.False(t, page.HasNext())
}

func TestListItemThatFailsToDecode(t *testing.T) {
	c, mt := newTestClient(t)
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		return jsonResponse(req, 200, `{"data":[`+productData("a")+`,{"id":"b","type":"products","attributes":{"platforms":"x"}}]}`), nil
	})
	_, err := c.Products.List(context.Background(), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "item 1")
	assert.Contains(t, err.Error(), `attribute "platforms"`)
}

func productData(id string) string {
	return `{"id":"` + id + `","type":"products","attributes":{"name":"P ` + id + `","metadata":{}}}`
}

// pagedProducts serves products p1..pN, size per page, following page[number]. It counts
// requests and records the page numbers asked for.
type pagedProducts struct {
	total, size int
	failPage    int // answer this page with a 500
	calls       atomic.Int32
	asked       []string
}

func (p *pagedProducts) client(t *testing.T, opts ...Option) *Client {
	t.Helper()
	c, mt := newTestClient(t, opts...)
	mt.RegisterResponder("GET", apiURL("/products"), func(req *http.Request) (*http.Response, error) {
		p.calls.Add(1)
		q := req.URL.Query()
		p.asked = append(p.asked, q.Get("page[number]"))
		n, _ := strconv.Atoi(q.Get("page[number]"))
		size, _ := strconv.Atoi(q.Get("page[size]"))
		assert.Equal(t, p.size, size, "page size stays the same")
		if n == p.failPage {
			return jsonResponse(req, 500, `{"errors":[{"title":"Internal server error"}]}`), nil
		}
		pages := (p.total + size - 1) / size
		var items []string
		for i := (n-1)*size + 1; i <= min(n*size, p.total); i++ {
			items = append(items, productData(fmt.Sprintf("p%d", i)))
		}
		link := func(k int) string {
			if k < 1 || k > pages {
				return "null"
			}
			return fmt.Sprintf(`"/v1/accounts/acme/products?page%%5Bnumber%%5D=%d&page%%5Bsize%%5D=%d"`, k, size)
		}
		return jsonResponse(req, 200, fmt.Sprintf(`{"data":[%s],"links":{"self":%s,"first":%s,"prev":%s,"next":%s,"last":%s,"meta":{"pages":%d,"count":%d}}}`,
			strings.Join(items, ","), link(n), link(1), link(n-1), link(n+1), link(pages), pages, p.total)), nil
	})
	return c
}

func TestAllWalksEveryPageInOrder(t *testing.T) {
	srv := &pagedProducts{total: 7, size: 3}
	c := srv.client(t)
	var ids []string
	for p, err := range c.Products.All(context.Background(), &ProductListOptions{ListOptions{PageSize: 3}}) {
		require.NoError(t, err)
		ids = append(ids, p.ID)
	}
	assert.Equal(t, []string{"p1", "p2", "p3", "p4", "p5", "p6", "p7"}, ids)
	assert.EqualValues(t, 3, srv.calls.Load())
	assert.Equal(t, []string{"1", "2", "3"}, srv.asked)
}

func TestAllFetchesLazily(t *testing.T) {
	srv := &pagedProducts{total: 9, size: 3}
	c := srv.client(t)
	seen := 0
	for p, err := range c.Products.All(context.Background(), &ProductListOptions{ListOptions{PageSize: 3}}) {
		require.NoError(t, err)
		seen++
		// The next page is fetched only once this one is used up: one page in memory.
		assert.EqualValues(t, (seen+2)/3, srv.calls.Load(), "after %s", p.ID)
	}
	assert.Equal(t, 9, seen)
}

func TestAllDefaultsAndStartPage(t *testing.T) {
	// Without options: 100 per page from page 1.
	srv := &pagedProducts{total: 2, size: 100}
	c := srv.client(t)
	n := 0
	for _, err := range c.Products.All(context.Background(), nil) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 2, n)

	// Limit becomes the page size; PageNumber is where the walk starts; order is kept.
	srv = &pagedProducts{total: 5, size: 2}
	var ids []string
	c = srv.client(t)
	for p, err := range c.Products.All(context.Background(), &ProductListOptions{ListOptions{Limit: 2, PageNumber: 2}}) {
		require.NoError(t, err)
		ids = append(ids, p.ID)
	}
	assert.Equal(t, []string{"p3", "p4", "p5"}, ids)
	assert.Equal(t, []string{"2", "3"}, srv.asked)
}

func TestAllStopsWhenTheLoopBreaks(t *testing.T) {
	srv := &pagedProducts{total: 9, size: 3}
	c := srv.client(t)
	for p, err := range c.Products.All(context.Background(), &ProductListOptions{ListOptions{PageSize: 3}}) {
		require.NoError(t, err)
		if p.ID == "p3" { // last item of page 1: page 2 must never be asked for
			break
		}
	}
	assert.EqualValues(t, 1, srv.calls.Load())

	srv = &pagedProducts{total: 9, size: 3}
	c = srv.client(t)
	for p := range c.Products.All(context.Background(), &ProductListOptions{ListOptions{PageSize: 3}}) {
		if p.ID == "p4" {
			break
		}
	}
	assert.EqualValues(t, 2, srv.calls.Load())
}

func TestAllStopsWhenCtxIsCancelledBetweenPages(t *testing.T) {
	srv := &pagedProducts{total: 9, size: 3}
	c := srv.client(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ids []string
	var errs []error
	for p, err := range c.Products.All(ctx, &ProductListOptions{ListOptions{PageSize: 3}}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, p.ID)
		if p.ID == "p3" {
			cancel()
		}
	}
	assert.Equal(t, []string{"p1", "p2", "p3"}, ids)
	require.Len(t, errs, 1, "the ctx error is yielded once")
	require.ErrorIs(t, errs[0], context.Canceled)
	assert.EqualValues(t, 1, srv.calls.Load())
}

func TestAllStopsAfterTheFirstError(t *testing.T) {
	srv := &pagedProducts{total: 9, size: 3, failPage: 2}
	c := srv.client(t, fastRetry(0))
	var ids []string
	var errs []error
	for p, err := range c.Products.All(context.Background(), &ProductListOptions{ListOptions{PageSize: 3}}) {
		if err != nil {
			assert.Nil(t, p)
			errs = append(errs, err)
			continue // a caller that keeps going still gets nothing more
		}
		ids = append(ids, p.ID)
	}
	assert.Equal(t, []string{"p1", "p2", "p3"}, ids)
	require.Len(t, errs, 1)
	var e *Error
	require.ErrorAs(t, errs[0], &e)
	assert.Equal(t, 500, e.StatusCode)
	assert.EqualValues(t, 2, srv.calls.Load(), "no request after the error")
}

func TestAllStopsOnAnEmptyPageWithANextLink(t *testing.T) {
	c, mt := newTestClient(t)
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		return jsonResponse(req, 200, `{"data":[],"links":{"next":"/v1/accounts/acme/products?page%5Bnumber%5D=9"}}`), nil
	})
	n := 0
	for range c.Products.All(context.Background(), nil) {
		n++
	}
	assert.Zero(t, n)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}
