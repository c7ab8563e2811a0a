package keygentest

import keygen "github.com/licensekit/keygen"

// Client returns an SDK client authenticated as the account's admin, pointed at this server.
//
// keygen.NewClient fails only on invalid options; the ones set here are always valid, so
// an error can only come from opts, and Client panics with that error's message rather
// than hand back a nil client that would fail later and further from the cause.
func (s *Server) Client(opts ...keygen.Option) *keygen.Client {
	base := []keygen.Option{keygen.WithBaseURL(s.URL), keygen.WithToken(s.AdminToken)}
	c, err := keygen.NewClient(s.AccountID, append(base, opts...)...)
	if err != nil {
		panic("keygentest: Server.Client: invalid option: " + err.Error())
	}
	return c
}
