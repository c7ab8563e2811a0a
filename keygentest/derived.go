package keygentest

import "time"

// Derived states are computed lazily from stored fields and the server clock, as Keygen
// computes them on read, so Advance changes them without any background work.

const (
	day              = 24 * time.Hour
	inactiveAfter    = 90 * day
	expiringWithin   = 3 * day
	defaultHeartbeat = 600 // seconds, when the policy has no heartbeatDuration
)

func (c *call) licenseExpired(l *License) bool { return licenseExpiredAt(l, c.now()) }

func licenseExpiredAt(l *License, now time.Time) bool {
	return l.Expiry != nil && l.Expiry.Before(now)
}

// licenseBanned: a license is banned when its owner is (keygen-api.md §2.6).
func (c *call) licenseBanned(l *License) bool { return licenseBannedIn(c.db(), l) }

func licenseBannedIn(db *store, l *License) bool {
	if l.OwnerID == nil {
		return false
	}
	u := db.users[*l.OwnerID]
	return u != nil && u.BannedAt != nil
}

// licenseStatus applies Keygen's precedence: banned > suspended > expired > expiring
// (within 3 days) > inactive (no activity in 90 days) > active.
func licenseStatus(db *store, l *License, now time.Time) string {
	switch {
	case licenseBannedIn(db, l):
		return "BANNED"
	case l.Suspended:
		return "SUSPENDED"
	case licenseExpiredAt(l, now):
		return "EXPIRED"
	case l.Expiry != nil && l.Expiry.Before(now.Add(expiringWithin)):
		return "EXPIRING"
	case lastActivity(l).Before(now.Add(-inactiveAfter)):
		return "INACTIVE"
	}
	return "ACTIVE"
}

// lastActivity is the latest of creation, validation, check-in and check-out.
func lastActivity(l *License) time.Time {
	t := l.Created
	for _, x := range []*time.Time{l.LastValidated, l.LastCheckIn, l.LastCheckOut} {
		if x != nil && x.After(t) {
			t = *x
		}
	}
	return t
}

// licenseProtected is the license's own flag, else its policy's.
func licenseProtected(db *store, l *License) bool {
	if l.Protected != nil {
		return *l.Protected
	}
	if p := db.policies[l.PolicyID]; p != nil {
		return p.Protected
	}
	return false
}

// effective returns the license override when set, else the policy value.
func effective(own, policy *int64) *int64 {
	if own != nil {
		return own
	}
	return policy
}

// nextCheckIn is lastCheckIn plus the policy's check-in interval, in calendar units.
func nextCheckIn(p *Policy, l *License) *time.Time {
	if p == nil || !p.RequireCheckIn || l.LastCheckIn == nil || p.CheckInInterval == nil || p.CheckInIntervalCount == nil {
		return nil
	}
	n := int(*p.CheckInIntervalCount)
	t := *l.LastCheckIn
	switch *p.CheckInInterval {
	case "day":
		t = t.AddDate(0, 0, n)
	case "week":
		t = t.AddDate(0, 0, 7*n)
	case "month":
		t = t.AddDate(0, n, 0)
	case "year":
		t = t.AddDate(n, 0, 0)
	default:
		return nil
	}
	return &t
}

// userStatus: BANNED when banned; ACTIVE when created within 90 days or holding an active
// license; else INACTIVE (keygen-api.md §2.4).
func userStatus(db *store, u *User, now time.Time) string {
	if u.BannedAt != nil {
		return "BANNED"
	}
	if u.Created.After(now.Add(-inactiveAfter)) {
		return "ACTIVE"
	}
	for _, l := range db.licensesOfUser(u) {
		if licenseStatus(db, l, now) == "ACTIVE" {
			return "ACTIVE"
		}
	}
	return "INACTIVE"
}

// heartbeatDuration is the policy's heartbeat duration in seconds, 600 by default.
func heartbeatDuration(p *Policy) int64 {
	if p != nil && p.HeartbeatDuration != nil {
		return *p.HeartbeatDuration
	}
	return defaultHeartbeat
}

// machinePolicy returns a machine's policy through its license (nil if gone).
func machinePolicy(db *store, m *Machine) *Policy {
	if l := db.licenses[m.LicenseID]; l != nil {
		return db.policies[l.PolicyID]
	}
	return nil
}

// machineRequiresHeartbeat: the policy requires it or the machine has a heartbeat (a
// reset clears it again), as Machine#requires_heartbeat?.
func machineRequiresHeartbeat(db *store, m *Machine) bool {
	p := machinePolicy(db, m)
	return (p != nil && p.RequireHeartbeat) || m.LastHeartbeat != nil
}

// nextHeartbeat is lastHeartbeat plus the heartbeat duration.
func nextHeartbeat(db *store, m *Machine) *time.Time {
	if m.LastHeartbeat == nil {
		return nil
	}
	t := m.LastHeartbeat.Add(time.Duration(heartbeatDuration(machinePolicy(db, m))) * time.Second)
	return &t
}

// heartbeatStatus follows keygen-api.md §2.7: RESURRECTED right after a revive, NOT_STARTED
// when never pinged (and not required, or still within one duration of creation), ALIVE
// while the next heartbeat is not overdue, else DEAD.
func heartbeatStatus(db *store, m *Machine, now time.Time) string {
	if m.ResurrectedAt != nil {
		return "RESURRECTED"
	}
	if m.LastHeartbeat == nil {
		d := time.Duration(heartbeatDuration(machinePolicy(db, m))) * time.Second
		if !machineRequiresHeartbeat(db, m) || m.Created.Add(d).After(now) {
			return "NOT_STARTED"
		}
		return "DEAD"
	}
	if next := nextHeartbeat(db, m); !next.Before(now) {
		return "ALIVE"
	}
	return "DEAD"
}

// Calendar durations: Keygen builds an ActiveSupport::Duration from a number of seconds,
// which splits it into years (31556952 s), months (2629746 s), weeks, days, hours, minutes
// and seconds, and adds each part on the calendar: 7889238 s is exactly 3 months, so
// 2021-07-19 + 7889238 s is 2021-10-19. Months are clamped to the month's last day.
func addDuration(t time.Time, secs int64) time.Time {
	parts := []int64{31556952, 2629746, 604800, 86400, 3600, 60, 1}
	var n [7]int64
	rem := secs
	if rem < 0 {
		return t.Add(time.Duration(secs) * time.Second)
	}
	for i, p := range parts {
		n[i] = rem / p
		rem %= p
	}
	t = addMonths(t, int(n[0]*12+n[1]))
	t = t.AddDate(0, 0, int(n[2]*7+n[3]))
	return t.Add(time.Duration(n[4])*time.Hour + time.Duration(n[5])*time.Minute + time.Duration(n[6])*time.Second)
}

// addMonths adds months like Ruby's Date#>>: the day is clamped to the target month.
func addMonths(t time.Time, months int) time.Time {
	if months == 0 {
		return t
	}
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(months), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d, last)-1)
}

// checkInOverdue: the policy requires check-in and the last check-in is older than the
// interval (License#check_in_overdue?; a null lastCheckIn is never overdue).
func checkInOverdue(p *Policy, l *License, now time.Time) bool {
	next := nextCheckIn(p, l)
	return next != nil && next.Before(now)
}

// lazarusTTL is the revive window of a resurrection strategy (0 for NO_REVIVE and
// ALWAYS_REVIVE, which has no window).
func lazarusTTL(p *Policy) time.Duration {
	switch p.HeartbeatResurrectionStrategy {
	case "15_MINUTE_REVIVE":
		return 15 * time.Minute
	case "10_MINUTE_REVIVE":
		return 10 * time.Minute
	case "5_MINUTE_REVIVE":
		return 5 * time.Minute
	case "2_MINUTE_REVIVE":
		return 2 * time.Minute
	case "1_MINUTE_REVIVE":
		return time.Minute
	}
	return 0
}

// resurrects: the policy revives dead machines on ping (any strategy but NO_REVIVE).
func resurrects(p *Policy) bool {
	return p != nil && p.HeartbeatResurrectionStrategy != "" && p.HeartbeatResurrectionStrategy != "NO_REVIVE"
}

// resurrectionPeriodPassed follows Machine#resurrection_period_passed?.
func resurrectionPeriodPassed(db *store, m *Machine, now time.Time) bool {
	p := machinePolicy(db, m)
	if p != nil && p.HeartbeatResurrectionStrategy == "ALWAYS_REVIVE" {
		return false
	}
	next := nextHeartbeat(db, m)
	if !machineRequiresHeartbeat(db, m) || !resurrects(p) || next == nil {
		return true
	}
	return now.After(next.Add(lazarusTTL(p)))
}
