package keygentest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	keygen "github.com/licensekit/keygen"
)

// BenchmarkServeValidateKey measures the server's own cost of a signed validate-key answer
// (no network, no client: ServeHTTP into a recorder), beside a handler that answers the same
// bytes canned, signed the same way: the ratio is what keygentest's work costs on top of
// reading the request and signing the answer.
func BenchmarkServeValidateKey(b *testing.B) {
	// The tests check every document against encoding/json; a benchmark measures the server.
	verifyEncoding = false
	b.Cleanup(func() { verifyEncoding = true })
	s := NewServer()
	b.Cleanup(s.Close)
	ctx := context.Background()
	admin := s.Client()
	prod, err := admin.Products.Create(ctx, keygen.ProductCreateOptions{Name: "Bench"})
	if err != nil {
		b.Fatal(err)
	}
	pol, err := admin.Policies.Create(ctx, keygen.PolicyCreateOptions{Name: "Bench", ProductID: prod.ID})
	if err != nil {
		b.Fatal(err)
	}
	lic, err := admin.Licenses.Create(ctx, keygen.LicenseCreateOptions{PolicyID: pol.ID})
	if err != nil {
		b.Fatal(err)
	}
	// A webhook endpoint that does not subscribe to validations: its events are not built.
	body := []byte(`{"meta":{"key":"` + lic.Key + `","nonce":42,"scope":{"product":"` + prod.ID + `"}}}`)
	newReq := func() *http.Request {
		r := httptest.NewRequest("POST", "http://127.0.0.1/v1/accounts/"+s.AccountID+"/licenses/actions/validate-key", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/vnd.api+json")
		r.Header.Set("Accept", "application/vnd.api+json")
		r.Header.Set("Keygen-Version", "1.8")
		return r
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, newReq())
	if rec.Code != 200 || !bytes.Contains(rec.Body.Bytes(), []byte(`"code":"VALID"`)) {
		b.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	canned := rec.Body.Bytes()
	acct := s.account()

	b.Run("impl=canned", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r := newReq()
			w := httptest.NewRecorder()
			_, _ = io.Copy(io.Discard, r.Body)
			signResponse(w.Header(), acct, r, s.clock.now(), canned)
			w.Header().Set("Content-Type", "application/vnd.api+json; charset=utf-8")
			w.WriteHeader(200)
			_, _ = w.Write(canned)
		}
	})
	b.Run("impl=keygentest", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			w := httptest.NewRecorder()
			s.ServeHTTP(w, newReq())
			if w.Code != 200 {
				b.Fatal(w.Code)
			}
		}
	})
}
