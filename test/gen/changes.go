package gen

import (
	"encoding/json"
	"fmt"

	"github.com/irsa-sync/irsa-sync/internal/config"
)

// ChangeKind is what differs in a changed role. The kinds rotate over the
// changed roles so that a "1% changed" estate exercises each kind of write.
type ChangeKind int

// Kinds of change, each one field of one role.
const (
	// ChangeDescription rewrites the role's description.
	ChangeDescription ChangeKind = iota
	// ChangeTag changes the value of one of the role's tags.
	ChangeTag
	// ChangeServiceAccount binds one more exact service account, on the
	// role's first home cluster: the trust gains a subject and a
	// ServiceAccount is created.
	ChangeServiceAccount
	// ChangeInlinePolicy sets the role's inline policy "logs" to another
	// document (adding it when the role had none).
	ChangeInlinePolicy
	changeKinds
)

func (k ChangeKind) String() string {
	switch k {
	case ChangeDescription:
		return "description"
	case ChangeTag:
		return "tag"
	case ChangeServiceAccount:
		return "service account"
	case ChangeInlinePolicy:
		return "inline policy"
	}
	return fmt.Sprintf("ChangeKind(%d)", int(k))
}

// Change is one changed role of an estate.
type Change struct {
	// Index is the role's index; its name is RoleName(Index).
	Index int
	Kind  ChangeKind
}

// Changes lists the roles File changes for p.Changed, in index order:
// p.Changed roles spaced evenly over the estate, kinds in rotation.
func Changes(p Params) []Change {
	p = p.withDefaults()
	if p.Changed == 0 {
		return nil
	}
	stride := p.Roles / p.Changed
	out := make([]Change, 0, p.Changed)
	for n := range p.Changed {
		out = append(out, Change{Index: n * stride, Kind: ChangeKind(n % int(changeKinds))})
	}
	return out
}

func applyChange(r *config.Role, kind ChangeKind, home []int) {
	switch kind {
	case ChangeDescription:
		r.Description += " (changed)"
	case ChangeTag:
		r.Tags["cost-center"] = "cc-changed"
	case ChangeServiceAccount:
		r.ServiceAccounts = append(r.ServiceAccounts, config.ServiceAccount{
			Cluster: ClusterName(home[0]), Namespace: r.ServiceAccounts[0].Namespace, Name: r.Name + "-added",
		})
	case ChangeInlinePolicy:
		if r.InlinePolicies == nil {
			r.InlinePolicies = map[string]json.RawMessage{}
		}
		r.InlinePolicies["logs"] = document("logs:CreateLogStream", "*")
	}
}
