package keygentest

// routeValidation registers the routes for license validation (§3).
// It is filled in later; documents.go already renders these resources.
func (s *Server) routeValidation(r *router) {}
