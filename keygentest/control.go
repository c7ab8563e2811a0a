package keygentest

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// serveControl serves the paths outside the Keygen API (keygentest extensions): the
// artifact upload and download URLs (artifacts_storage.go) and the conformance runner's
// clock control:
// POST /_keygentest/advance?by=<Go duration> moves the clock and answers 204. It needs an
// admin token: none is a 401 TOKEN_MISSING, an unknown or expired one a 401 TOKEN_INVALID,
// another bearer's a 403; a missing or malformed duration is a 400.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	if s.serveBlob(w, r) { // artifact upload and download URLs (artifacts_storage.go)
		return
	}
	fail := func(status int, detail, code string) {
		w.Header().Set("Content-Type", jsonAPIType)
		w.WriteHeader(status)
		b, _ := json.Marshal(map[string]any{"errors": []errObject{{Title: titles[status], Detail: detail, Code: code}}})
		_, _ = w.Write(b)
	}
	if r.URL.Path != "/_keygentest/advance" || r.Method != http.MethodPost {
		fail(http.StatusNotFound, "The requested endpoint was not found (check your HTTP method, Accept header, and URL path)", "NOT_FOUND")
		return
	}
	switch s.adminSecret(bearerSecret(r)) {
	case secretMissing:
		w.Header().Set("WWW-Authenticate", `Bearer realm="keygen"`)
		fail(http.StatusUnauthorized, "You must be authenticated to complete the request", "TOKEN_MISSING")
		return
	case secretInvalid:
		w.Header().Set("WWW-Authenticate", `Bearer realm="keygen"`)
		fail(http.StatusUnauthorized, "You must be authenticated to complete the request", "TOKEN_INVALID")
		return
	case secretNotAdmin:
		fail(http.StatusForbidden, "You do not have permission to complete the request (an admin token is required)", "")
		return
	}
	d, err := time.ParseDuration(r.URL.Query().Get("by"))
	if err != nil {
		fail(http.StatusBadRequest, "by must be a Go duration such as 24h or 90m", "PARAMETERS_INVALID")
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

type secretKind int

const (
	secretAdmin secretKind = iota
	secretMissing
	secretInvalid  // unknown or expired
	secretNotAdmin // a live token of another bearer
)

// adminSecret classifies a bearer secret: only a live token of an admin user may move
// the clock.
func (s *Server) adminSecret(secret string) secretKind {
	if secret == "" {
		return secretMissing
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.db.tokenDigests[digest(secret)]
	if t == nil || (t.Expiry != nil && t.Expiry.Before(s.clock.now())) {
		return secretInvalid
	}
	if t.BearerType != "users" {
		return secretNotAdmin
	}
	if u := s.db.users[t.BearerID]; u == nil || u.Role != "admin" {
		return secretNotAdmin
	}
	return secretAdmin
}
