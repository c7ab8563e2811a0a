package keygentest

import (
	"sync"
	"time"
)

// clock is the server's notion of now: the wall clock shifted by an offset that Advance
// grows. Every time the server stores or compares comes from it, so tests can move past
// expiries and check-in deadlines without sleeping.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func newClock(start time.Time) *clock {
	c := &clock{}
	if !start.IsZero() {
		c.offset = time.Until(start)
	}
	return c
}

// now returns the server time in UTC.
func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset).UTC()
}

// advance moves the clock forward by d (backwards when d is negative).
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// day is a calendar-free 24 hours.
const day = 24 * time.Hour

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
