package keygentest

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// License lists and their filters (the has_scope list of
// app/controllers/api/v1/licenses_controller.rb), as the server's model scopes read them.

func (s *Server) listLicenses(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	if p.license != nil {
		return errDenied()
	}
	keep, err := c.licenseFilter(p)
	if err != nil {
		return err
	}
	items := ofAccount(c.db().licenses, c.acct.ID, func(l *license) bool { return c.seesLicense(p, l) && keep(l) })
	v := c.view()
	return paginate(c, items, true, v.license)
}

// licenseFilter applies the list filters of licenses (has_scope in
// app/controllers/api/v1/licenses_controller.rb), each as the
// model scope Keygen's has_scope calls: blank values are not applied, booleans are cast
// like ActiveRecord's, hash filters use their first given operator and answer nothing
// when none is given.
//
// A user bearer's own scope (for_user) replaces the FROM clause that the user filter
// sets, so that filter has no effect for users (licenses/index.feature: "User attempts an
// SQL injection attack for all licenses").
func (c *call) licenseFilter(p *principal) (func(*license) bool, error) {
	q, db, now := c.query, c.db(), c.now()
	meta := metadataTerms(q)
	var checks []func(*license) bool
	add := func(f func(*license) bool) { checks = append(checks, f) }
	none := func(*license) bool { return false }
	if v, ok := scopeValue(q, "product"); ok {
		add(func(l *license) bool { return c.licenseProductID(l) == v })
	}
	if v, ok := scopeValue(q, "policy"); ok {
		add(func(l *license) bool { return l.PolicyID == v })
	}
	// for_owner/for_user: a UUID matches the id, anything else the id or the exact email.
	userMatches := func(id *string, want string) bool {
		if id == nil {
			return false
		}
		if *id == want {
			return true
		}
		u := db.users[*id]
		return !isUUID(want) && u != nil && u.Email == want
	}
	if v, ok := scopeValue(q, "owner"); ok {
		add(func(l *license) bool { return userMatches(l.OwnerID, v) })
	}
	if v, ok := scopeValue(q, "user"); ok && !(p.user != nil && p.user.Role == "user") {
		add(func(l *license) bool {
			if userMatches(l.OwnerID, v) {
				return true
			}
			for _, id := range l.UserIDs {
				if userMatches(&id, v) {
					return true
				}
			}
			return false
		})
	}
	if v, ok := scopeValue(q, "machine"); ok {
		// for_machine joins machines by id only (not fingerprint).
		add(func(l *license) bool {
			for _, m := range db.licenseMachines(l) {
				if m.ID == v {
					return true
				}
			}
			return false
		})
	}
	if v, ok := scopeValue(q, "group"); ok {
		add(func(l *license) bool { return l.GroupID != nil && *l.GroupID == v })
	}
	expiring := func(l *license) bool {
		return l.Expiry != nil && l.Expiry.After(now) && l.Expiry.Before(now.Add(expiringWithin))
	}
	if v, ok := scopeValue(q, "status"); ok {
		// with_status: each status is its own scope, not the status attribute's precedence.
		var f func(*license) bool
		switch strings.ToUpper(v) {
		case "BANNED":
			f = func(l *license) bool { return licenseBannedIn(db, l) }
		case "SUSPENDED":
			f = func(l *license) bool { return l.Suspended }
		case "EXPIRED":
			f = func(l *license) bool { return licenseExpiredAt(l, now) }
		case "EXPIRING":
			f = expiring
		case "INACTIVE":
			f = func(l *license) bool { return !licenseBannedIn(db, l) && !activeSince(l, now.Add(-inactiveAfter)) }
		case "ACTIVE":
			f = func(l *license) bool { return !licenseBannedIn(db, l) && activeSince(l, now.Add(-inactiveAfter)) }
		default:
			f = none
		}
		add(f)
	}
	boolFilter := func(name string, f func(l *license, want bool) bool) {
		if v, ok := scopeValue(q, name); ok {
			want := arBool(v)
			add(func(l *license) bool { return f(l, want) })
		}
	}
	assigned := func(l *license) bool { return l.OwnerID != nil && db.users[*l.OwnerID] != nil || len(l.UserIDs) > 0 }
	boolFilter("suspended", func(l *license, want bool) bool { return l.Suspended == want })
	boolFilter("expiring", func(l *license, want bool) bool {
		if want {
			return expiring(l)
		}
		return l.Expiry == nil || l.Expiry.Before(now) || l.Expiry.After(now.Add(expiringWithin))
	})
	boolFilter("assigned", func(l *license, want bool) bool { return assigned(l) == want })
	boolFilter("unassigned", func(l *license, want bool) bool { return assigned(l) != want })
	boolFilter("activated", func(l *license, want bool) bool { return (len(db.licenseMachines(l)) > 0) == want })
	if ops, isHash := hashScope(q, "expired"); isHash {
		add(expiresFilter(ops, now, true))
	} else if v, ok := scopeValue(q, "expired"); ok {
		want := arBool(v)
		add(func(l *license) bool { return licenseExpiredAt(l, now) == want })
	}
	if ops, isHash := hashScope(q, "expires"); isHash {
		add(expiresFilter(ops, now, false))
	}
	if ops, isHash := hashScope(q, "activity"); isHash {
		add(activityFilter(ops, db, now))
	}
	if ops, isHash := hashScope(q, "activations"); isHash {
		f := none
		for _, op := range []string{"eq", "gt", "gte", "lt", "lte"} {
			v := strings.TrimSpace(ops[op])
			if v == "" {
				continue
			}
			n := int64(rubyToI(v))
			f = func(l *license) bool {
				got := int64(len(db.licenseMachines(l)))
				switch op {
				case "eq":
					return got == n
				case "gt":
					return got > n
				case "gte":
					return got >= n
				case "lt":
					return got < n
				}
				return got <= n
			}
			break
		}
		add(f)
	}
	return func(l *license) bool {
		for _, f := range checks {
			if !f(l) {
				return false
			}
		}
		return matchMetadataTerms(l.Metadata, meta)
	}, nil
}

// scopeValue is a plain has_scope filter value: absent or blank values are not applied.
func scopeValue(q map[string][]string, name string) (string, bool) {
	vs, ok := q[name]
	if !ok || len(vs) == 0 || strings.TrimSpace(vs[0]) == "" {
		return "", false
	}
	return vs[0], true
}

// hashScope collects a hash filter ("expires[within]=…") into its operators; isHash is
// false when no "name[…]" key was sent.
func hashScope(q map[string][]string, name string) (ops map[string]string, isHash bool) {
	for k, vs := range q {
		if strings.HasPrefix(k, name+"[") && strings.HasSuffix(k, "]") && len(vs) > 0 {
			if ops == nil {
				ops = map[string]string{}
			}
			ops[k[len(name)+1:len(k)-1]] = vs[0]
		}
	}
	return ops, ops != nil
}

// arBool casts a query value like ActiveRecord::Type::Boolean: only the false words are
// false, anything else is true.
func arBool(s string) bool {
	switch s {
	case "0", "f", "F", "false", "FALSE", "off", "OFF":
		return false
	}
	return true
}

// activeSince is License.active(t) for one license: created or validated, checked out or
// checked in at or after t.
func activeSince(l *license, t time.Time) bool {
	for _, x := range []*time.Time{&l.Created, l.LastValidated, l.LastCheckOut, l.LastCheckIn} {
		if x != nil && !x.Before(t) {
			return true
		}
	}
	return false
}

// filterDuration reads a filter duration like Keygen: digits are seconds, anything else
// ISO 8601 with or without the leading P ("30D", "P1W", "T1H").
func filterDuration(s string) (years, months, days int, rest time.Duration, ok bool) {
	if isDigits(s) {
		n, err := strconv.ParseInt(s, 10, 64)
		return 0, 0, 0, time.Duration(n) * time.Second, err == nil
	}
	m := isoDurationRE.FindStringSubmatch("P" + strings.TrimPrefix(strings.ToUpper(s), "P"))
	if m == nil || m[0] == "P" || strings.HasSuffix(m[0], "T") {
		return 0, 0, 0, 0, false
	}
	n := func(i int) int { x, _ := strconv.Atoi(m[i]); return x }
	return n(1), n(2), n(3)*7 + n(4), time.Duration(n(5))*time.Hour + time.Duration(n(6))*time.Minute + time.Duration(n(7))*time.Second, true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// durationShift applies a calendar duration like ActiveSupport's Duration#from_now (sign 1)
// or Duration#ago (sign -1).
func durationShift(t time.Time, years, months, days int, rest time.Duration, sign int) time.Time {
	t = addMonths(t, sign*(years*12+months))
	t = t.AddDate(0, 0, sign*days)
	return t.Add(time.Duration(sign) * rest)
}

// filterTime reads before/after values: digits are a Unix time, else a parsed time.
func filterTime(s string) (time.Time, bool) {
	if isDigits(s) {
		n, _ := strconv.ParseInt(s, 10, 64)
		return time.Unix(n, 0).UTC(), true
	}
	return parseTime(s)
}

var isoDurationRE = regexp.MustCompile(`^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$`)

// expiresFilter implements expires[…] (expired=false) and expired[…] (expired=true) like
// License.expires/.expired: within (alias in), before, after, on, first given wins;
// expired[…] also requires the expiry to be past, expires[…] (but on) to be ahead.
func expiresFilter(ops map[string]string, now time.Time, expired bool) func(*license) bool {
	none := func(*license) bool { return false }
	get := func(k string) string { return strings.TrimSpace(ops[k]) }
	within := get("within")
	if within == "" {
		within = get("in")
	}
	side := func(e time.Time) bool {
		if expired {
			return e.Before(now)
		}
		return !e.Before(now)
	}
	var f func(e time.Time) bool
	switch {
	case within != "":
		y, mo, d, rest, ok := filterDuration(within)
		if !ok {
			return none
		}
		if expired {
			from := durationShift(now, y, mo, d, rest, -1)
			f = func(e time.Time) bool { return e.Before(now) && !e.Before(from) }
		} else {
			to := durationShift(now, y, mo, d, rest, 1)
			f = func(e time.Time) bool { return !e.Before(now) && !e.After(to) }
		}
	case get("before") != "":
		t, ok := filterTime(get("before"))
		if !ok {
			return none
		}
		f = func(e time.Time) bool { return side(e) && !e.After(t) }
	case get("after") != "":
		t, ok := filterTime(get("after"))
		if !ok {
			return none
		}
		f = func(e time.Time) bool { return side(e) && !e.Before(t) }
	case get("on") != "":
		t, ok := parseTime(get("on"))
		if !ok {
			return none
		}
		y, m, d := t.Date()
		start := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		end := start.Add(day - time.Nanosecond)
		f = func(e time.Time) bool {
			return (!expired || e.Before(now)) && !e.Before(start) && !e.After(end)
		}
	default:
		return none
	}
	return func(l *license) bool { return l.Expiry != nil && f(*l.Expiry) }
}

// activityFilter implements activity[inside|outside|before|after] (License.activity):
// active or inactive since a time, never counting licenses of banned owners.
func activityFilter(ops map[string]string, db *store, now time.Time) func(*license) bool {
	none := func(*license) bool { return false }
	get := func(k string) string { return strings.TrimSpace(ops[k]) }
	var since time.Time
	var active bool
	switch {
	case get("inside") != "", get("outside") != "":
		v := get("inside")
		active = v != ""
		if !active {
			v = get("outside")
		}
		y, mo, d, rest, ok := filterDuration(v)
		if !ok {
			return none
		}
		since = durationShift(now, y, mo, d, rest, -1)
	case get("before") != "":
		t, ok := filterTime(get("before"))
		if !ok {
			return none
		}
		since = t
	case get("after") != "":
		t, ok := filterTime(get("after"))
		if !ok {
			return none
		}
		since, active = t, true
	default:
		return none
	}
	return func(l *license) bool {
		return !licenseBannedIn(db, l) && activeSince(l, since) == active
	}
}
