package jsonapi

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type model struct {
	Name      *string        `json:"name"`
	Key       string         `json:"key"`
	Uses      int            `json:"uses"`
	Protected bool           `json:"protected"`
	Platforms []string       `json:"platforms"`
	Metadata  map[string]any `json:"metadata"`
	Expiry    *time.Time     `json:"expiry"`
	Created   time.Time      `json:"created"`
}

const license = `{"data":{"id":"8c1f","type":"licenses",
  "attributes":{"name":null,"key":"A1B2-V3","uses":3,"protected":true,"platforms":["macOS"],"metadata":{"tier":"gold","nested":{"seats":5}},
    "expiry":null,"created":"2024-05-01T10:00:00.000Z","someFutureAttribute":{"x":[1,2]}},
  "relationships":{
    "account":{"links":{"related":"/v1/accounts/0f9e"},"data":{"type":"accounts","id":"0f9e"}},
    "policy":{"links":{"related":"/v1/accounts/0f9e/licenses/8c1f/policy"},"data":{"type":"policies","id":"77aa"}},
    "owner":{"links":{"related":"/v1/accounts/0f9e/licenses/8c1f/owner"},"data":null},
    "machines":{"links":{"related":"/v1/accounts/0f9e/licenses/8c1f/machines"},"meta":{"cores":0,"count":2}},
    "entitlements":{"data":[{"type":"entitlements","id":"e1"},{"type":"entitlements","id":"e2"}]},
    "bearer":{"data":{"type":"products","id":"pr1"}},
    "weird":null},
  "links":{"self":"/v1/accounts/0f9e/licenses/8c1f"}}}`

func TestParseSingleResource(t *testing.T) {
	d, err := Parse([]byte(license))
	require.NoError(t, err)
	assert.False(t, d.IsNull())
	assert.Nil(t, d.Links, "no top-level links outside lists")
	r, err := d.One()
	require.NoError(t, err)
	assert.Equal(t, "8c1f", r.ID)
	assert.Equal(t, "licenses", r.Type)

	// To-one linkage, null linkage, link-only, to-many arrays, polymorphic types.
	rel := &r.Relationships
	assert.Equal(t, "77aa", rel.Policy.ID())
	assert.Equal(t, &Linkage{Type: "policies", ID: "77aa"}, rel.Policy.One())
	assert.Equal(t, "", rel.Owner.ID())
	assert.Nil(t, rel.Owner.One())
	assert.Equal(t, &Counts{Count: 2}, rel.Machines.Meta, "link-only, with counts in its meta")
	assert.Nil(t, rel.Users.Meta, "absent")
	assert.Equal(t, []Linkage{{Type: "entitlements", ID: "e1"}, {Type: "entitlements", ID: "e2"}}, rel.Entitlements.Data)
	assert.Equal(t, &Linkage{Type: "products", ID: "pr1"}, rel.Bearer.One(), "the linkage type is kept")
	assert.Nil(t, rel.Group.One(), "absent")
	assert.Equal(t, "", rel.User.ID())

	var m model
	require.NoError(t, UnmarshalAttributes(r, &m), "unknown attributes are ignored")
	assert.Nil(t, m.Name)
	assert.Equal(t, "A1B2-V3", m.Key)
	assert.Equal(t, 3, m.Uses)
	assert.True(t, m.Protected)
	assert.Equal(t, []string{"macOS"}, m.Platforms)
	assert.Equal(t, map[string]any{"tier": "gold", "nested": map[string]any{"seats": float64(5)}}, m.Metadata)
	assert.Nil(t, m.Expiry)
	assert.Equal(t, time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), m.Created.UTC())
}

func TestNullAndAbsentData(t *testing.T) {
	for _, body := range []string{`{"data":null}`, `{"meta":{"id":"x"}}`, `{"data": null , "links":{}}`} {
		d, err := Parse([]byte(body))
		require.NoError(t, err, body)
		assert.True(t, d.IsNull(), body)
		r, err := d.One()
		require.NoError(t, err)
		assert.Nil(t, r)
		rs, err := d.Many()
		require.NoError(t, err)
		assert.Nil(t, rs)
	}
	require.Error(t, UnmarshalAttributes(nil, &model{}))
	one, err := DecodeOne[model, Ignore]([]byte(`{"data":null,"meta":{"x":1}}`))
	require.NoError(t, err)
	assert.Nil(t, one.Data)
}

func TestParseErrors(t *testing.T) {
	for _, body := range []string{"", "  \n", "<html>", `{"data":`, `[1,2]`} {
		_, err := Parse([]byte(body))
		require.Error(t, err, "%q", body)
	}
	d, err := Parse([]byte(`{"data":[{"id":"1","type":"licenses"}]}`))
	require.NoError(t, err)
	_, err = d.One()
	require.Error(t, err, "an array is not a single resource")
	d, err = Parse([]byte(`{"data":{"id":"1","type":"licenses"}}`))
	require.NoError(t, err)
	_, err = d.Many()
	require.Error(t, err, "an object is not a list")
}

func TestListLinksAndMeta(t *testing.T) {
	d, err := Parse([]byte(`{"data":[{"id":"1","type":"licenses","attributes":{"key":"a"}},{"id":"2","type":"licenses"}],
	  "links":{"self":"/s","first":"/f","prev":null,"next":"/n","last":"/l","meta":{"pages":4,"count":31}}}`))
	require.NoError(t, err)
	rs, err := d.Many()
	require.NoError(t, err)
	require.Len(t, rs, 2)
	var m model
	require.NoError(t, UnmarshalAttributes(&rs[1], &m), "a resource without attributes decodes")
	assert.Equal(t, "2", rs[1].ID)
	require.NotNil(t, d.Links)
	assert.Equal(t, "/s", d.Links.Self)
	assert.Equal(t, "/f", d.Links.First)
	assert.Equal(t, "", d.Links.Prev)
	assert.Equal(t, "/n", d.Links.Next)
	assert.Equal(t, "/l", d.Links.Last)
	require.NotNil(t, d.Links.Meta.Pages)
	assert.Equal(t, 4, *d.Links.Meta.Pages)
	assert.Equal(t, 31, *d.Links.Meta.Count)

	d, err = Parse([]byte(`{"data":[],"links":{"self":"/s","next":null}}`))
	require.NoError(t, err)
	assert.Nil(t, d.Links.Meta.Pages, "absent counts stay nil, not zero")
}

func TestErrorObjects(t *testing.T) {
	d, err := Parse([]byte(`{"meta":{"id":"req-1","n":5},"errors":[
	  {"title":"Unprocessable resource","detail":"must be greater than or equal to 0","code":"USES_INVALID",
	   "source":{"pointer":"/data/attributes/uses"},"links":{"about":"https://keygen.sh/docs/api/licenses/#uses","weird":{"x":1}}},
	  {"title":"Bad request","source":{"parameter":"page[size]"}},
	  {"title":"Unauthorized","source":{"header":"Authorization"},"links":{"redirect":"https://sso.example.com"}},
	  {"title":"Not found","source":null,"links":null}]}`))
	require.NoError(t, err)
	assert.Equal(t, "req-1", d.MetaString("id"))
	assert.Equal(t, "", d.MetaString("n"), "not a string")
	assert.Equal(t, "", d.MetaString("missing"))
	require.Len(t, d.Errors, 4)
	e := d.Errors[0]
	assert.Equal(t, "Unprocessable resource", e.Title)
	assert.Equal(t, "must be greater than or equal to 0", e.Detail)
	assert.Equal(t, "USES_INVALID", e.Code)
	assert.Equal(t, "/data/attributes/uses", e.Source.Pointer)
	assert.Equal(t, map[string]string{"about": "https://keygen.sh/docs/api/licenses/#uses"}, e.Links)
	assert.Equal(t, "page[size]", d.Errors[1].Source.Parameter)
	assert.Equal(t, "Authorization", d.Errors[2].Source.Header)
	assert.Equal(t, map[string]string{"redirect": "https://sso.example.com"}, d.Errors[2].Links)
	assert.Nil(t, d.Errors[3].Links)
	assert.Equal(t, "Not found", d.Errors[3].Title)

	d, err = Parse([]byte(`{"errors":[]}`))
	require.NoError(t, err)
	assert.Equal(t, "", d.MetaString("id"))
}

func TestWrongAttributeTypesErrorWithoutPanic(t *testing.T) {
	cases := map[string]string{
		`{"key":5}`:             "key",
		`{"name":5}`:            "name",
		`{"uses":"three"}`:      "uses",
		`{"protected":"yes"}`:   "protected",
		`{"platforms":"macOS"}`: "platforms",
		`{"platforms":[1,2]}`:   "platforms",
		`{"metadata":"x"}`:      "metadata",
		`{"metadata":[1]}`:      "metadata",
		`{"created":"never"}`:   "created",
		`{"created":12345}`:     "created",
		`{"expiry":true}`:       "expiry",
	}
	for attrs, name := range cases {
		var m model
		var err error
		require.NotPanics(t, func() {
			err = UnmarshalAttributes(&Resource{Head: Head{ID: "1", Type: "licenses"}, Attributes: json.RawMessage(`{"key":"ok",` + attrs[1:])}, &m)
		}, attrs)
		require.Error(t, err, attrs)
		assert.Contains(t, err.Error(), `attribute "`+name+`"`, attrs)
		assert.Contains(t, err.Error(), "licenses 1", attrs)
	}
	for _, attrs := range []string{`[]`, `"x"`, `5`} {
		var m model
		require.NotPanics(t, func() {
			require.Error(t, UnmarshalAttributes(&Resource{Head: Head{ID: "1", Type: "licenses"}, Attributes: json.RawMessage(attrs)}, &m), attrs)
		})
	}
}

// TestDecodeNamesTheFailingAttribute: the one-pass decoders fail as a whole; their error must
// still say which resource (and list item) and which attribute.
func TestDecodeNamesTheFailingAttribute(t *testing.T) {
	_, err := DecodeOne[model, Ignore]([]byte(`{"data":{"id":"9","type":"licenses","attributes":{"key":"k","created":"never"}}}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `licenses 9: attribute "created"`)
	_, err = DecodeMany[model, Ignore]([]byte(`{"data":[{"id":"1","type":"licenses","attributes":{}},{"id":"2","type":"licenses","attributes":{"uses":"x"}}]}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `item 1: decoding licenses 2: attribute "uses"`)
	_, err = DecodeOne[model, Ignore]([]byte(`{"data":[]}`))
	require.ErrorContains(t, err, "not a resource object")
	_, err = DecodeMany[model, Ignore]([]byte(`{"data":{"id":"1","type":"licenses"}}`))
	require.ErrorContains(t, err, "not an array")
	for _, body := range []string{"", "<html>", `{"data":`} {
		_, err = DecodeOne[model, Ignore]([]byte(body))
		require.Error(t, err, body)
	}
}

func TestRequestBodies(t *testing.T) {
	b, err := json.Marshal(Body{Data: Object{Type: "licenses", Attributes: map[string]any{"name": "n", "expiry": nil},
		Relationships: map[string]any{"policy": LinkTo("policies", "77aa"), "owner": LinkNone()}}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"data":{"type":"licenses","attributes":{"name":"n","expiry":null},
	  "relationships":{"policy":{"data":{"type":"policies","id":"77aa"}},"owner":{"data":null}}}}`, string(b))

	b, err = json.Marshal(Body{Data: Object{Type: "licenses", ID: "8c1f"}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"data":{"type":"licenses","id":"8c1f"}}`, string(b), "empty attributes and relationships are left out")

	b, err = json.Marshal(Body{Meta: map[string]any{"key": "K", "scope": map[string]any{"fingerprint": "fp"}}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"meta":{"key":"K","scope":{"fingerprint":"fp"}}}`, string(b))
}

// DecodeOne/DecodeMany (typed attributes) and Parse (raw attributes) read the same head.
func TestOnePassMatchesParse(t *testing.T) {
	d, err := Parse([]byte(license))
	require.NoError(t, err)
	raw, err := d.One()
	require.NoError(t, err)
	one, err := DecodeOne[model, Ignore]([]byte(license))
	require.NoError(t, err)
	assert.Equal(t, raw.Head, one.Data.Head)
	var m model
	require.NoError(t, UnmarshalAttributes(raw, &m))
	assert.Equal(t, m, one.Data.Attributes)

	dup := `{"data":[{"id":"1","type":"licenses","relationships":{
	  "policy":{"data":{"type":"x","id":"1"},"data":null},
	  "product":{"data":{"type":"x","id":"1"},"data":{"type":"y","id":"2"}},
	  "group":{}, "user":null, "unknown":{"data":[{"type":"z","id":"9"}]}}},{"id":"2","type":"licenses","relationships":null}],
	  "links":{"self":"/s"}}`
	d, err = Parse([]byte(dup))
	require.NoError(t, err)
	rs, err := d.Many()
	require.NoError(t, err)
	many, err := DecodeMany[model, Ignore]([]byte(dup))
	require.NoError(t, err)
	require.Len(t, many.Data, 2)
	for i := range rs {
		assert.Equal(t, rs[i].Head, many.Data[i].Head)
	}
	r0 := many.Data[0].Relationships
	assert.Nil(t, r0.Policy.One(), "a repeated data member replaces the earlier one")
	assert.Equal(t, "2", r0.Product.ID())
	assert.Nil(t, r0.Group.One())
	assert.Equal(t, "/s", many.Links.Self)

	for _, bad := range []string{`{"data":{"id":"1","relationships":{"policy":{"data":"x"}}}}`,
		`{"data":{"id":"1","relationships":{"policy":{"data":[{"type":"x","id":"1"}]}}}}`,
		`{"data":{"id":"1","relationships":{"entitlements":{"data":{"type":"x","id":"1"}}}}}`,
		`{"data":{"id":"1","relationships":{"policy":5}}}`} {
		_, err := DecodeOne[model, Ignore]([]byte(bad))
		require.Error(t, err, bad)
		d, err := Parse([]byte(bad))
		require.NoError(t, err, "Parse leaves data raw")
		_, err = d.One()
		require.Error(t, err, bad)
	}
}

func TestDecodeKeepsOddIDs(t *testing.T) {
	id := "a\"b\\c<&>é\n"
	q, err := json.Marshal(id)
	require.NoError(t, err)
	one, err := DecodeOne[model, Ignore]([]byte(`{"data":{"id":` + string(q) + `,"type":"licenses","attributes":{"key":"k"}}}`))
	require.NoError(t, err)
	assert.Equal(t, id, one.Data.ID)
	assert.Equal(t, "k", one.Data.Attributes.Key)
}
