package plan

import (
	"fmt"

	"github.com/google/go-cmp/cmp"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
)

// managedAnnotations are every annotation irsa-sync may set; on a
// ServiceAccount it owns, any of these the file no longer asks for is removed.
var managedAnnotations = []string{
	resource.AnnotationRoleARN, resource.AnnotationSTSRegional, resource.AnnotationAudience,
	resource.AnnotationTokenExpiration, resource.OwnerAnnotation, resource.CreatedAnnotation,
	resource.PodIdentityAnnotation,
}

func (c *computer) serviceAccounts() {
	for _, want := range c.want.ServiceAccounts {
		addr := clusterAddress(want.Cluster, want.Namespace, want.Name)
		cl := c.cluster(want.Cluster)
		if cl.Namespaces != nil && !cl.Namespaces[want.Namespace] {
			c.fail(addr, fmt.Sprintf("namespace %q does not exist in cluster %q, and irsa-sync does not create namespaces: create it first, or correct the binding", want.Namespace, want.Cluster))
			continue
		}
		have, ok := cl.ServiceAccounts[want.Key()]
		if !ok {
			after := want.ServiceAccount
			after.Annotations = copyMap(want.Annotations)
			after.Annotations[resource.CreatedAnnotation] = "true"
			c.add(Change{Action: Create, Kind: resource.KindServiceAccount, Address: addr, Cluster: want.Cluster, ServiceAccount: &Diff[resource.ServiceAccount]{After: &after}})
			continue
		}
		ours := have.Annotations[resource.OwnerAnnotation] == c.want.Owner
		current := have.Annotations[resource.AnnotationRoleARN]
		if !ours && current != "" && current != want.Role && !want.Adopt {
			c.conflict(addr, fmt.Sprintf("annotated with role %s, which irsa-sync did not set: set adopt: true on this binding to replace it, or bind another service account", current))
			continue
		}
		wantAnn := copyMap(want.Annotations)
		if ours && have.Annotations[resource.CreatedAnnotation] == "true" {
			wantAnn[resource.CreatedAnnotation] = "true"
		}
		haveAnn := managedSubset(have, ours, wantAnn)
		if cmp.Equal(haveAnn, wantAnn) {
			continue
		}
		before, after := have.ServiceAccount, want.ServiceAccount
		before.Annotations, after.Annotations = haveAnn, wantAnn
		ch := Change{Action: Update, Kind: resource.KindServiceAccount, Address: addr, Cluster: want.Cluster,
			ServiceAccount: &Diff[resource.ServiceAccount]{Before: &before, After: &after}, Adopt: !ours,
			Fields: annotationFields(haveAnn, wantAnn)}
		// Removing the annotation (a move to podIdentity) changes the pods'
		// credentials as much as naming another role.
		if current != wantAnn[resource.AnnotationRoleARN] {
			ch.Notes = append(ch.Notes, Note{Kind: NoteRestart})
		}
		c.add(ch)
	}
}

func (c *computer) cluster(name string) *state.Cluster {
	if cl := c.have.Clusters[name]; cl != nil {
		return cl
	}
	return &state.Cluster{Name: name}
}

// managedSubset is the part of a live object's annotations irsa-sync
// compares: those the file sets, and, on an object this owner holds, those
// irsa-sync's field manager owns (which it removes when the file no longer
// sets them). An annotation another manager owns is never compared: a
// server-side apply could not remove it, and the plan would never settle.
func managedSubset(sa state.ServiceAccount, ours bool, want map[string]string) map[string]string {
	keys := map[string]bool{}
	for k := range want {
		keys[k] = true
	}
	if ours {
		for _, k := range ownedAnnotations(sa) {
			keys[k] = true
		}
	}
	out := map[string]string{}
	for k := range keys {
		if v, ok := sa.Annotations[k]; ok {
			out[k] = v
		}
	}
	return out
}

// ownedAnnotations are the annotations irsa-sync's field manager owns. An
// object with no field-manager records at all (written before managed
// fields existed, or by a client that strips them) falls back to every
// annotation irsa-sync may set.
func ownedAnnotations(sa state.ServiceAccount) []string {
	if len(sa.Managers) == 0 {
		return managedAnnotations
	}
	return sa.Owned
}

// annotationFields lists each annotation that changes, before → after.
func annotationFields(have, want map[string]string) []Field {
	keys := map[string]bool{}
	for k := range have {
		keys[k] = true
	}
	for k := range want {
		keys[k] = true
	}
	var fs []Field
	for _, k := range resource.SortedKeys(keys) {
		h, hok := have[k]
		w, wok := want[k]
		if h == w && hok == wok {
			continue
		}
		f := Field{Name: FieldAnnotation, Key: k}
		if hok {
			f.Before = Text(h)
		}
		if wok {
			f.After = Text(w)
		}
		fs = append(fs, f)
	}
	return fs
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
