package plan

import (
	"fmt"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
)

func configMapAddress(cluster, namespace, name string) string {
	return "cluster/" + cluster + "/" + string(resource.KindConfigMap) + "/" + namespace + "/" + name
}

// managedConfigMapFields are every field irsa-sync may set on a profile
// ConfigMap, the fallback for a live one with no field-manager records.
var managedConfigMapFields = []string{
	"labels." + resource.ManagedLabel,
	"annotations." + resource.OwnerAnnotation, "annotations." + resource.CreatedAnnotation,
	"data." + resource.ProfileConfigKey, "data." + resource.ProfileNameKey,
}

// configMaps plans the file's profile ConfigMaps: created where absent,
// updated where this owner's (or adopted) one differs in what irsa-sync
// sets, and a conflict where another owner's or nobody's holds the name.
func (c *computer) configMaps() {
	for _, want := range c.want.ConfigMaps {
		addr := configMapAddress(want.Cluster, want.Namespace, want.Name)
		cl := c.cluster(want.Cluster)
		if cl.Namespaces != nil && !cl.Namespaces[want.Namespace] {
			c.fail(addr, fmt.Sprintf("namespace %q does not exist in cluster %q, and irsa-sync does not create namespaces: create it first, or correct the profileConfigMap", want.Namespace, want.Cluster))
			continue
		}
		if cl.ConfigMaps == nil {
			c.fail(addr, "the cluster's ConfigMaps were not read: report this as a bug")
			continue
		}
		if want.MixedVia {
			c.warn(addr, "the source role's service accounts in this namespace are bound via irsa and via podIdentity: the profile reads the web identity token, which pods of the podIdentity ones do not have; bind them all one way, or give those pods another profile")
		}
		have, ok := cl.ConfigMaps[want.Key()]
		if !ok {
			after := copyConfigMap(want.ConfigMap)
			after.Annotations[resource.CreatedAnnotation] = "true"
			c.add(Change{Action: Create, Kind: resource.KindConfigMap, Address: addr, Cluster: want.Cluster, ConfigMap: &Diff[resource.ConfigMap]{After: &after}})
			continue
		}
		ours := have.Annotations[resource.OwnerAnnotation] == c.want.Owner
		if !ours && !want.Adopt {
			c.conflict(addr, fmt.Sprintf("ConfigMap exists and irsa-sync did not write it for this owner (annotation %s is %q): set adopt: true on this profileConfigMap to take it over, or choose another name", resource.OwnerAnnotation, have.Annotations[resource.OwnerAnnotation]))
			continue
		}
		after := copyConfigMap(want.ConfigMap)
		if ours && have.Annotations[resource.CreatedAnnotation] == "true" {
			after.Annotations[resource.CreatedAnnotation] = "true"
		}
		before := configMapSubset(have, ours, after)
		if cmp.Equal(before, after) {
			continue
		}
		ch := Change{Action: Update, Kind: resource.KindConfigMap, Address: addr, Cluster: want.Cluster,
			ConfigMap: &Diff[resource.ConfigMap]{Before: &before, After: &after}, Adopt: !ours, Fields: configMapFields(before, after)}
		if before.Data[resource.ProfileConfigKey] != after.Data[resource.ProfileConfigKey] || before.Data[resource.ProfileNameKey] != after.Data[resource.ProfileNameKey] {
			ch.Notes = append(ch.Notes, Note{Kind: NoteProfileRefresh})
		}
		c.add(ch)
	}
}

// pruneConfigMaps finds this owner's profile ConfigMaps the file no longer
// declares: deleted when irsa-sync created them and nobody else manages a
// field of them, else stripped of what irsa-sync set.
func (c *computer) pruneConfigMaps() {
	want := map[string]bool{}
	for _, cm := range c.want.ConfigMaps {
		want[cm.Cluster+"/"+cm.Key()] = true
	}
	for _, name := range resource.SortedKeys(c.have.Clusters) {
		cl := c.have.Clusters[name]
		for _, key := range resource.SortedKeys(cl.ConfigMaps) {
			cm := cl.ConfigMaps[key]
			if want[name+"/"+key] || cm.Annotations[resource.OwnerAnnotation] != c.want.Owner {
				continue
			}
			addr := configMapAddress(name, cm.Namespace, cm.Name)
			before := configMapSubset(cm, true, resource.ConfigMap{})
			if cm.Annotations[resource.CreatedAnnotation] == "true" && onlyManager(cm.Managers) {
				c.pruneable(Change{Action: Delete, Kind: resource.KindConfigMap, Address: addr, Cluster: name, ConfigMap: &Diff[resource.ConfigMap]{Before: &before}})
				continue
			}
			after := resource.ConfigMap{Cluster: name, Namespace: cm.Namespace, Name: cm.Name,
				Labels: map[string]string{}, Annotations: map[string]string{}, Data: map[string]string{}}
			fields := configMapFields(before, after)
			if len(fields) == 0 {
				// irsa-sync owns no field of it any more, yet its owner
				// annotation stays, held by another manager (copied into a
				// manifest someone applies): a strip would change nothing,
				// and would be planned again on every run.
				c.warn(addr, fmt.Sprintf("no longer declared, and irsa-sync owns none of its fields, but %s holds its annotation %s=%s: remove that annotation where %s writes it", strings.Join(cm.Managers, ", "), resource.OwnerAnnotation, c.want.Owner, plural(len(cm.Managers), "that manager", "those managers")))
				continue
			}
			c.pruneable(Change{Action: Update, Kind: resource.KindConfigMap, Address: addr, Cluster: name,
				ConfigMap: &Diff[resource.ConfigMap]{Before: &before, After: &after}, Fields: fields,
				Notes: []Note{{Kind: NoteSharedConfigMap}}})
		}
	}
}

// configMapSubset is the part of a live ConfigMap irsa-sync compares: the
// fields the desired one sets and, on one this owner holds, those
// irsa-sync's field manager owns (removed when no longer set). A field
// another manager owns is never compared, as for ServiceAccounts.
func configMapSubset(cm state.ConfigMap, ours bool, want resource.ConfigMap) resource.ConfigMap {
	out := resource.ConfigMap{Cluster: cm.Cluster, Namespace: cm.Namespace, Name: cm.Name,
		Labels: map[string]string{}, Annotations: map[string]string{}, Data: map[string]string{}}
	sections := []struct {
		prefix     string
		have, want map[string]string
		out        map[string]string
	}{
		{"labels.", cm.Labels, want.Labels, out.Labels},
		{"annotations.", cm.Annotations, want.Annotations, out.Annotations},
		{"data.", cm.Data, want.Data, out.Data},
	}
	owned := map[string]bool{}
	if ours {
		list := cm.Owned
		if len(cm.Managers) == 0 {
			list = managedConfigMapFields
		}
		for _, f := range list {
			owned[f] = true
		}
	}
	for _, s := range sections {
		for k, v := range s.have {
			if _, wanted := s.want[k]; wanted || owned[s.prefix+k] {
				s.out[k] = v
			}
		}
	}
	return out
}

// configMapFields lists each label, annotation and data key that changes.
func configMapFields(before, after resource.ConfigMap) []Field {
	var fs []Field
	for _, s := range []struct {
		name       FieldName
		have, want map[string]string
	}{
		{FieldLabel, before.Labels, after.Labels},
		{FieldAnnotation, before.Annotations, after.Annotations},
		{FieldData, before.Data, after.Data},
	} {
		for _, f := range annotationFields(s.have, s.want) {
			f.Name = s.name
			fs = append(fs, f)
		}
	}
	return fs
}

func copyConfigMap(cm resource.ConfigMap) resource.ConfigMap {
	cm.Labels, cm.Annotations, cm.Data = copyMap(cm.Labels), copyMap(cm.Annotations), copyMap(cm.Data)
	return cm
}
