package keygen

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
	"github.com/licensekit/keygen/internal/retry"
)

// Sentinels for errors.Is. A *Error matches the one for its HTTP status.
var (
	ErrBadRequest    = errors.New("keygen: bad request")          // 400
	ErrUnauthorized  = errors.New("keygen: unauthorized")         // 401
	ErrForbidden     = errors.New("keygen: forbidden")            // 403
	ErrNotFound      = errors.New("keygen: not found")            // 404
	ErrConflict      = errors.New("keygen: conflict")             // 409
	ErrUnprocessable = errors.New("keygen: unprocessable entity") // 422
	ErrRateLimited   = errors.New("keygen: rate limited")         // 429

	// ErrInvalidArgument marks a local argument error (empty id, bad option); nothing was sent.
	ErrInvalidArgument = errors.New("keygen: invalid argument")
	// ErrSignatureInvalid marks a response, webhook, license key or license file whose
	// signature does not verify. Use errors.As with *SignatureError for the reason.
	ErrSignatureInvalid = errors.New("keygen: signature invalid")
)

// ErrorCode is a machine-readable Keygen error code, e.g. "KEY_TAKEN".
type ErrorCode = string

// Keygen error codes the SDK's users most often branch on
// (https://keygen.sh/docs/api/errors/).
const (
	CodeNotFound              ErrorCode = "NOT_FOUND"
	CodeTokenMissing          ErrorCode = "TOKEN_MISSING"
	CodeTokenInvalid          ErrorCode = "TOKEN_INVALID"
	CodeTokenExpired          ErrorCode = "TOKEN_EXPIRED"
	CodeTokenFormatInvalid    ErrorCode = "TOKEN_FORMAT_INVALID"
	CodeLicenseInvalid        ErrorCode = "LICENSE_INVALID"
	CodeLicenseNotAllowed     ErrorCode = "LICENSE_NOT_ALLOWED"
	CodeLicenseSuspended      ErrorCode = "LICENSE_SUSPENDED"
	CodeLicenseExpired        ErrorCode = "LICENSE_EXPIRED"
	CodeTokenNotAllowed       ErrorCode = "TOKEN_NOT_ALLOWED"
	CodeUserBanned            ErrorCode = "USER_BANNED"
	CodeEmailInvalid          ErrorCode = "EMAIL_INVALID"
	CodePasswordInvalid       ErrorCode = "PASSWORD_INVALID"
	CodeKeyTaken              ErrorCode = "KEY_TAKEN"
	CodeFingerprintTaken      ErrorCode = "FINGERPRINT_TAKEN"
	CodeMachineLimitExceeded  ErrorCode = "MACHINE_LIMIT_EXCEEDED"
	CodeMachineHeartbeatDead  ErrorCode = "MACHINE_HEARTBEAT_DEAD"
	CodePolicyPoolEmpty       ErrorCode = "POLICY_POOL_EMPTY"
	CodeUsesLimitExceeded     ErrorCode = "USES_LIMIT_EXCEEDED"
	CodeTooManyRequests       ErrorCode = "TOO_MANY_REQUESTS"
	CodeCheckoutTTLInvalid    ErrorCode = "CHECKOUT_TTL_INVALID"
	CodeInvalidAPIVersion     ErrorCode = "INVALID_API_VERSION"
	CodeActivationsExceeded   ErrorCode = "ACTIVATIONS_LIMIT_EXCEEDED"
	CodeDeactivationsExceeded ErrorCode = "DEACTIVATIONS_LIMIT_EXCEEDED"

	CodeCodeTaken           ErrorCode = "CODE_TAKEN"
	CodeEntitlementNotFound ErrorCode = "ENTITLEMENT_NOT_FOUND"
	CodeEntitlementTaken    ErrorCode = "ENTITLEMENT_TAKEN"
	CodeEntitlementConflict ErrorCode = "ENTITLEMENT_CONFLICT"

	CodeGroupLicenseLimitExceeded ErrorCode = "GROUP_LICENSE_LIMIT_EXCEEDED"
	CodeGroupMachineLimitExceeded ErrorCode = "GROUP_MACHINE_LIMIT_EXCEEDED"
	CodeGroupUserLimitExceeded    ErrorCode = "GROUP_USER_LIMIT_EXCEEDED"
	CodeGroupNotFound             ErrorCode = "GROUP_NOT_FOUND"
	CodeUserTaken                 ErrorCode = "USER_TAKEN"

	CodeComponentsFingerprintConflict ErrorCode = "COMPONENTS_FINGERPRINT_CONFLICT"
	CodeComponentsFingerprintTaken    ErrorCode = "COMPONENTS_FINGERPRINT_TAKEN"
	CodeMachineProcessLimitExceeded   ErrorCode = "MACHINE_PROCESS_LIMIT_EXCEEDED"
	CodeProcessHeartbeatDead          ErrorCode = "PROCESS_HEARTBEAT_DEAD"
	CodePIDTaken                      ErrorCode = "PID_TAKEN"
)

// Error is an error answer from the Keygen API. Every error object of the document is kept.
type Error struct {
	StatusCode int
	// RequestID is the document's meta.id (or the X-Request-Id header), for Keygen support.
	RequestID string
	Errors    []ErrorObject
	// Attempts is how many times the request was sent (retries included).
	Attempts int
	Method   string
	// Path is the request path without its query string.
	Path string
	// Unverified is set when the client checks signatures (WithPublicKey) and this answer
	// came unsigned. Keygen leaves some errors unsigned by design (rate limits and malformed
	// requests rejected before the account is known), so such an answer is still reported,
	// but anyone on the network path could have written it: treat it as "no answer", never
	// as a signed verdict (do not forget a license or deactivate a machine because of it).
	Unverified bool
}

// ErrorObject is one entry of an errors document.
type ErrorObject struct {
	Title  string
	Detail string
	Code   ErrorCode
	Source ErrorSource
	// Links holds links.about and friends when the server sent them.
	Links map[string]string
}

// ErrorSource points at the part of the request an error is about.
type ErrorSource struct {
	Pointer   string // JSON pointer into the request body, e.g. /data/attributes/key
	Parameter string // query parameter, e.g. page[size]
	Header    string // request header, e.g. Authorization
}

// Error describes the call, the status and every error object (title, detail, code and
// source), never a credential.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "keygen: %s %s: %d", e.Method, e.Path, e.StatusCode)
	if len(e.Errors) == 0 {
		if t := http.StatusText(e.StatusCode); t != "" {
			b.WriteString(" " + t)
		}
	}
	for i, o := range e.Errors {
		if i > 0 {
			b.WriteString(";")
		}
		if o.Title != "" {
			b.WriteString(" " + o.Title)
		}
		if o.Detail != "" {
			b.WriteString(": " + o.Detail)
		}
		var extra []string
		if o.Code != "" {
			extra = append(extra, o.Code)
		}
		switch {
		case o.Source.Pointer != "":
			extra = append(extra, o.Source.Pointer)
		case o.Source.Parameter != "":
			extra = append(extra, "parameter "+o.Source.Parameter)
		case o.Source.Header != "":
			extra = append(extra, "header "+o.Source.Header)
		}
		if len(extra) > 0 {
			b.WriteString(" (" + strings.Join(extra, ", ") + ")")
		}
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	if e.Unverified {
		b.WriteString(" (unsigned answer, not verified)")
	}
	return b.String()
}

// markUnverified sets Unverified on the *Error inside err.
func markUnverified(err error) {
	var e *Error
	if errors.As(err, &e) {
		e.Unverified = true
	}
}

// IsUnverified reports whether err is (or wraps) an unsigned error answer received while
// signatures are checked: see Error.Unverified.
func IsUnverified(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Unverified
}

// Is matches the sentinel for the error's status.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrConflict:
		return e.StatusCode == http.StatusConflict
	case ErrUnprocessable:
		return e.StatusCode == http.StatusUnprocessableEntity
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	}
	return false
}

// HasCode reports whether any error object carries code.
func (e *Error) HasCode(code ErrorCode) bool {
	for _, o := range e.Errors {
		if o.Code == code {
			return true
		}
	}
	return false
}

// Code returns the first error object's code, or "".
func (e *Error) Code() ErrorCode {
	for _, o := range e.Errors {
		if o.Code != "" {
			return o.Code
		}
	}
	return ""
}

// HasCode reports whether err is (or wraps) a *Error carrying code.
func HasCode(err error, code ErrorCode) bool {
	var e *Error
	return errors.As(err, &e) && e.HasCode(code)
}

// RateLimitError is a 429 answer. It unwraps to its *Error, so errors.As finds both.
type RateLimitError struct {
	APIError *Error
	// RetryAfter is how long the server asked us to wait (Retry-After), zero if it did not say.
	RetryAfter time.Duration
	Limit      int
	Remaining  int
	// Reset is when the window resets (X-RateLimit-Reset), zero if unknown.
	Reset time.Time
	// Window names the throttle, e.g. "1m" or "auth".
	Window string
}

// Error describes the rate-limited call and how long to wait.
func (e *RateLimitError) Error() string {
	s := e.APIError.Error()
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return s
}

// Unwrap gives the underlying *Error.
func (e *RateLimitError) Unwrap() error { return e.APIError }

// HasCode reports whether any error object carries code.
func (e *RateLimitError) HasCode(code ErrorCode) bool { return e.APIError.HasCode(code) }

// TransportError is a failure to get any answer (connection refused, timeout…).
type TransportError struct {
	Method, Path string
	Attempts     int
	Err          error
}

// Error describes the call and the transport failure, with the attempt count.
func (e *TransportError) Error() string {
	s := fmt.Sprintf("keygen: %s %s: %v", e.Method, e.Path, e.Err)
	if e.Attempts > 1 {
		s += fmt.Sprintf(" after %d attempts", e.Attempts)
	}
	return s
}

// Unwrap gives the transport's error (a *url.Error, a net.Error…).
func (e *TransportError) Unwrap() error { return e.Err }

// SignatureError says why a signature check failed. It matches ErrSignatureInvalid.
type SignatureError struct {
	Reason string
}

// Error names the reason the signature was refused.
func (e *SignatureError) Error() string { return "keygen: signature invalid: " + e.Reason }

// Is matches ErrSignatureInvalid.
func (e *SignatureError) Is(target error) bool { return target == ErrSignatureInvalid }

func sigErr(format string, args ...any) error {
	return &SignatureError{Reason: fmt.Sprintf(format, args...)}
}

// newError turns a non-2xx answer into a *Error, whatever its body: a proxy's HTML page or a
// truncated document still gives the status, with one synthetic error object.
func newError(r *response, attempts int) error {
	e := &Error{
		StatusCode: r.status,
		Attempts:   attempts,
		Method:     r.req.Method,
		Path:       r.req.URL.Path,
		RequestID:  r.header.Get("X-Request-Id"),
	}
	if doc, err := jsonapi.Parse(r.body); err == nil && len(doc.Errors) > 0 {
		if id := doc.MetaString("id"); id != "" {
			e.RequestID = id
		}
		for _, o := range doc.Errors {
			e.Errors = append(e.Errors, ErrorObject{
				Title:  o.Title,
				Detail: o.Detail,
				Code:   o.Code,
				Source: ErrorSource{Pointer: o.Source.Pointer, Parameter: o.Source.Parameter, Header: o.Source.Header},
				Links:  o.Links,
			})
		}
	} else {
		detail := "the response was not a JSON:API errors document"
		if ct := r.header.Get("Content-Type"); ct != "" {
			detail += " (" + ct + ")"
		}
		e.Errors = []ErrorObject{{Title: http.StatusText(r.status), Detail: detail}}
	}
	if r.status == http.StatusTooManyRequests {
		return newRateLimitError(e, r.header)
	}
	return e
}

func newRateLimitError(e *Error, h http.Header) *RateLimitError {
	rl := &RateLimitError{APIError: e, Window: h.Get("X-RateLimit-Window")}
	rl.RetryAfter, _ = retry.RetryAfter(h.Get("Retry-After"), time.Now())
	rl.Limit, _ = strconv.Atoi(h.Get("X-RateLimit-Limit"))
	rl.Remaining, _ = strconv.Atoi(h.Get("X-RateLimit-Remaining"))
	if s, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil && s > 0 {
		rl.Reset = time.Unix(s, 0).UTC()
	}
	return rl
}

// argErr is a local argument error: nothing was sent. The sentinel leads, as in the other
// "%w: detail" errors of the package, because its text already carries the "keygen: " prefix:
// wrapping it after a prefixed message would print "keygen: …: keygen: invalid argument".
func argErr(op, msg string) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidArgument, op, msg)
}

// unprefixed wraps an error of this package for use inside another one: it reads without
// its own "keygen: " prefix, so that a message says "keygen:" once, and still unwraps to it.
type unprefixed struct{ err error }

func (u unprefixed) Error() string { return strings.TrimPrefix(u.err.Error(), "keygen: ") }
func (u unprefixed) Unwrap() error { return u.err }
