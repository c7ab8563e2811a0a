package keygen

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
)

// The benchmarks compare the SDK with the least a caller could do by hand: one net/http
// request and an encoding/json decode of the same document into a plain struct holding the
// same information, against the same local server. Sub-benchmarks are named impl=raw and
// impl=sdk (raw first), so that `benchstat -col /impl` prints the SDK's cost relative to the
// hand-written baseline: that ratio is the SDK's overhead (envelope parsing, google/jsonapi
// decoding, the retry wrapper, header building).
//
// Run them with: go test -run XXX -bench . -benchmem -count 10 . > /tmp/bench.txt
// and compare with: benchstat -col /impl /tmp/bench.txt (see BENCHMARKS.md).

// benchServer answers every request with body. It drains request bodies, so POST
// benchmarks pay the same server cost on both sides.
func benchServer(b *testing.B, body []byte) *httptest.Server {
	b.Helper()
	return benchServerFunc(b, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.api+json")
		w.Write(body)
	})
}

func benchServerFunc(b *testing.B, h http.HandlerFunc) *httptest.Server {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		h(w, r)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func benchClient(b *testing.B, url string, opts ...Option) *Client {
	b.Helper()
	all := append([]Option{WithBaseURL(url), WithToken("bench-token"),
		WithHTTPClient(&http.Client{Timeout: 10 * time.Second}), WithoutRetries()}, opts...)
	c, err := NewClient("acme", all...)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// rawDo is the hand-written baseline: one request with the headers a caller would set, the
// whole body read, and one json.Unmarshal into v.
func rawDo(b *testing.B, hc *http.Client, method, url string, body []byte, v any) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, url, rd)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer bench-token")
	req.Header.Set("Accept", "application/vnd.api+json")
	if body != nil {
		req.Header.Set("Content-Type", "application/vnd.api+json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		b.Fatal(resp.StatusCode, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		b.Fatal(err)
	}
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

// rawLicense holds what License holds: every attribute, the relationship ids and the
// machines and users counts.
type rawLicense struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Attributes struct {
		Name             *string        `json:"name"`
		Key              string         `json:"key"`
		Expiry           *time.Time     `json:"expiry"`
		Status           string         `json:"status"`
		Uses             int            `json:"uses"`
		Suspended        bool           `json:"suspended"`
		Scheme           *string        `json:"scheme"`
		Encrypted        bool           `json:"encrypted"`
		Strict           bool           `json:"strict"`
		Floating         bool           `json:"floating"`
		Protected        bool           `json:"protected"`
		Version          *string        `json:"version"`
		MaxMachines      *int           `json:"maxMachines"`
		MaxProcesses     *int           `json:"maxProcesses"`
		MaxUsers         *int           `json:"maxUsers"`
		MaxCores         *int           `json:"maxCores"`
		MaxMemory        *int64         `json:"maxMemory"`
		MaxDisk          *int64         `json:"maxDisk"`
		MaxUses          *int           `json:"maxUses"`
		RequireHeartbeat bool           `json:"requireHeartbeat"`
		RequireCheckIn   bool           `json:"requireCheckIn"`
		LastValidated    *time.Time     `json:"lastValidated"`
		LastCheckIn      *time.Time     `json:"lastCheckIn"`
		NextCheckIn      *time.Time     `json:"nextCheckIn"`
		LastCheckOut     *time.Time     `json:"lastCheckOut"`
		Permissions      []string       `json:"permissions"`
		Metadata         map[string]any `json:"metadata"`
		Created          time.Time      `json:"created"`
		Updated          time.Time      `json:"updated"`
	} `json:"attributes"`
	Relationships struct {
		Account     rawToOne `json:"account"`
		Environment rawToOne `json:"environment"`
		Product     rawToOne `json:"product"`
		Policy      rawToOne `json:"policy"`
		Group       rawToOne `json:"group"`
		Owner       rawToOne `json:"owner"`
		Users       struct {
			Meta struct {
				Count int `json:"count"`
			} `json:"meta"`
		} `json:"users"`
		Machines struct {
			Meta struct {
				Count  int   `json:"count"`
				Cores  int64 `json:"cores"`
				Memory int64 `json:"memory"`
				Disk   int64 `json:"disk"`
			} `json:"meta"`
		} `json:"machines"`
	} `json:"relationships"`
}

type rawToOne struct {
	Data *struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"data"`
}

type rawLicenseDoc struct {
	Data rawLicense `json:"data"`
}

type rawLicensePage struct {
	Data  []rawLicense `json:"data"`
	Links struct {
		Self  string `json:"self"`
		First string `json:"first"`
		Prev  string `json:"prev"`
		Next  string `json:"next"`
		Last  string `json:"last"`
		Meta  struct {
			Pages *int `json:"pages"`
			Count *int `json:"count"`
		} `json:"meta"`
	} `json:"links"`
}

type rawValidation struct {
	Data *rawLicense `json:"data"`
	Meta struct {
		TS     time.Time        `json:"ts"`
		Valid  bool             `json:"valid"`
		Detail string           `json:"detail"`
		Code   string           `json:"code"`
		Nonce  *int64           `json:"nonce"`
		Scope  *ValidationScope `json:"scope"`
	} `json:"meta"`
}

// benchFixture reads testdata/<name> and compacts it: Keygen sends compact JSON.
func benchFixture(b *testing.B, name string) []byte {
	b.Helper()
	body, err := compactedFixture(name)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// licensePage builds page `page` of `pages` of a license list, n licenses per page, from the
// license.json fixture (each with its own id and key), with Keygen's links and counts.
func buildLicensePage(n, page, pages int) ([]byte, error) {
	var one struct {
		Data map[string]any `json:"data"`
	}
	license, err := compactedFixture("license.json")
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(license, &one); err != nil {
		return nil, err
	}
	link := func(p int) any {
		if p < 1 || p > pages {
			return nil
		}
		return fmt.Sprintf("/v1/accounts/acme/licenses?page%%5Bnumber%%5D=%d&page%%5Bsize%%5D=%d", p, n)
	}
	data := make([]any, n)
	for i := range data {
		// A shallow copy is enough: only id and attributes.key change.
		r := map[string]any{}
		for k, v := range one.Data {
			r[k] = v
		}
		attrs := map[string]any{}
		for k, v := range one.Data["attributes"].(map[string]any) {
			attrs[k] = v
		}
		seq := (page-1)*n + i
		r["id"] = fmt.Sprintf("8c1f2d3e-4a5b-4c6d-8e7f-%012x", seq)
		attrs["key"] = fmt.Sprintf("A1B2C3-D4E5F6-A7B8C9-D0E1F2-%06X-V3", seq)
		r["attributes"] = attrs
		data[i] = r
	}
	doc := map[string]any{
		"data": data,
		"links": map[string]any{
			"self": link(page), "first": link(1), "prev": link(page - 1), "next": link(page + 1), "last": link(pages),
			"meta": map[string]any{"pages": pages, "count": pages * n},
		},
	}
	return json.Marshal(doc)
}

func licensePage(b *testing.B, n, page, pages int) []byte {
	b.Helper()
	body, err := buildLicensePage(n, page, pages)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// loopCPU runs f in b.Loop and reports this process's CPU time per call (cpu-ns/op): with
// the server in a child process (cannedServer), that is the client's cost alone.
func loopCPU(b *testing.B, f func()) {
	b.ReportAllocs()
	start := processCPU()
	for b.Loop() {
		f()
	}
	b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
}

func BenchmarkGetProduct(b *testing.B) {
	url := cannedServer(b, "product")
	ctx := context.Background()
	b.Run("impl=raw", func(b *testing.B) {
		hc := &http.Client{Timeout: 10 * time.Second}
		loopCPU(b, func() {
			var p rawProduct
			rawDo(b, hc, "GET", url+"/v1/accounts/acme/products/cool-app", nil, &p)
		})
	})
	b.Run("impl=sdk", func(b *testing.B) {
		c := benchClient(b, url)
		loopCPU(b, func() {
			if _, err := c.Products.Get(ctx, "cool-app"); err != nil {
				b.Fatal(err)
			}
		})
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

const benchLicenseID = "8c1f2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"

func BenchmarkGetLicense(b *testing.B) {
	url := cannedServer(b, "license")
	ctx := context.Background()
	b.Run("impl=raw", func(b *testing.B) {
		hc := &http.Client{Timeout: 10 * time.Second}
		loopCPU(b, func() {
			var l rawLicenseDoc
			rawDo(b, hc, "GET", url+"/v1/accounts/acme/licenses/"+benchLicenseID, nil, &l)
		})
	})
	b.Run("impl=sdk", func(b *testing.B) {
		c := benchClient(b, url)
		loopCPU(b, func() {
			if _, err := c.Licenses.Get(ctx, benchLicenseID); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkListLicenses100 lists one full page: 100 licenses, about 250 kB of JSON.
func BenchmarkListLicenses100(b *testing.B) {
	url := cannedServer(b, "pages")
	ctx := context.Background()
	b.Run("impl=raw", func(b *testing.B) {
		hc := &http.Client{Timeout: 10 * time.Second}
		loopCPU(b, func() {
			var p rawLicensePage
			rawDo(b, hc, "GET", url+"/v1/accounts/acme/licenses?page%5Bnumber%5D=1&page%5Bsize%5D=100", nil, &p)
			if len(p.Data) != 100 {
				b.Fatal(len(p.Data))
			}
		})
	})
	b.Run("impl=sdk", func(b *testing.B) {
		c := benchClient(b, url)
		loopCPU(b, func() {
			p, err := c.Licenses.List(ctx, &LicenseListOptions{ListOptions: ListOptions{PageSize: 100, PageNumber: 1}})
			if err != nil || len(p.Data) != 100 {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkAllLicenses5Pages walks 5 pages of 100 licenses: raw by page number until
// links.next is null, the SDK's All by keyset cursor.
func BenchmarkAllLicenses5Pages(b *testing.B) {
	const pages = 5
	url := cannedServer(b, "pages")
	ctx := context.Background()
	b.Run("impl=raw", func(b *testing.B) {
		hc := &http.Client{Timeout: 10 * time.Second}
		loopCPU(b, func() {
			count := 0
			for page := 1; ; page++ {
				var p rawLicensePage
				rawDo(b, hc, "GET", url+"/v1/accounts/acme/licenses?page%5Bnumber%5D="+strconv.Itoa(page)+"&page%5Bsize%5D=100", nil, &p)
				count += len(p.Data)
				if p.Links.Next == "" || len(p.Data) == 0 {
					break
				}
			}
			if count != pages*100 {
				b.Fatal(count)
			}
		})
	})
	b.Run("impl=sdk", func(b *testing.B) {
		c := benchClient(b, url)
		loopCPU(b, func() {
			count := 0
			for _, err := range c.Licenses.All(ctx, nil) {
				if err != nil {
					b.Fatal(err)
				}
				count++
			}
			if count != pages*100 {
				b.Fatal(count)
			}
		})
	})
}

// BenchmarkValidateKey posts a key with a scope and decodes the meta and the license.
func BenchmarkValidateKey(b *testing.B) {
	url := cannedServer(b, "validation")
	ctx := context.Background()
	const key = "A1B2C3-D4E5F6-A7B8C9-D0E1F2-A3B4C5-V3"
	scope := &ValidationScope{Fingerprint: "4c:8e:91:0a:b2:7d", Product: "2313b7e7-1ea6-4a01-901e-2931de6bb1e2",
		Entitlements: []string{"PRO", "SYNC"}}
	b.Run("impl=raw", func(b *testing.B) {
		hc := &http.Client{Timeout: 10 * time.Second}
		loopCPU(b, func() {
			type reqMeta struct {
				Key   string           `json:"key"`
				Scope *ValidationScope `json:"scope,omitempty"`
			}
			body, err := json.Marshal(struct {
				Meta reqMeta `json:"meta"`
			}{reqMeta{key, scope}})
			if err != nil {
				b.Fatal(err)
			}
			var v rawValidation
			rawDo(b, hc, "POST", url+"/v1/accounts/acme/licenses/actions/validate-key", body, &v)
			if !v.Meta.Valid || v.Data == nil {
				b.Fatal("not valid")
			}
		})
	})
	b.Run("impl=sdk", func(b *testing.B) {
		c := benchClient(b, url)
		loopCPU(b, func() {
			v, err := c.Licenses.ValidateKey(ctx, key, &ValidateOptions{Scope: scope})
			if err != nil || !v.Valid || v.License == nil {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkSignedGetLicense gets a license whose answer carries Keygen's signature headers,
// with and without WithPublicKey. The server signs once (and again every 30 s, to stay
// within the clock skew), so no side pays for signing.
func BenchmarkSignedGetLicense(b *testing.B) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	body := benchFixture(b, "license.json")
	sum := sha256.Sum256(body)
	digest := "sha-256=" + base64.StdEncoding.EncodeToString(sum[:])
	path := "/v1/accounts/acme/licenses/" + benchLicenseID
	var mu sync.Mutex
	var signedAt time.Time
	var date, sigHeader string
	srv := benchServerFunc(b, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if now := time.Now(); now.Sub(signedAt) > 30*time.Second {
			signedAt = now
			date = now.UTC().Format(http.TimeFormat)
			msg := "(request-target): get " + path + "\nhost: " + signedHost(r.Host) + "\ndate: " + date + "\ndigest: " + digest
			sigHeader = `keyid="acme", algorithm="ed25519", signature="` +
				base64.StdEncoding.EncodeToString(ed25519.Sign(priv, []byte(msg))) + `", headers="(request-target) host date digest"`
		}
		h := w.Header()
		h.Set("Date", date)
		h.Set("Digest", digest)
		h.Set("Keygen-Signature", sigHeader)
		mu.Unlock()
		h.Set("Content-Type", "application/vnd.api+json")
		w.Write(body)
	})
	ctx := context.Background()
	b.Run("impl=raw", func(b *testing.B) {
		hc := &http.Client{Timeout: 10 * time.Second}
		b.ReportAllocs()
		for b.Loop() {
			var l rawLicenseDoc
			rawDo(b, hc, "GET", srv.URL+path, nil, &l)
		}
	})
	b.Run("impl=sdk", func(b *testing.B) {
		c := benchClient(b, srv.URL)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Licenses.Get(ctx, benchLicenseID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=sdk-verify", func(b *testing.B) {
		c := benchClient(b, srv.URL, WithPublicKey(hex.EncodeToString(pub)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Licenses.Get(ctx, benchLicenseID); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// The decode benchmarks leave HTTP out: the same bytes decoded by hand (raw) and by the
// SDK's path (one pass of jsonapi.DecodeOne/DecodeMany, then binding each model).

func BenchmarkDecodeLicense(b *testing.B) {
	body := benchFixture(b, "license.json")
	b.Run("impl=raw", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var l rawLicenseDoc
			if err := json.Unmarshal(body, &l); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=sdk", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, err := decodeOne[License](&response{body: body}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkDecodeLicensePage100(b *testing.B) {
	body := licensePage(b, 100, 1, 1)
	b.Run("impl=raw", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var p rawLicensePage
			if err := json.Unmarshal(body, &p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=sdk", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			d, err := jsonapi.DecodeMany[License, jsonapi.Ignore](body)
			if err != nil {
				b.Fatal(err)
			}
			for i := range d.Data {
				if err := bindModel[License](&d.Data[i].Attributes, &d.Data[i].Head); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
