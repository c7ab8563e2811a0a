package keygen

// Credentials never reach a log line or an error string: every path, query and error detail
// the SDK prints goes through redact first.

import (
	"net/url"
	"strings"
)

// licenseAliases returns the license keys used in place of an id in path
// (GET /licenses/{key}): any segment after "licenses" that is not a UUID nor "actions".
func licenseAliases(path string) []string {
	var out []string
	segs := strings.Split(path, "/")
	for i := 1; i < len(segs); i++ {
		if segs[i-1] == "licenses" && segs[i] != "" && segs[i] != "actions" && !isUUID(segs[i]) {
			out = append(out, segs[i])
		}
	}
	return out
}

// redact hides credentials in text bound for logs and error strings: the client's own token
// and license key, any license key used as an id alias in s itself, and the extra secrets,
// each in every spelling a path or a detail may hold: as given, escaped and unescaped.
func (c *Client) redact(s string, extra ...string) string {
	secrets := append(licenseAliases(s), extra...)
	secrets = append(secrets, c.cfg.token, c.cfg.licenseKey)
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		s = strings.ReplaceAll(s, secret, "[REDACTED]")
		if esc := url.PathEscape(secret); esc != secret {
			s = strings.ReplaceAll(s, esc, "[REDACTED]")
		}
		if unesc, err := url.PathUnescape(secret); err == nil && unesc != secret {
			s = strings.ReplaceAll(s, unesc, "[REDACTED]")
		}
	}
	return s
}

// isUUID reports the 8-4-4-4-12 hex form Keygen uses for ids.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

// scrubURLError rewrites the URL that net/http puts in its transport errors (Get
// "https://…?key=…": dial tcp …): the query may hold filters with a license key or
// personal data, so only scheme, host and the redacted path remain.
func (c *Client) scrubURLError(err error, r *request) error {
	ue, ok := err.(*url.Error)
	if !ok {
		return err
	}
	return &url.Error{Op: ue.Op, URL: c.redact(c.cfg.base + "/v1/accounts/" + url.PathEscape(c.cfg.account) + r.path), Err: ue.Err}
}
