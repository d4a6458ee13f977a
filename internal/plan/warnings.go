package plan

import (
	"slices"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/partition"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// broadManaged are AWS-managed policies known to grant everything, or every
// IAM action, by name: their documents are not in the file to read. They are
// matched in every partition (arn:aws-cn:iam::aws:policy/... in China);
// validation already refuses one of another partition than the role's.
var broadManaged = map[string]string{
	"AdministratorAccess": "*",
	"IAMFullAccess":       "iam:*",
}

// broadPolicies returns a risk for every declared policy document, and every
// attachment, that allows any action on any resource or every IAM action.
// Such a role is an administrator of its account (or can make itself one),
// handed to every pod the trust admits: legal, sometimes meant, and worth a
// second look in review, so it is said and does not block.
func broadPolicies(want *desired.State) []Risk {
	var out []Risk
	broadARN := map[string]string{}
	for name, g := range broadManaged {
		for _, p := range partition.All {
			broadARN[resource.AWSManagedPolicyARN(p, name)] = g
		}
	}
	for _, p := range want.Policies {
		if g := grantsBroadly(p.Document); g != "" {
			broadARN[p.ARN] = g
			out = append(out, Risk{Kind: RiskBroadPolicy, Address: accountAddress(p.Account, resource.KindPolicy, p.Name), AccountID: p.AccountID, Grants: g})
		}
	}
	for _, r := range want.Roles {
		addr := accountAddress(r.Account, resource.KindRole, r.Name)
		for _, name := range resource.SortedKeys(r.InlinePolicies) {
			if g := grantsBroadly(r.InlinePolicies[name]); g != "" {
				out = append(out, Risk{Kind: RiskBroadPolicy, Address: addr, AccountID: r.AccountID, Policy: "inline:" + name, Grants: g})
			}
		}
		for _, arn := range r.ManagedPolicies {
			if g, ok := broadARN[arn]; ok {
				out = append(out, Risk{Kind: RiskBroadPolicy, Address: addr, AccountID: r.AccountID, Policy: arn, Grants: g})
			}
		}
	}
	return out
}

// grantsBroadly returns "*" when an Allow statement's actions include "*"
// (or "*:*") and its resources include "*", else "iam:*" when an Allow
// statement grants every IAM action, else "". A Condition may narrow such a
// statement; it is still said, as the condition is what a reviewer must
// read.
func grantsBroadly(doc policy.Document) string {
	if doc.IsZero() {
		return ""
	}
	grants := ""
	for _, s := range oneOrMany(doc.Map()["Statement"]) {
		st, ok := s.(map[string]any)
		if !ok || st["Effect"] != "Allow" {
			continue
		}
		actions, resources := textValues(st["Action"]), textValues(st["Resource"])
		if (slices.Contains(actions, "*") || slices.Contains(actions, "*:*")) && slices.Contains(resources, "*") {
			return "*"
		}
		// IAM action names are case-insensitive
		// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
		if slices.ContainsFunc(actions, func(a string) bool { return strings.EqualFold(a, "iam:*") }) {
			grants = "iam:*"
		}
	}
	return grants
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
