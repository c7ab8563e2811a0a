package keygentest

// licensing holds the licensing model's resources beside the core store: entitlements and
// their policy and license join records (entitlements.go), machine components
// (components.go), machine processes (processes.go) and groups with their owners
// (groups.go). Like the rest of the store, the Server's mu guards it.
type licensing struct {
	entitlements        map[string]*entitlement
	policyEntitlements  map[string]*entitlementLink // id → policy-entitlements record
	licenseEntitlements map[string]*entitlementLink // id → license-entitlements record
	components          map[string]*component
	processes           map[string]*process
	groups              map[string]*group
	groupOwners         map[string]*groupOwner
}

func newLicensing() *licensing {
	return &licensing{
		entitlements:        map[string]*entitlement{},
		policyEntitlements:  map[string]*entitlementLink{},
		licenseEntitlements: map[string]*entitlementLink{},
		components:          map[string]*component{},
		processes:           map[string]*process{},
		groups:              map[string]*group{},
		groupOwners:         map[string]*groupOwner{},
	}
}
