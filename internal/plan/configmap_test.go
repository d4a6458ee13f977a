package plan

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
)

const (
	cmAddr     = "cluster/c1/configmap/default/reader-aws"
	cmConfig   = "[profile reader]\nrole_arn = arn:aws:iam::444455556666:role/reader\n"
	cmEdited   = "[profile reader]\nrole_arn = arn:aws:iam::444455556666:role/hand-edit\n"
	otherOwner = "team-b"
)

// allConfigMapFields is what irsa-sync's field manager owns on a profile
// ConfigMap it created.
var allConfigMapFields = []string{
	"annotations." + resource.CreatedAnnotation, "annotations." + resource.OwnerAnnotation,
	"data." + resource.ProfileConfigKey, "data." + resource.ProfileNameKey, "labels." + resource.ManagedLabel,
}

// wantConfigMap is the desired profile ConfigMap default/reader-aws of c1.
func wantConfigMap() resource.ConfigMap {
	return resource.ConfigMap{Cluster: "c1", Namespace: "default", Name: "reader-aws",
		Labels:      map[string]string{resource.ManagedLabel: resource.ManagedValue},
		Annotations: map[string]string{resource.OwnerAnnotation: owner},
		Data:        map[string]string{resource.ProfileConfigKey: cmConfig, resource.ProfileNameKey: "reader"}}
}

// created is cm as irsa-sync created it: with the created annotation.
func created(cm resource.ConfigMap) resource.ConfigMap {
	cm = copyConfigMap(cm)
	cm.Annotations[resource.CreatedAnnotation] = "true"
	return cm
}

// liveCreated is the live ConfigMap irsa-sync created from wantConfigMap,
// its only field manager.
func liveCreated() state.ConfigMap {
	return state.ConfigMap{ConfigMap: created(wantConfigMap()), Managers: []string{resource.FieldManager}, Owned: allConfigMapFields}
}

// configMapFixture is the compute fixture with the ConfigMaps of c1 read
// (none live) and, when declare is set, wantConfigMap declared.
func configMapFixture(declare bool) (*desired.State, *state.Live) {
	want, have := fixture()
	if declare {
		want.ConfigMaps = []desired.ConfigMap{{ConfigMap: wantConfigMap(),
			Source: resource.RoleARN("aws", acct, "/", "app"), Target: "arn:aws:iam::444455556666:role/reader"}}
	}
	have.Clusters["c1"].ConfigMaps = map[string]state.ConfigMap{}
	return want, have
}

func ptr[T any](v T) *T { return &v }

func TestConfigMapPlan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		live      *state.ConfigMap // nil: none in the cluster
		adopt     bool
		changes   []Change
		conflicts []Problem
	}{
		{name: "absent: created with the created annotation", changes: []Change{{Action: Create, Kind: resource.KindConfigMap,
			Address: cmAddr, Cluster: "c1", ConfigMap: &Diff[resource.ConfigMap]{After: ptr(created(wantConfigMap()))}}}},
		{name: "as written: no change", live: ptr(liveCreated())},
		{name: "profile edited by hand: data update with the refresh note", live: func() *state.ConfigMap {
			cm := liveCreated()
			cm.ConfigMap = copyConfigMap(cm.ConfigMap)
			cm.Data[resource.ProfileConfigKey] = cmEdited
			// kubectl edit takes the field over; irsa-sync still compares
			// it, since it sets it.
			cm.Managers = []string{"kubectl-edit", resource.FieldManager}
			return &cm
		}(), changes: []Change{{Action: Update, Kind: resource.KindConfigMap, Address: cmAddr, Cluster: "c1",
			ConfigMap: &Diff[resource.ConfigMap]{Before: ptr(func() resource.ConfigMap {
				cm := created(wantConfigMap())
				cm.Data[resource.ProfileConfigKey] = cmEdited
				return cm
			}()), After: ptr(created(wantConfigMap()))},
			Fields: []Field{{Name: FieldData, Key: resource.ProfileConfigKey, Before: Text(cmEdited), After: Text(cmConfig)}},
			Notes:  []Note{{Kind: NoteProfileRefresh}}}}},
		{name: "label removed, data as written: update without the refresh note", live: func() *state.ConfigMap {
			cm := liveCreated()
			cm.ConfigMap = copyConfigMap(cm.ConfigMap)
			cm.Labels = map[string]string{}
			cm.Owned = allConfigMapFields[:4]
			return &cm
		}(), changes: []Change{{Action: Update, Kind: resource.KindConfigMap, Address: cmAddr, Cluster: "c1",
			ConfigMap: &Diff[resource.ConfigMap]{Before: ptr(func() resource.ConfigMap {
				cm := created(wantConfigMap())
				cm.Labels = map[string]string{}
				return cm
			}()), After: ptr(created(wantConfigMap()))},
			Fields: []Field{{Name: FieldLabel, Key: resource.ManagedLabel, After: Text(resource.ManagedValue)}}}}},
		{name: "another owner's: conflict", live: func() *state.ConfigMap {
			cm := liveCreated()
			cm.ConfigMap = copyConfigMap(cm.ConfigMap)
			cm.Annotations[resource.OwnerAnnotation] = otherOwner
			return &cm
		}(), conflicts: []Problem{{cmAddr, `ConfigMap exists and irsa-sync did not write it for this owner (annotation irsa-sync/owner is "team-b"): set adopt: true on this profileConfigMap to take it over, or choose another name`}}},
		{name: "nobody's: conflict", live: &state.ConfigMap{ConfigMap: resource.ConfigMap{Cluster: "c1", Namespace: "default", Name: "reader-aws",
			Data: map[string]string{resource.ProfileConfigKey: cmEdited}}, Managers: []string{"kubectl-client-side-apply"}},
			conflicts: []Problem{{cmAddr, `ConfigMap exists and irsa-sync did not write it for this owner (annotation irsa-sync/owner is ""): set adopt: true on this profileConfigMap to take it over, or choose another name`}}},
		{name: "nobody's, adopted: everything irsa-sync sets, not created, others' keys kept", adopt: true,
			live: &state.ConfigMap{ConfigMap: resource.ConfigMap{Cluster: "c1", Namespace: "default", Name: "reader-aws",
				Annotations: map[string]string{"note": "by hand"},
				Data:        map[string]string{resource.ProfileConfigKey: cmEdited, "README": "x"}}, Managers: []string{"kubectl-client-side-apply"}},
			changes: []Change{{Action: Update, Kind: resource.KindConfigMap, Address: cmAddr, Cluster: "c1", Adopt: true,
				ConfigMap: &Diff[resource.ConfigMap]{Before: &resource.ConfigMap{Cluster: "c1", Namespace: "default", Name: "reader-aws",
					Labels: map[string]string{}, Annotations: map[string]string{}, Data: map[string]string{resource.ProfileConfigKey: cmEdited}},
					After: ptr(wantConfigMap())},
				Fields: []Field{
					{Name: FieldLabel, Key: resource.ManagedLabel, After: Text(resource.ManagedValue)},
					{Name: FieldAnnotation, Key: resource.OwnerAnnotation, After: Text(owner)},
					{Name: FieldData, Key: resource.ProfileConfigKey, Before: Text(cmEdited), After: Text(cmConfig)},
					{Name: FieldData, Key: resource.ProfileNameKey, After: Text("reader")},
				},
				Notes: []Note{{Kind: NoteProfileRefresh}}}}},
		{name: "another owner's, adopted: its created annotation is not compared", adopt: true, live: func() *state.ConfigMap {
			cm := liveCreated()
			cm.ConfigMap = copyConfigMap(cm.ConfigMap)
			cm.Annotations[resource.OwnerAnnotation] = otherOwner
			return &cm
		}(), changes: []Change{{Action: Update, Kind: resource.KindConfigMap, Address: cmAddr, Cluster: "c1", Adopt: true,
			ConfigMap: &Diff[resource.ConfigMap]{Before: ptr(func() resource.ConfigMap {
				cm := copyConfigMap(wantConfigMap())
				cm.Annotations[resource.OwnerAnnotation] = otherOwner
				return cm
			}()), After: ptr(wantConfigMap())},
			Fields: []Field{{Name: FieldAnnotation, Key: resource.OwnerAnnotation, Before: Text(otherOwner), After: Text(owner)}}}}},
		{name: "ours with a key another manager owns: not compared", live: func() *state.ConfigMap {
			cm := liveCreated()
			cm.ConfigMap = copyConfigMap(cm.ConfigMap)
			cm.Data["extra"], cm.Labels["team"] = "theirs", "a"
			cm.Managers = []string{"helm", resource.FieldManager}
			return &cm
		}()},
		{name: "ours with a stale key irsa-sync owns: removed", live: func() *state.ConfigMap {
			cm := liveCreated()
			cm.ConfigMap = copyConfigMap(cm.ConfigMap)
			cm.Data["extra"] = "stale"
			cm.Owned = append([]string{"data.extra"}, allConfigMapFields...)
			return &cm
		}(), changes: []Change{{Action: Update, Kind: resource.KindConfigMap, Address: cmAddr, Cluster: "c1",
			ConfigMap: &Diff[resource.ConfigMap]{Before: ptr(func() resource.ConfigMap {
				cm := created(wantConfigMap())
				cm.Data["extra"] = "stale"
				return cm
			}()), After: ptr(created(wantConfigMap()))},
			Fields: []Field{{Name: FieldData, Key: "extra", Before: Text("stale")}}}}},
		{name: "ours without managedFields: every field irsa-sync may set is compared, no other", live: func() *state.ConfigMap {
			cm := liveCreated()
			cm.ConfigMap = copyConfigMap(cm.ConfigMap)
			cm.Annotations[resource.CreatedAnnotation] = "yes"
			cm.Data["extra"] = "theirs"
			cm.Managers, cm.Owned = nil, nil
			return &cm
		}(), changes: []Change{{Action: Update, Kind: resource.KindConfigMap, Address: cmAddr, Cluster: "c1",
			ConfigMap: &Diff[resource.ConfigMap]{Before: ptr(func() resource.ConfigMap {
				cm := created(wantConfigMap())
				cm.Annotations[resource.CreatedAnnotation] = "yes"
				return cm
			}()), After: ptr(wantConfigMap())},
			Fields: []Field{{Name: FieldAnnotation, Key: resource.CreatedAnnotation, Before: Text("yes")}}}}},
		{name: "ours with managers but none irsa-sync: only what the file sets is compared", live: func() *state.ConfigMap {
			cm := liveCreated()
			cm.ConfigMap = copyConfigMap(cm.ConfigMap)
			cm.Annotations[resource.CreatedAnnotation] = "yes"
			cm.Managers, cm.Owned = []string{"kubectl-edit"}, nil
			return &cm
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want, have := configMapFixture(true)
			want.ConfigMaps[0].Adopt = tt.adopt
			if tt.live != nil {
				have.Clusters["c1"].ConfigMaps["default/reader-aws"] = *tt.live
			}
			p := Compute(want, have, Options{Prune: true})
			if diff := cmp.Diff(orEmpty(tt.changes), p.Changes); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(orEmpty(tt.conflicts), p.Conflicts); diff != "" {
				t.Errorf("conflicts (-want +got):\n%s", diff)
			}
			if len(p.Errors) > 0 {
				t.Errorf("errors: %+v", p.Errors)
			}
			for _, c := range p.Changes {
				if err := c.Check(); err != nil {
					t.Errorf("change %s: %v", c.Address, err)
				}
			}
		})
	}
}

func TestConfigMapCannotBePlanned(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(*state.Cluster)
		want   []Problem
	}{
		{"namespace missing", func(c *state.Cluster) { delete(c.Namespaces, "default") },
			[]Problem{{cmAddr, `namespace "default" does not exist in cluster "c1", and irsa-sync does not create namespaces: create it first, or correct the profileConfigMap`}}},
		{"ConfigMaps not read", func(c *state.Cluster) { c.ConfigMaps = nil },
			[]Problem{{cmAddr, "the cluster's ConfigMaps were not read: report this as a bug"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want, have := configMapFixture(true)
			// The ServiceAccount of the fixture is in default too; keep it
			// out of the way, this test is about the ConfigMap.
			want.ServiceAccounts, have.Clusters["c1"].ServiceAccounts = nil, map[string]state.ServiceAccount{}
			tt.mutate(have.Clusters["c1"])
			p := Compute(want, have, Options{})
			if diff := cmp.Diff(tt.want, p.Errors); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if len(p.Changes) != 0 || !p.Blocked() {
				t.Errorf("changes %v, blocked %v: want none, blocked", actions(p.Changes), p.Blocked())
			}
		})
	}
}

func orEmpty[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}
