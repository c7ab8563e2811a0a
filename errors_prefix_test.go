package keygen

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestArgumentErrorsPrefixedOnce walks bad calls of every service and option: each must fail
// before any request with an error that matches ErrInvalidArgument and whose text carries the
// package prefix exactly once. ErrInvalidArgument's own text starts with "keygen: ", so a
// message that adds the prefix and then wraps it read "keygen: …: keygen: invalid argument",
// or "keygen: keygen: invalid argument: …" for option errors.
func TestArgumentErrorsPrefixedOnce(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	ctx := context.Background()
	call := func(_ any, err error) error { return err }

	cases := map[string]error{}
	// An empty id on every service's Get, Update and Delete (and the other id-taking calls).
	for _, id := range []string{"", "  "} {
		add := func(name string, err error) { cases[name+"("+id+")"] = err }
		add("Products.Get", call(c.Products.Get(ctx, id)))
		add("Products.Update", call(c.Products.Update(ctx, id, ProductUpdateOptions{})))
		add("Products.Delete", c.Products.Delete(ctx, id))
		add("Products.GenerateToken", call(c.Products.GenerateToken(ctx, id, nil)))
		add("Policies.Get", call(c.Policies.Get(ctx, id)))
		add("Policies.Update", call(c.Policies.Update(ctx, id, PolicyUpdateOptions{})))
		add("Policies.Delete", c.Policies.Delete(ctx, id))
		add("Policies.PopKey", call(c.Policies.PopKey(ctx, id)))
		add("Users.Get", call(c.Users.Get(ctx, id)))
		add("Users.Update", call(c.Users.Update(ctx, id, UserUpdateOptions{})))
		add("Users.Delete", c.Users.Delete(ctx, id))
		add("Users.Ban", call(c.Users.Ban(ctx, id)))
		add("Users.GenerateToken", call(c.Users.GenerateToken(ctx, id, nil)))
		add("Licenses.Get", call(c.Licenses.Get(ctx, id)))
		add("Licenses.Update", call(c.Licenses.Update(ctx, id, LicenseUpdateOptions{})))
		add("Licenses.Delete", c.Licenses.Delete(ctx, id))
		add("Licenses.Suspend", call(c.Licenses.Suspend(ctx, id)))
		add("Licenses.Revoke", c.Licenses.Revoke(ctx, id))
		add("Licenses.CheckOut", call(c.Licenses.CheckOut(ctx, id, nil)))
		add("Licenses.Validate", call(c.Licenses.Validate(ctx, id, nil)))
		add("Licenses.ValidateKey", call(c.Licenses.ValidateKey(ctx, id, nil)))
		add("Licenses.GenerateToken", call(c.Licenses.GenerateToken(ctx, id, nil)))
		add("Machines.Get", call(c.Machines.Get(ctx, id)))
		add("Machines.Update", call(c.Machines.Update(ctx, id, MachineUpdateOptions{})))
		add("Machines.Delete", c.Machines.Delete(ctx, id))
		add("Machines.Ping", call(c.Machines.Ping(ctx, id)))
		add("Machines.CheckOut", call(c.Machines.CheckOut(ctx, id, nil)))
		add("Keys.Get", call(c.Keys.Get(ctx, id)))
		add("Keys.Update", call(c.Keys.Update(ctx, id, KeyUpdateOptions{})))
		add("Keys.Delete", c.Keys.Delete(ctx, id))
		add("Tokens.Get", call(c.Tokens.Get(ctx, id)))
		add("Tokens.Regenerate", call(c.Tokens.Regenerate(ctx, id)))
		add("Tokens.Revoke", c.Tokens.Revoke(ctx, id))
		add("Webhooks.Get", call(c.Webhooks.Get(ctx, id)))
		add("Webhooks.Update", call(c.Webhooks.Update(ctx, id, WebhookUpdateOptions{})))
		add("Webhooks.Delete", c.Webhooks.Delete(ctx, id))
		add("WebhookEvents.Get", call(c.WebhookEvents.Get(ctx, id)))
		add("WebhookEvents.Retry", call(c.WebhookEvents.Retry(ctx, id)))
		add("WebhookEvents.Delete", c.WebhookEvents.Delete(ctx, id))
		add("HeartbeatMonitor.Run", NewHeartbeatMonitor(c, id, HeartbeatOptions{}).Run(ctx))
		add("Entitlements.Get", call(c.Entitlements.Get(ctx, id)))
		add("Entitlements.Update", call(c.Entitlements.Update(ctx, id, EntitlementUpdateOptions{})))
		add("Entitlements.Delete", c.Entitlements.Delete(ctx, id))
		add("Groups.Get", call(c.Groups.Get(ctx, id)))
		add("Groups.Update", call(c.Groups.Update(ctx, id, GroupUpdateOptions{})))
		add("Groups.Delete", c.Groups.Delete(ctx, id))
		add("Groups.ListOwners", call(c.Groups.ListOwners(ctx, id, nil)))
		add("Groups.AttachOwners", c.Groups.AttachOwners(ctx, id, "u1"))
		add("Components.Get", call(c.Components.Get(ctx, id)))
		add("Components.Delete", c.Components.Delete(ctx, id))
		add("Processes.Get", call(c.Processes.Get(ctx, id)))
		add("Processes.Ping", call(c.Processes.Ping(ctx, id)))
		add("Policies.ListEntitlements", call(c.Policies.ListEntitlements(ctx, id, nil)))
		add("Licenses.AttachEntitlements", c.Licenses.AttachEntitlements(ctx, id, "e1"))
		add("Licenses.ListUsers", call(c.Licenses.ListUsers(ctx, id, nil)))
		add("Licenses.ChangeGroup", call(c.Licenses.ChangeGroup(ctx, id, "g1")))
		add("Users.ChangeGroup", call(c.Users.ChangeGroup(ctx, id, "g1")))
		add("Machines.ChangeOwner", call(c.Machines.ChangeOwner(ctx, id, "u1")))
	}
	// Missing or out-of-range arguments.
	cases["Products.Create"] = call(c.Products.Create(ctx, ProductCreateOptions{}))
	cases["Policies.Create"] = call(c.Policies.Create(ctx, PolicyCreateOptions{}))
	cases["Users.Create"] = call(c.Users.Create(ctx, UserCreateOptions{}))
	cases["Licenses.Create"] = call(c.Licenses.Create(ctx, LicenseCreateOptions{}))
	cases["Licenses.IncrementUsage"] = call(c.Licenses.IncrementUsage(ctx, "l1", 0))
	cases["Licenses.CheckOut TTL"] = call(c.Licenses.CheckOut(ctx, "l1", &CheckOutOptions{TTL: -time.Hour}))
	cases["Machines.Create"] = call(c.Machines.Create(ctx, MachineCreateOptions{}))
	cases["Keys.Create"] = call(c.Keys.Create(ctx, KeyCreateOptions{}))
	cases["Webhooks.Create"] = call(c.Webhooks.Create(ctx, WebhookCreateOptions{}))
	cases["Entitlements.Create"] = call(c.Entitlements.Create(ctx, EntitlementCreateOptions{}))
	cases["Groups.Create"] = call(c.Groups.Create(ctx, GroupCreateOptions{}))
	cases["Components.Create"] = call(c.Components.Create(ctx, ComponentCreateOptions{}))
	cases["Processes.Create"] = call(c.Processes.Create(ctx, ProcessCreateOptions{}))
	cases["Machines.Create components"] = call(c.Machines.Create(ctx, MachineCreateOptions{LicenseID: "l1", Fingerprint: "f", Components: make([]MachineComponent, 21)}))
	cases["Policies.AttachEntitlements none"] = c.Policies.AttachEntitlements(ctx, "p1")
	cases["Licenses.DetachUsers blank"] = c.Licenses.DetachUsers(ctx, "l1", " ")
	cases["Machines.ChangeGroup blank"] = call(c.Machines.ChangeGroup(ctx, "m1", " "))
	cases["Licenses.Get signed key"] = call(c.Licenses.Get(ctx, "key/eyJhIjoxfQ==.sig"))
	var noCtx context.Context // a nil context, on purpose
	cases["nil context"] = call(c.Products.Get(noCtx, "p1"))
	// Bad list options, on List and on All.
	for name, lo := range map[string]ListOptions{"PageSize": {PageSize: 101}, "PageNumber": {PageNumber: -1}, "Limit": {Limit: 1000}} {
		cases["Products.List "+name] = call(c.Products.List(ctx, &ProductListOptions{ListOptions: lo}))
		for _, err := range c.Licenses.All(ctx, &LicenseListOptions{ListOptions: lo}) {
			cases["Licenses.All "+name] = err
			break
		}
	}
	cases["Licenses.List ExpiresWithin"] = call(c.Licenses.List(ctx, &LicenseListOptions{ExpiresWithin: -time.Hour}))
	// Bad options to NewClient, and bad webhook arguments.
	for name, opts := range map[string][]Option{
		"WithToken empty":       {WithToken("")},
		"WithToken control":     {WithToken("a\nb")},
		"WithLicenseKey empty":  {WithLicenseKey(" ")},
		"WithBaseURL scheme":    {WithBaseURL("ftp://keygen.example.com")},
		"WithBaseURL no host":   {WithBaseURL("https://")},
		"WithHTTPClient nil":    {WithHTTPClient(nil)},
		"WithAPIVersion":        {WithAPIVersion("2.0")},
		"WithPublicKey":         {WithPublicKey("zz")},
		"WithClockSkew":         {WithClockSkew(0)},
		"WithEnvironment":       {WithEnvironment("")},
		"token and license key": {WithToken("t"), WithLicenseKey("k")},
	} {
		_, err := NewClient("acme", opts...)
		cases["NewClient "+name] = err
	}
	_, cases["NewClient no account"] = NewClient(" ")
	_, cases["NewClient account with a slash"] = NewClient("a/b")
	_, cases["ParseWebhook nil request"] = ParseWebhook(nil, "")
	_, cases["VerifyWebhook bad key"] = VerifyWebhook("zz", WebhookRequest{})
	pub := strings.Repeat("ab", 32)
	_, cases["VerifyWebhook bad option"] = VerifyWebhook(pub, WebhookRequest{}, WithWebhookTolerance(0))

	for name, err := range cases {
		if !assert.Error(t, err, name) {
			continue
		}
		msg := err.Error()
		assert.ErrorIs(t, err, ErrInvalidArgument, name)
		assert.True(t, strings.HasPrefix(msg, "keygen: "), "%s: %q lacks the prefix", name, msg)
		assert.NotContains(t, msg, "keygen: keygen:", name)
		assert.Equal(t, 1, strings.Count(msg, "keygen:"), "%s: %q", name, msg)
	}
	assert.Zero(t, mt.GetTotalCallCount(), "argument errors are raised before any request")
}

// TestSentinelWrappingPrefixedOnce: the other sentinels lead their errors too ("%w: detail"),
// so their wrapped errors carry the prefix once as well.
func TestSentinelWrappingPrefixedOnce(t *testing.T) {
	t.Parallel()
	pub := strings.Repeat("ab", 32)
	_, errFile := ParseLicenseFile("not a license file")
	_, errKey := VerifyLicenseKey(SchemeED25519Sign, "", pub)
	_, errScheme := VerifyLicenseKey("ROT13", "key/x.y", pub)
	for _, err := range []error{errFile, errKey, errScheme} {
		require.Error(t, err)
		assert.Equal(t, 1, strings.Count(err.Error(), "keygen:"), err.Error())
	}
}
