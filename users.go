package keygen

import (
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
)

// User is a user of the account: a customer (role "user") or a team member (keygen-api.md §2.4).
type User struct {
	ID        string  `jsonapi:"primary,users"`
	FullName  *string `jsonapi:"attr,fullName"`
	FirstName *string `jsonapi:"attr,firstName"`
	LastName  *string `jsonapi:"attr,lastName"`
	Email     string  `jsonapi:"attr,email"`
	// Status is ACTIVE, INACTIVE or BANNED.
	Status string `jsonapi:"attr,status"`
	// Role is user, admin, developer, sales-agent, support-agent or read-only.
	Role        string         `jsonapi:"attr,role"`
	Permissions []string       `jsonapi:"attr,permissions"`
	Metadata    map[string]any `jsonapi:"attr,metadata"`
	Created     time.Time      `jsonapi:"attr,created,iso8601"`
	Updated     time.Time      `jsonapi:"attr,updated,iso8601"`

	GroupID       string
	AccountID     string
	EnvironmentID string
}

func (u *User) fromResource(r *jsonapi.Resource) error {
	if err := jsonapi.Unmarshal(r, u); err != nil {
		return err
	}
	u.GroupID = r.RelID("group")
	u.AccountID = r.RelID("account")
	u.EnvironmentID = r.RelID("environment")
	return nil
}

// UsersService manages users.
type UsersService struct{ service }
