package keygen

import (
	"context"
	"fmt"
	"iter"
	"net/url"

	"github.com/licensekit/keygen/internal/query"
)

// maxPageNumber is the deepest page[number] Keygen serves; beyond it, only cursors page.
const maxPageNumber = 100

// ListOptions are the paging parameters every list accepts (keygen-sh/keygen-api,
// app/controllers/concerns/pagination.rb and app/models/concerns/pageable.rb).
//
// For List: with neither PageNumber nor PageSize set, Keygen answers in "limit mode": the
// newest Limit records (default 10) and no links. Set PageNumber (and PageSize) to page by
// offset with links; Keygen serves pages 1 to 100 only.
//
// For All: PageSize (or else Limit, or else 100) is the size of each page fetched. Without a
// PageNumber, All pages by keyset (page[cursor], the id of the last record seen), which has
// no depth limit. With a PageNumber, All starts at that page by offset and, past page 100,
// goes on by keyset from the last record seen, in the same order.
type ListOptions struct {
	// PageSize is page[size], 1 to 100.
	PageSize int
	// PageNumber is page[number], 1 to 100: Keygen refuses deeper offsets (All goes on past
	// them by cursor).
	PageNumber int
	// Limit is the record count in limit mode, 1 to 100.
	Limit int
	// Ascending lists oldest first (order=asc); Keygen's default is newest first.
	Ascending bool

	// keyset pages by cursor (page[cursor]=cursor, empty for the first page) instead of by
	// number; only All sets it.
	keyset bool
	cursor string
}

func (o *ListOptions) encode(q *query.Values) error {
	if o == nil {
		return nil
	}
	if err := o.check(); err != nil {
		return err
	}
	switch {
	case o.keyset:
		q.Keep("page[cursor]", o.cursor)
	case o.PageSize > 0 && o.PageNumber == 0:
		q.Int("page[number]", 1)
	default:
		q.Int("page[number]", o.PageNumber)
	}
	q.Int("page[size]", o.PageSize)
	if !o.keyset {
		q.Int("limit", o.Limit)
	}
	if o.Ascending {
		q.String("order", "asc")
	}
	return nil
}

// check refuses out-of-range paging values before any request.
func (o *ListOptions) check() error {
	for _, f := range []struct {
		name string
		v    int
	}{{"PageSize", o.PageSize}, {"PageNumber", o.PageNumber}, {"Limit", o.Limit}} {
		if f.v < 0 || f.v > 100 {
			return argErr("ListOptions", fmt.Sprintf("%s must be between 1 and 100, got %d", f.name, f.v))
		}
	}
	return nil
}

// Page is one page of a list. The links are relative paths as Keygen sends them, empty when
// absent (limit mode, or no further page).
type Page[T any] struct {
	Data []*T

	Self, First, Prev, Next, Last string
	// Pages and Count are the totals when the server counts them (zero otherwise; webhook
	// events are never counted, nor are pages fetched by cursor).
	Pages, Count int

	// lastID is the id of the page's last record, the next cursor when links.next has none.
	lastID string
}

// HasNext reports whether a further page exists.
func (p *Page[T]) HasNext() bool { return p != nil && p.Next != "" }

// allPages walks every page (see ListOptions), holding one page in memory. It stops when the
// caller breaks, when ctx is done, or after yielding the first error.
func allPages[T any](ctx context.Context, lo *ListOptions, fetch func(ctx context.Context, lo *ListOptions) (*Page[T], error)) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		if ctx == nil {
			yield(nil, fmt.Errorf("%w: nil context", ErrInvalidArgument))
			return
		}
		opts := ListOptions{PageSize: 100}
		if lo != nil {
			if err := lo.check(); err != nil {
				yield(nil, err)
				return
			}
			opts.Ascending = lo.Ascending
			if lo.PageSize > 0 {
				opts.PageSize = lo.PageSize
			} else if lo.Limit > 0 {
				opts.PageSize = lo.Limit
			}
			opts.PageNumber = lo.PageNumber
		}
		// Keyset paging has no depth limit and does not skip or repeat records when others
		// are created meanwhile; offsets are kept only for a caller who asked for a page.
		opts.keyset = opts.PageNumber == 0
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
			switch {
			case opts.keyset:
				next := nextCursor(page)
				if next == "" || next == opts.cursor {
					// A server that keeps pointing at the same page would loop forever.
					yield(nil, fmt.Errorf("keygen: pagination does not advance past cursor %q", opts.cursor))
					return
				}
				opts.cursor = next
			case opts.PageNumber >= maxPageNumber:
				// Keygen refuses page[number] past 100. Its keyset order is the offset order
				// (created, then id), so the walk goes on from the last record seen.
				opts.keyset, opts.cursor, opts.PageNumber = true, page.lastID, 0
			default:
				opts.PageNumber++
			}
		}
	}
}

// nextCursor is the cursor of the page after p: page[cursor] of links.next as the server
// wrote it, or else the id of p's last record (keygen-sh/keygen-api,
// lib/keyset_pagination.rb: next_cursor).
func nextCursor[T any](p *Page[T]) string {
	if u, err := url.Parse(p.Next); err == nil {
		if c := u.Query().Get("page[cursor]"); c != "" {
			return c
		}
	}
	return p.lastID
}

// listOptions gives generic code the paging part of a resource's list options, which all
// embed ListOptions.
func (o *ListOptions) listOptions() *ListOptions { return o }

// allOf is every service's All: it walks the pages of list from opts (nil allowed) without
// touching the caller's options.
func allOf[T, O any, PO interface {
	*O
	listOptions() *ListOptions
}](ctx context.Context, opts *O, list func(context.Context, *O) (*Page[T], error)) iter.Seq2[*T, error] {
	var o O
	if opts != nil {
		o = *opts
	}
	return allPages(ctx, PO(&o).listOptions(), func(ctx context.Context, lo *ListOptions) (*Page[T], error) {
		page := o
		*PO(&page).listOptions() = *lo
		return list(ctx, &page)
	})
}
