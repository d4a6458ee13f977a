package render

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/irsa-sync/irsa-sync/test/schematest"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

func planSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	return schematest.Compile(t, "plan.schema.json")
}

func validate(sch *jsonschema.Schema, js string) error { return schematest.Validate(sch, js) }

// TestJSONMatchesSchema checks every fixture, and a large plan, against
// schemas/plan.schema.json, so that the format and its description cannot
// drift apart (including the object shapes the resource package encodes).
func TestJSONMatchesSchema(t *testing.T) {
	sch := planSchema(t)
	fxs := append(fixtures, struct {
		name string
		plan func() *plan.Plan
	}{"big", func() *plan.Plan { return bigPlan(20) }})
	for _, fx := range fxs {
		out := render(t, "json", Options{}, fx.plan())
		if err := validate(sch, out); err != nil {
			t.Errorf("%s: JSON plan does not match the schema: %v", fx.name, err)
		}
	}
}

// TestSchemaRejects makes sure the schema test above can fail: each edit
// of a valid plan breaks one rule the schema states.
func TestSchemaRejects(t *testing.T) {
	sch := planSchema(t)
	for _, tc := range []struct {
		name string
		edit func(m map[string]any)
	}{
		{"no summary", func(m map[string]any) { delete(m, "summary") }},
		{"unknown top-level key", func(m map[string]any) { m["extra"] = true }},
		{"other format version", func(m map[string]any) { m["formatVersion"] = 1 }},
		{"old summary key", func(m map[string]any) { m["summary"].(map[string]any)["add"] = 4 }},
		{"note as a string", func(m map[string]any) { change(m, 0)["notes"] = []any{"for cluster prod-use1"} }},
		{"unknown risk kind", func(m map[string]any) { m["risks"].([]any)[0].(map[string]any)["kind"] = "scary" }},
		{"no access", func(m map[string]any) { delete(m, "access") }},
		{"unknown action", func(m map[string]any) { change(m, 0)["action"] = "replace" }},
		{"create with a before", func(m map[string]any) { change(m, 0)["before"] = change(m, 0)["after"] }},
		{"role without trust", func(m map[string]any) { delete(change(m, 2)["after"].(map[string]any), "trust") }},
		{"service account with an account", func(m map[string]any) { change(m, 3)["account"] = "prod" }},
		{"null notes", func(m map[string]any) { change(m, 0)["notes"] = nil }},
	} {
		var m map[string]any
		if err := json.Unmarshal([]byte(render(t, "json", Options{}, createPlan())), &m); err != nil {
			t.Fatal(err)
		}
		tc.edit(m)
		b, _ := json.Marshal(m)
		if err := validate(sch, string(b)); err == nil {
			t.Errorf("%s: the schema accepts it", tc.name)
		}
	}
}

func change(m map[string]any, i int) map[string]any {
	return m["changes"].([]any)[i].(map[string]any)
}

func TestJSONShape(t *testing.T) {
	out := render(t, "json", Options{}, emptyPlan())
	if !strings.HasSuffix(out, "}\n") || strings.HasSuffix(out, "\n\n") {
		t.Errorf("want one object and one trailing newline, got %q", out[max(0, len(out)-10):])
	}
	if !strings.Contains(out, "\n  \"formatVersion\": 2,") {
		t.Errorf("want two-space indentation and formatVersion first, got:\n%s", out)
	}
	// HTML escaping would turn the "<" of a message into \u003c.
	if out := render(t, "json", Options{}, blockedPlan()); strings.Contains(out, `\u00`) {
		t.Errorf("JSON plan escapes characters people should read as they are:\n%s", out)
	}
}
