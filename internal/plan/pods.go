package plan

import (
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// MaxPodsNamed caps the pod names a note lists; its Count is always exact.
const MaxPodsNamed = 10

// RoleChanges returns, by cluster, the ServiceAccounts whose role the plan's
// changes change (an update of the role annotation, its removal, or a
// delete): the only ones whose pods are worth listing, since the webhook
// gave every running pod the role its ServiceAccount named at the time.
func RoleChanges(p *Plan) map[string][]resource.ServiceAccount {
	out := map[string][]resource.ServiceAccount{}
	for _, c := range p.Changes {
		if sa, ok := roleChange(c); ok {
			out[sa.Cluster] = append(out[sa.Cluster], sa)
		}
	}
	return out
}

// NotePods adds to each change of a ServiceAccount's role the pods that keep
// the old role until restarted, from pods (cluster → "ns/name" → pod names,
// as live.PodsUsing returns them). The note replaces the generic
// NoteRestart; a ServiceAccount no pod uses keeps it, since pods may start
// between plan and apply. Calling NotePods again replaces its notes.
func NotePods(p *Plan, pods map[string]map[string][]string) {
	for i := range p.Changes {
		c := &p.Changes[i]
		sa, ok := roleChange(*c)
		if !ok {
			continue
		}
		names := pods[sa.Cluster][sa.Key()]
		if len(names) == 0 {
			continue
		}
		notes := make([]Note, 0, len(c.Notes))
		for _, n := range c.Notes {
			if n.Kind != NoteRestart && n.Kind != NotePodsKeepRole {
				notes = append(notes, n)
			}
		}
		c.Notes = append(notes, Note{Kind: NotePodsKeepRole, Count: len(names), Names: names[:min(len(names), MaxPodsNamed)]})
	}
}

// roleChange returns the ServiceAccount of a change that changes which role
// its pods would get.
func roleChange(c Change) (resource.ServiceAccount, bool) {
	if a := c.Association; a != nil {
		// Bound via both, pods keep IRSA's credentials: nothing changes
		// for them until the annotation goes.
		if c.HasNote(NoteBothCredentials) || (c.Action == Update && !c.HasNote(NotePodIdentityRestart)) {
			return resource.ServiceAccount{}, false
		}
		side := a.After
		if side == nil {
			side = a.Before
		}
		return resource.ServiceAccount{Cluster: side.Cluster, Namespace: side.Namespace, Name: side.ServiceAccount}, true
	}
	if c.ServiceAccount == nil || (c.Action != Update && c.Action != Delete) {
		return resource.ServiceAccount{}, false
	}
	before := c.ServiceAccount.Before
	if before == nil {
		return resource.ServiceAccount{}, false
	}
	var afterRole string
	if after := c.ServiceAccount.After; after != nil && c.Action == Update {
		afterRole = after.Annotations[resource.AnnotationRoleARN]
	}
	if before.Annotations[resource.AnnotationRoleARN] == afterRole {
		return resource.ServiceAccount{}, false
	}
	return resource.ServiceAccount{Cluster: before.Cluster, Namespace: before.Namespace, Name: before.Name}, true
}
