package keygentest

// throttle is the hook for Keygen's request throttles (keygen-api.md §1.10), configured by
// WithRateLimit. It runs first in dispatch, like Rack::Attack, before routing and the
// account: a non-nil error is answered as a rack-level 429 (no meta, unsigned) with the
// error's headers (X-RateLimit-*, Retry-After). Headers for answers that pass may be added
// to c.header. Not implemented yet: nothing is limited.
func (s *Server) throttle(c *call) *apiError {
	_ = c
	return nil
}
