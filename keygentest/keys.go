package keygentest

// Keys: a policy's pool of pre-made license keys (app/models/key.rb,
// app/controllers/api/v1/keys_controller.rb).

// key is a pooled key of a policy (app/models/key.rb).
type key struct {
	base
	PolicyID string
	Key      string
}

func (db *store) findKey(acct, id string) *key {
	if k := db.keys[id]; k != nil && k.AccountID == acct {
		return k
	}
	return nil
}

// popKey removes and returns the oldest key of a policy's pool (nil when empty). License
// creation on a pooled policy consumes keys the same way.
func (db *store) popKey(pol *policy) *key {
	keys := ofAccount(db.keys, pol.AccountID, func(k *key) bool { return k.PolicyID == pol.ID })
	if len(keys) == 0 {
		return nil
	}
	k := keys[len(keys)-1]
	delete(db.keys, k.ID)
	return k
}

// seesKey: staff all; a product the keys of its policies. Users and licenses none.
func (c *call) seesKey(p *principal, k *key) bool {
	switch {
	case p.isStaff():
		return true
	case p.product != nil:
		pol := c.db().policies[k.PolicyID]
		return pol != nil && p.isProduct(pol.ProductID)
	}
	return false
}

func (v view) key(k *key) *resource {
	r := v.newResource("keys", k.ID, stamp(map[string]any{"key": k.Key}, &k.base))
	var productID *string
	if p := v.db.policies[k.PolicyID]; p != nil {
		productID = strPtr(p.ProductID)
	}
	policyID := k.PolicyID
	r.Relationships["product"] = toOne(v.path("keys", k.ID, "product"), "products", productID)
	r.Relationships["policy"] = toOne(v.path("keys", k.ID, "policy"), "policies", &policyID)
	return r
}

func (s *Server) routeKeys(r *router) {
	r.post("/keys", s.createKey)
	r.get("/keys", s.listKeys)
	r.get("/keys/{id}", s.showKey)
	r.update("/keys/{id}", s.updateKey)
	r.del("/keys/{id}", s.deleteKey)
	r.get("/keys/{id}/product", s.keyProduct)
	r.get("/keys/{id}/policy", s.keyPolicy)
}

var (
	createKeySchema = obj(fields{"data": obj(fields{
		"type":       typeOf("key"),
		"attributes": obj(fields{"key": str()}),
		// The environment relationship is declared only on EE (Keygen.ee in
		// KeysController#create's typed params): CE refuses it as unpermitted.
		"relationships": obj(fields{"policy": linkage("policy")}),
	})})
	updateKeySchema = obj(fields{"data": obj(fields{
		"type":       typeOf("key"),
		"id":         str().opt(),
		"attributes": obj(fields{"key": str().opt()}),
	})})
)

// mayWriteKey: admins, developers and environments any key; a product its own.
func (c *call) mayWriteKey(p *principal, pol *policy) bool {
	return p.canWriteAll() || (pol != nil && p.isProduct(pol.ProductID))
}

// findKey resolves a key the bearer may see, else 404.
func (c *call) findKey(p *principal, id string) (*key, error) {
	k := c.db().findKey(c.acct.ID, id)
	if k == nil || !c.seesKey(p, k) {
		return nil, errNotFound("key", id)
	}
	return k, nil
}

// validateKey applies the key model's validations: 8..1024 characters, not reserved,
// unique per account, and not a license's id or key.
func (c *call) validateKey(k *key, create bool) error {
	db := c.db()
	v := newInvalid("keys")
	pol := db.findPolicy(c.acct.ID, k.PolicyID)
	if pol == nil {
		v.rel("policy", "NOT_FOUND", "must exist")
	}
	switch {
	case k.Key == "":
		v.attr("key", "MISSING", "can't be blank")
	case contains(reservedAliases, lower(k.Key)):
		v.attr("key", "NOT_ALLOWED", "is reserved")
	case len(k.Key) < 8:
		v.attr("key", "TOO_SHORT", "is too short (minimum is 8 characters)")
	case len(k.Key) > 1024:
		v.attr("key", "TOO_LONG", "is too long (maximum is 1024 characters)")
	}
	for _, other := range db.keys {
		if other.AccountID == k.AccountID && other.ID != k.ID && other.Key == k.Key {
			v.attr("key", "TAKEN", "has already been taken")
			break
		}
	}
	if create && pol != nil && !pol.UsePool {
		v.rel("policy", "NOT_SUPPORTED", "cannot be added to an unpooled policy")
	}
	if l := db.licenses[k.Key]; l != nil && l.AccountID == k.AccountID {
		v.attr("key", "CONFLICT", "must not conflict with another license's identifier (UUID)")
	}
	if db.findLicenseByKey(k.AccountID, k.Key) != nil {
		v.attr("key", "CONFLICT", "is already being used as a license's key")
	}
	return v.err()
}

func (s *Server) createKey(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	in, err := c.parse(createKeySchema)
	if err != nil {
		return err
	}
	policyID, _ := in.relID("policy")
	pol := c.db().findPolicy(c.acct.ID, policyID)
	if err := c.authorize(p, "key.create", c.mayWriteKey(p, pol)); err != nil {
		return err
	}
	value, _ := in.obj("data").obj("attributes").str("key")
	k := &key{base: newBase(c.acct.ID, c.now()), PolicyID: policyID, Key: value}
	if err := c.validateKey(k, true); err != nil {
		return err
	}
	c.db().keys[k.ID] = k
	res := c.view().key(k)
	c.emit("key.created", res, nil)
	return c.created(res)
}

func (s *Server) listKeys(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	if err := c.authorize(p, "key.read", p.isStaff() || p.product != nil); err != nil {
		return err
	}
	db := c.db()
	product, policy := c.query.Get("product"), c.query.Get("policy")
	items := ofAccount(db.keys, c.acct.ID, func(k *key) bool {
		pol := db.policies[k.PolicyID]
		return c.seesKey(p, k) && (policy == "" || k.PolicyID == policy) && (product == "" || (pol != nil && pol.ProductID == product))
	})
	v := c.view()
	return paginate(c, items, true, v.key)
}

func (s *Server) showKey(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	k, err := c.findKey(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.verifyPermission(p, "key.read"); err != nil {
		return err
	}
	return c.ok(c.view().key(k))
}

func (s *Server) updateKey(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	k, err := c.findKey(p, c.param("id"))
	if err != nil {
		return err
	}
	in, err := c.parse(updateKeySchema)
	if err != nil {
		return err
	}
	if err := c.authorize(p, "key.update", c.mayWriteKey(p, c.db().policies[k.PolicyID])); err != nil {
		return err
	}
	next := *k
	if s, ok := in.obj("data").obj("attributes").str("key"); ok {
		next.Key = s
	}
	if err := c.validateKey(&next, false); err != nil {
		return err
	}
	// key.update saves, and stamps updated_at, only when something changed
	// (ActiveRecord timestamps; app/controllers/api/v1/keys_controller.rb).
	touchIfChanged(k, &next, c.now())
	*k = next
	res := c.view().key(k)
	c.emit("key.updated", res, nil)
	return c.ok(res)
}

func (s *Server) deleteKey(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	k, err := c.findKey(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.authorize(p, "key.delete", c.mayWriteKey(p, c.db().policies[k.PolicyID])); err != nil {
		return err
	}
	c.emit("key.deleted", c.view().key(k), nil)
	delete(c.db().keys, k.ID)
	return c.noContent()
}

func (s *Server) keyProduct(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	k, err := c.findKey(p, c.param("id"))
	if err != nil {
		return err
	}
	// Keys::ProductPolicy: product.read, then staff and the key's product (the key scope).
	if err := c.verifyPermission(p, "product.read"); err != nil {
		return err
	}
	db := c.db()
	pol := db.policies[k.PolicyID]
	if pol == nil || db.products[pol.ProductID] == nil {
		return errNotFound("product", "")
	}
	return c.ok(c.view().product(db.products[pol.ProductID]))
}

func (s *Server) keyPolicy(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	k, err := c.findKey(p, c.param("id"))
	if err != nil {
		return err
	}
	// Keys::PolicyPolicy: policy.read, then staff and the key's product (the key scope).
	if err := c.verifyPermission(p, "policy.read"); err != nil {
		return err
	}
	pol := c.db().policies[k.PolicyID]
	if pol == nil {
		return errNotFound("policy", "")
	}
	return c.ok(c.view().policy(pol))
}
