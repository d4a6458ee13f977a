package verify

import (
	"errors"

	"github.com/aws/smithy-go"

	"github.com/irsa-sync/irsa-sync/internal/partition"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// diagnoseHop explains a refused sts:AssumeRole of a chain's hop. STS
// answers AccessDenied "User: SESSION is not authorized to perform:
// sts:AssumeRole on resource: TARGET" alike for a target that does not
// exist, a trust that does not name the source and a source whose identity
// policies do not allow the call (STS API reference, AssumeRole; IAM User
// Guide, "Cross-account policy evaluation logic": a cross-account call
// needs both the caller's identity policy and the target's trust), so the
// reason comes from the live state: the first half that reads wrong. When
// both read right, IAM may not have propagated a change yet (the same
// eventual consistency as for web identity), and the hop is retried.
// Other codes (ExpiredTokenException, RegionDisabledException, ...) are
// final: their message says what is wrong.
func diagnoseHop(err error, source, target string, have *state.Live) diagnosis {
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "AccessDenied" {
		return diagnosis{reason: STSError}
	}
	if r := hopReason(source, target, have); r != "" {
		return diagnosis{reason: r}
	}
	return diagnosis{reason: Propagating, retry: true, looksRight: true}
}

// hopReason is the half of the chain the live state shows wrong, or ""
// when both read right (or the accounts were not read: nothing to say).
func hopReason(source, target string, have *state.Live) Reason {
	tAcct := have.Accounts[resource.AccountOfARN(target)]
	if tAcct == nil {
		return ""
	}
	t, ok := tAcct.Role(roleName(target))
	if !ok || t.ARN != target {
		// A role of that name under another path is another ARN.
		return ChainTargetMissing
	}
	if !trustAdmits(t.Trust, source) {
		return ChainTrust
	}
	sAcct := have.Accounts[resource.AccountOfARN(source)]
	if sAcct == nil {
		return ""
	}
	s, ok := sAcct.Role(roleName(source))
	if !ok {
		return ""
	}
	if !inlineAllows(s.InlinePolicies, target) {
		return ChainPermission
	}
	return ""
}

// trustAdmits reads a live trust for an Allow of sts:AssumeRole to the
// source role: Principal.AWS its ARN, its account (id or root: IAM then
// leaves the decision to the account's identity policies) or "*", and no
// Deny of the same. Conditions are STS's to judge; IAM shows a trust whose
// principal role was deleted with the role's unique id instead of its ARN,
// which names no role, as a recreated source finds.
func trustAdmits(doc policy.Document, source string) bool {
	acct := resource.AccountOfARN(source)
	who := map[string]bool{source: true, acct: true, "arn:" + partition.OfARN(source) + ":iam::" + acct + ":root": true, "*": true}
	allowed := false
	for _, st := range statements(doc) {
		if !trust.ActionAllows(stringsOf(st["Action"]), trust.AssumeRoleAction) {
			continue
		}
		names := false
		if st["Principal"] == "*" {
			names = true
		} else if p, ok := st["Principal"].(map[string]any); ok {
			for _, v := range stringsOf(p["AWS"]) {
				names = names || who[v]
			}
		}
		if !names {
			continue
		}
		if st["Effect"] == "Deny" {
			return false
		}
		allowed = allowed || st["Effect"] == "Allow"
	}
	return allowed
}

// inlineAllows reads the source's live inline policies (irsa-sync writes
// resource.ChainPolicyName) for an Allow of sts:AssumeRole on the target
// and no Deny of it. Resource ARNs match as IAM globs, case-sensitively.
// Attached managed policies are not read: the permission irsa-sync keeps
// in sync is the inline one.
func inlineAllows(inline map[string]policy.Document, target string) bool {
	allowed := false
	for _, name := range resource.SortedKeys(inline) {
		for _, st := range statements(inline[name]) {
			if !trust.ActionAllows(stringsOf(st["Action"]), trust.AssumeRoleAction) || !resourceMatches(stringsOf(st["Resource"]), target) {
				continue
			}
			if st["Effect"] == "Deny" {
				return false
			}
			allowed = allowed || st["Effect"] == "Allow"
		}
	}
	return allowed
}

func resourceMatches(patterns []string, arn string) bool {
	for _, p := range patterns {
		if trust.Glob(p, arn) {
			return true
		}
	}
	return false
}

// statements are a document's statements, one or a list as IAM allows.
func statements(doc policy.Document) []map[string]any {
	var out []map[string]any
	switch v := doc.Map()["Statement"].(type) {
	case map[string]any:
		out = append(out, v)
	case []any:
		for _, item := range v {
			if st, ok := item.(map[string]any); ok {
				out = append(out, st)
			}
		}
	}
	return out
}

// stringsOf reads a policy value that IAM allows as a string or a list of
// strings.
func stringsOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, item := range x {
			if s, ok := item.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
