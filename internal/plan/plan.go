// Package plan computes what to create, change and delete so the live state
// matches the bindings file. Compute is a pure function of the desired
// state, the live state and options: no clients, clock or environment.
package plan

import (
	"sort"

	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// Action is what a change does to an object.
type Action string

// The actions of a plan.
const (
	Create Action = "create"
	Update Action = "update"
	Delete Action = "delete"
)

// Plan is the difference between a bindings file and the live state.
type Plan struct {
	Owner   string   `json:"owner"`
	Changes []Change `json:"changes"`
	// Conflicts are objects of the names the file wants that another owner
	// (or nobody) holds; apply refuses to start while there are any.
	Conflicts []Problem `json:"conflicts"`
	// Errors are changes IAM or Kubernetes would refuse (a quota exceeded,
	// a field IAM cannot change); apply refuses to start while there are any.
	Errors []Problem `json:"errors"`
	// Warnings do not stop apply.
	Warnings []Problem `json:"warnings"`
	// Pruneable are deletes --prune would make; without it they are shown
	// and not applied.
	Pruneable []Change `json:"pruneable"`
	// Patterns are wildcard bindings: trusted by pattern, nothing to annotate.
	Patterns []desired.Pattern `json:"patterns"`
	// Access is, per role the changes touch, who gains and loses the
	// ability to assume it, by address.
	Access []RoleAccess `json:"access"`
	// Risks are what a reviewer must read before approving: widened access,
	// live trust statements irsa-sync did not generate, broad policies.
	Risks []Risk `json:"risks"`
	// Reach is, per changed customer policy, the roles attaching it.
	Reach []Reach `json:"reach"`
	// Names turn issuers, account ids and role ARNs into the file's names.
	Names Names `json:"names"`
}

// Problem is a conflict, error or warning about one object.
type Problem struct {
	Address string `json:"address"`
	Message string `json:"message"`
}

// Summary counts the changes by action, in the actions' own words.
type Summary struct {
	Create int `json:"create"`
	Update int `json:"update"`
	Delete int `json:"delete"`
}

// Summary counts the plan's changes.
func (p *Plan) Summary() Summary {
	var s Summary
	for _, c := range p.Changes {
		switch c.Action {
		case Create:
			s.Create++
		case Update:
			s.Update++
		case Delete:
			s.Delete++
		}
	}
	return s
}

// Blocked reports whether apply must refuse to start.
func (p *Plan) Blocked() bool { return len(p.Conflicts) > 0 || len(p.Errors) > 0 }

// Empty reports whether the live state already matches.
func (p *Plan) Empty() bool { return len(p.Changes) == 0 }

// sortChanges puts changes in the order apply runs them: creates and updates
// by kind in dependency order, then deletes in the reverse order; by address
// within a kind, except that a role whose trust names another role of the
// plan comes after it (chainDepths). The order is total, so plans are
// byte-identical.
func sortChanges(cs []Change) {
	depth := chainDepths(cs)
	rank := func(c Change) int {
		if c.Action == Delete {
			return 10 - c.Kind.Order()
		}
		return c.Kind.Order()
	}
	sort.SliceStable(cs, func(i, j int) bool {
		ri, rj := rank(cs[i]), rank(cs[j])
		if ri != rj {
			return ri < rj
		}
		if di, dj := depth[cs[i].Address], depth[cs[j].Address]; di != dj {
			return di < dj
		}
		return cs[i].Address < cs[j].Address
	})
}

func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Address != ps[j].Address {
			return ps[i].Address < ps[j].Address
		}
		return ps[i].Message < ps[j].Message
	})
}

// Addresses name objects in plans, stable across runs.
func accountAddress(account string, kind resource.Kind, name string) string {
	return "account/" + account + "/" + string(kind) + "/" + name
}

func clusterAddress(cluster, namespace, name string) string {
	return "cluster/" + cluster + "/" + string(resource.KindServiceAccount) + "/" + namespace + "/" + name
}
