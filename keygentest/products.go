package keygentest

import (
	"net/url"
	"regexp"
)

// Products (app/models/product.rb, app/controllers/api/v1/products_controller.rb).
// Relationships are in products_relationships.go.

// product is a product of the account (app/models/product.rb).
type product struct {
	base
	Name                 string
	Code                 *string
	DistributionStrategy *string // LICENSED by default; nullable on update
	URL                  *string
	Platforms            []string // nil renders as null
	Permissions          []string
	Metadata             map[string]any
}

func (db *store) findProduct(acct, idOrCode string) *product {
	if p := db.products[idOrCode]; p != nil && p.AccountID == acct {
		return p
	}
	code := lower(idOrCode)
	for _, p := range db.products {
		if p.AccountID == acct && p.Code != nil && lower(*p.Code) == code {
			return p
		}
	}
	return nil
}

// seesProduct: staff all; a product itself; users the open products and those they hold a
// license of; a license its own product.
func (c *call) seesProduct(p *principal, prod *product) bool {
	switch {
	case p.isStaff():
		return true
	case p.product != nil:
		return p.isProduct(prod.ID)
	case p.license != nil:
		// Product.for_license: its product when LICENSED, and every OPEN product.
		return productIs(prod, "OPEN") || productIs(prod, "LICENSED") && c.licenseProductID(p.license) == prod.ID
	case p.user != nil:
		if productIs(prod, "OPEN") {
			return true
		}
		for _, l := range c.db().licensesOfUser(p.user) {
			if c.licenseProductID(l) == prod.ID {
				return true
			}
		}
	}
	return false
}

// productIs reports the product's distribution strategy (nil counts as LICENSED).
func productIs(prod *product, strategy string) bool {
	if prod.DistributionStrategy == nil {
		return strategy == "LICENSED"
	}
	return *prod.DistributionStrategy == strategy
}

// readsProduct is ProductPolicy#show? past the scope: product.read, then a user or license
// only OPEN products or LICENSED ones they hold a license of (CLOSED ones are 403).
func (c *call) readsProduct(p *principal, prod *product) error {
	if err := c.verifyPermission(p, "product.read"); err != nil {
		return err
	}
	if (p.user != nil && p.user.Role == "user" || p.license != nil) && productIs(prod, "CLOSED") {
		return errDenied()
	}
	return nil
}

func (v view) product(p *product) *resource {
	attrs := map[string]any{
		"name":                 p.Name,
		"code":                 opt(p.Code),
		"distributionStrategy": opt(p.DistributionStrategy),
		"url":                  opt(p.URL),
		"platforms":            list(p.Platforms),
		"metadata":             v.metadata(p.Metadata),
	}
	r := v.newResource("products", p.ID, stamp(attrs, &p.base))
	for _, rel := range []string{"policies", "licenses", "machines", "users", "tokens", "platforms", "channels", "releases", "artifacts"} {
		r.Relationships[rel] = toMany(v.path("products", p.ID, rel), nil)
	}
	return r
}

func (s *Server) routeProducts(r *router) {
	r.post("/products", s.createProduct)
	r.get("/products", s.listProducts)
	r.get("/products/{id}", s.showProduct)
	r.update("/products/{id}", s.updateProduct)
	r.del("/products/{id}", s.deleteProduct)
	for _, rel := range []string{"policies", "licenses", "machines", "users"} {
		r.get("/products/{id}/"+rel, s.productRelated(rel, false))
		r.get("/products/{id}/"+rel+"/{rel}", s.productRelated(rel, true))
	}
}

var distributionStrategies = []string{"LICENSED", "OPEN", "CLOSED"}

// reservedAliases may not be used as codes, keys or fingerprints (EXCLUDED_ALIASES in
// app/models/product.rb).
var reservedAliases = []string{"actions", "action"}

func productAttrs(create bool) fields {
	f := fields{
		"name":                  str(),
		"code":                  str().opt(),
		"distribution_strategy": str().opt(),
		"url":                   str().opt(),
		"metadata":              metadataParam(),
		"platforms":             strs().opt().null(),
		"permissions":           strs().opt(),
	}
	if !create {
		f["name"] = str().opt()
		f["distribution_strategy"].nullable = true
		f["url"].nullable = true
	}
	return f
}

var (
	createProductSchema = obj(fields{"data": obj(fields{
		"type":          typeOf("product"),
		"attributes":    obj(productAttrs(true)),
		"relationships": obj(fields{}).opt(),
	})})
	updateProductSchema = obj(fields{"data": obj(fields{
		"type":       typeOf("product"),
		"id":         str().opt(),
		"attributes": obj(productAttrs(false)),
	})})
)

// findProduct resolves a product by id or code as the bearer may see it, else 404.
func (c *call) findProduct(p *principal, id string) (*product, error) {
	prod := c.db().findProduct(c.acct.ID, id)
	if prod == nil || !c.seesProduct(p, prod) {
		return nil, errNotFound("product", id)
	}
	return prod, nil
}

func (s *Server) createProduct(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	in, err := c.parse(createProductSchema)
	if err != nil {
		return err
	}
	if err := c.authorize(p, "product.create", p.canWriteAll()); err != nil {
		return err
	}
	prod := &product{base: newBase(c.acct.ID, c.now()), Metadata: map[string]any{}}
	attrs := in.obj("data").obj("attributes")
	c.applyProduct(prod, attrs)
	if prod.DistributionStrategy == nil {
		prod.DistributionStrategy = strPtr("LICENSED")
	}
	if err := c.validateProduct(prod); err != nil {
		return err
	}
	c.db().products[prod.ID] = prod
	res := c.view().product(prod)
	c.emit("product.created", res, nil)
	return c.created(res)
}

// applyProduct copies the sent attributes onto a product.
func (c *call) applyProduct(prod *product, attrs params) {
	if s, ok := attrs.str("name"); ok {
		prod.Name = s
	}
	if attrs.has("code") {
		prod.Code = attrs.strPtr("code")
	}
	if attrs.has("distribution_strategy") {
		prod.DistributionStrategy = attrs.strPtr("distribution_strategy")
	}
	if attrs.has("url") {
		prod.URL = attrs.strPtr("url")
	}
	if attrs.has("platforms") {
		prod.Platforms = attrs.strings("platforms")
	}
	if attrs.has("metadata") {
		prod.Metadata = orEmpty(attrs.hash("metadata"))
	}
	if attrs.has("permissions") {
		prod.Permissions = attrs.strings("permissions")
	}
}

// validateProduct applies the product model's validations (422s).
func (c *call) validateProduct(prod *product) error {
	v := newInvalid("products")
	if prod.Name == "" {
		v.attr("name", "MISSING", "can't be blank")
	} else if len(prod.Name) > 255 {
		v.attr("name", "TOO_LONG", "is too long (maximum is 255 characters)")
	}
	if prod.Code != nil {
		code := *prod.Code
		switch {
		case contains(reservedAliases, lower(code)):
			v.attr("code", "NOT_ALLOWED", "is reserved")
		case code == "":
			v.attr("code", "MISSING", "can't be blank")
		case isUUID(code):
			v.attr("code", "INVALID", "is invalid")
		case len(code) > 255:
			v.attr("code", "TOO_LONG", "is too long (maximum is 255 characters)")
		}
		for _, other := range c.db().products {
			if other.AccountID == prod.AccountID && other.ID != prod.ID && other.Code != nil && lower(*other.Code) == lower(code) {
				v.attr("code", "TAKEN", "has already been taken")
				break
			}
		}
	}
	if prod.URL != nil {
		validateURL(v, "url", *prod.URL, []string{"http", "https"})
	}
	if prod.DistributionStrategy != nil && !contains(distributionStrategies, *prod.DistributionStrategy) {
		v.attr("distributionStrategy", "NOT_ALLOWED", "unsupported distribution strategy")
	}
	// metadata is declared last, after distribution_strategy (app/models/product.rb).
	validateMetadata(v, prod.Metadata)
	return v.err()
}

var hostRE = regexp.MustCompile(`\A.*?\.[a-zA-Z]{2,}\z`)

// validateURL is Keygen's URL validator: an allowed protocol and a host with a TLD.
func validateURL(v *invalid, attr, raw string, protocols []string) {
	u, err := url.Parse(raw)
	if err != nil {
		v.attr(attr, "INVALID", "must be a valid URL")
		return
	}
	if !contains(protocols, u.Scheme) {
		v.attr(attr, "PROTOCOL_INVALID", "must be a valid URL using one of the following protocols: "+joinComma(protocols))
	}
	if h := u.Hostname(); h == "" || h == "localhost" || !hostRE.MatchString(h) {
		v.attr(attr, "HOST_INVALID", "must be a URL with a valid host")
	}
}

func (s *Server) listProducts(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	items := ofAccount(c.db().products, c.acct.ID, func(prod *product) bool { return c.seesProduct(p, prod) })
	v := c.view()
	if _, err := c.pager(); err != nil {
		return err
	}
	// ProductPolicy#index?: products may not list products (not even themselves).
	if p.product != nil {
		return errDenied()
	}
	for _, prod := range items {
		if err := c.readsProduct(p, prod); err != nil {
			return err
		}
	}
	if err := c.verifyPermission(p, "product.read"); err != nil {
		return err
	}
	return paginate(c, items, true, v.product)
}

func (s *Server) showProduct(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	prod, err := c.findProduct(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.readsProduct(p, prod); err != nil {
		return err
	}
	return c.ok(c.view().product(prod))
}

func (s *Server) updateProduct(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	prod, err := c.findProduct(p, c.param("id"))
	if err != nil {
		return err
	}
	in, err := c.parse(updateProductSchema)
	if err != nil {
		return err
	}
	if err := c.authorize(p, "product.update", p.canWriteAll() || p.isProduct(prod.ID)); err != nil {
		return err
	}
	next := *prod
	c.applyProduct(&next, in.obj("data").obj("attributes"))
	if err := c.validateProduct(&next); err != nil {
		return err
	}
	// product.update saves, and stamps updated_at, only when something changed
	// (ActiveRecord timestamps; app/controllers/api/v1/products_controller.rb).
	touchIfChanged(prod, &next, c.now())
	*prod = next
	res := c.view().product(prod)
	c.emit("product.updated", res, nil)
	return c.ok(res)
}

// deleteProduct removes a product and, as Keygen does asynchronously, everything under
// it: policies, licenses, machines, pooled keys and their tokens.
func (s *Server) deleteProduct(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	prod, err := c.findProduct(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.authorize(p, "product.delete", p.canWriteAll()); err != nil {
		return err
	}
	c.emit("product.deleted", c.view().product(prod), nil)
	db := c.db()
	for _, pol := range db.policies {
		if pol.ProductID == prod.ID {
			db.deletePolicy(pol)
		}
	}
	db.deleteTokensOf("products", prod.ID, nil)
	db.dist.dropProduct(prod.ID)
	delete(db.products, prod.ID)
	return c.noContent()
}
