package keygen

import (
	"context"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
	"github.com/licensekit/keygen/internal/query"
)

// Token is an API token (keygen-sh/keygen-api, app/models/token.rb). Secret is only filled
// by Generate and Regenerate: Keygen stores a hash and never shows the secret again.
type Token struct {
	ID string `json:"-"`
	// Kind is admin-token, environment-token, product-token, user-token, activation-token
	// (a license token), developer-token, sales-token, support-token or read-only-token.
	Kind   string     `json:"kind"`
	Secret string     `json:"token"`
	Name   *string    `json:"name"`
	Expiry *time.Time `json:"expiry"`
	// License tokens only.
	MaxActivations   *int      `json:"maxActivations"`
	Activations      int       `json:"activations"`
	MaxDeactivations *int      `json:"maxDeactivations"`
	Deactivations    int       `json:"deactivations"`
	Permissions      []string  `json:"permissions"`
	Created          time.Time `json:"created"`
	Updated          time.Time `json:"updated"`

	// BearerType is users, products, licenses or environments; BearerID its id.
	BearerType    string `json:"-"`
	BearerID      string `json:"-"`
	AccountID     string `json:"-"`
	EnvironmentID string `json:"-"`
}

func (*Token) resourceType() string { return "tokens" }

func (t *Token) bind(r *jsonapi.Head) error {
	t.ID = r.ID
	if b := r.Relationships.Bearer.One(); b != nil {
		t.BearerType, t.BearerID = b.Type, b.ID
	}
	t.AccountID = r.Relationships.Account.ID()
	t.EnvironmentID = r.Relationships.Environment.ID()
	return nil
}

// TokenGenerateOptions are the optional parts of a token generation. A nil
// *TokenGenerateOptions, like a zero one, sends no body: Keygen then makes a token for the
// authenticated caller with its defaults (user tokens expire after 14 days, others never).
type TokenGenerateOptions struct {
	// Name labels the token.
	Name string `jsonapi:"attr,name,omitempty"`
	// Expiry sets when the token expires: Set(t) for a time, Null[time.Time]() for never,
	// unset for Keygen's default.
	Expiry Nullable[time.Time] `jsonapi:"attr,expiry,omitempty"`
	// Permissions restricts the token (Keygen Enterprise), e.g. "license.validate".
	Permissions []string `jsonapi:"attr,permissions,omitempty"`
	// BearerType and BearerID make the token for another bearer instead of the caller, e.g.
	// an admin generating a token for a user: BearerType BearerTypeUser ("users"), or
	// BearerTypeProduct, BearerTypeLicense, BearerTypeEnvironment; singular spellings such
	// as "user" are accepted too. Both or neither must be set. Keygen decides who may create
	// tokens for whom (keygen-sh/keygen-api, app/policies/token_policy.rb: generate?): admins
	// may create user tokens this way, products tokens for their users and licenses.
	BearerType string
	BearerID   string
	// OTP is the current second-factor code, for users with 2FA enabled (meta.otp).
	OTP string
}

// TokenListOptions filter a token list (keygen-sh/keygen-api,
// app/controllers/api/v1/tokens_controller.rb).
type TokenListOptions struct {
	ListOptions
	// BearerType (bearer[type]) keeps tokens of one kind of bearer: users, products, licenses
	// or environments (singular spellings are accepted).
	BearerType string
	// BearerID (bearer[id]) keeps tokens of one bearer.
	BearerID string
	// BearerRole (bearer[role]) keeps tokens whose bearer has this role, e.g. "admin".
	BearerRole string
}

// TokensService manages API tokens.
type TokensService struct{ service }

// tokenBearerTypes maps the spellings Keygen accepts for a bearer type to its resource type.
var tokenBearerTypes = map[string]string{
	"user": "users", "users": "users",
	"product": "products", "products": "products",
	"license": "licenses", "licenses": "licenses",
	"environment": "environments", "environments": "environments",
}

func tokenBearerType(op, t string) (string, error) {
	if t == "" {
		return "", nil
	}
	if v, ok := tokenBearerTypes[strings.ToLower(strings.TrimSpace(t))]; ok {
		return v, nil
	}
	return "", argErr(op, "BearerType must be users, products, licenses or environments, got "+strconv.Quote(t))
}

// Generate creates a token: POST /v1/accounts/{account}/tokens.
//
// With an email and password it logs in with HTTP Basic authentication, whatever credentials
// the client holds, and returns a token for that user (admin or customer). With both empty it
// authenticates with the client's own token and returns a new token for the same bearer (or,
// with opts.BearerType/BearerID, for that bearer). Giving only one of email and password is
// a local error. The returned Token carries the Secret; it is shown only this once.
//
// The password is never put in an error or a log line; Keygen's answer to wrong credentials is
// a *Error with status 401 and code PASSWORD_INVALID (CREDENTIALS_INVALID before API 1.8).
func (s *TokensService) Generate(ctx context.Context, email, password string, opts *TokenGenerateOptions) (*Token, error) {
	const op = "Tokens.Generate"
	if (email == "") != (password == "") {
		return nil, argErr(op, "email and password must both be given, or neither")
	}
	if strings.Contains(email, ":") {
		// Basic credentials are "email:password"; a colon in the email would move the split.
		return nil, argErr(op, "email must not contain ':'")
	}
	r := &request{method: "POST", path: "/tokens", basicUser: email, basicPass: password}
	if opts != nil {
		if (opts.BearerType == "") != (opts.BearerID == "") {
			return nil, argErr(op, "BearerType and BearerID must both be set, or neither")
		}
		bearerType, err := tokenBearerType(op, opts.BearerType)
		if err != nil {
			return nil, err
		}
		attrs, err := jsonapi.Attributes(opts)
		if err != nil {
			return nil, err
		}
		var rels map[string]any
		if bearerType != "" {
			rels = map[string]any{"bearer": jsonapi.LinkTo(bearerType, opts.BearerID)}
		}
		var body jsonapi.Body
		if len(attrs) > 0 || rels != nil {
			body.Data = jsonapi.Object{Type: "tokens", Attributes: attrs, Relationships: rels}
		}
		if opts.OTP != "" {
			body.Meta = map[string]any{"otp": opts.OTP}
		}
		if body.Data != nil || body.Meta != nil {
			r.body = body
		}
	}
	return sendOne[Token](ctx, s.c, r)
}

// Get fetches a token by id (not by its secret): GET /v1/accounts/{account}/tokens/{id}.
// The Secret is empty: Keygen never shows it again after generation.
func (s *TokensService) Get(ctx context.Context, id string) (*Token, error) {
	return getByID[Token](ctx, s.c, "/tokens/%s", id)
}

// Regenerate replaces a token's secret: PUT /v1/accounts/{account}/tokens/{id}. The returned
// Token carries the new Secret; the old one stops working. A token that had an expiry gets a
// new one 14 days from now; a token without expiry keeps none.
func (s *TokensService) Regenerate(ctx context.Context, id string) (*Token, error) {
	path, err := pathf("/tokens/%s", id)
	if err != nil {
		return nil, err
	}
	return sendOne[Token](ctx, s.c, &request{method: "PUT", path: path})
}

// Revoke deletes a token: DELETE /v1/accounts/{account}/tokens/{id}.
func (s *TokensService) Revoke(ctx context.Context, id string) error {
	return deleteByID(ctx, s.c, "/tokens/%s", id)
}

// encode writes the paging parameters and the filters (nil options write nothing).
func (o *TokenListOptions) encode(q *query.Values) error {
	if o == nil {
		return nil
	}
	if err := o.ListOptions.encode(q); err != nil {
		return err
	}
	bearerType, err := tokenBearerType("Tokens.List", o.BearerType)
	if err != nil {
		return err
	}
	q.String("bearer[type]", bearerType)
	q.String("bearer[id]", o.BearerID)
	q.String("bearer[role]", o.BearerRole)
	return nil
}

// List lists the tokens the caller may see, newest first: GET /v1/accounts/{account}/tokens.
func (s *TokensService) List(ctx context.Context, opts *TokenListOptions) (*Page[Token], error) {
	return listPage[Token](ctx, s.c, "/tokens", opts)
}

// All iterates over every token the caller may see: GET /v1/accounts/{account}/tokens, page
// after page (see ListOptions for how). It stops at the first error (yielded once), when ctx
// is done, or when the loop breaks.
func (s *TokensService) All(ctx context.Context, opts *TokenListOptions) iter.Seq2[*Token, error] {
	return allOf(ctx, opts, s.List)
}

// bearerToken creates a token for a product, license or user through the bearer's tokens
// relationship: POST /v1/accounts/{account}/{bearers}/{id}/tokens (keygen-sh/keygen-api,
// app/controllers/api/v1/{products,licenses,users}/relationships/tokens_controller.rb).
// Keygen answers 200, not 201, with the new token and its secret. attrs nil sends no body.
func (s *service) bearerToken(ctx context.Context, format, id string, attrs map[string]any) (*Token, error) {
	path, err := pathf(format, id)
	if err != nil {
		return nil, err
	}
	r := &request{method: "POST", path: path}
	if len(attrs) > 0 {
		r.body = jsonapi.Body{Data: jsonapi.Object{Type: "tokens", Attributes: attrs}}
	}
	return sendOne[Token](ctx, s.c, r)
}
