package keygen

// Some Keygen answers are redirects the SDK must not follow: creating an artifact answers 307
// and downloading one 303, each with the artifact document and, in Location, a presigned
// storage URL (keygen-sh/keygen-api, app/controllers/api/v1/release_artifacts_controller.rb,
// create and show). Followed by net/http, the 307 would re-send the POST body to the storage
// host, and either would carry our Keygen-* headers there and hide the document. A request
// marked noRedirect takes the 3xx answer itself as the answer; the caller then fetches the
// URL with no Keygen credentials (storage.go).

import (
	"context"
	"errors"
	"net/http"
)

type noRedirectKey struct{}

// withoutRedirects marks ctx so that the client's CheckRedirect keeps the 3xx answer. It
// travels in the context because go-retryablehttp builds the *http.Request we would need.
func withoutRedirects(ctx context.Context) context.Context {
	return context.WithValue(ctx, noRedirectKey{}, true)
}

// checkRedirect is the CheckRedirect of the client's own copy of the *http.Client: it keeps
// the 3xx answer of a request marked withoutRedirects, and otherwise applies the caller's
// policy, or net/http's default (at most 10 redirects) when there is none.
func checkRedirect(prev func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if keep, _ := req.Context().Value(noRedirectKey{}).(bool); keep {
			return http.ErrUseLastResponse
		}
		if prev != nil {
			return prev(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
}

// isRedirect reports the statuses net/http would follow.
func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}
