package keygen_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	keygen "github.com/licensekit/keygen"
	"github.com/licensekit/keygen/keygentest"
)

// fuzzStore is an in-memory Store.
type fuzzStore struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *fuzzStore) Load(name string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[name], nil
}

func (s *fuzzStore) Save(name string, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[name] = data
	return nil
}

// FuzzGuardState feeds arbitrary stored state (the guard's own record and the machine
// file) to a guard that cannot reach Keygen, so every input goes through loading and the
// offline decision. Nothing may panic, the verdict is never nil, and a valid verdict must
// come from a machine file that verifies, is of this license key and this fingerprint,
// with no error beside it.
//
// The machine file is either file as given, or, when file is empty, a genuine file of
// this run's keygentest with patch written over it at patchAt: so the fuzzer reaches the
// decoding behind a good signature without its inputs holding a 12 KB file, which the
// fuzzer's minimizer (quadratic in an input's length) would take minutes over.
func FuzzGuardState(f *testing.F) {
	srv := keygentest.NewServer()
	stop := sync.OnceFunc(srv.Close)
	defer stop()
	ctx := context.Background()
	admin := srv.Client()
	product, err := admin.Products.Create(ctx, keygen.ProductCreateOptions{Name: "Fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	policy, err := admin.Policies.Create(ctx, keygen.PolicyCreateOptions{ProductID: product.ID, Name: "Fuzz", AuthenticationStrategy: "LICENSE"})
	if err != nil {
		f.Fatal(err)
	}
	lic, err := admin.Licenses.Create(ctx, keygen.LicenseCreateOptions{PolicyID: policy.ID})
	if err != nil {
		f.Fatal(err)
	}
	app, err := keygen.NewClient(srv.AccountID, keygen.WithBaseURL(srv.URL), keygen.WithLicenseKey(lic.Key), keygen.WithPublicKey(srv.PublicKey))
	if err != nil {
		f.Fatal(err)
	}
	seedStore := &fuzzStore{m: map[string][]byte{}}
	g, err := keygen.NewGuard(app, keygen.GuardOptions{LicenseKey: lic.Key, Fingerprint: guardFP, Store: seedStore})
	if err != nil {
		f.Fatal(err)
	}
	if st, err := g.Check(ctx); err != nil || !st.Valid {
		f.Fatalf("seed: %+v %v", st, err)
	}
	now := time.Now()
	genuineState, genuineFile := seedStore.m["guard.json"], seedStore.m["machine.lic"]
	f.Add(genuineState, []byte(nil), uint16(0), []byte(nil))
	f.Add([]byte(nil), []byte(nil), uint16(0), []byte(nil))
	f.Add(genuineState, []byte(nil), uint16(100), []byte("A"))
	f.Add(genuineState, []byte(nil), uint16(len(genuineFile)-30), []byte("-----END LICENSE FILE-----"))
	f.Add([]byte(`{"version":1,"trustedTime":"2999-01-01T00:00:00Z"}`), []byte(nil), uint16(0), []byte(nil))
	f.Add([]byte(`{"version":1,"trustedTime":null}`), []byte("-----BEGIN MACHINE FILE-----\neyJlbmMiOiIiLCJzaWciOiIiLCJhbGciOiIifQ==\n-----END MACHINE FILE-----\n"), uint16(0), []byte(nil))
	f.Add([]byte(`{}`), []byte("x"), uint16(0), []byte(nil))
	f.Add([]byte("\x00\xff"), []byte("-----BEGIN LICENSE FILE-----\n-----END LICENSE FILE-----"), uint16(0), []byte(nil))

	offline, err := keygen.NewClient(srv.AccountID, keygen.WithBaseURL(srv.URL), keygen.WithLicenseKey(lic.Key),
		keygen.WithPublicKey(srv.PublicKey), keygen.WithHTTPClient(&http.Client{Transport: failingTransport{}}))
	if err != nil {
		f.Fatal(err)
	}
	// The genuine state must be valid offline, or the fuzzer never reaches that verdict.
	og, err := keygen.NewGuard(offline, keygen.GuardOptions{LicenseKey: lic.Key, Fingerprint: guardFP, Now: func() time.Time { return now },
		Store: &fuzzStore{m: map[string][]byte{"guard.json": genuineState, "machine.lic": genuineFile}}})
	if err != nil {
		f.Fatal(err)
	}
	if st, err := og.Check(ctx); err != nil || !st.Valid || !st.Offline {
		f.Fatalf("the genuine stored state offline: %+v %v", st, err)
	}
	// Nothing below needs the server: stop it, so that its goroutines do not make the
	// coverage of an input vary from one run to the next.
	stop()
	f.Fuzz(func(t *testing.T, state, file []byte, patchAt uint16, patch []byte) {
		if len(file) == 0 {
			file = bytes.Clone(genuineFile)
			at := int(patchAt) % len(file)
			file = append(file[:at], append(patch, file[min(at+len(patch), len(file)):]...)...)
		}
		store := &fuzzStore{m: map[string][]byte{"guard.json": state, "machine.lic": file}}
		g, err := keygen.NewGuard(offline, keygen.GuardOptions{
			LicenseKey: lic.Key, Fingerprint: guardFP, Store: store,
			Now: func() time.Time { return now },
		})
		if err != nil {
			t.Fatal(err)
		}
		st, err := g.Check(ctx)
		if st == nil {
			t.Fatal("nil verdict")
		}
		if !st.Valid {
			if err == nil && st.Code == "" {
				t.Fatalf("an invalid verdict with neither an error nor a code: %+v", st)
			}
			return
		}
		if err != nil {
			t.Fatalf("valid with an error: %v", err)
		}
		if !st.Offline {
			t.Fatal("valid without Keygen, yet not offline")
		}
		d, openErr := keygen.OpenMachineFile(string(file), srv.PublicKey, lic.Key, guardFP)
		if openErr != nil {
			t.Fatalf("valid from a file that does not open: %v", openErr)
		}
		if errors.Is(d.ValidAt(now), keygen.ErrLicenseFileExpired) {
			t.Fatal("valid from an expired file")
		}
	})
}
