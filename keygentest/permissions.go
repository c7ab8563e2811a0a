package keygentest

import "strings"

// Permissions follow app/policies (ApplicationPolicy and one policy per resource) with the
// convention the features assert: a bearer that cannot see a resource gets 404 (errNotFound),
// one that sees it but may not act gets 403 (errDenied / errForbidden). Each resource handler
// finds the record, checks c.sees*(…) for visibility, then a role predicate for the action.

// hasRole reports whether the bearer's role is one of roles.
func (p *principal) hasRole(roles ...string) bool {
	r := p.role()
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

// isAdmin: admins and developers may do everything.
func (p *principal) isAdmin() bool { return p.hasRole("admin", "developer") }

// isStaff: account-wide bearers that see every resource (read-only and agents included).
func (p *principal) isStaff() bool {
	return p.hasRole("admin", "developer", "read-only", "sales-agent", "support-agent", "environment")
}

// canWriteAll: bearers that may mutate any resource of the account (admin, developer,
// environment). Agents get per-operation grants at each handler.
func (p *principal) canWriteAll() bool { return p.hasRole("admin", "developer", "environment") }

func (p *principal) isProduct(id string) bool { return p.product != nil && p.product.ID == id }
func (p *principal) isUser(id string) bool    { return p.user != nil && p.user.ID == id }
func (p *principal) isLicense(id string) bool { return p.license != nil && p.license.ID == id }

// isRoleUser: the bearer is a user of role user (Role(:user) in Keygen's policies).
func (p *principal) isRoleUser() bool { return p.user != nil && p.hasRole("user") }

// Default permission sets: a user's defaults are Permission::USER_PERMISSIONS less
// account.read, policy.read, product.read and license.users.attach/detach; a license's
// are Permission::LICENSE_PERMISSIONS less account.read, policy.read, product.read and
// user.read. An action outside the role's available set (e.g. policy.pool.pop for a
// user) is never a default. Explicit (EE) permissions replace the defaults ("*" grants
// all), and a license's set is intersected with its owner's (app/models/permission.rb).
var (
	userAvailable = strings.Fields(`account.read arch.read artifact.read component.create component.delete
		component.read component.update channel.read constraint.read engine.read entitlement.read
		group.licenses.read group.machines.read group.owners.read group.read group.users.read
		license.check-in license.check-out license.create license.delete license.policy.update
		license.read license.renew license.revoke license.usage.increment license.validate
		license.users.attach license.users.detach machine.check-out machine.create machine.delete
		machine.heartbeat.ping machine.proofs.generate machine.read machine.update package.read
		platform.read policy.read process.create process.delete process.heartbeat.ping process.read
		process.update product.read release.download release.read release.upgrade token.generate
		token.read token.regenerate token.revoke user.password.reset user.password.update user.read
		user.second-factors.create user.second-factors.delete user.second-factors.read
		user.second-factors.update user.update`)
	licenseAvailable = strings.Fields(`account.read arch.read artifact.read component.create
		component.delete component.read component.update channel.read constraint.read engine.read
		entitlement.read group.owners.read group.read license.check-in license.check-out
		license.read license.usage.increment license.validate machine.check-out machine.create
		machine.delete machine.heartbeat.ping machine.proofs.generate machine.read machine.update
		package.read platform.read policy.read process.create process.delete
		process.heartbeat.ping process.read process.update product.read release.download
		release.read release.upgrade token.read token.regenerate token.revoke user.read`)
	// readOnlyAvailable is Permission::READ_ONLY_PERMISSIONS, both the allowed and the
	// default set of a read-only user. Admins, developers and the sales and support agents
	// hold Permission::ADMIN_PERMISSIONS (every action); their per-route limits are role
	// checks in each handler.
	readOnlyAvailable = strings.Fields(`account.analytics.read account.billing.read
		account.plan.read account.read account.subscription.read admin.read arch.read
		artifact.read component.read channel.read constraint.read engine.read entitlement.read
		environment.read event-log.read group.licenses.read group.machines.read group.owners.read
		group.read group.users.read key.read license.read license.validate machine.read
		package.read platform.read policy.read process.read product.read release.download
		release.read release.upgrade request-log.read token.generate token.read
		user.password.reset user.password.update user.read user.second-factors.read
		webhook-endpoint.read webhook-event.read`)
	// productAvailable is Permission::PRODUCT_PERMISSIONS, both the allowed and the default
	// set of a product (app/models/product.rb: has_permissions
	// Permission::PRODUCT_PERMISSIONS); a product lacks e.g. entitlement.create.
	productAvailable = strings.Fields(`account.read arch.read artifact.create artifact.delete
		artifact.read artifact.update component.create component.delete component.read
		component.update channel.read constraint.read engine.read entitlement.read group.create
		group.delete group.licenses.read group.machines.read group.owners.attach
		group.owners.detach group.owners.read group.read group.update group.users.read
		key.create key.delete key.read key.update license.check-in license.check-out
		license.create license.delete license.entitlements.attach license.entitlements.detach
		license.group.update license.owner.update license.policy.update license.read
		license.reinstate license.renew license.revoke license.suspend license.tokens.generate
		license.update license.usage.decrement license.usage.increment license.usage.reset
		license.user.update license.users.attach license.users.detach license.validate
		machine.check-out machine.create machine.delete machine.group.update
		machine.heartbeat.ping machine.heartbeat.reset machine.owner.update
		machine.proofs.generate machine.read machine.update package.create package.delete
		package.read package.update platform.read policy.create policy.delete
		policy.entitlements.attach policy.entitlements.detach policy.pool.pop policy.read
		policy.update process.create process.delete process.heartbeat.ping process.read
		process.update product.read product.update release.constraints.attach
		release.constraints.detach release.create release.delete release.download
		release.package.update release.publish release.read release.update release.upgrade
		release.upload release.yank token.generate token.read token.regenerate token.revoke
		user.ban user.create user.delete user.group.update user.read user.tokens.generate
		user.unban user.update webhook-endpoint.create webhook-endpoint.delete
		webhook-endpoint.read webhook-endpoint.update webhook-event.read`)
	userDefaultLacks    = []string{"account.read", "policy.read", "product.read", "license.users.attach", "license.users.detach"}
	licenseDefaultLacks = []string{"account.read", "policy.read", "product.read", "user.read"}
)

// permits: an explicit set holds action, or "*" and action is available (Permissible#can?:
// a wildcard grants the allowed set); without one, the defaults (available less lacks; a
// nil available set is every action) hold it.
func permits(explicit, available, lacks []string, action string) bool {
	inAvailable := available == nil || contains(available, action)
	if explicit == nil {
		return inAvailable && !contains(lacks, action)
	}
	return contains(explicit, "*") && inAvailable || contains(explicit, action)
}

// can reports whether the bearer's permission set holds action. A read-only user holds
// Permission::READ_ONLY_PERMISSIONS, a product Permission::PRODUCT_PERMISSIONS; the other
// staff roles and environments hold every permission of their role.
func (c *call) can(p *principal, action string) bool {
	switch {
	case p.license != nil:
		if !permits(p.license.Permissions, licenseAvailable, licenseDefaultLacks, action) {
			return false
		}
		if id := p.license.OwnerID; id != nil {
			if o := c.db().users[*id]; o != nil && o.Role == "user" && !permits(o.Permissions, userAvailable, userDefaultLacks, action) {
				return false
			}
		}
	case p.user != nil && p.user.Role == "user":
		return permits(p.user.Permissions, userAvailable, userDefaultLacks, action)
	case p.user != nil && p.user.Role == "read-only":
		return permits(p.user.Permissions, readOnlyAvailable, nil, action)
	case p.user != nil:
		return permits(p.user.Permissions, nil, nil, action)
	case p.product != nil:
		return permits(p.product.Permissions, productAvailable, nil, action)
	}
	return true
}

// verifyPermission is ApplicationPolicy#verify_permissions!: the bearer's permission set
// (explicit, or its role's defaults: see can) and then its token's explicit set, when it has
// one, must hold action or "*"; otherwise 403 naming who lacks it.
func (c *call) verifyPermission(p *principal, action string) error {
	if !c.can(p, action) {
		return errForbidden(strings.ReplaceAll(p.role(), "-", " ") + " lacks permission to perform action")
	}
	if p.token != nil && p.token.Permissions != nil && !permits(p.token.Permissions, nil, nil, action) {
		return errForbidden("token lacks permission to perform action")
	}
	return nil
}

// roleRank is Role::ROLE_RANK: a bearer may not create, update or delete a user of a
// higher rank (UserPolicy#verify_privileges!).
var roleRank = map[string]int{
	"admin": 7, "environment": 6, "developer": 5, "product": 4,
	"sales-agent": 3, "support-agent": 2, "read-only": 1, "license": 0, "user": 0,
}

func verifyPrivileges(p *principal, role string) error {
	if roleRank[p.role()] < roleRank[role] {
		return errForbidden(strings.ReplaceAll(p.role(), "-", " ") + " lacks privileges to perform action on user")
	}
	return nil
}

// authorize is a policy check in Keygen's order: the permission first, then the route's
// role rule (allowed); either failing is a 403.
func (c *call) authorize(p *principal, action string, allowed bool) error {
	if err := c.verifyPermission(p, action); err != nil {
		return err
	}
	if !allowed {
		return errDenied()
	}
	return nil
}

// Relationship routes (the <resource>_relationships.go files, after
// app/controllers/api/v1/*/relationships/) share one convention. Each follows its Keygen
// controller: the parent is looked up in the bearer's scope (404),
// an index pages the related records in the bearer's scope (a bad page is 400 before any
// 403), a show finds the related record among the parent's, and then the relationship
// policy runs: verify_permissions! of the read permission (403 naming who lacks it), then
// the role check (403).

// relAllow is a relationship policy: the permission, then the role predicate.
func (c *call) relAllow(p *principal, perm string, allow bool) error {
	if err := c.authorize(p, perm, allow); err != nil {
		return err
	}
	return nil
}
