package keygentest

import (
	"fmt"
)

// Groups (app/models/group.rb, app/models/group_owner.rb,
// app/controllers/api/v1/groups_controller.rb, app/controllers/api/v1/groups/relationships/*,
// app/controllers/api/v1/{licenses,users,machines}/relationships/groups_controller.rb,
// app/policies/group_policy.rb, app/policies/groups/*,
// app/serializers/{group,group_owner}_serializer.rb). Specs: features/api/v1/groups/*.feature.

type group struct {
	base
	Name        string
	MaxUsers    *int64
	MaxLicenses *int64
	MaxMachines *int64
	Metadata    map[string]any
}

// groupOwner is a group-owners record: a user owning (administering) a group.
type groupOwner struct {
	base
	GroupID string
	UserID  string
}

func (db *store) findGroup(acct, id string) *group {
	if g := db.lic.groups[lower(id)]; g != nil && g.AccountID == acct {
		return g
	}
	return nil
}

// groupOwners are a group's owner records, newest first (a deleted user owns nothing).
func (db *store) groupOwners(groupID string) []*groupOwner {
	var out []*groupOwner
	for _, o := range db.lic.groupOwners {
		if o.GroupID == groupID && db.users[o.UserID] != nil {
			out = append(out, o)
		}
	}
	sortNewest(out)
	return out
}

func (db *store) ownsGroup(userID, groupID string) bool {
	for _, o := range db.lic.groupOwners {
		if o.GroupID == groupID && o.UserID == userID && db.users[userID] != nil {
			return true
		}
	}
	return false
}

// groupMembers counts a group's members of a kind ("user", "license", "machine"),
// except one.
func (db *store) groupMembers(acct, kind, groupID, except string) int64 {
	var n int64
	in := func(id string, g *string) {
		if id != except && g != nil && *g == groupID {
			n++
		}
	}
	switch kind {
	case "user":
		for _, u := range db.users {
			if u.AccountID == acct {
				in(u.ID, u.GroupID)
			}
		}
	case "license":
		for _, l := range db.licenses {
			if l.AccountID == acct {
				in(l.ID, l.GroupID)
			}
		}
	case "machine":
		for _, m := range db.machines {
			if m.AccountID == acct {
				in(m.ID, m.GroupID)
			}
		}
	}
	return n
}

// validateGroup is the group validation of a license, user or machine whose group is set
// or changed: the group must exist (GROUP_NOT_FOUND) and have room under its limit
// (GROUP_<KIND>_LIMIT_EXCEEDED), both pointing at /data/relationships/group.
func (c *call) validateGroup(v *invalid, kind string, groupID *string, memberID string) {
	if groupID == nil {
		return
	}
	db := c.db()
	g := db.findGroup(c.acct.ID, *groupID)
	if g == nil {
		v.rel("group", "NOT_FOUND", "must exist")
		return
	}
	max := map[string]*int64{"user": g.MaxUsers, "license": g.MaxLicenses, "machine": g.MaxMachines}[kind]
	if max != nil && db.groupMembers(c.acct.ID, kind, g.ID, memberID) >= *max {
		v.rel("group", "LIMIT_EXCEEDED", fmt.Sprintf("%s count has exceeded maximum allowed by current group (%d)", kind, *max))
		v.errors[len(v.errors)-1].Code = "GROUP_" + upperSnake(kind) + "_LIMIT_EXCEEDED"
	}
}

// seesGroup is Group's readable scope: staff and products all groups; a user the group
// it belongs to and those it owns; a license its group.
func (c *call) seesGroup(p *principal, g *group) bool {
	switch {
	case p.isStaff(), p.product != nil:
		return true
	case p.license != nil:
		return p.license.GroupID != nil && *p.license.GroupID == g.ID
	case p.user != nil:
		return (p.user.GroupID != nil && *p.user.GroupID == g.ID) || c.db().ownsGroup(p.user.ID, g.ID)
	}
	return false
}

// mayWriteGroup: admins, developers, environments and products.
func mayWriteGroup(p *principal) bool { return p.canWriteAll() || p.product != nil }

func (v view) group(g *group) *resource {
	attrs := map[string]any{
		"name":        g.Name,
		"maxUsers":    opt(g.MaxUsers),
		"maxLicenses": opt(g.MaxLicenses),
		"maxMachines": opt(g.MaxMachines),
		"metadata":    v.metadata(g.Metadata),
	}
	r := v.newResource("groups", g.ID, stamp(attrs, &g.base))
	for _, rel := range []string{"owners", "users", "licenses", "machines"} {
		r.Relationships[rel] = toMany(v.path("groups", g.ID, rel), nil)
	}
	return r
}

func (v view) groupOwner(o *groupOwner) *resource {
	r := v.newResource("group-owners", o.ID, stamp(map[string]any{}, &o.base))
	gid, uid := o.GroupID, o.UserID
	r.Relationships["group"] = toOne(v.path("groups", gid), "groups", &gid)
	r.Relationships["user"] = toOne(v.path("users", uid), "users", &uid)
	// GroupOwnerSerializer links the record to itself by its own id
	// (app/serializers/group_owner_serializer.rb).
	r.Links = map[string]any{"self": v.path("groups", gid, "owners", o.ID)}
	return r
}

func (s *Server) routeGroups(r *router) {
	r.post("/groups", s.createGroup)
	r.get("/groups", s.listGroups)
	r.get("/groups/{id}", s.showGroup)
	r.update("/groups/{id}", s.updateGroup)
	r.del("/groups/{id}", s.deleteGroup)
	r.get("/groups/{id}/owners", s.groupOwnersRel(false))
	r.get("/groups/{id}/owners/{owner}", s.groupOwnersRel(true))
	r.post("/groups/{id}/owners", s.attachGroupOwners)
	r.del("/groups/{id}/owners", s.detachGroupOwners)
	for _, kind := range []string{"user", "license", "machine"} {
		r.get("/groups/{id}/"+plural(kind), s.groupMembersRel(kind, false))
		r.get("/groups/{id}/"+plural(kind)+"/{member}", s.groupMembersRel(kind, true))
		r.get("/"+plural(kind)+"/{id}/group", s.memberGroup(kind))
		r.put("/"+plural(kind)+"/{id}/group", s.changeMemberGroup(kind))
	}
}

func groupSchema(create bool) *param {
	limit := func() *param { return integer().opt().null() }
	a := fields{"name": str(), "max_users": limit(), "max_licenses": limit(), "max_machines": limit(), "metadata": metadataParam()}
	data := fields{"type": typeOf("group"), "attributes": obj(a)}
	if create {
		// The environment relationship is declared only on EE (Keygen.ee in
		// GroupsController#create's typed params): CE refuses it as unpermitted.
		data["relationships"] = obj(fields{}).opt()
	} else {
		a["name"] = str().opt()
		data["id"] = str().opt()
	}
	return obj(fields{"data": obj(data)})
}

func applyGroup(g *group, a params) {
	if s, ok := a.str("name"); ok {
		g.Name = s
	}
	for k, f := range map[string]**int64{"max_users": &g.MaxUsers, "max_licenses": &g.MaxLicenses, "max_machines": &g.MaxMachines} {
		if a.has(k) {
			*f = a.intPtr(k)
		}
	}
	if a.has("metadata") {
		g.Metadata = orEmpty(a.hash("metadata"))
	}
}

// validateGroupAttrs is Group's validations (app/models/group.rb): the name's length, then
// the metadata's JsonValidator limits; the limits take any integer.
func validateGroupAttrs(g *group) error {
	v := newInvalid("groups")
	if len(g.Name) > 255 {
		v.attr("name", "TOO_LONG", "is too long (maximum is 255 characters)")
	}
	validateMetadata(v, g.Metadata) // declared after name (app/models/group.rb)
	return v.err()
}

func (s *Server) createGroup(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	in, err := c.parse(groupSchema(true))
	if err != nil {
		return err
	}
	if err := c.authorize(p, "group.create", mayWriteGroup(p)); err != nil {
		return err
	}
	g := &group{base: newBase(c.acct.ID, c.now()), Metadata: map[string]any{}}
	applyGroup(g, in.obj("data").obj("attributes"))
	if err := validateGroupAttrs(g); err != nil {
		return err
	}
	c.db().lic.groups[g.ID] = g
	res := c.view().group(g)
	c.emit("group.created", res, nil)
	return c.created(res)
}

func (s *Server) listGroups(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	items := ofAccount(c.db().lic.groups, c.acct.ID, func(g *group) bool { return c.seesGroup(p, g) })
	if _, err := c.pager(); err != nil {
		return err
	}
	if err := c.verifyPermission(p, "group.read"); err != nil {
		return err
	}
	return paginate(c, items, true, c.view().group)
}

// findGroupAccountWide finds a group in the account (404 when missing); GroupsController
// looks groups up account-wide, so a group the bearer may not read is a 403.
func (c *call) findGroupAccountWide(id string) (*group, error) {
	g := c.db().findGroup(c.acct.ID, id)
	if g == nil {
		return nil, errNotFound("group", id)
	}
	return g, nil
}

// findGroupFor finds a group among those the bearer may read (relationship routes), else 404.
func (c *call) findGroupFor(p *principal, id string) (*group, error) {
	g := c.db().findGroup(c.acct.ID, id)
	if g == nil || !c.seesGroup(p, g) {
		return nil, errNotFound("group", id)
	}
	return g, nil
}

func (s *Server) showGroup(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	g, err := c.findGroupAccountWide(c.param("id"))
	if err != nil {
		return err
	}
	if err := c.authorize(p, "group.read", c.seesGroup(p, g)); err != nil {
		return err
	}
	return c.ok(c.view().group(g))
}

func (s *Server) updateGroup(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	g, err := c.findGroupAccountWide(c.param("id"))
	if err != nil {
		return err
	}
	// GroupsController#update authorizes before it reads its typed params
	// (app/controllers/api/v1/groups_controller.rb).
	if err := c.authorize(p, "group.update", mayWriteGroup(p)); err != nil {
		return err
	}
	in, err := c.parse(groupSchema(false))
	if err != nil {
		return err
	}
	next := *g
	applyGroup(&next, in.obj("data").obj("attributes"))
	if err := validateGroupAttrs(&next); err != nil {
		return err
	}
	// group.update saves, and stamps updated_at, only when something changed
	// (ActiveRecord timestamps; app/controllers/api/v1/groups_controller.rb).
	touchIfChanged(g, &next, c.now())
	*g = next
	res := c.view().group(g)
	c.emit("group.updated", res, nil)
	return c.ok(res)
}

// deleteGroup removes a group: its members leave it and its owners are removed.
func (s *Server) deleteGroup(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	g, err := c.findGroupAccountWide(c.param("id"))
	if err != nil {
		return err
	}
	if err := c.authorize(p, "group.delete", mayWriteGroup(p)); err != nil {
		return err
	}
	c.emit("group.deleted", c.view().group(g), nil)
	db := c.db()
	leave := func(gid **string) {
		if *gid != nil && **gid == g.ID {
			*gid = nil
		}
	}
	for _, u := range db.users {
		leave(&u.GroupID)
	}
	for _, l := range db.licenses {
		leave(&l.GroupID)
	}
	for _, m := range db.machines {
		leave(&m.GroupID)
	}
	for id, o := range db.lic.groupOwners {
		if o.GroupID == g.ID {
			delete(db.lic.groupOwners, id)
		}
	}
	delete(db.lic.groups, g.ID)
	return c.noContent()
}

// mayReadGroupMembers is Groups::{User,License,Machine}Policy#index?: staff, products and
// the group's owners (members may not list them).
func (c *call) mayReadGroupMembers(p *principal, g *group) bool {
	return p.isStaff() || p.product != nil || (p.user != nil && c.db().ownsGroup(p.user.ID, g.ID))
}

func (s *Server) groupOwnersRel(show bool) handlerFunc {
	return func(c *call) error {
		p, err := c.requireAuth()
		if err != nil {
			return err
		}
		g, err := c.findGroupFor(p, c.param("id"))
		if err != nil {
			return err
		}
		all := c.db().groupOwners(g.ID)
		// Groups::OwnerPolicy#index?/show?: staff, products, the group's members and owners.
		allow := c.seesGroup(p, g)
		if show {
			id := c.param("owner")
			for _, o := range all {
				// GroupOwnersController#show: group.owners.find(params[:id]), by the record's
				// id (app/controllers/api/v1/groups/relationships/group_owners_controller.rb).
				if o.ID == lower(id) {
					if err := c.relAllow(p, "group.owners.read", allow); err != nil {
						return err
					}
					return c.ok(c.view().groupOwner(o))
				}
			}
			return errNotFound("group owner", id)
		}
		return relIndex(c, p, "group.owners.read", allow, all, c.view().groupOwner)
	}
}

var groupOwnersSchema = obj(fields{"data": arrayOf(obj(fields{"type": typeOf("user"), "id": uuidParam()}))})

func (c *call) parseGroupOwnerIDs() ([]string, error) {
	in, err := c.parse(groupOwnersSchema)
	if err != nil {
		return nil, err
	}
	// Unlike the license-users and entitlements relationships, the owners' data array has
	// no length bounds (app/controllers/api/v1/groups/relationships/group_owners_controller.rb).
	items, _ := in["data"].([]any)
	var ids []string
	for _, it := range items {
		id, _ := it.(params).str("id")
		ids = append(ids, id)
	}
	return ids, nil
}

// groupOwnersRequest reads an owners attach or detach: the bearer, the group, the user ids
// of the body, and the permission perm (with the group-writing roles' rule).
func (c *call) groupOwnersRequest(perm string) (*group, []string, error) {
	p, err := c.requireAuth()
	if err != nil {
		return nil, nil, err
	}
	g, err := c.findGroupFor(p, c.param("id"))
	if err != nil {
		return nil, nil, err
	}
	ids, err := c.parseGroupOwnerIDs()
	if err != nil {
		return nil, nil, err
	}
	if err := c.relAllow(p, perm, mayWriteGroup(p)); err != nil {
		return nil, nil, err
	}
	return g, ids, nil
}

// attachGroupOwners is POST /groups/{id}/owners: each user must exist (USER_NOT_FOUND) and
// not already own the group (USER_TAKEN). 200 with the new records. The records are created
// one by one without a transaction (group.owners.create! of an array,
// app/controllers/api/v1/groups/relationships/group_owners_controller.rb), so the owners
// before the first invalid one stay attached and no event is sent.
func (s *Server) attachGroupOwners(c *call) error {
	g, ids, err := c.groupOwnersRequest("group.owners.attach")
	if err != nil {
		return err
	}
	db, now, view := c.db(), c.now(), c.view()
	out := []*resource{}
	for _, id := range ids {
		v := newInvalid("group-owners")
		if u := db.users[id]; u == nil || u.AccountID != c.acct.ID {
			v.rel("user", "NOT_FOUND", "must exist")
		}
		if db.ownsGroup(id, g.ID) {
			v.rel("user", "TAKEN", "already exists")
		}
		if err := v.err(); err != nil {
			return err
		}
		o := &groupOwner{base: newBase(c.acct.ID, now), GroupID: g.ID, UserID: id}
		db.lic.groupOwners[o.ID] = o
		out = append(out, view.groupOwner(o))
	}
	c.emitList("group.owners.attached", out)
	return c.json(200, document{Data: out})
}

// detachGroupOwners is DELETE /groups/{id}/owners: as GroupOwnersController#detach
// (app/controllers/api/v1/groups/relationships/group_owners_controller.rb), the group's owner
// records of the users must be as many as the ids sent, else 422 naming the first id that
// owns nothing and its index; an id sent twice counts twice, so with no such id the detail
// and pointer name nothing (Ruby's nil). 204.
func (s *Server) detachGroupOwners(c *call) error {
	g, ids, err := c.groupOwnersRequest("group.owners.detach")
	if err != nil {
		return err
	}
	db := c.db()
	var valid []string
	for _, o := range db.groupOwners(g.ID) {
		if contains(ids, o.UserID) {
			valid = append(valid, o.UserID)
		}
	}
	if len(valid) != len(ids) {
		invalid, at := "", ""
		for i, id := range ids {
			if !contains(valid, id) {
				invalid, at = id, fmt.Sprint(i)
				break
			}
		}
		return errUnprocessableEntity(fmt.Sprintf("owner relationship for user '%s' not found", invalid), "", pointer("/data/"+at))
	}
	view := c.view()
	var out []*resource
	for _, o := range db.groupOwners(g.ID) {
		if contains(ids, o.UserID) {
			out = append(out, view.groupOwner(o))
			delete(db.lic.groupOwners, o.ID)
		}
	}
	c.emitList("group.owners.detached", out)
	return c.noContent()
}

// groupMembersRel serves GET /groups/{id}/users|licenses|machines[/{member}].
func (s *Server) groupMembersRel(kind string, show bool) handlerFunc {
	return func(c *call) error {
		p, err := c.requireAuth()
		if err != nil {
			return err
		}
		g, err := c.findGroupFor(p, c.param("id"))
		if err != nil {
			return err
		}
		db, v := c.db(), c.view()
		allow := c.mayReadGroupMembers(p, g)
		perm := "group." + plural(kind) + ".read"
		in := func(gid *string) bool { return gid != nil && *gid == g.ID }
		// The index is scoped by Groups::{User,License,Machine}Policy
		// (app/policies/groups/{user,license,machine}_policy.rb): staff see every member, a
		// product those of its own (for_product), a user the members of the groups it owns
		// (for_group_owner), anyone else none. Its index? then lets products through and a
		// user that owns any group (the scoped records are all in its groups).
		scoped := func(productOf func() bool) bool {
			switch {
			case p.isStaff():
				return true
			case p.product != nil:
				return productOf()
			case p.user != nil:
				return db.ownsGroup(p.user.ID, g.ID)
			}
			return false
		}
		if !show && p.user != nil && !p.isStaff() {
			allow = false
			for _, o := range db.lic.groupOwners {
				allow = allow || (o.UserID == p.user.ID && db.lic.groups[o.GroupID] != nil)
			}
		}
		switch kind {
		case "user":
			all := ofAccount(db.users, c.acct.ID, func(u *user) bool { return in(u.GroupID) })
			if show { // aliases: email; Groups::UserPolicy#show? lets every product through
				return showMember(c, p, perm, all, "user", func(u *user, id string) bool { return u.Email == id },
					func(*user) bool { return allow }, v.user)
			}
			all = keepIf(all, func(u *user) bool {
				return scoped(func() bool {
					return anyLicense(db.licensesOfUser(u), func(l *license) bool { return c.licenseProductID(l) == p.product.ID })
				})
			})
			return relIndex(c, p, perm, allow, all, v.user)
		case "license":
			all := ofAccount(db.licenses, c.acct.ID, func(l *license) bool { return in(l.GroupID) })
			if show { // aliases: key; Groups::LicensePolicy#show? lets a product see its own
				return showMember(c, p, perm, all, "license", func(l *license, id string) bool { return l.Key == id },
					func(l *license) bool {
						return allow && (p.product == nil || c.licenseProductID(l) == p.product.ID)
					}, v.license)
			}
			all = keepIf(all, func(l *license) bool {
				return scoped(func() bool { return c.licenseProductID(l) == p.product.ID })
			})
			return relIndex(c, p, perm, allow, all, v.license)
		default:
			all := ofAccount(db.machines, c.acct.ID, func(m *machine) bool { return in(m.GroupID) })
			if show { // aliases: fingerprint; Groups::MachinePolicy#show? lets a product see its own
				return showMember(c, p, perm, all, "machine", func(m *machine, id string) bool { return m.Fingerprint == id },
					func(m *machine) bool {
						l := db.licenses[m.LicenseID]
						return allow && (p.product == nil || (l != nil && c.licenseProductID(l) == p.product.ID))
					}, v.machine)
			}
			all = keepIf(all, func(m *machine) bool {
				return scoped(func() bool {
					l := db.licenses[m.LicenseID]
					return l != nil && c.licenseProductID(l) == p.product.ID
				})
			})
			return relIndex(c, p, perm, allow, all, v.machine)
		}
	}
}

// showMember is GET /groups/{id}/<members>/{member}: the member is found among the group's
// by its id or the controller's alias (FindByAliasService, the oldest match first,
// app/services/find_by_alias_service.rb), then the policy's show? runs (allow).
func showMember[T entity](c *call, p *principal, perm string, all []T, model string, alias func(T, string) bool, allow func(T) bool, render func(T) *resource) error {
	id := c.param("member")
	var found T
	ok := false
	for _, it := range all {
		if it.meta().ID == lower(id) || alias(it, id) {
			if !ok || it.meta().Created.Before(found.meta().Created) {
				found, ok = it, true
			}
		}
	}
	if !ok {
		return errNotFound(model, id)
	}
	if err := c.relAllow(p, perm, allow(found)); err != nil {
		return err
	}
	return c.ok(render(found))
}

// groupMember is the license, user or machine of a member group route.
type groupMember struct {
	base      *base // the member's, for its updated stamp
	groupID   **string
	productID string
	res       func() *resource
	user      *user
	ownerID   *string
}

func (c *call) findGroupMember(p *principal, kind string) (*groupMember, string, error) {
	v := c.view()
	switch kind {
	case "license":
		l, err := c.findLicenseFor(p, c.param("id"))
		if err != nil {
			return nil, "", err
		}
		return &groupMember{base: &l.base, groupID: &l.GroupID, productID: c.licenseProductID(l), res: func() *resource { return v.license(l) }}, l.ID, nil
	case "machine":
		m, err := c.findMachineFor(p, c.param("id"))
		if err != nil {
			return nil, "", err
		}
		var prod string
		if l := c.db().licenses[m.LicenseID]; l != nil {
			prod = c.licenseProductID(l)
		}
		return &groupMember{base: &m.base, groupID: &m.GroupID, productID: prod, res: func() *resource { return v.machine(m) }}, m.ID, nil
	}
	u, err := c.findUser(p, c.param("id"))
	if err != nil {
		return nil, "", err
	}
	return &groupMember{base: &u.base, groupID: &u.GroupID, user: u, res: func() *resource { return v.user(u) }}, u.ID, nil
}

// memberGroup is GET /licenses|users|machines/{id}/group.
func (s *Server) memberGroup(kind string) handlerFunc {
	return func(c *call) error {
		p, err := c.requireAuth()
		if err != nil {
			return err
		}
		gm, _, err := c.findGroupMember(p, kind)
		if err != nil {
			return err
		}
		var g *group
		if *gm.groupID != nil {
			g = c.db().findGroup(c.acct.ID, **gm.groupID)
		}
		if g == nil {
			return newError(404, "The requested group was not found", "NOT_FOUND", nil)
		}
		// {Licenses,Machines}::GroupPolicy#show? let through every bearer that sees the
		// member; Users::GroupPolicy#show? only staff, products (of role-user users) and the
		// user itself, not its teammates nor a license (app/policies/users/group_policy.rb).
		allow := true
		if gm.user != nil {
			allow = p.isStaff() || (p.product != nil && gm.user.Role == "user") || p.isUser(gm.user.ID)
		}
		if err := c.authorize(p, "group.read", allow); err != nil {
			return err
		}
		return c.ok(c.view().group(g))
	}
}

// changeMemberGroup is PUT /licenses|users|machines/{id}/group with a group linkage or
// null: admins, developers, sales agents, environments and the member's product may move
// it; the group must exist and have room. 200 with the member.
func (s *Server) changeMemberGroup(kind string) handlerFunc {
	return func(c *call) error {
		p, err := c.requireAuth()
		if err != nil {
			return err
		}
		gm, memberID, err := c.findGroupMember(p, kind)
		if err != nil {
			return err
		}
		in, err := c.parse(obj(fields{"data": obj(fields{"type": typeOf("group"), "id": uuidParam()}).nullOnly()}))
		if err != nil {
			return err
		}
		allow := p.hasRole("admin", "developer", "sales-agent", "environment")
		if p.product != nil {
			allow = gm.productID == p.product.ID || (gm.user != nil && gm.user.Role == "user")
		}
		if err := c.authorize(p, kind+".group.update", allow); err != nil {
			return err
		}
		var gid *string
		if d := in.obj("data"); d != nil {
			gid = d.strPtr("id")
		}
		// The group validations run only when the group changes (group_id_changed? in
		// app/models/{license,user,machine}.rb): putting a member back in its own group never
		// exceeds the group's limit.
		if cur := *gm.groupID; cur == nil || gid == nil || *cur != *gid {
			v := newInvalid(plural(kind))
			c.validateGroup(v, kind, gid, memberID)
			if err := v.err(); err != nil {
				return err
			}
		}
		// <member>.update!(group_id:) stamps updated_at when the group changed, and only then
		// (ActiveRecord timestamps; app/controllers/api/v1/{licenses,machines,users}/
		// relationships/groups_controller.rb).
		if cur := *gm.groupID; (cur == nil) != (gid == nil) || cur != nil && *cur != *gid {
			gm.base.Updated = c.now()
		}
		*gm.groupID = gid
		res := gm.res()
		c.emit(kind+".group.updated", res, nil)
		return c.ok(res)
	}
}

// inheritOwnerGroup gives a group-less license or machine the group of its new owner when
// the owner changes (PUT /licenses|machines/{id}/owner); the group limit then applies
// (features/api/v1/licenses/relationships/owner.feature, "Product changes a license's
// owner relationship that would exceed group limits").
func (c *call) inheritOwnerGroup(kind string, groupID **string, memberID string, owner *string) error {
	if *groupID != nil || owner == nil {
		return nil
	}
	u := c.db().users[*owner]
	if u == nil || u.GroupID == nil {
		return nil
	}
	v := newInvalid(plural(kind))
	c.validateGroup(v, kind, u.GroupID, memberID)
	if err := v.err(); err != nil {
		return err
	}
	g := *u.GroupID
	*groupID = &g
	return nil
}
