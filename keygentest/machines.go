package keygentest

// routeMachines registers the routes for machines (§2.7) and heartbeats.
// It is filled in later; documents.go already renders these resources.
func (s *Server) routeMachines(r *router) {}
