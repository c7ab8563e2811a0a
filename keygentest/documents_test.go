package keygentest

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLicenseAndMachineDocuments pins the §2.6/§2.7 renderers later parts reuse.
func TestLicenseAndMachineDocuments(t *testing.T) {
	tt := newWorld(t)
	prod := tt.product()
	pol := tt.policy(prod, map[string]any{"floating": true, "maxMachines": 3, "requireCheckIn": true, "checkInInterval": "week", "checkInIntervalCount": 2})
	now := tt.srv.Now()
	lic := tt.seedLicense(pol, func(l *license) {
		l.Expiry = ptr(now.Add(48 * time.Hour))
		l.LastCheckIn = ptr(now)
	})
	cores := int64(4)
	tt.srv.mu.Lock()
	m := &machine{base: newBase(tt.srv.AccountID, now), LicenseID: lic.ID, Fingerprint: "fp", Cores: &cores, Metadata: map[string]any{}}
	tt.srv.db.machines[m.ID] = m
	v := view{db: tt.srv.db, acct: tt.srv.db.accounts[tt.srv.AccountID], minor: 8, now: now}
	lr := v.license(lic)
	mr := v.machine(m)
	tt.srv.mu.Unlock()

	a := lr.Attributes
	assert.Equal(t, "licenses", lr.Type)
	assert.Equal(t, "EXPIRING", a["status"], "expiry within 3 days")
	assert.Equal(t, int64(3), a["maxMachines"], "policy value")
	assert.Equal(t, true, a["floating"])
	assert.Equal(t, fmtTime(now.AddDate(0, 0, 14)), a["nextCheckIn"])
	assert.Equal(t, map[string]any{}, a["metadata"])
	rel := lr.Relationships
	assert.Equal(t, map[string]any{"cores": int64(4), "memory": int64(0), "disk": int64(0), "count": 1}, rel["machines"].(map[string]any)["meta"])
	assert.Equal(t, map[string]any{"count": 0}, rel["users"].(map[string]any)["meta"])
	assert.Nil(t, rel["owner"].(map[string]any)["data"])
	assert.Equal(t, map[string]any{"type": "products", "id": prod}, rel["product"].(map[string]any)["data"])

	assert.Equal(t, "NOT_STARTED", mr.Attributes["heartbeatStatus"])
	assert.Equal(t, int64(600), mr.Attributes["heartbeatDuration"])
	assert.Equal(t, map[string]any{"type": "licenses", "id": lic.ID}, mr.Relationships["license"].(map[string]any)["data"])
	assert.Equal(t, "/v1/accounts/"+tt.srv.AccountID+"/machines/"+m.ID, mr.Links["self"])
}

// TestConcurrentRequests exercises the store lock under -race.
func TestConcurrentRequests(t *testing.T) {
	tt := newWorld(t)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				tt.do(req{method: "POST", path: "/products", body: doc("products", map[string]any{"name": "p"}, nil)})
			} else {
				tt.get("/products?page[number]=1&page[size]=5")
			}
		}()
	}
	wg.Wait()
	r := tt.get("/products?page[number]=1&page[size]=1")
	require.Equal(t, 200, r.status)
	assert.EqualValues(t, 10, r.doc["links"].(map[string]any)["meta"].(map[string]any)["count"])
}
