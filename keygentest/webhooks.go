package keygentest

// routeWebhooks registers the routes for webhook endpoints and events (§2.9, §2.10).
// It is filled in later; documents.go already renders these resources.
func (s *Server) routeWebhooks(r *router) {}
