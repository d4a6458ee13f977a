package plan

import (
	"sort"

	"github.com/irsa-sync/irsa-sync/internal/access"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// RiskKind says why a plan carries a risk. Risks do not stop apply: each is
// legal, sometimes meant, and must be read by a reviewer.
type RiskKind string

// The risks of a plan.
const (
	// RiskWidens: a change widens who can assume a role (Widening).
	RiskWidens RiskKind = "widensAccess"
	// RiskForeignTrust: a live trust of a role the file manages holds a
	// statement irsa-sync does not generate (Trust).
	RiskForeignTrust RiskKind = "foreignTrust"
	// RiskBroadPolicy: a role attaches, or a policy is, a document that
	// grants "*" on "*" or every IAM action (Policy, Grants).
	RiskBroadPolicy RiskKind = "broadPolicy"
)

// Risk is one risk of a plan, about the object at Address. The fields its
// kind uses are set; render turns it into words.
type Risk struct {
	Kind    RiskKind
	Address string
	// AccountID is the account of the role or policy, for the words.
	AccountID string
	Widening  *access.Widening
	Trust     *access.Risk
	// Policy names the broad document: a managed policy's ARN, or
	// "inline:NAME" for an inline policy; empty for the policy itself.
	Policy string
	// Grants is what the document allows: "*" (everything) or "iam:*".
	Grants string
}

// risks returns the risks of the plan, sorted by address.
func (c *computer) risks(names Names) []Risk {
	out := WideningRisks(c.plan.Access)
	out = append(out, c.foreignTrusts(names)...)
	out = append(out, broadPolicies(c.want)...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out
}

// WideningRisks is a risk for each way each role's access widens.
func WideningRisks(roles []RoleAccess) []Risk {
	var out []Risk
	for _, a := range roles {
		for i := range a.Widened {
			w := a.Widened[i]
			out = append(out, Risk{Kind: RiskWidens, Address: a.Address, Widening: &w})
		}
	}
	return out
}

// foreignTrusts reports, for every role of the file that exists live, the
// risks of its live trust that the declared trust does not have: those come
// from statements irsa-sync did not generate (another account's root, a
// missing sub), whether this plan replaces them or the role is left alone.
func (c *computer) foreignTrusts(names Names) []Risk {
	var out []Risk
	for _, want := range c.want.Roles {
		acct := c.have.Accounts[want.AccountID]
		if acct == nil {
			continue
		}
		have, ok := acct.Role(want.Name)
		if !ok || have.Trust.Equal(want.Trust) {
			// A live trust that is the declared one holds no statement
			// the file did not ask for; this skips the analysis for the
			// roles of a settled estate.
			continue
		}
		r := names.Resolver(have.ARN)
		_, declared := access.Of(want.Trust, r)
		_, live := access.Of(have.Trust, r)
		ours := map[[2]string]bool{}
		for _, d := range declared {
			ours[[2]string{d.Kind.String(), d.Detail}] = true
		}
		addr := accountAddress(want.Account, resource.KindRole, want.Name)
		for i := range live {
			if ours[[2]string{live[i].Kind.String(), live[i].Detail}] {
				continue
			}
			lr := live[i]
			out = append(out, Risk{Kind: RiskForeignTrust, Address: addr, AccountID: want.AccountID, Trust: &lr})
		}
	}
	return out
}
