package render

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/plan"
)

// TestDecodeRendersTheSame: a plan written as JSON and read back renders
// to the same bytes in every format, which is what `show` of a saved plan
// promises.
func TestDecodeRendersTheSame(t *testing.T) {
	t.Parallel()
	for _, fx := range append(fixtures, struct {
		name string
		plan func() *plan.Plan
	}{"big", func() *plan.Plan { return bigPlan(30) }}) {
		b, err := json.Marshal(PlanJSON(fx.plan()))
		if err != nil {
			t.Fatal(err)
		}
		var jp JSONPlan
		if err := json.Unmarshal(b, &jp); err != nil {
			t.Fatalf("%s: %v", fx.name, err)
		}
		back, err := DecodePlan(jp)
		if err != nil {
			t.Fatalf("%s: %v", fx.name, err)
		}
		for _, format := range Formats() {
			for _, verbose := range []bool{false, true} {
				opts := Options{Verbose: verbose}
				if diff := cmp.Diff(render(t, format, opts, fx.plan()), render(t, format, opts, back)); diff != "" {
					t.Errorf("%s/%s verbose=%v: the decoded plan renders differently (-printed +decoded):\n%s", fx.name, format, verbose, diff)
				}
			}
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		edit func(*JSONPlan)
		want string
	}{
		{"other version", func(jp *JSONPlan) { jp.FormatVersion = 1 }, "format version 1"},
		{"unknown kind", func(jp *JSONPlan) { jp.Changes[0].Kind = "bucket" }, `unknown kind "bucket"`},
		{"unknown field", func(jp *JSONPlan) { jp.Changes[1].Fields[0].Name = "colour" }, `field "colour": no such field`},
		{"create with a before", func(jp *JSONPlan) { jp.Changes[0].Before = jp.Changes[0].After }, "a create needs"},
	} {
		jp := PlanJSON(updatePlan())
		b, _ := json.Marshal(jp)
		_ = json.Unmarshal(b, &jp)
		if tc.name == "create with a before" {
			jp = PlanJSON(createPlan())
		}
		tc.edit(&jp)
		if _, err := DecodePlan(jp); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want one saying %q", tc.name, err, tc.want)
		}
	}
}
