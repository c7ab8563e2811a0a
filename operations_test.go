package keygen

import (
	"reflect"
	"testing"
)

// keygenOperations lists every Keygen API operation (keygen-sh/keygen-api,
// config/routes.rb) that the SDK covers, with the method that calls it. The test fails if a
// method is missing, so an operation added to the table cannot go unimplemented.
var keygenOperations = []struct {
	op      string // HTTP operation, for the reader
	service string // Client field
	method  string
}{
	{"POST /tokens", "Tokens", "Generate"},
	{"GET /tokens", "Tokens", "List"},
	{"GET /tokens (all pages)", "Tokens", "All"},
	{"GET /tokens/{id}", "Tokens", "Get"},
	{"PUT /tokens/{id}", "Tokens", "Regenerate"},
	{"DELETE /tokens/{id}", "Tokens", "Revoke"},

	{"POST /products", "Products", "Create"},
	{"GET /products/{id}", "Products", "Get"},
	{"PATCH /products/{id}", "Products", "Update"},
	{"DELETE /products/{id}", "Products", "Delete"},
	{"GET /products", "Products", "List"},
	{"GET /products (all pages)", "Products", "All"},
	{"POST /products/{id}/tokens", "Products", "GenerateToken"},

	{"POST /policies", "Policies", "Create"},
	{"GET /policies/{id}", "Policies", "Get"},
	{"PATCH /policies/{id}", "Policies", "Update"},
	{"DELETE /policies/{id}", "Policies", "Delete"},
	{"GET /policies", "Policies", "List"},
	{"GET /policies (all pages)", "Policies", "All"},
	{"DELETE /policies/{id}/pool", "Policies", "PopKey"},
	{"GET /policies/{id}/entitlements", "Policies", "ListEntitlements"},
	{"POST /policies/{id}/entitlements", "Policies", "AttachEntitlements"},
	{"DELETE /policies/{id}/entitlements", "Policies", "DetachEntitlements"},

	{"POST /users", "Users", "Create"},
	{"GET /users/{id}", "Users", "Get"},
	{"PATCH /users/{id}", "Users", "Update"},
	{"DELETE /users/{id}", "Users", "Delete"},
	{"GET /users", "Users", "List"},
	{"GET /users (all pages)", "Users", "All"},
	{"POST /users/{id}/actions/update-password", "Users", "UpdatePassword"},
	{"POST /users/{id}/actions/reset-password", "Users", "ResetPassword"},
	{"POST /passwords", "Users", "RequestPasswordReset"},
	{"POST /users/{id}/actions/ban", "Users", "Ban"},
	{"POST /users/{id}/actions/unban", "Users", "Unban"},
	{"POST /users/{id}/tokens", "Users", "GenerateToken"},
	{"PUT /users/{id}/group", "Users", "ChangeGroup"},

	{"POST /licenses", "Licenses", "Create"},
	{"GET /licenses/{id}", "Licenses", "Get"},
	{"PATCH /licenses/{id}", "Licenses", "Update"},
	{"DELETE /licenses/{id}", "Licenses", "Delete"},
	{"GET /licenses", "Licenses", "List"},
	{"GET /licenses (all pages)", "Licenses", "All"},
	{"POST /licenses/{id}/actions/validate", "Licenses", "Validate"},
	{"POST /licenses/actions/validate-key", "Licenses", "ValidateKey"},
	{"POST /licenses/{id}/actions/suspend", "Licenses", "Suspend"},
	{"POST /licenses/{id}/actions/reinstate", "Licenses", "Reinstate"},
	{"POST /licenses/{id}/actions/renew", "Licenses", "Renew"},
	{"DELETE /licenses/{id}/actions/revoke", "Licenses", "Revoke"},
	{"POST /licenses/{id}/actions/check-in", "Licenses", "CheckIn"},
	{"POST /licenses/{id}/actions/check-out", "Licenses", "CheckOut"},
	{"GET /licenses/{id}/actions/validate", "Licenses", "QuickValidate"},
	{"POST /licenses/{id}/actions/increment-usage", "Licenses", "IncrementUsage"},
	{"POST /licenses/{id}/actions/decrement-usage", "Licenses", "DecrementUsage"},
	{"POST /licenses/{id}/actions/reset-usage", "Licenses", "ResetUsage"},
	{"POST /licenses/{id}/tokens", "Licenses", "GenerateToken"},
	{"PUT /licenses/{id}/policy", "Licenses", "ChangePolicy"},
	{"PUT /licenses/{id}/owner", "Licenses", "ChangeOwner"},
	{"PUT /licenses/{id}/group", "Licenses", "ChangeGroup"},
	{"GET /licenses/{id}/entitlements", "Licenses", "ListEntitlements"},
	{"POST /licenses/{id}/entitlements", "Licenses", "AttachEntitlements"},
	{"DELETE /licenses/{id}/entitlements", "Licenses", "DetachEntitlements"},
	{"GET /licenses/{id}/users", "Licenses", "ListUsers"},
	{"POST /licenses/{id}/users", "Licenses", "AttachUsers"},
	{"DELETE /licenses/{id}/users", "Licenses", "DetachUsers"},

	{"POST /machines", "Machines", "Create"},
	{"GET /machines/{id}", "Machines", "Get"},
	{"PATCH /machines/{id}", "Machines", "Update"},
	{"DELETE /machines/{id}", "Machines", "Delete"},
	{"GET /machines", "Machines", "List"},
	{"GET /machines (all pages)", "Machines", "All"},
	{"POST /machines/{id}/actions/ping", "Machines", "Ping"},
	{"POST /machines/{id}/actions/reset", "Machines", "Reset"},
	{"POST /machines/{id}/actions/check-out", "Machines", "CheckOut"},
	{"PUT /machines/{id}/owner", "Machines", "ChangeOwner"},
	{"PUT /machines/{id}/group", "Machines", "ChangeGroup"},

	{"POST /entitlements", "Entitlements", "Create"},
	{"GET /entitlements/{id}", "Entitlements", "Get"},
	{"PATCH /entitlements/{id}", "Entitlements", "Update"},
	{"DELETE /entitlements/{id}", "Entitlements", "Delete"},
	{"GET /entitlements", "Entitlements", "List"},
	{"GET /entitlements (all pages)", "Entitlements", "All"},

	{"POST /groups", "Groups", "Create"},
	{"GET /groups/{id}", "Groups", "Get"},
	{"PATCH /groups/{id}", "Groups", "Update"},
	{"DELETE /groups/{id}", "Groups", "Delete"},
	{"GET /groups", "Groups", "List"},
	{"GET /groups (all pages)", "Groups", "All"},
	{"GET /groups/{id}/owners", "Groups", "ListOwners"},
	{"POST /groups/{id}/owners", "Groups", "AttachOwners"},
	{"DELETE /groups/{id}/owners", "Groups", "DetachOwners"},
	{"GET /groups/{id}/users", "Groups", "ListUsers"},
	{"GET /groups/{id}/licenses", "Groups", "ListLicenses"},
	{"GET /groups/{id}/machines", "Groups", "ListMachines"},

	{"POST /components", "Components", "Create"},
	{"GET /components/{id}", "Components", "Get"},
	{"PATCH /components/{id}", "Components", "Update"},
	{"DELETE /components/{id}", "Components", "Delete"},
	{"GET /components", "Components", "List"},
	{"GET /components (all pages)", "Components", "All"},

	{"POST /processes", "Processes", "Create"},
	{"GET /processes/{id}", "Processes", "Get"},
	{"PATCH /processes/{id}", "Processes", "Update"},
	{"DELETE /processes/{id}", "Processes", "Delete"},
	{"GET /processes", "Processes", "List"},
	{"GET /processes (all pages)", "Processes", "All"},
	{"POST /processes/{id}/actions/ping", "Processes", "Ping"},

	{"POST /keys", "Keys", "Create"},
	{"GET /keys/{id}", "Keys", "Get"},
	{"PATCH /keys/{id}", "Keys", "Update"},
	{"DELETE /keys/{id}", "Keys", "Delete"},
	{"GET /keys", "Keys", "List"},
	{"GET /keys (all pages)", "Keys", "All"},

	{"POST /webhook-endpoints", "Webhooks", "Create"},
	{"GET /webhook-endpoints/{id}", "Webhooks", "Get"},
	{"PATCH /webhook-endpoints/{id}", "Webhooks", "Update"},
	{"DELETE /webhook-endpoints/{id}", "Webhooks", "Delete"},
	{"GET /webhook-endpoints", "Webhooks", "List"},
	{"GET /webhook-endpoints (all pages)", "Webhooks", "All"},

	{"GET /webhook-events/{id}", "WebhookEvents", "Get"},
	{"GET /webhook-events", "WebhookEvents", "List"},
	{"GET /webhook-events (all pages)", "WebhookEvents", "All"},
	{"POST /webhook-events/{id}/actions/retry", "WebhookEvents", "Retry"},
	{"DELETE /webhook-events/{id}", "WebhookEvents", "Delete"},

	{"GET /me", "Profile", "Get"},

	{"POST /releases", "Releases", "Create"},
	{"GET /releases/{id, version or tag}", "Releases", "Get"},
	{"PATCH /releases/{id}", "Releases", "Update"},
	{"DELETE /releases/{id}", "Releases", "Delete"},
	{"GET /releases", "Releases", "List"},
	{"GET /releases (all pages)", "Releases", "All"},
	{"POST /releases/{id}/actions/publish", "Releases", "Publish"},
	{"POST /releases/{id}/actions/yank", "Releases", "Yank"},
	{"GET /releases/{id}/upgrade", "Releases", "Upgrade"},
	{"GET /releases/{id}/constraints", "Releases", "ListConstraints"},
	{"POST /releases/{id}/constraints", "Releases", "AttachConstraints"},
	{"DELETE /releases/{id}/constraints", "Releases", "DetachConstraints"},
	{"GET /releases/{id}, GET /artifacts, then Download", "Releases", "Install"},

	{"POST /artifacts", "Artifacts", "Create"},
	{"POST /artifacts, then PUT to the upload URL", "Artifacts", "Upload"},
	{"GET /artifacts/{id or filename} (prefer=no-download)", "Artifacts", "Get"},
	{"PATCH /artifacts/{id}", "Artifacts", "Update"},
	{"DELETE /artifacts/{id}", "Artifacts", "Delete"},
	{"GET /artifacts", "Artifacts", "List"},
	{"GET /artifacts (all pages)", "Artifacts", "All"},
	{"GET /artifacts/{id or filename}, then GET the download URL", "Artifacts", "Download"},

	{"POST /packages", "Packages", "Create"},
	{"GET /packages/{id}", "Packages", "Get"},
	{"PATCH /packages/{id}", "Packages", "Update"},
	{"DELETE /packages/{id}", "Packages", "Delete"},
	{"GET /packages", "Packages", "List"},
	{"GET /packages (all pages)", "Packages", "All"},

	{"GET /channels", "Channels", "List"},
	{"GET /channels (all pages)", "Channels", "All"},
	{"GET /channels/{id}", "Channels", "Get"},
	{"GET /platforms", "Platforms", "List"},
	{"GET /platforms (all pages)", "Platforms", "All"},
	{"GET /platforms/{id}", "Platforms", "Get"},
	{"GET /arches", "Arches", "List"},
	{"GET /arches (all pages)", "Arches", "All"},
	{"GET /arches/{id}", "Arches", "Get"},
}

func TestEveryOperationHasAMethod(t *testing.T) {
	t.Parallel()
	c, err := NewClient("acme")
	if err != nil {
		t.Fatal(err)
	}
	v := reflect.ValueOf(c).Elem()
	for _, op := range keygenOperations {
		svc := v.FieldByName(op.service)
		if !svc.IsValid() {
			t.Errorf("%s: Client has no %s service", op.op, op.service)
			continue
		}
		m := svc.MethodByName(op.method)
		if !m.IsValid() {
			t.Errorf("%s: %s has no method %s", op.op, op.service, op.method)
			continue
		}
		// Every method takes a context first.
		if m.Type().NumIn() == 0 || m.Type().In(0).String() != "context.Context" {
			t.Errorf("%s: %s.%s does not take a context.Context first", op.op, op.service, op.method)
		}
	}
	t.Logf("%d operations covered", len(keygenOperations))
}
