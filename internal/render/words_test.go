package render

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/plan"
)

// TestNoteText holds the sentences the planner's typed notes become; the
// planner's own tests check which notes a change gets.
func TestNoteText(t *testing.T) {
	t.Parallel()
	ten := []string{"p00", "p01", "p02", "p03", "p04", "p05", "p06", "p07", "p08", "p09"}
	tests := []struct {
		note plan.Note
		want string
	}{
		{plan.Note{Kind: plan.NotePodsKeepRole, Count: 3, Names: []string{"a", "b", "c"}},
			"3 running pods use this service account and keep their old role until restarted: a, b, c"},
		{plan.Note{Kind: plan.NotePodsKeepRole, Count: 1, Names: []string{"web-1"}},
			"1 running pod uses this service account and keeps its old role until restarted: web-1"},
		{plan.Note{Kind: plan.NotePodsKeepRole, Count: 15, Names: ten},
			"15 running pods use this service account and keep their old role until restarted: p00, p01, p02, p03, p04, p05, p06, p07, p08, p09 and 5 more"},
		{plan.Note{Kind: plan.NotePodsKeepRole, Count: 10, Names: ten},
			"10 running pods use this service account and keep their old role until restarted: p00, p01, p02, p03, p04, p05, p06, p07, p08, p09"},
		{plan.Note{Kind: plan.NoteRestart}, "pods already running with this service account keep their old role until restarted"},
		{plan.Note{Kind: plan.NoteForClusters, Names: []string{"a", "b"}}, "for cluster a, b"},
		{plan.Note{Kind: plan.NoteRetireVersion, Count: 5, Names: []string{"v1"}},
			"policy holds 5 versions, IAM's maximum: version v1, the oldest not in use, is deleted first"},
		{plan.Note{Kind: plan.NoteDetachesPolicies, Count: 1}, "detaches 1 managed policy first"},
		{plan.Note{Kind: plan.NoteDetachesPolicies, Count: 2}, "detaches 2 managed policies first"},
		{plan.Note{Kind: plan.NoteDeletesInline, Count: 3}, "deletes 3 inline policies first"},
		{plan.Note{Kind: plan.NoteSharedServiceAccount}, "other managers own fields of this service account: only irsa-sync's annotations are removed"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, NoteText(tt.note)); diff != "" {
			t.Errorf("NoteText(%+v) (-want +got):\n%s", tt.note, diff)
		}
	}
}

func TestSymbol(t *testing.T) {
	t.Parallel()
	got := []string{Symbol(plan.Create), Symbol(plan.Update), Symbol(plan.Delete)}
	if diff := cmp.Diff([]string{"+", "~", "-"}, got); diff != "" {
		t.Errorf("symbols (-want +got):\n%s", diff)
	}
}
