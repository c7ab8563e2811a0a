package keygentest

// Finders resolve a path id within an account. Aliases follow keygen-api.md §1.1: a value
// that is not a UUID is matched only against the alias column; a UUID matches the id or
// the alias. A nil result means not found.

func (db *store) findUser(acct, idOrEmail string) *User {
	if u := db.users[idOrEmail]; u != nil && u.AccountID == acct {
		return u
	}
	email := lower(idOrEmail)
	for _, u := range db.users {
		if u.AccountID == acct && u.Email == email {
			return u
		}
	}
	return nil
}

func (db *store) findUserByEmail(acct, email string) *User {
	email = lower(email)
	for _, u := range db.users {
		if u.AccountID == acct && u.Email == email {
			return u
		}
	}
	return nil
}

func (db *store) findProduct(acct, idOrCode string) *Product {
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

func (db *store) findPolicy(acct, id string) *Policy {
	if p := db.policies[id]; p != nil && p.AccountID == acct {
		return p
	}
	return nil
}

func (db *store) findLicense(acct, idOrKey string) *License {
	if l := db.licenses[idOrKey]; l != nil && l.AccountID == acct {
		return l
	}
	return db.findLicenseByKey(acct, idOrKey)
}

func (db *store) findLicenseByKey(acct, key string) *License {
	for _, l := range db.licenses {
		if l.AccountID == acct && l.Key == key {
			return l
		}
	}
	return nil
}

func (db *store) findMachine(acct, idOrFingerprint string) *Machine {
	if m := db.machines[idOrFingerprint]; m != nil && m.AccountID == acct {
		return m
	}
	for _, m := range db.machines {
		if m.AccountID == acct && m.Fingerprint == idOrFingerprint {
			return m
		}
	}
	return nil
}

func (db *store) findKey(acct, id string) *Key {
	if k := db.keys[id]; k != nil && k.AccountID == acct {
		return k
	}
	return nil
}

func (db *store) findToken(acct, id string) *Token {
	if t := db.tokens[id]; t != nil && t.AccountID == acct {
		return t
	}
	return nil
}

func (db *store) findEndpoint(acct, id string) *WebhookEndpoint {
	if e := db.endpoints[id]; e != nil && e.AccountID == acct {
		return e
	}
	return nil
}

func (db *store) findEvent(acct, id string) *WebhookEvent {
	if e := db.events[id]; e != nil && e.AccountID == acct {
		return e
	}
	return nil
}

// findAccount resolves an account by UUID or slug (case-insensitive slug).
func (db *store) findAccount(idOrSlug string) *Account {
	if a := db.accounts[idOrSlug]; a != nil {
		return a
	}
	slug := lower(idOrSlug)
	for _, a := range db.accounts {
		if a.Slug == slug {
			return a
		}
	}
	return nil
}

// productOfLicense returns the product of a license through its policy (nil if gone).
func (db *store) productOfLicense(l *License) *Product {
	if p := db.policies[l.PolicyID]; p != nil {
		return db.products[p.ProductID]
	}
	return nil
}

// licenseMachines returns the machines of a license, newest first.
func (db *store) licenseMachines(l *License) []*Machine {
	return ofAccount(db.machines, l.AccountID, func(m *Machine) bool { return m.LicenseID == l.ID })
}

// licensesOfUser returns the licenses a user owns or is attached to.
func (db *store) licensesOfUser(u *User) []*License {
	return ofAccount(db.licenses, u.AccountID, func(l *License) bool { return licenseHasUser(l, u.ID) })
}

// licenseHasUser reports whether the user owns the license or is one of its licensees.
func licenseHasUser(l *License, userID string) bool {
	if l.OwnerID != nil && *l.OwnerID == userID {
		return true
	}
	for _, id := range l.UserIDs {
		if id == userID {
			return true
		}
	}
	return false
}
