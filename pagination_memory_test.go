package keygen

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAllHoldsOnePage walks 10,000 licenses (100 pages of 100, about 28 MB of JSON) with All
// and checks that the heap never holds more than about one page: pages already yielded are
// garbage once the caller has moved on.
func TestAllHoldsOnePage(t *testing.T) {
	const pages, size = 100, 100
	one, err := compactedFixture("license.json")
	require.NoError(t, err)
	// The fixture's data object, with its id and key as placeholders.
	data := string(one[strings.Index(string(one), `{"id"`):strings.LastIndex(string(one), "}")])
	data = strings.Replace(data, `"8c1f2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"`, `"%s"`, 1)
	id := func(n int) string { return fmt.Sprintf("8c1f2d3e-4a5b-4c6d-8e7f-%012x", n) }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := 0
		if c := r.URL.Query().Get("page[cursor]"); c != "" {
			n, err := strconv.ParseInt(c[len(c)-12:], 16, 64)
			if err != nil {
				http.Error(w, "bad cursor", http.StatusBadRequest)
				return
			}
			start = int(n) + 1
		}
		var b strings.Builder
		b.WriteString(`{"data":[`)
		for i := start; i < start+size && i < pages*size; i++ {
			if i > start {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, data, id(i))
		}
		b.WriteString(`],"links":{"self":"/x","next":`)
		if start+size < pages*size {
			fmt.Fprintf(&b, `"/v1/accounts/acme/licenses?page%%5Bcursor%%5D=%s&page%%5Bsize%%5D=%d"`, id(start+size-1), size)
		} else {
			b.WriteString("null")
		}
		b.WriteString("}}")
		w.Header().Set("Content-Type", mediaType)
		_, _ = w.Write([]byte(b.String()))
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient("acme", WithBaseURL(srv.URL), WithToken("admin-token"), WithoutRetries())
	require.NoError(t, err)

	var ms runtime.MemStats
	heap := func() uint64 {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	var base, peak uint64
	count := 0
	for l, err := range c.Licenses.All(context.Background(), nil) {
		require.NoError(t, err)
		require.Equal(t, id(count), l.ID, "in order, none skipped or repeated")
		count++
		if count%size == 1 { // first license of each page: the page just decoded is live
			h := heap()
			if count == 1 {
				base = h
			}
			peak = max(peak, h)
		}
	}
	require.Equal(t, pages*size, count)
	t.Logf("heap at the first page %d kB, peak %d kB over %d pages", base/1024, peak/1024, pages)
	// One page decoded is about 1 MB; holding every page would be 100 times that.
	require.Less(t, peak, base+4<<20, "the heap grew as pages went by: All keeps pages it has yielded")
}
