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
