package keygentest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// releaseChannelOf is the channel a version belongs to: stable without a prerelease, else
// the prerelease's leading channel key.
func releaseChannelOf(version string) string {
	sv, _ := parseSemver(version)
	for _, ch := range []string{"rc", "beta", "alpha", "dev"} {
		if len(sv.Pre) >= len(ch) && sv.Pre[:len(ch)] == ch {
			return ch
		}
	}
	return "stable"
}

// release creates a release of a product as the admin and returns its id.
func (w *world) release(prod, version, status string, attrs map[string]any) string {
	w.t.Helper()
	a := map[string]any{"version": version, "channel": releaseChannelOf(version), "status": status}
	for k, v := range attrs {
		a[k] = v
	}
	return w.mustCreate("/releases", "releases", a, map[string]any{"product": link("products", prod)})
}

func releaseBody(prod string, attrs map[string]any) map[string]any {
	return doc("releases", attrs, map[string]any{"product": link("products", prod)})
}

// TestReleasesCreate pins features/api/v1/releases/create.feature.
func TestReleasesCreate(t *testing.T) {
	t.Parallel()
	const f = "releases/create.feature: "
	post := func(attrs map[string]any) func(w *world) req {
		return func(w *world) req {
			return req{method: "POST", path: "/releases", body: releaseBody(w.prod, attrs)}
		}
	}
	runEach(t, newProductWorld, []apiCase{
		{name: f + "Admin creates a release for their account", setup: post(map[string]any{"name": "v1", "version": "1.0.0-beta.2+build.5", "channel": "beta"}), status: 201,
			attrs: map[string]any{"status": "DRAFT", "channel": "beta", "version": "1.0.0-beta.2+build.5", "name": "v1", "tag": nil, "yanked": nil, "backdated": nil,
				"semver": map[string]any{"major": 1.0, "minor": 0.0, "patch": 0.0, "prerelease": "beta.2", "build": "build.5"}},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Equal(t, w.srv.URL+"/v1/accounts/"+w.srv.AccountID+"/releases/"+r.id(), r.header.Get("Location"))
				assert.Equal(t, map[string]any{"type": "products", "id": w.prod}, relData(r, "product"))
				assert.Contains(t, rel(r, "upgrade")["links"], "related")
			}},
		{name: f + "Admin creates a published release", setup: post(map[string]any{"version": "2.0.0", "channel": "stable", "status": "PUBLISHED"}), status: 201,
			attrs: map[string]any{"status": "PUBLISHED", "channel": "stable"}},
		{name: f + "Admin creates a duplicate release (by version)", setup: func(w *world) req {
			w.release(w.prod, "1.0.0", "PUBLISHED", nil)
			return post(map[string]any{"version": "1.0.0", "channel": "stable"})(w)
		}, status: 422, code: "VERSION_TAKEN", detail: "version already exists", source: map[string]any{"pointer": "/data/attributes/version"}},
		{name: f + "Admin creates a duplicate release (by tag)", setup: func(w *world) req {
			w.release(w.prod, "1.0.0", "PUBLISHED", map[string]any{"tag": "latest"})
			return post(map[string]any{"version": "1.1.0", "channel": "stable", "tag": "latest"})(w)
		}, status: 422, code: "TAG_TAKEN", detail: "tag already exists", source: map[string]any{"pointer": "/data/attributes/tag"}},
		{name: f + "Admin creates a release with an invalid version", setup: post(map[string]any{"version": "v1.0", "channel": "stable"}),
			status: 422, code: "VERSION_INVALID", detail: "must be a valid version"},
		{name: f + "Admin creates a release with a mismatched stable channel", setup: post(map[string]any{"version": "1.0.0-beta.1", "channel": "stable"}),
			status: 422, code: "VERSION_CHANNEL_INVALID", detail: "version does not match stable channel (expected x.y.z got 1.0.0-beta.1)"},
		{name: f + "Admin creates a release with a mismatched prerelease channel", setup: post(map[string]any{"version": "1.0.0", "channel": "beta"}),
			status: 422, code: "VERSION_CHANNEL_INVALID", detail: "version does not match prerelease channel (expected x.y.z-beta.n got 1.0.0)"},
		{name: f + "Admin creates a yanked release", setup: post(map[string]any{"version": "1.0.0", "channel": "stable", "status": "YANKED"}),
			status: 400, detail: "is invalid", source: map[string]any{"pointer": "/data/attributes/status"}},
		{name: f + "Admin creates a release with an invalid channel", setup: post(map[string]any{"version": "1.0.0", "channel": "nightly"}),
			status: 400, detail: "is invalid", source: map[string]any{"pointer": "/data/attributes/channel"}},
		{name: f + "Admin creates a release backdated to the future", setup: post(map[string]any{"version": "1.0.0", "channel": "stable", "backdated": time.Now().Add(48 * time.Hour).Format(time.RFC3339)}),
			status: 422, code: "BACKDATED_INVALID", detail: "must be in the past"},
		{name: f + "Admin creates a release for a package of another product", setup: func(w *world) req {
			other := w.mustCreate("/products", "products", map[string]any{"name": "Other"}, nil)
			pkg := w.mustCreate("/packages", "packages", map[string]any{"name": "Other", "key": "other"}, map[string]any{"product": link("products", other)})
			body := releaseBody(w.prod, map[string]any{"version": "1.0.0", "channel": "stable"})
			body["data"].(map[string]any)["relationships"].(map[string]any)["package"] = link("packages", pkg)
			return req{method: "POST", path: "/releases", body: body}
		}, status: 422, code: "PACKAGE_NOT_ALLOWED", detail: "package product must match release product", source: map[string]any{"pointer": "/data/relationships/package"}},
		{name: f + "Admin creates a release with a non-existent entitlement constraint", setup: func(w *world) req {
			body := releaseBody(w.prod, map[string]any{"version": "1.0.0", "channel": "stable"})
			body["data"].(map[string]any)["relationships"].(map[string]any)["constraints"] = map[string]any{"data": []any{
				map[string]any{"type": "constraints", "relationships": map[string]any{"entitlement": link("entitlements", "0b7e1bd4-4a4d-4d3c-8d43-1c5b1b0d0a11")}},
			}}
			return req{method: "POST", path: "/releases", body: body}
		}, status: 422, code: "CONSTRAINTS_ENTITLEMENT_NOT_FOUND", source: map[string]any{"pointer": "/data/relationships/constraints/data/0/relationships/entitlement"}},
		{name: f + "License creates a release", setup: func(w *world) req {
			pol := w.policy(w.prod, nil)
			lic := w.licenseOwnedBy(pol, "")
			return writeAs("POST", "/releases", w.bearerTokenOf("licenses", lic), releaseBody(w.prod, map[string]any{"version": "1.0.0", "channel": "stable"}))
		}, status: 403},
		{name: f + "Product creates a release for another product", setup: func(w *world) req {
			other := w.mustCreate("/products", "products", map[string]any{"name": "Other"}, nil)
			return writeAs("POST", "/releases", w.bearerTokenOf("products", other), releaseBody(w.prod, map[string]any{"version": "1.0.0", "channel": "stable"}))
		}, status: 403},
		{name: f + "Product creates a release", setup: func(w *world) req {
			return writeAs("POST", "/releases", w.bearerTokenOf("products", w.prod), releaseBody(w.prod, map[string]any{"version": "1.0.0", "channel": "stable"}))
		}, status: 201},
	})
}

// hookEndpoint subscribes a local receiver to every event, so operations record events.
func (w *world) hookEndpoint() {
	rc := newReceiver(w.t)
	w.srv.mu.Lock()
	w.srv.cfg.insecureHooks = true
	w.srv.mu.Unlock()
	w.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": rc.url("/")}, nil)
}

// bearerTokenOf mints a token for a product or license and returns its secret.
func (w *world) bearerTokenOf(kind, id string) string {
	_, secret := w.tokenFor(kind, id, nil)
	return secret
}

// TestReleasesAccess pins features/api/v1/releases/show.feature: who may read which release.
func TestReleasesAccess(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t)
	const f = "releases/show.feature: "
	pub := w.release(w.prod, "1.0.0", "PUBLISHED", nil)
	draft := w.release(w.prod, "1.1.0", "DRAFT", nil)
	other := w.release(w.prod2, "1.0.0", "PUBLISHED", nil)
	open := w.mustCreate("/products", "products", map[string]any{"name": "Open", "distributionStrategy": "OPEN"}, nil)
	openRel := w.release(open, "3.0.0", "PUBLISHED", nil)
	closed := w.mustCreate("/products", "products", map[string]any{"name": "Closed", "distributionStrategy": "CLOSED"}, nil)
	closedPol := w.policy(closed, nil)
	closedLic := w.licenseOwnedBy(closedPol, "")
	closedRel := w.release(closed, "1.0.0", "PUBLISHED", nil)
	w.run(t, []apiCase{
		{name: f + "Admin retrieves a release for their account", r: getAs("/releases/"+pub, ""), check: dataID(pub)},
		{name: f + "Admin retrieves a release by version", r: getAs("/releases/1.1.0", ""), check: dataID(draft)},
		{name: f + "Anonymous retrieves a LICENSED release", r: getAs("/releases/"+pub, "-"), status: 404, code: "NOT_FOUND", detail: "The requested release '" + pub + "' was not found"},
		{name: f + "Anonymous retrieves an OPEN release", r: getAs("/releases/"+openRel, "-"), check: dataID(openRel)},
		{name: f + "License retrieves a release of their product", r: getAs("/releases/"+pub, bearer(w.licTok)), check: dataID(pub)},
		{name: f + "License retrieves a draft release", r: getAs("/releases/"+draft, bearer(w.licTok)), status: 404},
		{name: f + "License retrieves a release of another product", r: getAs("/releases/"+other, bearer(w.licTok)), status: 404},
		{name: f + "License retrieves a CLOSED release", r: getAs("/releases/"+closedRel, bearer(w.bearerTokenOf("licenses", closedLic))), status: 404},
		{name: f + "User retrieves a release through their license", r: getAs("/releases/"+pub, bearer(w.userTok)), check: dataID(pub)},
		{name: f + "User retrieves a release without a license", r: getAs("/releases/"+pub, bearer(w.user2Tok)), status: 404},
		{name: f + "Product retrieves its draft release", r: getAs("/releases/"+draft, bearer(w.prodTok)), check: dataID(draft)},
		{name: f + "Product retrieves a release of another product", r: getAs("/releases/"+other, bearer(w.prodTok)), status: 404},
		{name: "releases/index.feature: License retrieves their releases", r: getAs("/releases", bearer(w.licTok)), check: listIDs(openRel, pub)},
		{name: "releases/index.feature: Anonymous retrieves releases", r: getAs("/releases", "-"), check: listIDs(openRel)},
		{name: "releases/update.feature: License updates a release", r: writeAs("PATCH", "/releases/"+pub, w.licTok, doc("releases", map[string]any{"name": "x"}, nil)), status: 403},
		{name: "releases/update.feature: Admin attempts to change the version of a release", r: req{method: "PATCH", path: "/releases/" + pub, body: doc("releases", map[string]any{"version": "9.0.0"}, nil)},
			status: 400, detail: "unpermitted parameter", source: map[string]any{"pointer": "/data/attributes/version"}},
		{name: "releases/destroy.feature: License deletes a release", r: req{method: "DELETE", path: "/releases/" + pub, auth: bearer(w.licTok)}, status: 403},
	})
}

// TestReleasesExpiredLicense pins the expiration strategies of show.feature: RESTRICT and
// MAINTAIN reach releases created or backdated before the expiry, REVOKE nothing once
// expired, ALLOW everything.
func TestReleasesExpiredLicense(t *testing.T) {
	t.Parallel()
	const f = "releases/show.feature: "
	expiredLicense := func(w *world, strategy string) string {
		pol := w.policy(w.prod, map[string]any{"expirationStrategy": strategy})
		lic := w.licenseOwnedBy(pol, "")
		past := w.srv.Now().Add(-7 * 24 * time.Hour)
		w.mutLicense(lic, func(l *license) { l.Expiry = &past })
		return bearer(w.bearerTokenOf("licenses", lic))
	}
	show := func(strategy string, backdated bool) func(w *world) req {
		return func(w *world) req {
			var attrs map[string]any
			if backdated {
				attrs = map[string]any{"backdated": w.srv.Now().Add(-90 * 24 * time.Hour).Format(time.RFC3339)}
			}
			id := w.release(w.prod, "1.0.0", "PUBLISHED", attrs)
			return getAs("/releases/"+id, expiredLicense(w, strategy))
		}
	}
	runEach(t, newProductWorld, []apiCase{
		{name: f + "License retrieves an LICENSED release with an expiry outside window", setup: show("RESTRICT_ACCESS", false), status: 404},
		{name: f + "License retrieves an LICENSED release with an expired license for it", setup: show("RESTRICT_ACCESS", true),
			check: func(t *testing.T, w *world, r *reply) { assert.NotNil(t, r.attrs()["backdated"]) }},
		{name: f + "License retrieves a release backdated before expiry (MAINTAIN_ACCESS)", setup: show("MAINTAIN_ACCESS", true)},
		{name: f + "License retrieves a backdated release (REVOKE_ACCESS)", setup: show("REVOKE_ACCESS", true), status: 404},
		{name: f + "License retrieves a release after expiry (ALLOW_ACCESS)", setup: show("ALLOW_ACCESS", false)},
		{name: f + "License retrieves a LICENSED release with a suspended license", setup: func(w *world) req {
			id := w.release(w.prod, "1.0.0", "PUBLISHED", nil)
			lic := w.licenseOwnedBy(w.policy(w.prod, nil), "")
			w.mutLicense(lic, func(l *license) { l.Suspended = true })
			return getAs("/releases/"+id, bearer(w.bearerTokenOf("licenses", lic)))
		}, status: 403, detail: noPerm + " (license is suspended)"},
		{name: f + "User retrieves a LICENSED release with multiple licenses for it (all invalid)", setup: func(w *world) req {
			id := w.release(w.prod, "1.0.0", "PUBLISHED", nil)
			user, auth := w.userToken("multi@example.com")
			pol := w.policy(w.prod, nil)
			for i, ago := range []time.Duration{365 * 24 * time.Hour, 3 * 24 * time.Hour, 0} {
				lic := w.licenseOwnedBy(pol, user)
				w.mutLicense(lic, func(l *license) {
					l.Created = l.Created.Add(time.Duration(i) * time.Second)
					if ago == 0 {
						l.Suspended = true
						return
					}
					exp := w.srv.Now().Add(-ago)
					l.Expiry = &exp
				})
			}
			return getAs("/releases/"+id, auth)
		}, status: 403, detail: noPerm + " (license expiry falls outside of access window)"},
		{name: f + "User retrieves a LICENSED release with multiple licenses for it (mixed validity)", setup: func(w *world) req {
			id := w.release(w.prod, "1.0.0", "PUBLISHED", nil)
			user, auth := w.userToken("multi@example.com")
			pol := w.policy(w.prod, nil)
			w.mutLicense(w.licenseOwnedBy(pol, user), func(l *license) { l.Suspended = true })
			w.licenseOwnedBy(pol, user)
			return getAs("/releases/"+id, auth)
		}},
		{name: "releases/index.feature: License with a suspended license lists releases", setup: func(w *world) req {
			w.release(w.prod, "1.0.0", "PUBLISHED", nil)
			lic := w.licenseOwnedBy(w.policy(w.prod, nil), "")
			w.mutLicense(lic, func(l *license) { l.Suspended = true })
			return getAs("/releases", bearer(w.bearerTokenOf("licenses", lic)))
		}, status: 403, detail: noPerm + " (license is suspended)"},
	})
}

// TestReleasesIndexChannels pins index.feature's channel filters: rc, beta and alpha widen
// to the more stable channels, dev is only itself.
func TestReleasesIndexChannels(t *testing.T) {
	t.Parallel()
	w := newProductWorld(t)
	ids := map[string]string{}
	for _, v := range []string{"1.0.0", "1.1.0-rc.1", "1.1.0-beta.1", "1.1.0-alpha.1", "1.1.0-dev.1"} {
		ids[v] = w.release(w.prod, v, "PUBLISHED", nil)
	}
	draft := w.release(w.prod, "0.9.0", "DRAFT", nil)
	const f = "releases/index.feature: "
	w.run(t, []apiCase{
		{name: f + "Admin retrieves all stable releases for their account", r: getAs("/releases?channel=stable", ""), check: listIDs(draft, ids["1.0.0"])},
		{name: f + "Admin retrieves all rc releases for their account", r: getAs("/releases?channel=rc", ""), check: listIDs(draft, ids["1.1.0-rc.1"], ids["1.0.0"])},
		{name: f + "Admin retrieves all beta releases for their account", r: getAs("/releases?channel=beta", ""), check: listIDs(draft, ids["1.1.0-beta.1"], ids["1.1.0-rc.1"], ids["1.0.0"])},
		{name: f + "Admin retrieves all alpha releases for their account", r: getAs("/releases?channel=alpha", ""), check: listLen(5)},
		{name: f + "Admin retrieves all dev releases for their account", r: getAs("/releases?channel=dev", ""), check: listIDs(ids["1.1.0-dev.1"])},
		{name: f + "Admin retrieves draft releases", r: getAs("/releases?status=draft", ""), check: listIDs(draft)},
		{name: f + "Admin retrieves unyanked releases (blank)", r: getAs("/releases?yanked=&channel=stable", ""), check: listIDs(draft, ids["1.0.0"])},
		{name: f + "Admin retrieves yanked releases", r: getAs("/releases?yanked=true", ""), check: listLen(0)},
		{name: f + "Admin retrieves releases without an engine", r: getAs("/releases?engine=&channel=stable", ""), check: listIDs(draft, ids["1.0.0"])},
		{name: f + "Admin retrieves releases of the pypi engine", r: getAs("/releases?engine=pypi", ""), check: listLen(0)},
		{name: "channels/index.feature: Admin retrieves the channels for a product", r: getAs("/channels", ""), check: func(t *testing.T, _ *world, r *reply) {
			var keys []string
			for _, x := range r.list() {
				m := x.(map[string]any)
				assert.Equal(t, "channels", m["type"])
				keys = append(keys, m["attributes"].(map[string]any)["key"].(string))
			}
			assert.ElementsMatch(t, []string{"stable", "rc", "beta", "alpha", "dev"}, keys)
		}},
	})
}

// TestReleasesUpgrade pins features/api/v1/releases/relationships/upgrade.feature.
func TestReleasesUpgrade(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t)
	ids := map[string]string{}
	for _, v := range []string{"1.0.0-alpha.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0", "2.1.0-beta.1"} {
		ids[v] = w.release(w.prod, v, "PUBLISHED", nil)
	}
	ids["3.0.0"] = w.release(w.prod, "3.0.0", "DRAFT", nil)
	ids["other"] = w.release(w.prod2, "9.0.0", "PUBLISHED", nil)
	const f = "releases/relationships/upgrade.feature: "
	next := func(cur, nxt string) func(t *testing.T, w *world, r *reply) {
		return func(t *testing.T, w *world, r *reply) {
			assert.Equal(t, ids[nxt], r.id())
			assert.Equal(t, map[string]any{"current": cur, "next": nxt}, r.doc["meta"])
		}
	}
	w.run(t, []apiCase{
		{name: f + "Admin retrieves an upgrade by version", r: getAs("/releases/1.0.0-alpha.1/upgrade", ""), check: next("1.0.0-alpha.1", "2.1.0-beta.1")},
		{name: f + "Admin retrieves a stable upgrade", r: getAs("/releases/1.0.0/upgrade", ""), check: next("1.0.0", "2.0.0")},
		{name: f + "Admin retrieves an upgrade with a constraint", r: getAs("/releases/1.0.0/upgrade?constraint=1.0", ""), check: next("1.0.0", "1.1.0")},
		{name: f + "Admin retrieves an upgrade with a patch constraint", r: getAs("/releases/1.0.0/upgrade?constraint=1.0.0", ""), check: next("1.0.0", "1.0.1")},
		{name: f + "Admin retrieves a beta upgrade", r: getAs("/releases/"+ids["2.0.0"]+"/upgrade?channel=beta", ""), check: next("2.0.0", "2.1.0-beta.1")},
		{name: f + "Admin retrieves an upgrade for the latest release", r: getAs("/releases/2.0.0/upgrade", ""), status: 404, code: "NOT_FOUND", detail: "The requested release was not found"},
		{name: f + "Admin retrieves an upgrade with an invalid constraint", r: getAs("/releases/1.0.0/upgrade?constraint=latest", ""), status: 400,
			code: "CONSTRAINT_INVALID", detail: "invalid constraint format", source: map[string]any{"parameter": "constraint"}},
		{name: f + "License retrieves an upgrade", r: getAs("/releases/1.1.0/upgrade", bearer(w.licTok)), check: next("1.1.0", "2.0.0")},
		{name: f + "License retrieves an upgrade of another product's release", r: getAs("/releases/"+ids["other"]+"/upgrade", bearer(w.licTok)), status: 404},
		{name: f + "Anonymous retrieves an upgrade of a LICENSED release", r: getAs("/releases/1.0.0/upgrade", "-"), status: 404},
		{name: f + "Admin retrieves an upgrade through the legacy route", r: getAs("/releases/actions/upgrade?product="+w.prod+"&version=1.0.0", ""), status: 404,
			detail: "The requested release 'actions' was not found"},
	})
}

// TestReleasesPublishYank pins features/api/v1/releases/actions/publishings.feature and the
// events of releases.
func TestReleasesPublishYank(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t)
	w.hookEndpoint()
	id := w.release(w.prod, "1.0.0", "DRAFT", nil)
	r := w.do(req{method: "POST", path: "/releases/" + id + "/actions/publish", auth: bearer(w.licTok)})
	assert.Equal(t, 404, r.status, "a draft is not readable by the license")
	r = w.do(req{method: "POST", path: "/releases/" + id + "/actions/publish"})
	require.Equal(t, 200, r.status, string(r.body))
	assert.Equal(t, "PUBLISHED", r.attrs()["status"])
	r = w.do(req{method: "POST", path: "/releases/" + id + "/actions/yank", auth: bearer(w.licTok)})
	assert.Equal(t, 403, r.status, "a license may read but not yank")
	r = w.do(req{method: "POST", path: "/releases/" + id + "/actions/yank"})
	require.Equal(t, 200, r.status, string(r.body))
	assert.Equal(t, "YANKED", r.attrs()["status"])
	assertTimeNear(t, r, "yanked", w.srv.Now())
	assert.Equal(t, 404, w.do(getAs("/releases/"+id, bearer(w.licTok))).status, "yanked releases are hidden")
	for _, ev := range []string{"release.created", "release.published", "release.yanked"} {
		w.onlyEvent(ev)
	}
	r = w.do(req{method: "DELETE", path: "/releases/" + id})
	assert.Equal(t, 204, r.status)
	assert.Equal(t, 404, w.get("/releases/"+id).status)
	w.onlyEvent("release.deleted")
}

// TestValidationReleaseScopes pins validate-key.feature's checksum and version scopes against
// the license's accessible published releases (app/services/license_validation_service.rb).
func TestValidationReleaseScopes(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t)
	rel := w.release(w.prod, "1.2.0", "PUBLISHED", nil)
	w.release(w.prod, "1.3.0", "DRAFT", nil)
	w.release(w.prod2, "2.0.0", "PUBLISHED", nil)
	art := w.artifact(rel, "app.zip", []byte("bytes"), map[string]any{"checksum": "abc123"})
	require.NotEmpty(t, art)
	for _, c := range []struct {
		name  string
		scope map[string]any
		code  string
	}{
		{"version of an accessible published release", map[string]any{"version": "1.2.0"}, "VALID"},
		{"version of a draft release", map[string]any{"version": "1.3.0"}, "VERSION_SCOPE_MISMATCH"},
		{"version of another product's release", map[string]any{"version": "2.0.0"}, "VERSION_SCOPE_MISMATCH"},
		{"checksum of an uploaded artifact", map[string]any{"checksum": "abc123"}, "VALID"},
		{"unknown checksum", map[string]any{"checksum": "nope"}, "CHECKSUM_SCOPE_MISMATCH"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := w.validate(w.lic, map[string]any{"scope": c.scope})
			assert.Equal(t, c.code, m["code"])
		})
	}
	assert.Equal(t, "1.2.0", w.get("/licenses/" + w.lic).attrs()["version"], "a matching scope records the version")
}

// TestReleaseConstraints pins releases/relationships/constraints.feature and create.feature's
// constraint errors. No entitlement exists on this branch, so only the refusals are reachable.
func TestReleaseConstraints(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t)
	rel := w.release(w.prod, "1.0.0", "PUBLISHED", nil)
	const ent = "0b7e1bd4-4a4d-4d3c-8d43-1c5b1b0d0a11"
	con := func(id string) map[string]any {
		return map[string]any{"type": "constraint", "relationships": map[string]any{"entitlement": link("entitlement", id)}}
	}
	const f = "releases/relationships/constraints.feature: "
	w.run(t, []apiCase{
		{name: f + "Admin retrieves the constraints for a release", r: getAs("/releases/"+rel+"/constraints", ""), check: listLen(0)},
		{name: f + "License attempts to retrieve the constraints for a release of their product", r: getAs("/releases/"+rel+"/constraints", bearer(w.licTok)), check: listLen(0)},
		{name: f + "User attempts to retrieve the constraints for a release they don't have a license for", r: getAs("/releases/"+rel+"/constraints", bearer(w.user2Tok)), status: 404},
		{name: f + "Admin retrieves an unknown constraint", r: getAs("/releases/"+rel+"/constraints/"+ent, ""), status: 404},
		{name: f + "Admin attempts to attach constraints to a release with an invalid entitlement ID", r: req{method: "POST", path: "/releases/" + rel + "/constraints", body: map[string]any{"data": []any{con(ent)}}},
			status: 422, code: "ENTITLEMENT_NOT_FOUND", detail: "must exist", source: map[string]any{"pointer": "/data/relationships/entitlement"}},
		{name: f + "Admin attempts to attach constraints to a release with an invalid parameter", r: req{method: "POST", path: "/releases/" + rel + "/constraints",
			body: map[string]any{"data": []any{con(ent), map[string]any{"type": "constraint", "relationships": map[string]any{"entitlement": map[string]any{"data": map[string]any{"type": "entitlement", "id": ent, "bad": 1}}}}}}},
			status: 400, detail: "unpermitted parameter", source: map[string]any{"pointer": "/data/1/relationships/entitlement/data/bad"}},
		{name: f + "Admin detaches a constraint that is not attached", r: req{method: "DELETE", path: "/releases/" + rel + "/constraints", body: map[string]any{"data": []any{map[string]any{"type": "constraint", "id": ent}}}},
			status: 422, detail: "cannot detach constraint '" + ent + "' (constraint is not attached)", source: map[string]any{"pointer": "/data/0"}},
		{name: f + "License attaches constraints to a release", r: writeAs("POST", "/releases/"+rel+"/constraints", w.licTok, map[string]any{"data": []any{con(ent)}}), status: 403},
		{name: "releases/create.feature: Admin creates a release with duplicate constraints", r: req{method: "POST", path: "/releases", body: func() map[string]any {
			b := releaseBody(w.prod, map[string]any{"version": "2.0.0", "channel": "stable"})
			b["data"].(map[string]any)["relationships"].(map[string]any)["constraints"] = map[string]any{"data": []any{con(ent), con(ent)}}
			return b
		}()}, status: 422, code: "CONSTRAINTS_ENTITLEMENT_CONFLICT", detail: "is duplicated",
			source: map[string]any{"pointer": "/data/relationships/constraints/data/0/relationships/entitlement"},
			check: func(t *testing.T, _ *world, r *reply) {
				assert.Equal(t, "CONSTRAINTS_ENTITLEMENT_CONFLICT", r.err(1)["code"])
				assert.Equal(t, map[string]any{"pointer": "/data/relationships/constraints/data/1/relationships/entitlement"}, r.err(1)["source"])
			}},
	})
}
