package keygentest

import "strings"

// Packages (app/models/release_package.rb, app/controllers/api/v1/release_packages_controller.rb,
// app/policies/release_package_policy.rb, app/serializers/release_package_serializer.rb).

// releasePackage is a package of a product's releases.
type releasePackage struct {
	base
	ProductID string
	Name      string
	Key       string
	Engine    *string // ReleaseEngine key, or nil
	Metadata  map[string]any
}

// packageEngines are the engine keys (ReleaseEngine::ENGINES).
var packageEngines = []string{"pypi", "tauri", "raw", "rubygems", "npm", "oci"}

// findPackageIn resolves a package of the account by id or key.
func (c *call) findPackageIn(id string) *releasePackage {
	d := c.dist()
	if p := d.packages[id]; p != nil && p.AccountID == c.acct.ID {
		return p
	}
	for _, p := range d.packages {
		if p.AccountID == c.acct.ID && p.Key == id {
			return p
		}
	}
	return nil
}

// seesPackage: staff all; a product its own; anyone the packages of OPEN products; a license
// or user those of the LICENSED products they hold a license of (ReleasePackage.for_bearer).
func (c *call) seesPackage(p *principal, pkg *releasePackage) bool {
	prod := c.db().products[pkg.ProductID]
	switch {
	case prod == nil:
		return false
	case p != nil && p.isStaff():
		return true
	case p != nil && p.product != nil:
		return p.isProduct(prod.ID)
	case productIs(prod, "OPEN"):
		return true
	case p == nil || productIs(prod, "CLOSED"):
		return false
	}
	return c.seesProduct(p, prod)
}

func (v view) pkg(p *releasePackage) *resource {
	attrs := map[string]any{"name": p.Name, "key": p.Key, "engine": opt(p.Engine), "metadata": v.metadata(p.Metadata)}
	r := v.newResource("packages", p.ID, stamp(attrs, &p.base))
	prodID := p.ProductID
	r.Relationships["product"] = toOne(v.path("products", prodID), "products", &prodID)
	r.Links["related"] = v.path("packages", p.ID) // app/serializers/release_package_serializer.rb
	return r
}

func (s *Server) routePackages(r *router) {
	r.post("/packages", s.createPackage)
	r.get("/packages", s.listPackages)
	r.get("/packages/{id}", s.showPackage)
	r.update("/packages/{id}", s.updatePackage)
	r.del("/packages/{id}", s.deletePackage)
	r.get("/products/{id}/packages", s.productPackages)
}

// productPackages lists a product's packages (config/routes.rb, products' relationships).
func (s *Server) productPackages(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	prod, err := c.findProduct(p, c.param("id"))
	if err != nil {
		return err
	}
	items := ofAccount(c.dist().packages, c.acct.ID, func(pkg *releasePackage) bool { return pkg.ProductID == prod.ID && c.seesPackage(p, pkg) })
	return relIndex(c, p, "package.read", true, items, c.view().pkg)
}

func packageAttrs(create bool) fields {
	f := fields{
		"name":     str(),
		"key":      str(),
		"engine":   str().opt().null().in(packageEngines...),
		"metadata": metadataParam(),
	}
	if !create {
		f["name"] = str().opt()
		f["key"] = str().opt()
	}
	return f
}

var (
	createPackageSchema = obj(fields{"data": obj(fields{
		"type":          typeOf("package"),
		"attributes":    obj(packageAttrs(true)),
		"relationships": obj(fields{"product": linkage("product")}),
	})})
	updatePackageSchema = obj(fields{"data": obj(fields{
		"type":       typeOf("package"),
		"id":         str().opt(),
		"attributes": obj(packageAttrs(false)),
	})})
)

func applyPackage(pkg *releasePackage, a params) {
	if v, ok := a.str("name"); ok {
		pkg.Name = v
	}
	if v, ok := a.str("key"); ok {
		pkg.Key = v
	}
	if a.has("engine") {
		pkg.Engine = a.strPtr("engine")
		if pkg.Engine != nil {
			pkg.Engine = strPtr(strings.ToLower(*pkg.Engine))
		}
	}
	if a.has("metadata") {
		pkg.Metadata = orEmpty(a.hash("metadata"))
	}
}

// validatePackage: a name, and a key unique per account that is not reserved or a UUID.
func (c *call) validatePackage(pkg *releasePackage) error {
	v := newInvalid("packages")
	if pkg.Name == "" {
		v.attr("name", "MISSING", "can't be blank")
	}
	switch {
	case pkg.Key == "":
		v.attr("key", "MISSING", "can't be blank")
	case contains(reservedAliases, lower(pkg.Key)):
		v.attr("key", "NOT_ALLOWED", "is reserved")
	case isUUID(pkg.Key):
		v.attr("key", "INVALID", "is invalid")
	}
	for _, o := range c.dist().packages {
		if o.AccountID == pkg.AccountID && o.ID != pkg.ID && o.Key == pkg.Key {
			v.attr("key", "TAKEN", "already exists")
			break
		}
	}
	return v.err()
}

func (c *call) findPackageFor(p *principal, id string) (*releasePackage, error) {
	pkg := c.findPackageIn(id)
	if pkg == nil || !c.seesPackage(p, pkg) {
		return nil, errNotFound("release package", id)
	}
	return pkg, nil
}

func (s *Server) createPackage(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	in, err := c.parse(createPackageSchema)
	if err != nil {
		return err
	}
	prodID, _ := in.relID("product")
	prod := c.db().findProduct(c.acct.ID, prodID)
	owner := prodID
	if prod != nil {
		owner = prod.ID
	}
	if err := c.authorize(p, "package.create", p.canWriteAll() || p.isProduct(owner)); err != nil {
		return err
	}
	if prod == nil {
		return newInvalid("packages").rel("product", "NOT_FOUND", "must exist").err()
	}
	pkg := &releasePackage{base: newBase(c.acct.ID, c.now()), ProductID: prod.ID, Metadata: map[string]any{}}
	applyPackage(pkg, in.obj("data").obj("attributes"))
	if err := c.validatePackage(pkg); err != nil {
		return err
	}
	c.dist().packages[pkg.ID] = pkg
	res := c.view().pkg(pkg)
	c.emit("package.created", res, nil)
	return c.created(res)
}

func (s *Server) listPackages(c *call) error {
	p, err := c.authenticate()
	if err != nil {
		return err
	}
	db := c.db()
	items := ofAccount(c.dist().packages, c.acct.ID, func(pkg *releasePackage) bool { return c.seesPackage(p, pkg) })
	if v := c.query.Get("product"); v != "" {
		prod := db.findProduct(c.acct.ID, v)
		items = keepIf(items, func(pkg *releasePackage) bool { return prod != nil && pkg.ProductID == prod.ID })
	}
	if c.query.Has("engine") {
		v := lower(c.query.Get("engine"))
		items = keepIf(items, func(pkg *releasePackage) bool { return deref2(pkg.Engine) == v })
	}
	if _, err := c.pager(); err != nil {
		return err
	}
	if err := c.verifyRead(p, "package.read"); err != nil {
		return err
	}
	return paginate(c, items, true, c.view().pkg)
}

func (s *Server) showPackage(c *call) error {
	p, err := c.authenticate()
	if err != nil {
		return err
	}
	pkg, err := c.findPackageFor(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.verifyRead(p, "package.read"); err != nil {
		return err
	}
	return c.ok(c.view().pkg(pkg))
}

func (s *Server) updatePackage(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	pkg, err := c.findPackageFor(p, c.param("id"))
	if err != nil {
		return err
	}
	in, err := c.parse(updatePackageSchema)
	if err != nil {
		return err
	}
	if err := c.authorize(p, "package.update", p.canWriteAll() || p.isProduct(pkg.ProductID)); err != nil {
		return err
	}
	next := *pkg
	applyPackage(&next, in.obj("data").obj("attributes"))
	if err := c.validatePackage(&next); err != nil {
		return err
	}
	next.Updated = c.now()
	*pkg = next
	res := c.view().pkg(pkg)
	c.emit("package.updated", res, nil)
	return c.ok(res)
}

// deletePackage removes a package; its releases stay, without a package.
func (s *Server) deletePackage(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	pkg, err := c.findPackageFor(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.authorize(p, "package.delete", p.canWriteAll() || p.isProduct(pkg.ProductID)); err != nil {
		return err
	}
	c.emit("package.deleted", c.view().pkg(pkg), nil)
	for _, r := range c.dist().releases {
		if deref2(r.PackageID) == pkg.ID {
			r.PackageID = nil
		}
	}
	delete(c.dist().packages, pkg.ID)
	return c.noContent()
}
