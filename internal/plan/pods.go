package plan

import (
	"fmt"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// maxPodsNamed caps the pod names a note lists; the count is always exact.
const maxPodsNamed = 10

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
// RestartNote; a ServiceAccount no pod uses keeps it, since pods may start
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
		notes := make([]string, 0, len(c.Notes))
		for _, n := range c.Notes {
			if n != RestartNote && !isPodNote(n) {
				notes = append(notes, n)
			}
		}
		c.Notes = append(notes, podNote(names))
	}
}

// roleChange returns the ServiceAccount of a change that changes which role
// its pods would get.
func roleChange(c Change) (resource.ServiceAccount, bool) {
	if c.Kind != resource.KindServiceAccount || (c.Action != Update && c.Action != Delete) {
		return resource.ServiceAccount{}, false
	}
	before, _ := c.Before.(*resource.ServiceAccount)
	if before == nil {
		return resource.ServiceAccount{}, false
	}
	var afterRole string
	if after, _ := c.After.(*resource.ServiceAccount); after != nil && c.Action == Update {
		afterRole = after.Annotations[resource.AnnotationRoleARN]
	}
	if before.Annotations[resource.AnnotationRoleARN] == afterRole {
		return resource.ServiceAccount{}, false
	}
	return resource.ServiceAccount{Cluster: before.Cluster, Namespace: before.Namespace, Name: before.Name}, true
}

const podNoteMarker = " this service account and keep"

func isPodNote(n string) bool { return strings.Contains(n, podNoteMarker) }

// podNote is "3 running pods use this service account and keep their old
// role until restarted: a, b, c", naming at most maxPodsNamed.
func podNote(names []string) string {
	n := len(names)
	listed := strings.Join(names[:min(n, maxPodsNamed)], ", ")
	if n > maxPodsNamed {
		listed += fmt.Sprintf(" and %d more", n-maxPodsNamed)
	}
	if n == 1 {
		return "1 running pod uses" + podNoteMarker + "s its old role until restarted: " + listed
	}
	return fmt.Sprintf("%d running pods use"+podNoteMarker+" their old role until restarted: %s", n, listed)
}
