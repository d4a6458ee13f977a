package plan

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/resource"
)

func saWithRole(ns, name, role string) *resource.ServiceAccount {
	sa := &resource.ServiceAccount{Cluster: "c1", Namespace: ns, Name: name, Annotations: map[string]string{}}
	if role != "" {
		sa.Annotations[resource.AnnotationRoleARN] = role
	}
	return sa
}

func podNames(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("p%02d", i))
	}
	return out
}

func TestNotePods(t *testing.T) {
	const roleA, roleB = "arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"
	tests := []struct {
		name   string
		change Change
		pods   []string
		want   []Note // notes after NotePods
	}{
		{"role changes, three pods",
			Change{Action: Update, Kind: resource.KindServiceAccount, ServiceAccount: &Diff[resource.ServiceAccount]{Before: saWithRole("ns", "app", roleA), After: saWithRole("ns", "app", roleB)}, Notes: []Note{{Kind: NoteRestart}}},
			[]string{"a", "b", "c"},
			[]Note{{Kind: NotePodsKeepRole, Count: 3, Names: []string{"a", "b", "c"}}}},
		{"one pod, singular",
			Change{Action: Update, Kind: resource.KindServiceAccount, ServiceAccount: &Diff[resource.ServiceAccount]{Before: saWithRole("ns", "app", roleA), After: saWithRole("ns", "app", roleB)}, Notes: []Note{{Kind: NoteRestart}}},
			[]string{"web-1"},
			[]Note{{Kind: NotePodsKeepRole, Count: 1, Names: []string{"web-1"}}}},
		{"names capped at ten",
			Change{Action: Update, Kind: resource.KindServiceAccount, ServiceAccount: &Diff[resource.ServiceAccount]{Before: saWithRole("ns", "app", roleA), After: saWithRole("ns", "app", roleB)}},
			podNames(15),
			[]Note{{Kind: NotePodsKeepRole, Count: 15, Names: podNames(10)}}},
		{"exactly ten, no 'more'",
			Change{Action: Update, Kind: resource.KindServiceAccount, ServiceAccount: &Diff[resource.ServiceAccount]{Before: saWithRole("ns", "app", roleA), After: saWithRole("ns", "app", roleB)}},
			podNames(10),
			[]Note{{Kind: NotePodsKeepRole, Count: 10, Names: podNames(10)}}},
		{"other notes stay",
			Change{Action: Update, Kind: resource.KindServiceAccount, ServiceAccount: &Diff[resource.ServiceAccount]{Before: saWithRole("ns", "app", roleA), After: saWithRole("ns", "app", "")}, Notes: []Note{{Kind: NoteSharedServiceAccount}, {Kind: NoteRestart}}},
			[]string{"a"},
			[]Note{{Kind: NoteSharedServiceAccount}, {Kind: NotePodsKeepRole, Count: 1, Names: []string{"a"}}}},
		{"delete of a used service account",
			Change{Action: Delete, Kind: resource.KindServiceAccount, ServiceAccount: &Diff[resource.ServiceAccount]{Before: saWithRole("ns", "app", roleA)}},
			[]string{"a", "b"},
			[]Note{{Kind: NotePodsKeepRole, Count: 2, Names: []string{"a", "b"}}}},
		{"role unchanged (audience only): no note",
			Change{Action: Update, Kind: resource.KindServiceAccount, ServiceAccount: &Diff[resource.ServiceAccount]{Before: saWithRole("ns", "app", roleA), After: saWithRole("ns", "app", roleA)}},
			[]string{"a"},
			nil},
		{"no pods: the generic note stays",
			Change{Action: Update, Kind: resource.KindServiceAccount, ServiceAccount: &Diff[resource.ServiceAccount]{Before: saWithRole("ns", "app", roleA), After: saWithRole("ns", "app", roleB)}, Notes: []Note{{Kind: NoteRestart}}},
			nil,
			[]Note{{Kind: NoteRestart}}},
		{"create: no pods can use it yet",
			Change{Action: Create, Kind: resource.KindServiceAccount, ServiceAccount: &Diff[resource.ServiceAccount]{After: saWithRole("ns", "app", roleB)}},
			[]string{"a"},
			nil},
		{"not a service account",
			Change{Action: Update, Kind: resource.KindRole, Role: &Diff[resource.Role]{Before: &resource.Role{}, After: &resource.Role{}}},
			[]string{"a"},
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Plan{Changes: []Change{tt.change}}
			pods := map[string]map[string][]string{"c1": {"ns/app": tt.pods}, "c2": {"ns/app": {"elsewhere"}}}
			NotePods(p, pods)
			if diff := cmp.Diff(tt.want, p.Changes[0].Notes); diff != "" {
				t.Errorf("notes (-want +got):\n%s", diff)
			}
			// A second call replaces its own note rather than adding one.
			NotePods(p, pods)
			if diff := cmp.Diff(tt.want, p.Changes[0].Notes); diff != "" {
				t.Errorf("notes after a second NotePods (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRoleChangesListsOnlyServiceAccountsWhoseRoleChanges(t *testing.T) {
	const roleA, roleB = "arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"
	p := &Plan{Changes: []Change{
		{Action: Create, Kind: resource.KindServiceAccount, ServiceAccount: &Diff[resource.ServiceAccount]{After: saWithRole("ns", "new", roleA)}},
		{Action: Update, Kind: resource.KindServiceAccount, ServiceAccount: &Diff[resource.ServiceAccount]{Before: saWithRole("ns", "same", roleA), After: saWithRole("ns", "same", roleA)}},
		{Action: Update, Kind: resource.KindServiceAccount, ServiceAccount: &Diff[resource.ServiceAccount]{Before: saWithRole("ns", "moved", roleA), After: saWithRole("ns", "moved", roleB)}},
		{Action: Update, Kind: resource.KindServiceAccount, ServiceAccount: &Diff[resource.ServiceAccount]{Before: saWithRole("other", "adopted", ""), After: saWithRole("other", "adopted", roleB)}},
		{Action: Delete, Kind: resource.KindServiceAccount, ServiceAccount: &Diff[resource.ServiceAccount]{Before: saWithRole("ns", "gone", roleA)}},
		{Action: Update, Kind: resource.KindRole, Role: &Diff[resource.Role]{Before: &resource.Role{}, After: &resource.Role{}}},
	}}
	want := map[string][]resource.ServiceAccount{"c1": {
		{Cluster: "c1", Namespace: "ns", Name: "moved"},
		{Cluster: "c1", Namespace: "other", Name: "adopted"},
		{Cluster: "c1", Namespace: "ns", Name: "gone"},
	}}
	if diff := cmp.Diff(want, RoleChanges(p)); diff != "" {
		t.Errorf("RoleChanges (-want +got):\n%s", diff)
	}
}
