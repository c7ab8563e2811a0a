package keygentest

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Pagination, limits and ordering of the list routes (pagination.go,
// features/api/v1/*/index.feature).

// TestPagination pins app/controllers/concerns/pagination.rb over products (the mechanism is
// shared by every list).
func TestPagination(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	var ids []string // oldest first
	for i := range 12 {
		ids = append(ids, tt.mustCreate("/products", "products", map[string]any{"name": fmt.Sprint("p", i)}, nil))
	}
	base := "/v1/accounts/" + tt.srv.AccountID + "/products"

	t.Run("limit mode default 10, newest first, no links", func(t *testing.T) {
		r := tt.get("/products")
		require.Equal(t, 200, r.status)
		require.Len(t, r.list(), 10)
		assert.Equal(t, ids[11], r.list()[0].(map[string]any)["id"])
		assert.NotContains(t, r.doc, "links")
	})
	t.Run("order=asc oldest first", func(t *testing.T) {
		r := tt.get("/products?limit=2&order=ASC")
		require.Len(t, r.list(), 2)
		assert.Equal(t, ids[0], r.list()[0].(map[string]any)["id"])
	})
	t.Run("offset links and meta", func(t *testing.T) {
		r := tt.get("/products?page[number]=2&page[size]=5&token=" + tt.srv.AdminToken)
		require.Equal(t, 200, r.status)
		require.Len(t, r.list(), 5)
		assert.Equal(t, ids[6], r.list()[0].(map[string]any)["id"])
		links := r.doc["links"].(map[string]any)
		enc := func(n int) string { return base + "?page%5Bnumber%5D=" + fmt.Sprint(n) + "&page%5Bsize%5D=5" }
		assert.Equal(t, enc(2), links["self"], "token param stripped, brackets encoded, keys sorted")
		assert.Equal(t, enc(1), links["prev"])
		assert.Equal(t, enc(3), links["next"])
		assert.Equal(t, enc(1), links["first"])
		assert.Equal(t, enc(3), links["last"])
		assert.Equal(t, map[string]any{"pages": float64(3), "count": float64(12)}, links["meta"])
	})
	t.Run("last page has null next, first null prev", func(t *testing.T) {
		r := tt.get("/products?page[number]=3&page[size]=5")
		links := r.doc["links"].(map[string]any)
		assert.Nil(t, links["next"])
		assert.Contains(t, links, "next")
		require.Len(t, r.list(), 2)
		r = tt.get("/products?page[number]=1")
		assert.Nil(t, r.doc["links"].(map[string]any)["prev"])
		assert.Len(t, r.list(), 10, "page size defaults to limit (10)")
	})
	t.Run("other params are kept in links", func(t *testing.T) {
		r := tt.get("/products?page[number]=1&page[size]=20&order=asc")
		self, _ := url.QueryUnescape(r.doc["links"].(map[string]any)["self"].(string))
		assert.Equal(t, base+"?order=asc&page[number]=1&page[size]=20", self)
	})
	t.Run("cursor", func(t *testing.T) {
		r := tt.get("/products?page[cursor]=&page[size]=5")
		require.Len(t, r.list(), 5)
		next := r.doc["links"].(map[string]any)["next"].(string)
		u, _ := url.Parse(next)
		assert.Equal(t, ids[7], u.Query().Get("page[cursor]"))
		r = tt.get("/products?page[cursor]=" + ids[7] + "&page[size]=5")
		assert.Equal(t, ids[6], r.list()[0].(map[string]any)["id"])
	})

	errs := []struct {
		name, query, detail, param string
	}{
		{"limit too high", "limit=101", "limit must be a number between 1 and 100 (got 101)", "limit"},
		{"limit zero", "limit=0", "limit must be a number between 1 and 100 (got 0)", "limit"},
		{"page size too high", "page[number]=1&page[size]=250", "page size must be a number between 1 and 100 (got 250)", "page[size]"},
		{"page number zero", "page[number]=0", "page number must be a number between 1 and 100 (got 0)", "page[number]"},
		{"page number past 100", "page[number]=101", "page number must be a number between 1 and 100 (got 101, please use cursor-based pagination instead)", "page[number]"},
		{"page without number or cursor", "page[size]=5", "page must be an object containing a cursor or number and optional size", "page"},
		{"cursor not a UUID", "page[cursor]=abc", `page cursor must be a valid UUID (got "abc")`, "page[cursor]"},
		{"bad order", "order=up", "order is invalid", "order"},
	}
	for _, c := range errs {
		t.Run(c.name, func(t *testing.T) {
			r := tt.get("/products?" + c.query)
			require.Equal(t, 400, r.status)
			assert.Equal(t, c.detail, r.detail())
			assert.Equal(t, c.param, r.source()["parameter"])
		})
	}
}

func TestPaginationIndexes(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	prod := tt.product()
	pol := tt.policy(prod, nil)
	var lics []string // oldest first, like the features' $licenses[i]
	for range 20 {
		lics = append(lics, tt.mustLicense(pol, nil, nil).id())
	}
	at := func(i int) string { return lics[len(lics)+i] } // $licenses[-i]
	base := "/v1/accounts/" + tt.srv.AccountID + "/licenses"
	li := "licenses/index.feature: "
	g := func(q string) req { return getAs("/licenses?"+q, "") }
	bad := func(name, q, detail, param string) apiCase {
		return apiCase{name: name, r: g(q), status: 400, title: "Bad request", detail: detail, source: map[string]any{"parameter": param}}
	}
	offset := func(n, size, pages, count int, prev, next any, extra string) map[string]any {
		l := func(n int) string { return fmt.Sprintf("%s?%spage[number]=%d&page[size]=%d", base, extra, n, size) }
		m := map[string]any{"self": l(n), "prev": nil, "next": nil, "first": l(1), "last": l(pages),
			"meta": map[string]any{"pages": float64(pages), "count": float64(count)}}
		if prev != nil {
			m["prev"] = l(prev.(int))
		}
		if next != nil {
			m["next"] = l(next.(int))
		}
		return m
	}
	cur := func(c string, size int, next any, extra string) map[string]any {
		l := func(c string) string { return fmt.Sprintf("%s?%spage[cursor]=%s&page[size]=%d", base, extra, c, size) }
		m := map[string]any{"self": l(c), "next": nil}
		if next != nil {
			m["next"] = l(next.(string))
		}
		return m
	}
	newest := func(from, n int) []string { // n ids newest first, starting at $licenses[-from]
		var out []string
		for i := range n {
			out = append(out, at(-from-i))
		}
		return out
	}
	tt.run(t, []apiCase{
		{name: li + "Admin retrieves an offset-paginated list of licenses", r: g("page[number]=4&page[size]=5"), status: 200,
			check: both(listIDs(lics[4], lics[3], lics[2], lics[1], lics[0]), wantLinks(offset(4, 5, 4, 20, 3, nil, "")))},
		{name: li + "Admin retrieves an offset-paginated list of licenses with a default page size", r: g("page[number]=1"), status: 200,
			check: both(listIDs(newest(1, 10)...), wantLinks(offset(1, 10, 2, 20, nil, 2, "")))},
		{name: li + "Admin retrieves an offset-paginated list of licenses with a limit", r: g("limit=5&page[number]=1"), status: 200,
			check: both(listLen(5), wantLinks(offset(1, 5, 4, 20, nil, 2, "limit=5&")))},
		{name: li + "(source: Kaminari) a page past the last has no prev or next", r: g("page[number]=9&page[size]=5"), status: 200,
			check: both(listLen(0), wantLinks(offset(9, 5, 4, 20, nil, nil, "")))},
		{name: li + "order=asc pages oldest first", r: g("order=asc&page[number]=1&page[size]=3"), status: 200,
			check: both(listIDs(lics[0], lics[1], lics[2]), wantLinks(offset(1, 3, 7, 20, nil, 2, "order=asc&")))},
		{name: li + "Admin retrieves a keyset-paginated list of licenses (first page)", r: g("page[size]=5&page[cursor]="), status: 200,
			check: both(listIDs(newest(1, 5)...), wantLinks(cur("", 5, at(-5), "")))},
		{name: li + "Admin retrieves a keyset-paginated list of licenses (next page)", r: g("page[size]=5&page[cursor]=" + at(-5)), status: 200,
			check: both(listIDs(newest(6, 5)...), wantLinks(cur(at(-5), 5, at(-10), "")))},
		{name: li + "Admin retrieves a keyset-paginated list of licenses (last page)", r: g("page[size]=5&page[cursor]=" + at(-15)), status: 200,
			check: both(listIDs(newest(16, 5)...), wantLinks(cur(at(-15), 5, nil, "")))},
		{name: li + "Admin retrieves a keyset-paginated list of licenses (nonexistent cursor)", r: g("page[size]=5&page[cursor]=52a26820-0caa-4bac-9ff1-27bb6ec77ac4"), status: 200,
			check: both(listLen(0), wantLinks(cur("52a26820-0caa-4bac-9ff1-27bb6ec77ac4", 5, nil, "")))},
		{name: li + "Admin retrieves a keyset-paginated list of licenses with a default page size", r: g("page[cursor]="), status: 200,
			check: both(listLen(10), wantLinks(cur("", 10, at(-10), "")))},
		{name: li + "Admin retrieves a keyset-paginated list of licenses with a limit", r: g("limit=5&page[cursor]="), status: 200,
			check: both(listLen(5), wantLinks(cur("", 5, at(-5), "limit=5&")))},
		{name: li + "(lib/keyset_pagination.rb) order=asc keyset pages oldest first", r: g("order=ASC&page[size]=2&page[cursor]=" + lics[1]), status: 200,
			check: both(listIDs(lics[2], lics[3]), wantLinks(cur(lics[1], 2, lics[3], "order=ASC&")))},
		{name: li + "Admin retrieves all licenses without a limit for their account", r: getAs("/licenses", ""), status: 200, check: both(listIDs(newest(1, 10)...), noLinks)},
		{name: li + "Admin retrieves all licenses with a low limit for their account", r: g("limit=5"), status: 200, check: both(listLen(5), noLinks)},
		{name: li + "Admin retrieves all licenses with a high limit for their account", r: g("limit=20"), status: 200, check: listLen(20)},
		bad(li+"Admin retrieves all licenses with a limit that is too high", "limit=900", "limit must be a number between 1 and 100 (got 900)", "limit"),
		bad(li+"Admin retrieves all licenses with a limit that is too low", "limit=-900", "limit must be a number between 1 and 100 (got -900)", "limit"),
		bad(li+"Admin retrieves an offset-paginated list of licenses with a page size that is too high", "page[number]=1&page[size]=250", "page size must be a number between 1 and 100 (got 250)", "page[size]"),
		bad(li+"Admin retrieves an offset-paginated list of licenses with a page size that is too low", "page[number]=1&page[size]=-250", "page size must be a number between 1 and 100 (got -250)", "page[size]"),
		bad(li+"Admin retrieves an offset-paginated list of licenses with an invalid page number (negative)", "page[number]=-1&page[size]=10", "page number must be a number between 1 and 100 (got -1)", "page[number]"),
		bad(li+"Admin retrieves an offset-paginated list of licenses with an invalid page number (type)", "page%5Bnumber%5D%3D=0", "page must be an object containing a cursor or number and optional size", "page"),
		bad(li+"Admin retrieves an offset-paginated list of licenses with a page number that is too high", "page[number]=101&page[size]=100", "page number must be a number between 1 and 100 (got 101, please use cursor-based pagination instead)", "page[number]"),
		bad(li+"Admin retrieves an offset-paginated list of licenses with a page number that is too low", "page[number]=0&page[size]=100", "page number must be a number between 1 and 100 (got 0)", "page[number]"),
		bad(li+"Admin retrieves a keyset-paginated list of licenses (invalid cursor)", "page[size]=5&page[cursor]=foo", `page cursor must be a valid UUID (got "foo")`, "page[cursor]"),
		bad("machines/index.feature: Admin retrieves an offset-paginated list of machines with an invalid page param", "page=1&size=100", "page must be an object containing a cursor or number and optional size", "page"),
		bad("(app/controllers/concerns/pagination.rb) a nested page member is not a scalar", "page[number][]=1", "page must be an object containing a cursor or number and optional size", "page"),
		bad("(app/models/concerns/orderable.rb) an unknown order is invalid", "order=sideways", "order is invalid", "order"),
		bad("(orderable.rb) offset paging orders before checking the page number", "order=x&page[number]=0", "order is invalid", "order"),
		bad("(pageable.rb) keyset paging checks the cursor before the order", "order=x&page[cursor]=foo", `page cursor must be a valid UUID (got "foo")`, "page[cursor]"),
		bad("(keyset_pagination.rb) keyset paging checks the size before the order", "order=x&page[cursor]=&page[size]=0", "page size must be a number between 1 and 100 (got 0)", "page[size]"),
	})

	empty := newWorld(t)
	eb := "/v1/accounts/" + empty.srv.AccountID + "/licenses"
	empty.run(t, []apiCase{
		{name: li + "Admin retrieves a keyset-paginated list of licenses (no results)", r: getAs("/licenses?page[size]=5&page[cursor]=", ""), status: 200,
			check: both(listLen(0), wantLinks(map[string]any{"self": eb + "?page[cursor]=&page[size]=5", "next": nil}))},
		{name: li + "(source: Kaminari) an empty offset list has 0 pages", r: getAs("/licenses?page[number]=1&page[size]=5", ""), status: 200,
			check: wantLinks(map[string]any{"self": eb + "?page[number]=1&page[size]=5", "prev": nil, "next": nil, "first": eb + "?page[number]=1&page[size]=5",
				"last": eb + "?page[number]=0&page[size]=5", "meta": map[string]any{"pages": float64(0), "count": float64(0)}})},
	})
}
