package saved

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/schemas"
)

const id = "111122223333"

var (
	doc      = policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	doc2     = policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`)
	owned    = map[string]string{resource.OwnerTag: "team"}
	docEqual = cmp.Comparer(func(a, b policy.Document) bool { return a.Equal(b) })
)

func role(desc string, sess int32, trust policy.Document) *resource.Role {
	return &resource.Role{AccountID: id, Name: "r", Path: "/", ARN: resource.RoleARN(id, "/", "r"), Description: desc,
		MaxSessionDuration: sess, Tags: owned, ManagedPolicies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"},
		InlinePolicies: map[string]policy.Document{"inline": doc}, Trust: trust}
}

// fixture has a change of every kind and action, and every type of field
// value the planner produces, so that a lossy encoding shows up.
func fixture() *plan.Plan {
	sa := func(ann map[string]string) *resource.ServiceAccount {
		return &resource.ServiceAccount{Cluster: "c1", Namespace: "default", Name: "app", Annotations: ann}
	}
	return &plan.Plan{Owner: "team", Changes: []plan.Change{
		{Action: plan.Delete, Kind: resource.KindProvider, Address: "account/prod/oidc-provider/x", Account: "prod",
			Before: &resource.Provider{AccountID: id, ARN: resource.ProviderARN(id, "https://x"), URL: "x", ClientIDs: []string{"sts.amazonaws.com"}, Tags: owned}},
		{Action: plan.Update, Kind: resource.KindPolicy, Address: "account/prod/policy/p", Account: "prod", RetireVersion: "v1",
			Before: &resource.Policy{AccountID: id, Name: "p", Path: "/", ARN: resource.PolicyARN(id, "/", "p"), Document: doc, Tags: owned},
			After:  &resource.Policy{AccountID: id, Name: "p", Path: "/", ARN: resource.PolicyARN(id, "/", "p"), Document: doc2, Tags: owned},
			Fields: []plan.Field{{Name: "document", Before: doc, After: doc2, Added: doc2.Statements(), Removed: doc.Statements()}}},
		{Action: plan.Create, Kind: resource.KindRole, Address: "account/prod/role/new", Account: "prod", After: role("", 3600, doc)},
		{Action: plan.Update, Kind: resource.KindRole, Address: "account/prod/role/r", Account: "prod",
			Before: role("old", 3600, doc), After: role("new", 7200, doc2), Notes: []string{"a note"},
			Fields: []plan.Field{
				{Name: "trust", Before: doc, After: doc2, Added: doc2.Statements(), Removed: doc.Statements()},
				{Name: "description", Before: "old", After: "new"},
				{Name: "maxSessionDuration", Before: int32(3600), After: int32(7200)},
				{Name: "tags", Before: map[string]string{"a": "1"}, After: map[string]string{"a": "2"}, Added: []string{"a=2"}, Removed: []string{"a=1"}},
				{Name: "inlinePolicies.extra", After: doc2, Added: doc2.Statements()},
			}},
		{Action: plan.Update, Kind: resource.KindServiceAccount, Address: "cluster/c1/serviceaccount/default/app", Cluster: "c1", Adopt: true,
			Before: sa(map[string]string{resource.AnnotationRoleARN: "arn:aws:iam::1:role/old"}),
			After:  sa(map[string]string{resource.AnnotationRoleARN: "arn:aws:iam::1:role/new"}),
			Fields: []plan.Field{{Name: "annotations." + resource.AnnotationRoleARN, Before: "arn:aws:iam::1:role/old", After: "arn:aws:iam::1:role/new"}},
			Notes:  []string{plan.RestartNote}},
	}}
}

var digest = Digest{Path: "bindings.yaml", SHA256: strings.Repeat("a", 64), Documents: []DocumentDigest{{Path: "p.json", SHA256: strings.Repeat("b", 64)}}}

// roundTrip saves p, writes and reads the file, and returns what was read.
func roundTrip(t *testing.T, p *plan.Plan) *Plan {
	t.Helper()
	sp, err := New(p, digest, Options{Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := sp.Write(path); err != nil {
		t.Fatal(err)
	}
	back, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return back
}

func TestRoundTripRestoresTheChanges(t *testing.T) {
	want := fixture()
	got, err := roundTrip(t, want).Plan()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, docEqual); diff != "" {
		t.Errorf("decoded plan differs (-saved +decoded):\n%s", diff)
	}
}

func TestSavedPlanMatchesSchema(t *testing.T) {
	sch := compileSchema(t)
	sp, err := New(fixture(), digest, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := sp.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := validate(sch, b); err != nil {
		t.Errorf("saved plan does not match schemas/saved-plan.schema.json: %v\n%s", err, b)
	}
	// The schema must be able to say no.
	bad := bytes.Replace(b, []byte(`"liveFingerprint": "`), []byte(`"liveFingerprint": "x`), 1)
	if err := validate(sch, bad); err == nil {
		t.Error("a malformed fingerprint validated")
	}
}

// compileSchema compiles saved-plan.schema.json with plan.schema.json, whose
// definitions it references, under their $ids (nothing is fetched: both
// are added as resources first).
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	for _, name := range []string{"plan.schema.json", "saved-plan.schema.json"} {
		raw, err := schemas.FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := c.AddResource("https://irsa-sync.github.io/schemas/"+name, doc); err != nil {
			t.Fatal(err)
		}
	}
	sch, err := c.Compile("https://irsa-sync.github.io/schemas/saved-plan.schema.json")
	if err != nil {
		t.Fatalf("saved-plan.schema.json does not compile: %v", err)
	}
	return sch
}

func validate(sch *jsonschema.Schema, b []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

func TestReadRefusesWhatItCannotApply(t *testing.T) {
	good, err := New(fixture(), digest, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := good.Marshal()
	tests := []struct {
		name, content, want string
	}{
		{"json plan", `{"formatVersion":1,"owner":"x","changes":[]}`, "cannot be applied"},
		{"unknown field", strings.Replace(string(b), `"owner"`, `"ownr"`, 1), "unknown field"},
		{"other kind", `{"kind":"x","formatVersion":1}`, "is not a saved plan"},
		{"newer format", strings.Replace(string(b), `"formatVersion": 1`, `"formatVersion": 2`, 1), "format version 2"},
		{"truncated", string(b[:len(b)/2]), "is not a saved plan of this irsa-sync"},
		{"no file", `{"kind":"irsa-sync/saved-plan","formatVersion":1}`, "file.path and file.sha256 are required"},
	}
	for _, tt := range tests {
		path := filepath.Join(t.TempDir(), "plan.json")
		if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Read(path)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want one naming %s and saying %q", tt.name, err, path, tt.want)
		}
	}
}

func TestDecodeRefusesInconsistentChanges(t *testing.T) {
	sp, err := New(fixture(), digest, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sp.Changes[2].Action = plan.Delete // a create's Before is null
	if _, err := sp.Plan(); err == nil || !strings.Contains(err.Error(), "account/prod/role/new") {
		t.Errorf("a delete without before decoded: %v", err)
	}
	sp.Changes[2].Action = plan.Create
	sp.Changes[2].Kind = "bucket"
	if _, err := sp.Plan(); err == nil || !strings.Contains(err.Error(), `unknown kind "bucket"`) {
		t.Errorf("an unknown kind decoded: %v", err)
	}
}

func TestFingerprintIsCanonical(t *testing.T) {
	a, _ := Fingerprint(map[string]any{"b": 1, "a": []string{"x"}})
	b, _ := Fingerprint(struct {
		A []string `json:"a"`
		B int      `json:"b"`
	}{[]string{"x"}, 1})
	null, _ := Fingerprint(nil)
	if a != b {
		t.Errorf("equal objects have different fingerprints: %s, %s", a, b)
	}
	if a == null || len(null) != 64 {
		t.Errorf("fingerprint of nil %q is not a distinct SHA-256", null)
	}
}
