package keygen

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// The benchmarks compare the SDK with the least a caller could do by hand: one net/http GET
// and an encoding/json decode of the same document, against the same local server. The
// ratio between the two is the SDK's overhead (envelope parsing, google/jsonapi decoding,
// retries wrapper, header building).

func benchServer(b *testing.B, body []byte) *httptest.Server {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.api+json")
		w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func benchClient(b *testing.B, url string) *Client {
	b.Helper()
	c, err := NewClient("acme", WithBaseURL(url), WithToken("bench-token"),
		WithHTTPClient(&http.Client{Timeout: 10 * time.Second}), WithoutRetries())
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// rawProduct is what a hand-written caller would decode into.
type rawProduct struct {
	Data struct {
		ID         string `json:"id"`
		Attributes struct {
			Name                 string         `json:"name"`
			Code                 *string        `json:"code"`
			DistributionStrategy string         `json:"distributionStrategy"`
			URL                  *string        `json:"url"`
			Platforms            []string       `json:"platforms"`
			Metadata             map[string]any `json:"metadata"`
			Created              time.Time      `json:"created"`
			Updated              time.Time      `json:"updated"`
		} `json:"attributes"`
	} `json:"data"`
}

func BenchmarkGetProduct(b *testing.B) {
	body, err := readFixture("product.json")
	if err != nil {
		b.Fatal(err)
	}
	srv := benchServer(b, body)
	ctx := context.Background()

	b.Run("sdk", func(b *testing.B) {
		c := benchClient(b, srv.URL)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Products.Get(ctx, "cool-app"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		hc := &http.Client{Timeout: 10 * time.Second}
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/v1/accounts/acme/products/cool-app", nil)
			req.Header.Set("Authorization", "Bearer bench-token")
			req.Header.Set("Accept", "application/vnd.api+json")
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var p rawProduct
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err := json.Unmarshal(data, &p); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkListProducts(b *testing.B) {
	body, err := readFixture("products.json")
	if err != nil {
		b.Fatal(err)
	}
	srv := benchServer(b, body)
	ctx := context.Background()
	c := benchClient(b, srv.URL)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Products.List(ctx, &ProductListOptions{ListOptions{PageSize: 2, PageNumber: 1}}); err != nil {
			b.Fatal(err)
		}
	}
}
