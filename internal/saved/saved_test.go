package saved

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/irsa-sync/irsa-sync/test/schematest"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

const id = "111122223333"

var (
	doc      = policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	doc2     = policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`)
	owned    = map[string]string{resource.OwnerTag: "team"}
	docEqual = cmp.Comparer(func(a, b policy.Document) bool { return a.Equal(b) })
)

func role(desc string, sess int32, trust policy.Document) *resource.Role {
	return &resource.Role{AccountID: id, Name: "r", Path: "/", ARN: resource.RoleARN("aws", id, "/", "r"), Description: desc,
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
			Provider: &plan.Diff[resource.Provider]{Before: &resource.Provider{AccountID: id, ARN: resource.ProviderARN("aws", id, "https://x"), URL: "x", ClientIDs: []string{"sts.amazonaws.com"}, Tags: owned}}},
		{Action: plan.Update, Kind: resource.KindPolicy, Address: "account/prod/policy/p", Account: "prod", RetireVersion: "v1",
			Policy: &plan.Diff[resource.Policy]{Before: &resource.Policy{AccountID: id, Name: "p", Path: "/", ARN: resource.PolicyARN("aws", id, "/", "p"), Document: doc, Tags: owned}, After: &resource.Policy{AccountID: id, Name: "p", Path: "/", ARN: resource.PolicyARN("aws", id, "/", "p"), Document: doc2, Tags: owned}},
			Fields: []plan.Field{{Name: plan.FieldDocument, Before: plan.Document{Document: doc}, After: plan.Document{Document: doc2}, Added: doc2.Statements(), Removed: doc.Statements()}}},
		{Action: plan.Create, Kind: resource.KindRole, Address: "account/prod/role/new", Account: "prod", Role: &plan.Diff[resource.Role]{After: role("", 3600, doc)}},
		{Action: plan.Update, Kind: resource.KindRole, Address: "account/prod/role/r", Account: "prod",
			Role: &plan.Diff[resource.Role]{Before: role("old", 3600, doc), After: role("new", 7200, doc2)}, Notes: []plan.Note{{Kind: plan.NoteForClusters, Names: []string{"a"}}},
			Fields: []plan.Field{
				{Name: plan.FieldTrust, Before: plan.Document{Document: doc}, After: plan.Document{Document: doc2}, Added: doc2.Statements(), Removed: doc.Statements()},
				{Name: plan.FieldDescription, Before: plan.Text("old"), After: plan.Text("new")},
				{Name: plan.FieldMaxSessionDuration, Before: plan.Number(3600), After: plan.Number(7200)},
				{Name: plan.FieldTags, Before: plan.Tags{"a": "1"}, After: plan.Tags{"a": "2"}, Added: []string{"a=2"}, Removed: []string{"a=1"}},
				{Name: plan.FieldInlinePolicy, Key: "extra", After: plan.Document{Document: doc2}, Added: doc2.Statements()},
			}},
		{Action: plan.Update, Kind: resource.KindServiceAccount, Address: "cluster/c1/serviceaccount/default/app", Cluster: "c1", Adopt: true,
			ServiceAccount: &plan.Diff[resource.ServiceAccount]{Before: sa(map[string]string{resource.AnnotationRoleARN: "arn:aws:iam::1:role/old"}), After: sa(map[string]string{resource.AnnotationRoleARN: "arn:aws:iam::1:role/new"})},
			Fields:         []plan.Field{{Name: plan.FieldAnnotation, Key: resource.AnnotationRoleARN, Before: plan.Text("arn:aws:iam::1:role/old"), After: plan.Text("arn:aws:iam::1:role/new")}},
			Notes:          []plan.Note{{Kind: plan.NoteRestart}}},
		{Action: plan.Create, Kind: resource.KindConfigMap, Address: "cluster/c1/configmap/default/reader-aws", Cluster: "c1",
			ConfigMap: &plan.Diff[resource.ConfigMap]{After: configMap("reader-aws", profile, map[string]string{resource.CreatedAnnotation: "true"})}},
		{Action: plan.Update, Kind: resource.KindConfigMap, Address: "cluster/c1/configmap/default/writer-aws", Cluster: "c1", Adopt: true,
			ConfigMap: &plan.Diff[resource.ConfigMap]{Before: helmConfigMap(), After: configMap("writer-aws", profile, nil)},
			Fields: []plan.Field{
				{Name: plan.FieldLabel, Key: resource.ManagedLabel, Before: plan.Text("helm"), After: plan.Text(resource.ManagedValue)},
				{Name: plan.FieldData, Key: resource.ProfileConfigKey, Before: plan.Text(profile2), After: plan.Text(profile)},
			},
			Notes: []plan.Note{{Kind: plan.NoteProfileRefresh}}},
		{Action: plan.Delete, Kind: resource.KindConfigMap, Address: "cluster/c1/configmap/default/old-aws", Cluster: "c1",
			ConfigMap: &plan.Diff[resource.ConfigMap]{Before: configMap("old-aws", profile, map[string]string{resource.CreatedAnnotation: "true"})}},
		// A strip: what irsa-sync set is removed, its after left empty.
		{Action: plan.Update, Kind: resource.KindConfigMap, Address: "cluster/c1/configmap/default/shared-aws", Cluster: "c1",
			ConfigMap: &plan.Diff[resource.ConfigMap]{Before: configMap("shared-aws", profile, nil),
				After: &resource.ConfigMap{Cluster: "c1", Namespace: "default", Name: "shared-aws", Labels: map[string]string{}, Annotations: map[string]string{}, Data: map[string]string{}}},
			Fields: []plan.Field{
				{Name: plan.FieldLabel, Key: resource.ManagedLabel, Before: plan.Text(resource.ManagedValue)},
				{Name: plan.FieldAnnotation, Key: resource.OwnerAnnotation, Before: plan.Text("team")},
				{Name: plan.FieldData, Key: resource.ProfileConfigKey, Before: plan.Text(profile)},
				{Name: plan.FieldData, Key: resource.ProfileNameKey, Before: plan.Text("reader")},
			},
			Notes: []plan.Note{{Kind: plan.NoteSharedConfigMap}}},
	}}
}

const (
	profile  = "[profile reader]\nrole_arn = arn:aws:iam::444455556666:role/reader\ncredential_source = EcsContainer\n"
	profile2 = "[profile reader]\nrole_arn = arn:aws:iam::444455556666:role/old\ncredential_source = EcsContainer\n"
)

// helmConfigMap is the live side of the adopted ConfigMap writer-aws: an
// older profile, labelled by the chart that made it.
func helmConfigMap() *resource.ConfigMap {
	cm := configMap("writer-aws", profile2, nil)
	cm.Labels[resource.ManagedLabel] = "helm"
	return cm
}

// configMap is a profile ConfigMap of cluster c1 with that config, and
// extra annotations besides the owner's.
func configMap(name, config string, ann map[string]string) *resource.ConfigMap {
	cm := &resource.ConfigMap{Cluster: "c1", Namespace: "default", Name: name,
		Labels:      map[string]string{resource.ManagedLabel: resource.ManagedValue},
		Annotations: map[string]string{resource.OwnerAnnotation: "team"},
		Data:        map[string]string{resource.ProfileConfigKey: config, resource.ProfileNameKey: "reader"}}
	for k, v := range ann {
		cm.Annotations[k] = v
	}
	return cm
}

var digest = Digest{Paths: []string{"bindings.yaml"}, Files: []FileDigest{{Path: "bindings.yaml", SHA256: strings.Repeat("a", 64)}},
	Documents: []DocumentDigest{{File: "bindings.yaml", Path: "p.json", SHA256: strings.Repeat("b", 64)}}}

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

// TestRoundTripChecksAgainstTheFreshPlan: a saved plan written and read
// back matches the plan it was saved from, and Check then hands back that
// plan's own changes.
func TestRoundTripChecksAgainstTheFreshPlan(t *testing.T) {
	t.Parallel()
	want := fixture()
	got, err := Check(roundTrip(t, want), digest, fixture())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.Changes, got.Changes, docEqual); diff != "" {
		t.Errorf("changes to apply differ (-saved +checked):\n%s", diff)
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

// compileSchema compiles saved-plan.schema.json, which references
// plan.schema.json's definitions.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	return schematest.Compile(t, "saved-plan.schema.json")
}

func validate(sch *jsonschema.Schema, b []byte) error { return schematest.Validate(sch, string(b)) }

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
		{"newer format", strings.Replace(string(b), `"formatVersion": 3`, `"formatVersion": 4`, 1), "format version 4"},
		{"the format before several files", strings.Replace(string(b), `"formatVersion": 3`, `"formatVersion": 1`, 1), "format version 1"},
		{"the format before the review", strings.Replace(string(b), `"formatVersion": 3`, `"formatVersion": 2`, 1), "format version 2"},
		{"truncated", string(b[:len(b)/2]), "is not a saved plan of this irsa-sync"},
		{"no file", `{"kind":"irsa-sync/saved-plan","formatVersion":3}`, "file.paths and file.files are required"},
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

// TestCheckRefusesEveryTamperedField edits each field of each saved change,
// one at a time, as someone with write access to the plan file could, and
// requires Check to refuse with nothing to apply; and a change listed twice.
func TestCheckRefusesEveryTamperedField(t *testing.T) {
	t.Parallel()
	sp, err := New(fixture(), digest, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := sp.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var generic map[string]any
	if err := json.Unmarshal(b, &generic); err != nil {
		t.Fatal(err)
	}
	changes := generic["changes"].([]any)
	tampered := 0
	for i := range changes {
		for key := range changes[i].(map[string]any) {
			if key == "notes" {
				continue // for people; never acted upon, and pods come and go
			}
			t.Run(fmt.Sprintf("changes[%d].%s", i, key), func(t *testing.T) {
				var g map[string]any
				_ = json.Unmarshal(b, &g)
				c := g["changes"].([]any)[i].(map[string]any)
				c[key] = tamper(c[key])
				edited, _ := json.Marshal(g)
				back, err := Decode(bytes.NewReader(edited), "plan.json")
				if err != nil {
					return // refused on read: nothing applied either
				}
				got, err := Check(back, digest, fixture())
				var stale *StaleError
				if !errors.As(err, &stale) || got != nil {
					t.Errorf("tampered %s accepted: changes %v, error %v", key, got, err)
				}
			})
			tampered++
		}
	}
	if tampered < 50 {
		t.Errorf("tampered only %d fields; the fixture should cover every key of every change", tampered)
	}
	t.Run("duplicated change", func(t *testing.T) {
		dup := *sp
		dup.Changes = append(append([]Change{}, sp.Changes...), sp.Changes[1])
		got, err := Check(&dup, digest, fixture())
		if err == nil || got != nil || !strings.Contains(err.Error(), "repeats changes[1]") {
			t.Errorf("a change listed twice: changes %v, error %v", got, err)
		}
	})
}

// tamper returns a value of the same JSON shape that differs from v.
func tamper(v any) any {
	switch v := v.(type) {
	case nil:
		return map[string]any{"arn": "arn:aws:iam::999988887777:role/other-owner"}
	case bool:
		return !v
	case string:
		return v + "x"
	case float64:
		return v + 1
	case []any:
		return append(append([]any{}, v...), map[string]any{"name": "tags", "after": map[string]any{"irsa-sync/owner": "other"}})
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			out[k] = x
		}
		out["tags"] = map[string]any{"irsa-sync/owner": "other"}
		if _, ok := v["arn"]; ok {
			out["arn"] = "arn:aws:iam::999988887777:role/other-owner"
		}
		return out
	}
	return "tampered"
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
