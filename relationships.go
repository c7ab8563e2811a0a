package keygen

// Relationship routes. Keygen changes a to-many relationship (a policy's entitlements, a
// license's users, a group's owners) with a list of linkages POSTed to attach or DELETEd to
// detach on the relationship's own path, and a to-one relationship (a member's group, a
// machine's owner) with a PUT of one linkage or null (keygen-sh/keygen-api, config/routes.rb;
// the attach and detach actions of app/controllers/api/v1/policies/relationships/
// entitlements_controller.rb, app/controllers/api/v1/licenses/relationships/
// {entitlements,users}_controller.rb and app/controllers/api/v1/groups/relationships/
// group_owners_controller.rb).

import (
	"context"
	"fmt"
	"strings"

	"github.com/licensekit/keygen/internal/jsonapi"
)

// maxLinkages is the most ids one attach or detach sends. Keygen's typed params refuse an
// empty list and more than 100 items with a 400 (length minimum 1, maximum 100 in the
// entitlements and users controllers above); the SDK holds every attach to that bound, the
// group owners route included, so a list that is too long fails the same way everywhere and
// before anything is sent.
const maxLinkages = 100

// linkages builds the {"data":[{"type":…,"id":…},…]} document of an attach or a detach.
func linkages(op, typ string, ids []string) (jsonapi.Body, error) {
	switch {
	case len(ids) == 0:
		return jsonapi.Body{}, argErr(op, "at least one id is required")
	case len(ids) > maxLinkages:
		return jsonapi.Body{}, argErr(op, fmt.Sprintf("at most %d ids per call, got %d", maxLinkages, len(ids)))
	}
	data := make([]jsonapi.Linkage, len(ids))
	for i, id := range ids {
		if strings.TrimSpace(id) == "" {
			return jsonapi.Body{}, argErr(op, fmt.Sprintf("id %d is empty", i))
		}
		data[i] = jsonapi.Linkage{Type: typ, ID: id}
	}
	return jsonapi.Body{Data: data}, nil
}

// attachIDs POSTs ids to the to-many relationship at format (whose one %s is the parent's
// id). Keygen answers 200 with the join records it created (policy-entitlements,
// license-users, group-owners…), all or none in one transaction except group owners (see
// GroupsService.AttachOwners); they hold nothing the caller did not send, so they are not
// decoded.
func attachIDs(ctx context.Context, c *Client, op, format, parentID, typ string, ids []string) error {
	return sendLinkages(ctx, c, "POST", op, format, parentID, typ, ids)
}

// detachIDs DELETEs ids from the to-many relationship at format (204). Keygen checks every
// id before it removes any: one that is not attached fails the whole call with a 422 (or a
// 403 when it comes through the parent: a license's policy entitlements, its owner) whose
// pointer is /data/<index>. A retried detach whose first attempt went through therefore
// answers 422 "not attached" although the ids are gone, as asked.
func detachIDs(ctx context.Context, c *Client, op, format, parentID, typ string, ids []string) error {
	return sendLinkages(ctx, c, "DELETE", op, format, parentID, typ, ids)
}

func sendLinkages(ctx context.Context, c *Client, method, op, format, parentID, typ string, ids []string) error {
	path, err := pathf(format, parentID)
	if err != nil {
		return err
	}
	body, err := linkages(op, typ, ids)
	if err != nil {
		return err
	}
	return sendNoContent(ctx, c, &request{method: method, path: path, body: body})
}

// changeToOne PUTs the to-one relationship at format (whose one %s is id) to relatedID of
// type typ, or to null when relatedID is "", and decodes the resource Keygen answers with:
// the member itself, not the related resource (the FIXME in
// app/controllers/api/v1/licenses/relationships/groups_controller.rb says so).
func changeToOne[T any, PT resourcePtr[T]](ctx context.Context, c *Client, op, format, id, typ, relatedID string) (*T, error) {
	if relatedID != "" && strings.TrimSpace(relatedID) == "" {
		return nil, argErr(op, "the new id is blank (use \"\" to clear the relationship)")
	}
	path, err := pathf(format, id)
	if err != nil {
		return nil, err
	}
	body := jsonapi.LinkNone()
	if relatedID != "" {
		body = jsonapi.LinkTo(typ, relatedID)
	}
	return sendOne[T, PT](ctx, c, &request{method: "PUT", path: path, body: body})
}

// listRelated fetches one page of the resources related to id at format, paged like any list.
func listRelated[T any, PT resourcePtr[T]](ctx context.Context, c *Client, format, id string, opts *ListOptions) (*Page[T], error) {
	path, err := pathf(format, id)
	if err != nil {
		return nil, err
	}
	return listPage[T, PT](ctx, c, path, opts)
}
