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
	t.Parallel()
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
		// By keyset (All only): an empty cursor is sent, for the first page; no limit.
		{&ListOptions{PageSize: 100, keyset: true}, url.Values{"page[cursor]": {""}, "page[size]": {"100"}}},
		{&ListOptions{PageSize: 5, Limit: 5, Ascending: true, keyset: true, cursor: "8c1f"}, url.Values{"page[cursor]": {"8c1f"}, "page[size]": {"5"}, "order": {"asc"}}},
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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

// pagedProducts serves products p1..pN, newest first as Keygen orders them, size per page:
// by keyset when asked with page[cursor] (links self and next, next null at the end), by
// offset with page[number] (links and counts). It counts requests and records what each
// asked for: "cursor:<c>" or the page number.
type pagedProducts struct {
	total, size int
	failAt      string // answer the request that asks for this with a 500
	// nextLink overrides the cursor written in links.next (the server's choice).
	nextLink func(lastID string) string
	calls    atomic.Int32
	asked    []string
}

func (p *pagedProducts) client(t *testing.T, opts ...Option) *Client {
	t.Helper()
	c, mt := newTestClient(t, opts...)
	mt.RegisterResponder("GET", apiURL("/products"), func(req *http.Request) (*http.Response, error) {
		p.calls.Add(1)
		q := req.URL.Query()
		size, _ := strconv.Atoi(q.Get("page[size]"))
		assert.Equal(t, p.size, size, "page size stays the same")
		assert.False(t, q.Has("limit"), "no limit with page[…]")
		if q.Has("page[cursor]") {
			assert.False(t, q.Has("page[number]"), "cursor and number are exclusive")
			return p.byCursor(req, q.Get("page[cursor]"), size), nil
		}
		return p.byNumber(req, q.Get("page[number]"), size), nil
	})
	return c
}

func (p *pagedProducts) byCursor(req *http.Request, cursor string, size int) *http.Response {
	p.asked = append(p.asked, "cursor:"+cursor)
	if "cursor:"+cursor == p.failAt {
		return jsonResponse(req, 500, `{"errors":[{"title":"Internal server error"}]}`)
	}
	start := 1 // the id of product i is p<i>; the cursor is the last one seen
	if cursor != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(cursor, "p"))
		if err != nil {
			return jsonResponse(req, 400, `{"errors":[{"title":"Bad request","source":{"parameter":"page[cursor]"}}]}`)
		}
		start = n + 1
	}
	var items []string
	last := ""
	for i := start; i <= min(start+size-1, p.total); i++ {
		last = fmt.Sprintf("p%d", i)
		items = append(items, productData(last))
	}
	link := func(c string) string {
		return fmt.Sprintf(`"/v1/accounts/acme/products?page%%5Bcursor%%5D=%s&page%%5Bsize%%5D=%d"`, c, size)
	}
	next := "null"
	if last != "" && start+size-1 < p.total {
		next = link(last)
		if p.nextLink != nil {
			next = p.nextLink(last)
		}
	}
	return jsonResponse(req, 200, fmt.Sprintf(`{"data":[%s],"links":{"self":%s,"next":%s}}`, strings.Join(items, ","), link(cursor), next))
}

func (p *pagedProducts) byNumber(req *http.Request, number string, size int) *http.Response {
	p.asked = append(p.asked, number)
	if number == p.failAt {
		return jsonResponse(req, 500, `{"errors":[{"title":"Internal server error"}]}`)
	}
	n, _ := strconv.Atoi(number)
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
		strings.Join(items, ","), link(n), link(1), link(n-1), link(n+1), link(pages), pages, p.total))
}

func TestAllWalksEveryPageInOrder(t *testing.T) {
	t.Parallel()
	srv := &pagedProducts{total: 7, size: 3}
	c := srv.client(t)
	var ids []string
	for p, err := range c.Products.All(context.Background(), &ProductListOptions{ListOptions{PageSize: 3}}) {
		require.NoError(t, err)
		ids = append(ids, p.ID)
	}
	assert.Equal(t, []string{"p1", "p2", "p3", "p4", "p5", "p6", "p7"}, ids)
	assert.EqualValues(t, 3, srv.calls.Load())
	// By keyset: an empty cursor first, then the last id of each page.
	assert.Equal(t, []string{"cursor:", "cursor:p3", "cursor:p6"}, srv.asked)
}

func TestAllFetchesLazily(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	// Without options: 100 per page by keyset from the start.
	srv := &pagedProducts{total: 2, size: 100}
	c := srv.client(t)
	n := 0
	for _, err := range c.Products.All(context.Background(), nil) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 2, n)
	assert.Equal(t, []string{"cursor:"}, srv.asked)

	// Limit becomes the page size; PageNumber is where the walk starts; order is kept.
	srv = &pagedProducts{total: 5, size: 2}
	var ids []string
	c = srv.client(t)
	for p, err := range c.Products.All(context.Background(), &ProductListOptions{ListOptions{Limit: 2, PageNumber: 2}}) {
		require.NoError(t, err)
		ids = append(ids, p.ID)
	}
	assert.Equal(t, []string{"p3", "p4", "p5"}, ids)
	assert.Equal(t, []string{"2", "3"}, srv.asked, "a PageNumber asked for pages by offset")

	// Limit alone becomes the page size of a keyset walk.
	srv = &pagedProducts{total: 5, size: 2}
	ids = nil
	c = srv.client(t)
	for p, err := range c.Products.All(context.Background(), &ProductListOptions{ListOptions{Limit: 2}}) {
		require.NoError(t, err)
		ids = append(ids, p.ID)
	}
	assert.Equal(t, []string{"p1", "p2", "p3", "p4", "p5"}, ids)
	assert.Equal(t, []string{"cursor:", "cursor:p2", "cursor:p4"}, srv.asked)
}

func TestAllSendsTheCursorQueryWithFiltersAndOrder(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	first := expect(t, mt, wire{method: "GET", path: "/licenses", query: url.Values{
		"page[cursor]": {""}, "page[size]": {"50"}, "order": {"asc"}, "policy": {policyID}, "metadata[tier]": {"gold"},
	}, fixture: "licenses.json"})
	n := 0
	for _, err := range c.Licenses.All(context.Background(), &LicenseListOptions{
		ListOptions: ListOptions{PageSize: 50, Ascending: true},
		Policy:      policyID,
		Metadata:    map[string]any{"tier": "gold"},
	}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 2, n)
	assert.Equal(t, 1, *first, "links.next is null: one page")
}

func TestAllGoesOnByCursorPastPage100(t *testing.T) {
	t.Parallel()
	// Keygen refuses page[number] past 100; a walk started by number switches to the
	// keyset, starting after the last record of page 100.
	srv := &pagedProducts{total: 103, size: 1}
	c := srv.client(t)
	var ids []string
	for p, err := range c.Products.All(context.Background(), &ProductListOptions{ListOptions{PageSize: 1, PageNumber: 99}}) {
		require.NoError(t, err)
		ids = append(ids, p.ID)
	}
	assert.Equal(t, []string{"p99", "p100", "p101", "p102", "p103"}, ids)
	assert.Equal(t, []string{"99", "100", "cursor:p100", "cursor:p101", "cursor:p102"}, srv.asked)
}

func TestAllFollowsTheCursorOfTheNextLink(t *testing.T) {
	t.Parallel()
	// The server's links.next wins over the last id when it names a cursor.
	srv := &pagedProducts{total: 6, size: 2, nextLink: func(last string) string {
		n, _ := strconv.Atoi(strings.TrimPrefix(last, "p"))
		return fmt.Sprintf(`"/v1/accounts/acme/products?page%%5Bcursor%%5D=p%d&page%%5Bsize%%5D=2"`, n+1)
	}}
	c := srv.client(t)
	var ids []string
	for p, err := range c.Products.All(context.Background(), &ProductListOptions{ListOptions{PageSize: 2}}) {
		require.NoError(t, err)
		ids = append(ids, p.ID)
	}
	assert.Equal(t, []string{"cursor:", "cursor:p3", "cursor:p6"}, srv.asked)
	assert.Equal(t, []string{"p1", "p2", "p4", "p5"}, ids)
}

func TestAllStopsWhenTheCursorDoesNotAdvance(t *testing.T) {
	t.Parallel()
	// A next link that names the cursor just used would loop forever.
	srv := &pagedProducts{total: 6, size: 2, nextLink: func(string) string {
		return `"/v1/accounts/acme/products?page%5Bcursor%5D=p2&page%5Bsize%5D=2"`
	}}
	c := srv.client(t)
	var errs []error
	n := 0
	for _, err := range c.Products.All(context.Background(), &ProductListOptions{ListOptions{PageSize: 2}}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), "does not advance")
	assert.Equal(t, 4, n)
	assert.Equal(t, []string{"cursor:", "cursor:p2"}, srv.asked)
}

func TestAllWithNilContext(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	var errs []error
	//nolint:staticcheck // a nil context on purpose
	for _, err := range c.Products.All(nil, nil) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], ErrInvalidArgument)
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestAllStopsWhenTheLoopBreaks(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
	srv := &pagedProducts{total: 9, size: 3, failAt: "cursor:p3"}
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
	t.Parallel()
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
