package keygentest

import (
	"net/http"
	"strings"
)

// errObject is one JSON:API error object (lib/keygen/jsonapi/errors.rb).
type errObject struct {
	Title  string            `json:"title"`
	Detail string            `json:"detail,omitempty"`
	Code   string            `json:"code,omitempty"`
	Source map[string]string `json:"source,omitempty"`
	Links  map[string]string `json:"links,omitempty"`
}

// apiError is an error answer. Handlers return it (as error) and dispatch renders it.
type apiError struct {
	status int
	errors []errObject
	// rack marks errors Keygen raises before reaching a controller: they carry no meta.id
	// and are never signed (lib/keygen/middleware.rb).
	rack bool
	// header holds extra response headers (WWW-Authenticate, Retry-After, ...).
	header http.Header
}

func (e *apiError) Error() string {
	if len(e.errors) == 0 {
		return http.StatusText(e.status)
	}
	return e.errors[0].Title + ": " + e.errors[0].Detail
}

// titles are the error titles per status (app/controllers/application_controller.rb).
var titles = map[int]string{
	400: "Bad request",
	401: "Unauthorized",
	402: "Payment required",
	403: "Access denied",
	404: "Not found",
	405: "Not supported",
	409: "Conflict",
	422: "Unprocessable resource",
	429: "Too many requests",
	500: "Internal server error",
	503: "Service unavailable",
}

// newError builds a one-object error with the status's title.
func newError(status int, detail, code string, source map[string]string) *apiError {
	return &apiError{status: status, errors: []errObject{{Title: titles[status], Detail: detail, Code: code, Source: source}}}
}

func pointer(p string) map[string]string   { return map[string]string{"pointer": p} }
func parameter(p string) map[string]string { return map[string]string{"parameter": p} }
func header(h string) map[string]string    { return map[string]string{"header": h} }

// errBadRequest is a 400 with a source (pointer, parameter or header).
func errBadRequest(detail string, source map[string]string) *apiError {
	return newError(400, detail, "", source)
}

// errNotFound is Keygen's 404 for a model lookup: "The requested <model> '<id>' was not
// found", code NOT_FOUND. model is the human singular ("license", "webhook endpoint").
func errNotFound(model, id string) *apiError {
	return newError(404, "The requested "+model+" '"+id+"' was not found", "NOT_FOUND", nil)
}

// errUnauthorized is a 401 with a code; an empty detail uses Keygen's default.
func errUnauthorized(code, detail string) *apiError {
	if detail == "" {
		detail = "You must be authenticated to complete the request"
	}
	return newError(401, detail, code, nil)
}

// errForbidden is an authorization refusal with Keygen's detail: with a reason it reads
// "You do not have permission to complete the request (<reason>)". Such 403s have no code.
func errForbidden(reason string) *apiError {
	d := "You do not have permission to complete the request"
	if reason != "" {
		d += " (" + reason + ")"
	}
	return newError(403, d, "", nil)
}

// errDenied is the default 403 for a bearer that may see a resource but not act on it.
func errDenied() *apiError {
	return errForbidden("ensure the token or license is allowed to access all resources")
}

// errForbiddenCode is a 403 raised by authentication (USER_BANNED, LICENSE_SUSPENDED, ...).
func errForbiddenCode(code, detail string) *apiError {
	return newError(403, detail, code, nil)
}

// errUnprocessableEntity is an action-level refusal (title "Unprocessable entity").
func errUnprocessableEntity(detail, code string, source map[string]string) *apiError {
	e := newError(422, detail, code, source)
	e.errors[0].Title = "Unprocessable entity"
	return e
}

// rackError is an error raised before the controller: no meta, not signed.
func rackError(status int, detail, code string) *apiError {
	e := newError(status, detail, code, nil)
	e.rack = true
	return e
}

// errRouteNotFound is the 404 for an unroutable method and path (lib/keygen/middleware.rb).
func errRouteNotFound() *apiError {
	return rackError(404, "The requested endpoint was not found (check your HTTP method, Accept header, and URL path)", "NOT_FOUND")
}

// Validation errors (422) ---------------------------------------------------------------

// invalid collects model validation errors, like a Rails record's errors, and renders them with
// Keygen's code rule (app/controllers/application_controller.rb): code = <ATTR PATH>_<TYPE> in
// upper snake case, where callers pass TYPE already mapped (numeric → INVALID,
// inclusion/exclusion → NOT_ALLOWED, blank attribute → MISSING, blank relationship → NOT_FOUND,
// others as named: TAKEN, TOO_SHORT, ...). Errors on the record itself use the model name and
// pointer /data.
type invalid struct {
	topic  string // docs topic for links.about, e.g. "licenses"
	errors []errObject
}

func newInvalid(topic string) *invalid { return &invalid{topic: topic} }

// attr adds an attribute error; name is the API's lowerCamel attribute name.
func (v *invalid) attr(name, typ, detail string) *invalid {
	ptr := "/data/attributes/" + name
	about := "https://keygen.sh/docs/api/" + v.topic + "/#" + v.topic + "-object-attrs-" + name
	if name == "id" { // Keygen points an :id error at the resource identifier
		// ... and its docs link at the object: the pointer names no attribute
		// (ApplicationController#render_unprocessable_resource).
		ptr = "/data/id"
		about = "https://keygen.sh/docs/api/" + v.topic + "/#" + v.topic + "-object"
	}
	v.errors = append(v.errors, errObject{
		Title:  titles[422],
		Detail: detail,
		Code:   upperSnake(name) + "_" + typ,
		Source: pointer(ptr),
		Links:  map[string]string{"about": about},
	})
	return v
}

// rel adds a relationship error; name is the relationship's lowerCamel name.
func (v *invalid) rel(name, typ, detail string) *invalid {
	v.errors = append(v.errors, errObject{
		Title:  titles[422],
		Detail: detail,
		Code:   upperSnake(name) + "_" + typ,
		Source: pointer("/data/relationships/" + name),
		Links:  map[string]string{"about": "https://keygen.sh/docs/api/" + v.topic + "/#" + v.topic + "-object-relationships-" + name},
	})
	return v
}

// record adds an error on the record itself (e.g. MACHINE_LIMIT_EXCEEDED); model is the
// singular model name ("machine").
func (v *invalid) record(model, typ, detail string) *invalid {
	v.errors = append(v.errors, errObject{
		Title:  titles[422],
		Detail: detail,
		Code:   upperSnake(model) + "_" + typ,
		Source: pointer("/data"),
		Links:  map[string]string{"about": "https://keygen.sh/docs/api/" + v.topic + "/#" + v.topic + "-object"},
	})
	return v
}

// err returns the 422 answer, or nil when nothing was added.
func (v *invalid) err() error {
	if len(v.errors) == 0 {
		return nil
	}
	return &apiError{status: 422, errors: serializeErrors(v.errors)}
}

// serializeErrors orders a record's errors as Keygen's serializer does
// (lib/keygen/jsonapi/errors.rb, Serializer#serialize_each): grouped by attribute (here, by
// source), the groups in the order each first failed, then without repeats of the same code
// and source (ResourceError#eql?): the first one's detail stays.
func serializeErrors(errs []errObject) []errObject {
	sourceOf := func(e errObject) string { return e.Source["pointer"] + "\x00" + e.Source["parameter"] }
	var order []string
	groups := map[string][]errObject{}
	for _, e := range errs {
		k := sourceOf(e)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], e)
	}
	out := make([]errObject, 0, len(errs))
	seen := map[string]bool{}
	for _, k := range order {
		for _, e := range groups[k] {
			if seen[e.Code+"\x00"+k] {
				continue
			}
			seen[e.Code+"\x00"+k] = true
			out = append(out, e)
		}
	}
	return out
}

// upperSnake turns "maxMachines" or "max_machines" into "MAX_MACHINES".
func upperSnake(s string) string {
	return strings.ToUpper(snake(s))
}
