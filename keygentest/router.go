package keygentest

import (
	"net/url"
	"strings"
)

// handlerFunc serves one routed request. It returns an error (usually *apiError) to answer
// with an error document; anything else becomes a 500.
type handlerFunc func(c *call) error

type route struct {
	method string
	segs   []string // literal segments or "{name}"
	h      handlerFunc
}

// router matches account-relative paths ("/licenses/{id}/actions/validate") to handlers.
// Each resource file registers its own routes in a routeX method (see resourceRoutes).
type router struct{ routes []*route }

// resourceRoutes is the route registry: each resource file owns one routeX method that
// registers its routes, and a new resource adds its method here. Routes are registered in
// this order; when two routes match a path equally well, the first registered wins.
var resourceRoutes = []func(*Server, *router){
	(*Server).routeTokens,
	(*Server).routeProducts,
	(*Server).routePolicies,
	(*Server).routeKeys,
	(*Server).routeUsers,
	(*Server).routePasswords,
	(*Server).routeProfile,
	(*Server).routeLicenses,
	(*Server).routeMachines,
	(*Server).routeValidation,
	(*Server).routeCheckout,
	(*Server).routeWebhooks,
	(*Server).routeEntitlements,
	(*Server).routeComponents,
	(*Server).routeProcesses,
	(*Server).routeGroups,
	(*Server).routeReleases,
	(*Server).routePackages,
	(*Server).routeChannels,
	(*Server).routeArtifacts,
}

// routes registers every resource's routes (resourceRoutes).
func (s *Server) routes() {
	for _, register := range resourceRoutes {
		register(s, s.router)
	}
}

// handle registers a handler for a method and an account-relative pattern whose
// "{name}" segments become path variables (c.param("name")).
func (rt *router) handle(method, pattern string, h handlerFunc) {
	rt.routes = append(rt.routes, &route{method: method, segs: splitPath(pattern), h: h})
}

func (rt *router) get(p string, h handlerFunc)  { rt.handle("GET", p, h) }
func (rt *router) post(p string, h handlerFunc) { rt.handle("POST", p, h) }
func (rt *router) put(p string, h handlerFunc)  { rt.handle("PUT", p, h) }
func (rt *router) del(p string, h handlerFunc)  { rt.handle("DELETE", p, h) }

// update registers both PATCH and PUT, which Keygen routes to the same update action
// (config/routes.rb).
func (rt *router) update(p string, h handlerFunc) {
	rt.handle("PATCH", p, h)
	rt.handle("PUT", p, h)
}

// match finds the route for a method and an escaped account-relative path. When several
// match, the one with the most literal segments wins, so "/licenses/actions/validate-key"
// beats "/licenses/{id}/…".
func (rt *router) match(method, escapedPath string) (*route, map[string]string) {
	var buf [12]string // the longest route has 7 segments; longer paths match none
	segs := splitPathInto(buf[:0], escapedPath)
	for i, s := range segs {
		if strings.IndexByte(s, '%') < 0 {
			continue // nothing to unescape, and PathUnescape would only copy it
		}
		u, err := url.PathUnescape(s)
		if err != nil {
			return nil, nil
		}
		segs[i] = u
	}
	var best *route
	bestScore := -1
	for _, r := range rt.routes {
		if r.method != method || len(r.segs) != len(segs) {
			continue
		}
		if score, ok := matchSegs(r.segs, segs); ok && score > bestScore {
			best, bestScore = r, score
		}
	}
	if best == nil {
		return nil, nil
	}
	// Only the winner's variables are kept: building a map for every candidate route was a
	// measurable part of each request.
	vars := map[string]string{}
	for i, p := range best.segs {
		if isVar(p) {
			vars[p[1:len(p)-1]] = segs[i]
		}
	}
	return best, vars
}

// matchSegs reports whether a pattern matches the path segments, and its score: the
// number of literal segments.
func matchSegs(pattern, segs []string) (int, bool) {
	score := 0
	for i, p := range pattern {
		if isVar(p) {
			if segs[i] == "" {
				return 0, false
			}
			continue
		}
		if p != segs[i] {
			return 0, false
		}
		score++
	}
	return score, true
}

func isVar(p string) bool { return strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") }

func splitPath(p string) []string { return splitPathInto(nil, p) }

// splitPathInto appends the "/"-separated segments of p, without its leading and trailing
// slashes, to dst.
func splitPathInto(dst []string, p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return dst
	}
	for {
		i := strings.IndexByte(p, '/')
		if i < 0 {
			return append(dst, p)
		}
		dst = append(dst, p[:i])
		p = p[i+1:]
	}
}

// splitAccountPath splits "/v1/accounts/{account}/rest" into the account identifier and
// "/rest". ok is false for paths outside the account API.
func splitAccountPath(escaped string) (account, rest string, ok bool) {
	const prefix = "/v1/accounts/"
	if !strings.HasPrefix(escaped, prefix) {
		return "", "", false
	}
	tail := escaped[len(prefix):]
	i := strings.IndexByte(tail, '/')
	if i < 0 {
		account, rest = tail, "/"
	} else {
		account, rest = tail[:i], tail[i:]
	}
	account, err := url.PathUnescape(account)
	if err != nil || account == "" {
		return "", "", false
	}
	return account, rest, true
}
