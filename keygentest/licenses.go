package keygentest

// routeLicenses registers the routes for licenses (§2.6) and their actions.
// It is filled in later; documents.go already renders these resources.
func (s *Server) routeLicenses(r *router) {}
