package plan

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
)

// stripped is the update that takes what irsa-sync set off a ConfigMap it
// no longer declares: before is what its field manager owns.
func stripped(before resource.ConfigMap) Change {
	after := resource.ConfigMap{Cluster: before.Cluster, Namespace: before.Namespace, Name: before.Name,
		Labels: map[string]string{}, Annotations: map[string]string{}, Data: map[string]string{}}
	return Change{Action: Update, Kind: resource.KindConfigMap, Address: cmAddr, Cluster: "c1",
		ConfigMap: &Diff[resource.ConfigMap]{Before: &before, After: &after}, Fields: configMapFields(before, after),
		Notes: []Note{{Kind: NoteSharedConfigMap}}}
}

func TestConfigMapPrune(t *testing.T) {
	t.Parallel()
	deleted := Change{Action: Delete, Kind: resource.KindConfigMap, Address: cmAddr, Cluster: "c1",
		ConfigMap: &Diff[resource.ConfigMap]{Before: ptr(created(wantConfigMap()))}}
	tests := []struct {
		name    string
		declare bool
		live    state.ConfigMap
		want    []Change
	}{
		{name: "declared: kept", declare: true, live: liveCreated()},
		{name: "created, irsa-sync the only manager: deleted", live: liveCreated(), want: []Change{deleted}},
		{name: "created, no managedFields: deleted", live: func() state.ConfigMap {
			cm := liveCreated()
			cm.Managers, cm.Owned = nil, nil
			return cm
		}(), want: []Change{deleted}},
		{name: "created, another manager owns a key: stripped, their key kept", live: func() state.ConfigMap {
			cm := liveCreated()
			cm.ConfigMap = copyConfigMap(cm.ConfigMap)
			cm.Data["extra"] = "theirs"
			cm.Managers = []string{"helm", resource.FieldManager}
			return cm
		}(), want: []Change{stripped(created(wantConfigMap()))}},
		{name: "adopted (not created): stripped", live: func() state.ConfigMap {
			cm := liveCreated()
			cm.ConfigMap = copyConfigMap(wantConfigMap())
			cm.Owned = allConfigMapFields[1:]
			return cm
		}(), want: []Change{stripped(wantConfigMap())}},
		{name: "another owner's: left alone", live: func() state.ConfigMap {
			cm := liveCreated()
			cm.ConfigMap = copyConfigMap(cm.ConfigMap)
			cm.Annotations[resource.OwnerAnnotation] = otherOwner
			return cm
		}()},
		{name: "nobody's: left alone", live: state.ConfigMap{ConfigMap: resource.ConfigMap{Cluster: "c1", Namespace: "default", Name: "reader-aws",
			Labels: map[string]string{resource.ManagedLabel: resource.ManagedValue}}, Managers: []string{resource.FieldManager}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want, have := configMapFixture(tt.declare)
			have.Clusters["c1"].ConfigMaps["default/reader-aws"] = tt.live
			p := Compute(want, have, Options{})
			if diff := cmp.Diff(orEmpty(tt.want), p.Pruneable); diff != "" {
				t.Errorf("pruneable (-want +got):\n%s", diff)
			}
			if len(p.Changes) != 0 {
				t.Errorf("without prune, changes: %v", actions(p.Changes))
			}
			p = Compute(want, have, Options{Prune: true})
			if diff := cmp.Diff(orEmpty(tt.want), p.Changes); diff != "" {
				t.Errorf("with prune, changes (-want +got):\n%s", diff)
			}
			for _, c := range p.Changes {
				if err := c.Check(); err != nil {
					t.Errorf("change %s: %v", c.Address, err)
				}
			}
		})
	}
}

// TestConfigMapStripFields pins the strip's fields: each key irsa-sync
// owns is removed, none is set.
func TestConfigMapStripFields(t *testing.T) {
	t.Parallel()
	want, have := configMapFixture(false)
	cm := liveCreated()
	cm.Managers = []string{"helm", resource.FieldManager}
	have.Clusters["c1"].ConfigMaps["default/reader-aws"] = cm
	p := Compute(want, have, Options{Prune: true})
	if len(p.Changes) != 1 {
		t.Fatalf("changes %v: want one strip", actions(p.Changes))
	}
	got := p.Changes[0].Fields
	wantFields := []Field{
		{Name: FieldLabel, Key: resource.ManagedLabel, Before: Text(resource.ManagedValue)},
		{Name: FieldAnnotation, Key: resource.CreatedAnnotation, Before: Text("true")},
		{Name: FieldAnnotation, Key: resource.OwnerAnnotation, Before: Text(owner)},
		{Name: FieldData, Key: resource.ProfileConfigKey, Before: Text(cmConfig)},
		{Name: FieldData, Key: resource.ProfileNameKey, Before: Text("reader")},
	}
	if diff := cmp.Diff(wantFields, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
}
