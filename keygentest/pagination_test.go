package keygentest

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPagination pins §1.8 over products (the mechanism is shared by every list).
func TestPagination(t *testing.T) {
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
		{"§1.8 limit too high", "limit=101", "limit must be a number between 1 and 100 (got 101)", "limit"},
		{"§1.8 limit zero", "limit=0", "limit must be a number between 1 and 100 (got 0)", "limit"},
		{"§1.8 page size too high", "page[number]=1&page[size]=250", "page size must be a number between 1 and 100 (got 250)", "page[size]"},
		{"§1.8 page number zero", "page[number]=0", "page number must be a number between 1 and 100 (got 0)", "page[number]"},
		{"§1.8 page number past 100", "page[number]=101", "page number must be a number between 1 and 100 (got 101, please use cursor-based pagination instead)", "page[number]"},
		{"§1.8 page without number or cursor", "page[size]=5", "page must be an object containing a cursor or number and optional size", "page"},
		{"§1.8 cursor not a UUID", "page[cursor]=abc", `page cursor must be a valid UUID (got "abc")`, "page[cursor]"},
		{"§1.8 bad order", "order=up", "order is invalid", "order"},
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
