package keygentest

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Pagination, limits, ordering and filters of the list routes, drawn from the real
// server's request specs (features/api/v1/*/index.feature) and played over real HTTP
// (keygen-api.md §1.8, §1.9). Each case names the feature file and scenario it pins.

// idsOf returns the ids of a list answer in order.
func listedIDs(r *reply) []string {
	var ids []string
	for _, d := range r.list() {
		ids = append(ids, d.(map[string]any)["id"].(string))
	}
	return ids
}

// wantLinks checks the top-level links, with link values compared unescaped (the
// features write them with literal brackets).
func wantLinks(want map[string]any) func(t *testing.T, w *world, r *reply) {
	return func(t *testing.T, _ *world, r *reply) {
		got, ok := r.doc["links"].(map[string]any)
		require.True(t, ok, string(r.body))
		norm := map[string]any{}
		for k, v := range got {
			if s, ok := v.(string); ok {
				v, _ = url.QueryUnescape(s)
			}
			norm[k] = v
		}
		assert.Equal(t, want, norm)
	}
}

func listIDs(ids ...string) func(t *testing.T, w *world, r *reply) {
	return func(t *testing.T, _ *world, r *reply) { assert.Equal(t, ids, listedIDs(r), string(r.body)) }
}

func both(fs ...func(t *testing.T, w *world, r *reply)) func(t *testing.T, w *world, r *reply) {
	return func(t *testing.T, w *world, r *reply) {
		for _, f := range fs {
			f(t, w, r)
		}
	}
}

func noLinks(t *testing.T, _ *world, r *reply) { assert.NotContains(t, r.doc, "links") }

func TestIndexPagination(t *testing.T) {
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
		{name: li + "(§1.8) order=asc pages oldest first", r: g("order=asc&page[number]=1&page[size]=3"), status: 200,
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

func TestIndexMachineFilters(t *testing.T) {
	tt := newWorld(t)
	prod := tt.product()
	pol, pol2 := tt.policy(prod, map[string]any{"floating": true, "maxMachines": 100}), tt.policy(prod, map[string]any{"floating": true, "maxMachines": 100})
	owner := tt.createUser("owner@example.com")
	lic := tt.mustLicense(pol, nil, map[string]any{"owner": link("users", owner)}).id()
	other := tt.mustLicense(pol2, nil, nil).id()
	first := tt.mustCreate("/machines", "machines", map[string]any{"fingerprint": "foo:bar:baz:qux", "ip": "127.0.1.1", "hostname": "SomeHostname",
		"metadata": map[string]any{"nodeId": "68666bf8b"}}, map[string]any{"license": link("licenses", lic), "owner": link("users", owner)})
	require.Equal(t, 201, tt.postMachine(other, "second", map[string]any{"metadata": map[string]any{"nodeId": "68666bf80"}}, "").status)
	for i := range 5 {
		require.Equal(t, 201, tt.postMachine(other, fmt.Sprint("fp-", i), nil, "").status)
	}
	base := "/v1/accounts/" + tt.srv.AccountID + "/machines"
	mi := "machines/index.feature: "
	g := func(q string) req { return getAs("/machines?"+q, "") }
	one := func(q string) map[string]any {
		l := base + "?" + q
		return map[string]any{"self": l, "prev": nil, "next": nil, "first": l, "last": l, "meta": map[string]any{"pages": float64(1), "count": float64(1)}}
	}
	tt.run(t, []apiCase{
		{name: mi + "Admin retrieves an offset-paginated list of machines scoped to policy", r: g("page[number]=1&page[size]=100&policy=" + pol), status: 200,
			check: both(listIDs(first), wantLinks(one("page[number]=1&page[size]=100&policy="+pol)))},
		{name: mi + "Admin retrieves an offset-paginated list of machines scoped to owner", r: g("page[number]=1&page[size]=100&owner=" + owner), status: 200,
			check: both(listIDs(first), wantLinks(one("owner="+owner+"&page[number]=1&page[size]=100")))},
		{name: mi + "Admin retrieves an offset-paginated list of machines scoped to user", r: g("page[number]=1&page[size]=100&user=" + owner), status: 200,
			check: both(listIDs(first), wantLinks(one("page[number]=1&page[size]=100&user="+owner)))},
		{name: mi + "Admin retrieves all machines filtered by fingerprint", r: g("fingerprint=foo:bar:baz:qux"), status: 200, check: listIDs(first)},
		{name: mi + "Admin retrieves all machines filtered by IP", r: g("ip=127.0.1.1"), status: 200, check: listIDs(first)},
		{name: mi + "Admin retrieves all machines filtered by hostname", r: g("hostname=SomeHostname"), status: 200, check: listIDs(first)},
		{name: mi + "Admin retrieves all machines filtered by metadata node ID (camelcase)", r: g("metadata[nodeId]=68666bf8b"), status: 200, check: listIDs(first)},
		{name: mi + "Admin retrieves all machines filtered by metadata node ID (snakecase)", r: g("metadata[node_id]=68666bf8b"), status: 200, check: listIDs(first)},
		{name: mi + "User attempts to retrieve machines for their account scoped by a fingerprint that doesn't exist", r: g("fingerprint=invalid"), status: 200, check: listLen(0)},
		{name: mi + "(Machine.for_license) license= matches the license id", r: g("license=" + lic), status: 200, check: listIDs(first)},
		{name: mi + "(Machine.for_license) license= does not take a key; key= does", r: g("license=" + tt.get("/licenses/" + lic).attrs()["key"].(string)), status: 200, check: listLen(0)},
		{name: mi + "(Machine.for_key) key= matches the license key", r: g("key=" + tt.get("/licenses/" + lic).attrs()["key"].(string)), status: 200, check: listIDs(first)},
		{name: mi + "(has_scope) a blank filter value is not applied", r: g("fingerprint=&limit=100"), status: 200, check: listLen(7)},
		{name: mi + "Admin retrieves an offset-paginated list of machines with a page size that is too low", r: g("page[number]=1&page[size]=0"), status: 400,
			detail: "page size must be a number between 1 and 100 (got 0)", source: map[string]any{"parameter": "page[size]"}},
		{name: mi + "Admin retrieves all machines with a limit that is too low", r: g("limit=0"), status: 400,
			detail: "limit must be a number between 1 and 100 (got 0)", source: map[string]any{"parameter": "limit"}},
	})
}

func TestIndexWebhookEventPages(t *testing.T) {
	tt := newWorld(t)
	tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": "https://example.com/hooks"}, nil)
	for i := range 22 { // one product.created event each
		tt.mustCreate("/products", "products", map[string]any{"name": fmt.Sprint("p", i)}, nil)
	}
	evs := listedIDs(tt.get("/webhook-events?limit=100"))
	require.Len(t, evs, 22)
	base := "/v1/accounts/" + tt.srv.AccountID + "/webhook-events"
	we := "webhook_events/index.feature: "
	l := func(n int) string { return fmt.Sprintf("%s?page[number]=%d&page[size]=5", base, n) }
	c := func(cur string) string { return base + "?page[cursor]=" + cur + "&page[size]=5" }
	g := func(q string) req { return getAs("/webhook-events?"+q, "") }
	tt.run(t, []apiCase{
		{name: we + "Admin retrieves an offset-paginated list of webhook events", r: g("page[number]=2&page[size]=5"), status: 200,
			check: both(listIDs(evs[5:10]...), wantLinks(map[string]any{"self": l(2), "prev": l(1), "next": l(3)}))},
		{name: we + "Admin retrieves the first page an offset-paginated list of webhook events", r: g("page[number]=1&page[size]=5"), status: 200,
			check: wantLinks(map[string]any{"self": l(1), "prev": nil, "next": l(2)})},
		{name: we + "Admin retrieves the last page of an offset-paginated list of webhook events", r: g("page[number]=5&page[size]=5"), status: 200,
			check: both(listIDs(evs[20:]...), wantLinks(map[string]any{"self": l(5), "prev": l(4), "next": nil}))},
		{name: we + "(pagination.rb) an uncounted page past the end still links prev", r: g("page[number]=7&page[size]=5"), status: 200,
			check: both(listLen(0), wantLinks(map[string]any{"self": l(7), "prev": l(6), "next": nil}))},
		{name: we + "Admin retrieves a keyset-paginated list of webhook events (first page)", r: g("page[size]=5&page[cursor]="), status: 200,
			check: both(listIDs(evs[:5]...), wantLinks(map[string]any{"self": c(""), "next": c(evs[4])}))},
		{name: we + "Admin retrieves a keyset-paginated list of webhook events (last page)", r: g("page[size]=5&page[cursor]=" + evs[14]), status: 200,
			check: both(listIDs(evs[15:20]...), wantLinks(map[string]any{"self": c(evs[14]), "next": c(evs[19])}))},
		{name: we + "(keyset) the page that ends the list has a null next", r: g("page[size]=5&page[cursor]=" + evs[16]), status: 200,
			check: both(listIDs(evs[17:]...), wantLinks(map[string]any{"self": c(evs[16]), "next": nil}))},
		{name: we + "Admin retrieves all webhook events without a limit for their account", r: getAs("/webhook-events", ""), status: 200, check: both(listLen(10), noLinks)},
		{name: we + "Admin retrieves all webhook events with a high limit for their account", r: g("limit=20"), status: 200, check: listLen(20)},
		{name: we + "Admin retrieves filters webhook events by event type", r: g("events[]=product.created&limit=100"), status: 200, check: listLen(22)},
		{name: we + "Admin retrieves filters webhook events by event type that doesn't exist", r: g("events[]=bad.event"), status: 200, check: listLen(0)},
		{name: we + "Admin retrieves an offset-paginated list of webhook events with a page size that is too low", r: g("page[number]=1&page[size]=-10"), status: 400,
			detail: "page size must be a number between 1 and 100 (got -10)", source: map[string]any{"parameter": "page[size]"}},
		{name: we + "Admin retrieves all webhook events with a limit that is too low", r: g("limit=-10"), status: 400,
			detail: "limit must be a number between 1 and 100 (got -10)", source: map[string]any{"parameter": "limit"}},
	})
}

// Rack (and so Keygen) keeps the last value of a repeated scalar query parameter.
func TestRepeatedQueryParameterLastWins(t *testing.T) {
	tt := newWorld(t)
	prod := tt.product()
	for range 3 {
		tt.policy(prod, nil)
	}
	r := tt.get("/policies?limit=1&limit=2")
	if r.status != 200 || len(r.list()) != 2 {
		t.Fatalf("got %d with %d policies, want 200 with 2: %s", r.status, len(r.list()), r.body)
	}
}
