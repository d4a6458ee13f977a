package render

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/irsa-sync/irsa-sync/internal/plan"
)

// TestDecodeConfigMapChanges: each ConfigMap change of the fixture (create,
// update, delete, strip), written as JSON and read back with DecodeChange,
// is the change it was written from. A map irsa-sync leaves empty (the
// strip's after) is omitted in JSON and reads back as nil: both mean none.
func TestDecodeConfigMapChanges(t *testing.T) {
	t.Parallel()
	p := configMapPlan()
	all := append(append([]plan.Change{}, p.Changes...), p.Pruneable...)
	for i, jc := range JSONChanges(all) {
		want := all[i]
		t.Run(string(want.Action)+" "+want.Address, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(jc)
			if err != nil {
				t.Fatal(err)
			}
			var read JSONChange
			if err := json.Unmarshal(b, &read); err != nil {
				t.Fatal(err)
			}
			got, err := DecodeChange(read)
			if err != nil {
				t.Fatalf("DecodeChange: %v", err)
			}
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("decoded change (-written +read):\n%s", diff)
			}
		})
	}
}

// TestDecodeRefusesBrokenConfigMapChanges: a ConfigMap change edited into
// a shape the planner never makes is an error naming the change.
func TestDecodeRefusesBrokenConfigMapChanges(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		edit func(*JSONChange)
		want string
	}{
		{"data not text", func(jc *JSONChange) { jc.Fields[1].After = map[string]any{"profile": "x"} }, "field data.config after"},
		{"object of another shape", func(jc *JSONChange) { jc.After = map[string]any{"data": []any{"x"}} }, "after:"},
		{"update without an after", func(jc *JSONChange) { jc.After = nil }, "update"},
	} {
		jc := JSONChanges(configMapPlan().Changes)[1]
		b, _ := json.Marshal(jc)
		var read JSONChange
		_ = json.Unmarshal(b, &read)
		tc.edit(&read)
		if _, err := DecodeChange(read); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want one saying %q", tc.name, err, tc.want)
		}
	}
}

// TestSchemaRejectsBrokenConfigMaps makes sure the schema's ConfigMap rules
// can fail: each edit of the fixture's JSON plan breaks one.
func TestSchemaRejectsBrokenConfigMaps(t *testing.T) {
	sch := planSchema(t)
	for _, tc := range []struct {
		name string
		edit func(m map[string]any)
	}{
		{"configmap with an account", func(m map[string]any) { change(m, 0)["account"] = "prod" }},
		{"configmap without a cluster", func(m map[string]any) { change(m, 0)["cluster"] = nil }},
		{"configmap without a namespace", func(m map[string]any) { delete(change(m, 0)["after"].(map[string]any), "namespace") }},
		{"configmap with an unknown key", func(m map[string]any) { change(m, 0)["after"].(map[string]any)["binaryData"] = map[string]any{} }},
		{"configmap data not text", func(m map[string]any) {
			change(m, 0)["after"].(map[string]any)["data"] = map[string]any{"config": 1}
		}},
		{"configmap update without fields", func(m map[string]any) { change(m, 1)["fields"] = []any{} }},
		{"unknown note kind", func(m map[string]any) {
			change(m, 1)["notes"].([]any)[0].(map[string]any)["kind"] = "profileRefreshed"
		}},
	} {
		var m map[string]any
		if err := json.Unmarshal([]byte(render(t, "json", Options{}, configMapPlan())), &m); err != nil {
			t.Fatal(err)
		}
		tc.edit(m)
		b, _ := json.Marshal(m)
		if err := validate(sch, string(b)); err == nil {
			t.Errorf("%s: the schema accepts it", tc.name)
		}
	}
}
