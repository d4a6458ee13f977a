package apply

import (
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// dependencies returns, for each change, the changes it waits on: those that
// must be applied before it starts, by index into cs. The edges come from
// what the typed objects refer to:
//
//   - a created or updated object waits on the created or updated objects
//     its desired side refers to: a role on the OIDC providers its trust
//     names and on the policies it attaches or takes as its boundary; a
//     ServiceAccount on the role its annotation names;
//   - a deleted object waits on every other change whose live side refers
//     to it: a ServiceAccount is deleted (or moved to another role) before
//     the role it named, a role before the policies it attached and the
//     providers it trusted, because IAM refuses to delete a policy still
//     attached (DeleteConflict) and a trust naming a deleted provider is
//     dead weight.
//
// Nothing else is ordered: changes that refer to nothing of each other run
// independently, so one failure holds back only what depends on it. Edges
// go from lower kinds to higher ones for creates and updates and from higher
// to lower ones for deletes, and no create or update waits on a delete, so
// the graph has no cycle.
func dependencies(cs []plan.Change) [][]int {
	// Who provides each ARN, among the changes that leave the object in
	// place (create or update) and among the deletes.
	kept, deleted := map[string]int{}, map[string]int{}
	for i, c := range cs {
		arn := ownARN(c)
		if arn == "" {
			continue
		}
		if c.Action == plan.Delete {
			deleted[arn] = i
		} else {
			kept[arn] = i
		}
	}
	waits := make([][]int, len(cs))
	add := func(i, j int) {
		if i == j {
			return
		}
		for _, k := range waits[i] {
			if k == j {
				return
			}
		}
		waits[i] = append(waits[i], j)
	}
	for i, c := range cs {
		before, after := refs(c)
		if c.Action != plan.Delete {
			for _, arn := range after {
				if j, ok := kept[arn]; ok {
					add(i, j)
				}
			}
		}
		// The delete of what this change's live side named waits on it.
		for _, arn := range before {
			if j, ok := deleted[arn]; ok {
				add(j, i)
			}
		}
	}
	return waits
}

// ownARN is the ARN of the IAM object a change writes, "" for objects
// nothing refers to by ARN (ServiceAccounts).
func ownARN(c plan.Change) string {
	switch c.Kind {
	case resource.KindProvider:
		if p := pick(c.Provider); p != nil {
			return p.ARN
		}
	case resource.KindPolicy:
		if p := pick(c.Policy); p != nil {
			return p.ARN
		}
	case resource.KindRole:
		if r := pick(c.Role); r != nil {
			return r.ARN
		}
	}
	return ""
}

// pick is the side of a diff that names the object: the desired one, or the
// live one for a delete.
func pick[T any](d *plan.Diff[T]) *T {
	if d == nil {
		return nil
	}
	if d.After != nil {
		return d.After
	}
	return d.Before
}

// refs returns the ARNs the change's live side and desired side refer to.
func refs(c plan.Change) (before, after []string) {
	switch c.Kind {
	case resource.KindRole:
		if c.Role != nil {
			return roleRefs(c.Role.Before), roleRefs(c.Role.After)
		}
	case resource.KindServiceAccount:
		if c.ServiceAccount != nil {
			return saRefs(c.ServiceAccount.Before), saRefs(c.ServiceAccount.After)
		}
	case resource.KindAssociation:
		if c.Association != nil {
			return associationRefs(c.Association.Before), associationRefs(c.Association.After)
		}
	case resource.KindConfigMap:
		// A profile names the roles of its chain: it is written once they
		// exist (with the trust and permission that make the chain work),
		// and deleted before them.
		if c.ConfigMap != nil {
			return configMapRefs(c.ConfigMap.Before), configMapRefs(c.ConfigMap.After)
		}
	}
	return nil, nil
}

// roleRefs are the providers a role's trust names and the policies it
// attaches or is bounded by.
func roleRefs(r *resource.Role) []string {
	if r == nil {
		return nil
	}
	var out []string
	for _, g := range trust.Read(r.Trust) {
		// Read joins a statement's several federated principals with commas,
		// which no ARN holds.
		for _, arn := range strings.Split(g.Principal, ",") {
			if arn != "" {
				out = append(out, arn)
			}
		}
	}
	// A chained role's trust names its source role, and IAM refuses a trust
	// naming a role that does not exist yet (MalformedPolicyDocument
	// "Invalid principal in policy"): the target waits on its source.
	out = append(out, trust.RolePrincipals(r.Trust)...)
	out = append(out, r.ManagedPolicies...)
	if r.PermissionsBoundary != "" {
		out = append(out, r.PermissionsBoundary)
	}
	return out
}

func configMapRefs(cm *resource.ConfigMap) []string {
	if cm == nil {
		return nil
	}
	return resource.ProfileRoleARNs(cm.Data[resource.ProfileConfigKey])
}

func saRefs(sa *resource.ServiceAccount) []string {
	if sa == nil {
		return nil
	}
	if arn := sa.Annotations[resource.AnnotationRoleARN]; arn != "" {
		return []string{arn}
	}
	return nil
}
