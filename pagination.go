package keygen

import (
	"context"
	"fmt"
	"iter"

	"github.com/licensekit/keygen/internal/jsonapi"
	"github.com/licensekit/keygen/internal/query"
)

// ListOptions are the paging parameters every list accepts (keygen-api.md §1.8). With neither
// PageNumber nor PageSize set, Keygen answers in "limit mode": the newest Limit records
// (default 10) and no links. Set PageNumber (and PageSize) to page through with links.
type ListOptions struct {
	// PageSize is page[size], 1 to 100.
	PageSize int
	// PageNumber is page[number], from 1 (at most 100: Keygen refuses deeper offsets).
	PageNumber int
	// Limit is the record count in limit mode, 1 to 100.
	Limit int
	// Ascending lists oldest first (order=asc); Keygen's default is newest first.
	Ascending bool
}

func (o *ListOptions) encode(q *query.Values) error {
	if o == nil {
		return nil
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"PageSize", o.PageSize}, {"PageNumber", o.PageNumber}, {"Limit", o.Limit}} {
		if f.v < 0 || f.v > 100 {
			return fmt.Errorf("keygen: ListOptions.%s must be between 1 and 100, got %d: %w", f.name, f.v, ErrInvalidArgument)
		}
	}
	if o.PageSize > 0 && o.PageNumber == 0 {
		q.Int("page[number]", 1)
	} else {
		q.Int("page[number]", o.PageNumber)
	}
	q.Int("page[size]", o.PageSize)
	q.Int("limit", o.Limit)
	if o.Ascending {
		q.String("order", "asc")
	}
	return nil
}

// Page is one page of a list. The links are relative paths as Keygen sends them, empty when
// absent (limit mode, or no further page).
type Page[T any] struct {
	Data []*T

	Self, First, Prev, Next, Last string
	// Pages and Count are the totals when the server counts them (zero otherwise; webhook
	// events are never counted).
	Pages, Count int
}

// HasNext reports whether a further page exists.
func (p *Page[T]) HasNext() bool { return p != nil && p.Next != "" }

// resourcePtr is a model that decodes itself from a JSON:API resource object.
type resourcePtr[T any] interface {
	*T
	fromResource(r *jsonapi.Resource) error
}

// decodeOne reads the single primary resource of an answer.
func decodeOne[T any, PT resourcePtr[T]](resp *response) (*T, error) {
	doc, err := resp.doc()
	if err != nil {
		return nil, err
	}
	res, err := doc.One()
	if err != nil {
		return nil, fmt.Errorf("keygen: %s %s: %w", resp.req.Method, resp.req.URL.Path, err)
	}
	if res == nil {
		return nil, fmt.Errorf("keygen: %s %s: the response has no data", resp.req.Method, resp.req.URL.Path)
	}
	v := PT(new(T))
	if err := v.fromResource(res); err != nil {
		return nil, fmt.Errorf("keygen: %s %s: %w", resp.req.Method, resp.req.URL.Path, err)
	}
	return (*T)(v), nil
}

// getOne sends r and decodes the single resource it answers with.
func getOne[T any, PT resourcePtr[T]](ctx context.Context, c *Client, r *request) (*T, error) {
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	return decodeOne[T, PT](resp)
}

// noContent sends r and expects no document back (204).
func noContent(ctx context.Context, c *Client, r *request) error {
	_, err := c.do(ctx, r)
	return err
}

// listPage sends a GET for a list and decodes the page with its links.
func listPage[T any, PT resourcePtr[T]](ctx context.Context, c *Client, path string, q *query.Values) (*Page[T], error) {
	resp, err := c.do(ctx, &request{method: "GET", path: path, query: q.Encode()})
	if err != nil {
		return nil, err
	}
	doc, err := resp.doc()
	if err != nil {
		return nil, err
	}
	rs, err := doc.Many()
	if err != nil {
		return nil, fmt.Errorf("keygen: GET %s: %w", resp.req.URL.Path, err)
	}
	p := &Page[T]{Data: make([]*T, 0, len(rs))}
	for i := range rs {
		v := PT(new(T))
		if err := v.fromResource(&rs[i]); err != nil {
			return nil, fmt.Errorf("keygen: GET %s: item %d: %w", resp.req.URL.Path, i, err)
		}
		p.Data = append(p.Data, (*T)(v))
	}
	if l := doc.Links; l != nil {
		p.Self, p.First, p.Prev, p.Next, p.Last = l.Self, l.First, l.Prev, l.Next, l.Last
		if l.Meta.Pages != nil {
			p.Pages = *l.Meta.Pages
		}
		if l.Meta.Count != nil {
			p.Count = *l.Meta.Count
		}
	}
	return p, nil
}

// allPages walks every page from the one lo names (page 1 by default, 100 per page unless
// PageSize says otherwise), holding one page in memory. It stops when the caller breaks, when
// ctx is done, or after yielding the first error.
func allPages[T any](ctx context.Context, lo *ListOptions, fetch func(ctx context.Context, lo *ListOptions) (*Page[T], error)) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		opts := ListOptions{PageSize: 100, PageNumber: 1}
		if lo != nil {
			opts.Ascending = lo.Ascending
			if lo.PageSize > 0 {
				opts.PageSize = lo.PageSize
			} else if lo.Limit > 0 {
				opts.PageSize = lo.Limit
			}
			if lo.PageNumber > 0 {
				opts.PageNumber = lo.PageNumber
			}
		}
		for {
			if err := ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
			page, err := fetch(ctx, &opts)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, v := range page.Data {
				if !yield(v, nil) {
					return
				}
			}
			if !page.HasNext() || len(page.Data) == 0 {
				return
			}
			opts.PageNumber++
		}
	}
}
