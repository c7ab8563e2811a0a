package keygentest

// routeCheckout registers the routes for license and machine check-out (§2.6, §4.2).
// It is filled in later; documents.go already renders these resources.
func (s *Server) routeCheckout(r *router) {}
