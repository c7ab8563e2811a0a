package keygentest

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Pagination follows app/controllers/concerns/pagination.rb: without a page parameter a list is
// in "limit mode" (limit, default 10, no links); page[number]/page[size] pages by offset with
// self/prev/next/first/last links and links.meta {pages,count} (uncounted models such as
// webhook events get only self/prev/next); page[cursor] pages by keyset. order=asc|desc.

type pager struct {
	mode   string // "limit", "offset" or "cursor"
	limit  int
	number int
	size   int
	cursor string
	asc    bool
}

// pager reads and checks the pagination query parameters.
func (c *call) pager() (*pager, error) {
	q := c.query
	p := &pager{mode: "limit", limit: 10}
	if q.Has("limit") {
		p.limit = rubyToI(q.Get("limit"))
	}
	p.size = p.limit
	page, hasPage, shapeOK := pageParams(q)
	if hasPage {
		_, hasNumber := page["number"]
		_, hasCursor := page["cursor"]
		_, hasSize := page["size"]
		n := len(page)
		valid := shapeOK && ((hasNumber && !hasCursor && n == 1+b2i(hasSize)) || (hasCursor && !hasNumber && n == 1+b2i(hasSize)))
		if !valid {
			return nil, errBadRequest("page must be an object containing a cursor or number and optional size", parameter("page"))
		}
		if hasSize {
			p.size = rubyToI(page["size"])
		}
		if hasCursor {
			p.mode, p.cursor = "cursor", page["cursor"]
		} else {
			p.mode, p.number = "offset", rubyToI(page["number"])
		}
	}
	order := strings.ToUpper(q.Get("order"))
	orderOK := !q.Has("order") || order == "DESC" || order == "ASC"
	p.asc = order == "ASC"
	// Each mode checks its parameters in the server's order: limit and offset paging
	// order the scope first (Orderable#with_order), keyset paging checks the cursor,
	// then the size, then the order (lib/keyset_pagination.rb).
	if !orderOK && p.mode != "cursor" {
		return nil, errBadRequest("order is invalid", parameter("order"))
	}
	switch p.mode {
	case "limit":
		if p.limit < 1 || p.limit > 100 {
			return nil, errBadRequest(fmt.Sprintf("limit must be a number between 1 and 100 (got %d)", p.limit), parameter("limit"))
		}
	case "offset":
		if p.number < 1 || p.number > 100 {
			d := fmt.Sprintf("page number must be a number between 1 and 100 (got %d)", p.number)
			if p.number > 100 {
				d = fmt.Sprintf("page number must be a number between 1 and 100 (got %d, please use cursor-based pagination instead)", p.number)
			}
			return nil, errBadRequest(d, parameter("page[number]"))
		}
		fallthrough
	case "cursor":
		if p.mode == "cursor" && p.cursor != "" && !isUUID(p.cursor) {
			return nil, errBadRequest(fmt.Sprintf("page cursor must be a valid UUID (got %q)", p.cursor), parameter("page[cursor]"))
		}
		if p.size < 1 || p.size > 100 {
			return nil, errBadRequest(fmt.Sprintf("page size must be a number between 1 and 100 (got %d)", p.size), parameter("page[size]"))
		}
		if !orderOK {
			return nil, errBadRequest("order is invalid", parameter("order"))
		}
	}
	return p, nil
}

// pageParams reads the page parameter the way Rack nests query keys: page[number],
// page[size] and page[cursor] are scalars; a bare page=…, page[]=… or a deeper key such
// as page[number][]=… or page[number]= (a literal "]=" left in the name) makes page or
// one of its members a non-scalar, which the server's shape check rejects. As in Rack,
// the last of repeated values wins.
func pageParams(q url.Values) (page map[string]string, has, ok bool) {
	page, ok = map[string]string{}, true
	for k, vs := range q {
		switch {
		case k == "page":
			has, ok = true, false
		case strings.HasPrefix(k, "page["):
			has = true
			rest := k[4:]
			end := strings.Index(rest[1:], "]") + 1
			if strings.HasPrefix(rest, "[]") || end < 1 || end+1 != len(rest) {
				ok = false
				continue
			}
			page[rest[1:end]] = vs[len(vs)-1]
		}
	}
	return page, has, ok
}

// paginate orders items (given newest first, as the store returns them), cuts the
// requested page and answers 200 with the rendered list and its links. counted=false
// is for models Keygen does not count (webhook events).
func paginate[T entity](c *call, items []T, counted bool, render func(T) *resource) error {
	p, err := c.pager()
	if err != nil {
		return err
	}
	if p.asc {
		reverse(items)
	}
	var page []T
	var links map[string]any
	switch p.mode {
	case "limit":
		page = items[:min(p.limit, len(items))]
	case "offset":
		start := min((p.number-1)*p.size, len(items))
		page = items[start:min(start+p.size, len(items))]
		links = offsetLinks(c, p, len(items), len(page), counted)
	case "cursor":
		start := 0
		if p.cursor != "" {
			start = len(items)
			for i, it := range items {
				if it.meta().ID == lower(p.cursor) {
					start = i + 1
					break
				}
			}
		}
		page = items[start:min(start+p.size, len(items))]
		links = map[string]any{"self": pageLink(c, p.size, "cursor", p.cursor), "next": nil}
		if start+len(page) < len(items) && len(page) > 0 {
			links["next"] = pageLink(c, p.size, "cursor", page[len(page)-1].meta().ID)
		}
	}
	data := make([]*resource, 0, len(page))
	for _, it := range page {
		data = append(data, render(it))
	}
	doc := document{Data: data}
	if links != nil {
		doc.Links = links
	}
	return c.json(http.StatusOK, doc)
}

// relIndex pages items after the relationship policy (pagination errors first).
func relIndex[T entity](c *call, p *principal, perm string, allow bool, items []T, render func(T) *resource) error {
	if _, err := c.pager(); err != nil {
		return err
	}
	if err := c.relAllow(p, perm, allow); err != nil {
		return err
	}
	return paginate(c, items, true, render)
}

// offsetLinks builds Kaminari-style links: prev and next are null on the first and last
// page and outside the range; last points at the page count.
func offsetLinks(c *call, p *pager, count, got int, counted bool) map[string]any {
	link := func(n int) any { return pageLink(c, p.size, "number", strconv.Itoa(n)) }
	if !counted {
		l := map[string]any{"self": link(p.number), "prev": nil, "next": nil}
		if p.number > 1 {
			l["prev"] = link(p.number - 1)
		}
		if got >= p.size {
			l["next"] = link(p.number + 1)
		}
		return l
	}
	pages := (count + p.size - 1) / p.size
	l := map[string]any{"self": link(p.number), "prev": nil, "next": nil, "first": link(1), "last": link(pages),
		"meta": map[string]any{"pages": pages, "count": count}}
	if p.number > 1 && p.number <= pages {
		l["prev"] = link(p.number - 1)
	}
	if p.number < pages {
		l["next"] = link(p.number + 1)
	}
	return l
}

// pageLink is the request path with its query re-serialised the way Rails' to_query does:
// pairs sorted, brackets percent-encoded, token/auth credentials stripped, page replaced.
func pageLink(c *call, size int, key, value string) string {
	q := url.Values{}
	for k, vs := range c.query {
		if k == "token" || k == "auth" || k == "page" || strings.HasPrefix(k, "page[") {
			continue
		}
		q[k] = vs
	}
	q.Set("page["+key+"]", value)
	q.Set("page[size]", strconv.Itoa(size))
	var pairs []string
	for k, vs := range q {
		var parts []string
		for _, v := range vs {
			parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
		}
		pairs = append(pairs, strings.Join(parts, "&"))
	}
	sort.Strings(pairs)
	return c.r.URL.EscapedPath() + "?" + strings.Join(pairs, "&")
}

// rubyToI parses a leading integer like Ruby's String#to_i ("12abc" → 12, "x" → 0).
func rubyToI(s string) int {
	s = strings.TrimSpace(s)
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || end == 0 && (s[end] == '-' || s[end] == '+')) {
		end++
	}
	n, err := strconv.Atoi(s[:end])
	if err != nil {
		return 0
	}
	return n
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
