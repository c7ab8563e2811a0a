package keygentest

import "time"

// Channels, platforms and arches (app/models/release_{channel,platform,arch}.rb,
// app/controllers/api/v1/release_{channels,platforms,arches}_controller.rb): read-only records
// made on demand, once per account and key, when a release names a channel or an artifact a
// platform or arch.

// keyed is a channel, platform or arch. Records made on demand get a key only (the INSERT of
// Release#validate_associated_records_for_channel), so their name is null.
type keyed struct {
	base
	Key  string
	Name *string
}

// keyedFor returns the account's record of a key in m, making it on first use.
func (d *distStore) keyedFor(m map[string]*keyed, acct, key string, now time.Time) *keyed {
	for _, k := range m {
		if k.AccountID == acct && k.Key == key {
			return k
		}
	}
	k := &keyed{base: newBase(acct, now), Key: key}
	m[k.ID] = k
	return k
}

func (v view) keyed(typ string, k *keyed) *resource {
	r := v.newResource(typ, k.ID, stamp(map[string]any{"key": k.Key, "name": opt(k.Name)}, &k.base))
	r.Links["related"] = v.path(typ, k.ID) // app/serializers/release_channel_serializer.rb
	return r
}

func (s *Server) routeChannels(r *router) {
	for _, typ := range []string{"channels", "platforms", "arches"} {
		r.get("/"+typ, s.listKeyed(typ, false))
		r.get("/"+typ+"/{key}", s.showKeyed(typ))
		r.get("/products/{id}/"+typ, s.listKeyed(typ, true))
	}
}

// keyedInUse lists the records of typ used by releases (channels) or artifacts (platforms,
// arches) the bearer may read, optionally of one product.
func (c *call) keyedInUse(p *principal, typ, productID string) []*keyed {
	d := c.dist()
	used := map[string]bool{}
	for _, r := range d.releases {
		if r.AccountID != c.acct.ID || productID != "" && r.ProductID != productID || !c.seesRelease(p, r) {
			continue
		}
		if typ == "channels" {
			used[r.ChannelID] = true
			continue
		}
		for _, a := range d.artifacts {
			if a.ReleaseID != r.ID || !c.seesArtifactOf(p, a, r) {
				continue
			}
			if typ == "platforms" && a.PlatformID != nil {
				used[*a.PlatformID] = true
			}
			if typ == "arches" && a.ArchID != nil {
				used[*a.ArchID] = true
			}
		}
	}
	m := map[string]map[string]*keyed{"channels": d.channels, "platforms": d.platforms, "arches": d.arches}[typ]
	return ofAccount(m, c.acct.ID, func(k *keyed) bool { return used[k.ID] })
}

func (s *Server) listKeyed(typ string, underProduct bool) handlerFunc {
	singular := map[string]string{"channels": "channel", "platforms": "platform", "arches": "arch"}[typ]
	return func(c *call) error {
		p, err := c.authenticate()
		if err != nil {
			return err
		}
		productID := ""
		if underProduct {
			if p == nil {
				return authError("TOKEN_MISSING", "")
			}
			prod, err := c.findProduct(p, c.param("id"))
			if err != nil {
				return err
			}
			productID = prod.ID
		}
		items := c.keyedInUse(p, typ, productID)
		if _, err := c.pager(); err != nil {
			return err
		}
		if err := c.verifyRead(p, singular+".read"); err != nil {
			return err
		}
		v := c.view()
		return paginate(c, items, true, func(k *keyed) *resource { return v.keyed(typ, k) })
	}
}

func (s *Server) showKeyed(typ string) handlerFunc {
	singular := map[string]string{"channels": "channel", "platforms": "platform", "arches": "arch"}[typ]
	model := map[string]string{"channels": "release channel", "platforms": "release platform", "arches": "release arch"}[typ]
	return func(c *call) error {
		p, err := c.authenticate()
		if err != nil {
			return err
		}
		id := c.param("key")
		for _, k := range c.keyedInUse(p, typ, "") {
			if k.ID == id || k.Key == id {
				if err := c.verifyRead(p, singular+".read"); err != nil {
					return err
				}
				return c.ok(c.view().keyed(typ, k))
			}
		}
		return errNotFound(model, id)
	}
}
