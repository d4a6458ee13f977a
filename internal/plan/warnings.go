package plan

import (
	"fmt"
	"slices"

	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/partition"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// administratorAccess reports whether arn is AWS's managed policy that
// allows everything, in any partition (arn:aws-cn:iam::aws:policy/... in
// China): validation already refuses one of another partition than the
// role's account.
func administratorAccess(arn string) bool {
	for _, p := range partition.All {
		if arn == resource.AWSManagedPolicyARN(p, "AdministratorAccess") {
			return true
		}
	}
	return false
}

// policyWarnings returns a warning for every declared policy document, and
// every attachment of AdministratorAccess, that allows any action on any
// resource. Such a role is an administrator of its account, handed to every
// pod the trust admits: legal, sometimes meant, and worth a second look in
// review, so it warns and does not block.
func policyWarnings(want *desired.State) []Problem {
	var out []Problem
	for _, p := range want.Policies {
		if allowsEverything(p.Document) {
			out = append(out, Problem{
				Address: accountAddress(p.Account, resource.KindPolicy, p.Name),
				Message: fmt.Sprintf("the document allows Action \"*\" on Resource \"*\": every role attaching it is an administrator of account %s; list the actions and resources the pods need", p.AccountID),
			})
		}
	}
	for _, r := range want.Roles {
		addr := accountAddress(r.Account, resource.KindRole, r.Name)
		for _, name := range resource.SortedKeys(r.InlinePolicies) {
			if allowsEverything(r.InlinePolicies[name]) {
				out = append(out, Problem{
					Address: addr,
					Message: fmt.Sprintf("inline policy %q allows Action \"*\" on Resource \"*\": the role is an administrator of account %s, and so is every pod its trust admits; list the actions and resources the pods need", name, r.AccountID),
				})
			}
		}
		if i := slices.IndexFunc(r.ManagedPolicies, administratorAccess); i >= 0 {
			out = append(out, Problem{
				Address: addr,
				Message: fmt.Sprintf("attaches %s, which allows Action \"*\" on Resource \"*\": the role is an administrator of account %s, and so is every pod its trust admits", r.ManagedPolicies[i], r.AccountID),
			})
		}
	}
	return out
}

// allowsEverything reports whether an Allow statement's actions include "*"
// (or "*:*") and its resources include "*". A Condition may narrow such a
// statement; it still warns, as the condition is what a reviewer must read.
func allowsEverything(doc policy.Document) bool {
	if doc.IsZero() {
		return false
	}
	for _, s := range oneOrMany(doc.Map()["Statement"]) {
		st, ok := s.(map[string]any)
		if !ok || st["Effect"] != "Allow" {
			continue
		}
		actions, resources := textValues(st["Action"]), textValues(st["Resource"])
		if (slices.Contains(actions, "*") || slices.Contains(actions, "*:*")) && slices.Contains(resources, "*") {
			return true
		}
	}
	return false
}

// oneOrMany reads a JSON value that may be one item or a list of them, as IAM
// allows for Statement, Action and Resource.
func oneOrMany(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

func textValues(v any) []string {
	var out []string
	for _, x := range oneOrMany(v) {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
