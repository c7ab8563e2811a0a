package keygentest

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// serveControl serves the one path outside the Keygen API (DESIGN.md, "keygentest"):
// POST /_keygentest/advance?by=<Go duration> moves the clock; it needs an admin token.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, detail string) {
		w.Header().Set("Content-Type", jsonAPIType)
		w.WriteHeader(status)
		b, _ := json.Marshal(map[string]any{"errors": []errObject{{Title: titles[status], Detail: detail}}})
		_, _ = w.Write(b)
	}
	if r.URL.Path != "/_keygentest/advance" || r.Method != http.MethodPost {
		fail(http.StatusNotFound, "The requested endpoint was not found (check your HTTP method, Accept header, and URL path)")
		return
	}
	if !s.isAdminSecret(bearerSecret(r)) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="keygen"`)
		fail(http.StatusUnauthorized, "an admin token is required")
		return
	}
	d, err := time.ParseDuration(r.URL.Query().Get("by"))
	if err != nil {
		fail(http.StatusBadRequest, "by must be a Go duration such as 24h or 90m")
		return
	}
	s.Advance(d)
	w.WriteHeader(http.StatusNoContent)
}

// bearerSecret extracts a Bearer/Token secret from the Authorization header.
func bearerSecret(r *http.Request) string {
	scheme, value, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	switch strings.ToLower(scheme) {
	case "bearer", "token":
		return strings.TrimSpace(value)
	}
	return ""
}

// isAdminSecret reports whether secret is a live token of an admin user.
func (s *Server) isAdminSecret(secret string) bool {
	if secret == "" {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.db.tokenDigests[digest(secret)]
	if t == nil || t.BearerType != "users" || (t.Expiry != nil && t.Expiry.Before(s.clock.now())) {
		return false
	}
	u := s.db.users[t.BearerID]
	return u != nil && u.Role == "admin"
}
