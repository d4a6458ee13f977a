package access

import (
	"fmt"
	"sort"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// The service principal and action of EKS Pod Identity
// (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html).
const (
	podsService = "pods.eks.amazonaws.com"
	assumeRole  = "sts:AssumeRole"
)

// Of returns who can assume a role with this trust, sorted and without
// repeats, and the risks of the trust. Where a statement cannot be read
// exactly (an operator this reader does not evaluate, a Deny), the subjects
// err on the side of more access and a risk says so: a reviewer should see
// too much rather than too little.
func Of(trustDoc policy.Document, r Resolver) ([]Subject, []Risk) {
	list, _ := trustDoc.Map()["Statement"].([]any)
	var subs []Subject
	var risks []Risk
	for i, item := range list {
		st, _ := item.(map[string]any)
		s, rs := statement(i, st, r)
		subs = append(subs, s...)
		risks = append(risks, rs...)
	}
	return sortSubjects(subs), sortRisks(risks)
}

// statement reads one statement of a trust. IAM evaluates each principal of
// a statement on its own, so each becomes its own subjects.
func statement(i int, st map[string]any, r Resolver) ([]Subject, []Risk) {
	risk := func(k RiskKind, detail string) Risk { return Risk{Kind: k, Statement: i, Detail: detail} }
	switch effect, _ := st["Effect"].(string); effect {
	case "Allow":
	case "Deny":
		return nil, []Risk{risk(RiskHasDeny, "")}
	default:
		return nil, []Risk{risk(RiskUnsupported, fmt.Sprintf("Effect %q", effect))}
	}
	if _, ok := st["NotPrincipal"]; ok {
		// Allow with NotPrincipal admits everyone but the names listed.
		return []Subject{{Path: Other, Principal: "*", Account: "*"}}, []Risk{risk(RiskAnyone, "Allow with NotPrincipal")}
	}
	if _, ok := st["NotAction"]; ok {
		return nil, []Risk{risk(RiskUnsupported, "NotAction")}
	}
	if st["Principal"] == "*" {
		// "Principal": "*" is everyone, anonymous callers included; it is
		// kept apart from {"AWS": "*"} in the document, and both admit
		// anyone here.
		st["Principal"] = map[string]any{"AWS": []any{"*"}}
	}
	principals, ok := st["Principal"].(map[string]any)
	if !ok {
		return nil, []Risk{risk(RiskUnsupported, "no Principal")}
	}
	actions := stringsOf(st["Action"])
	var subs []Subject
	var risks []Risk
	for _, typ := range sortedKeys(principals) {
		for _, p := range stringsOf(principals[typ]) {
			s, rs := principal(i, st, typ, p, actions, r)
			subs = append(subs, s...)
			risks = append(risks, rs...)
		}
	}
	return subs, risks
}

func principal(i int, st map[string]any, typ, p string, actions []string, r Resolver) ([]Subject, []Risk) {
	risk := func(k RiskKind, detail string) []Risk { return []Risk{{Kind: k, Statement: i, Detail: detail}} }
	if strings.TrimSpace(p) == "" {
		return nil, risk(RiskUnsupported, "an empty "+typ+" principal")
	}
	other := []Subject{{Path: Other, Principal: p}}
	switch typ {
	case "Federated":
		if issuer, acct, ok := oidcProvider(p); ok {
			if !trust.ActionAllows(actions, trust.Action) {
				return nil, risk(RiskUnsupported, "Federated "+p+" without "+trust.Action)
			}
			return irsa(i, st, p, issuer, acct, r)
		}
		// SAML and Cognito providers: not a way irsa-sync binds.
		if trust.ActionAllows(actions, trust.Action) || trust.ActionAllows(actions, "sts:AssumeRoleWithSAML") {
			return other, risk(RiskOtherPrincipal, p)
		}
	case "Service":
		if !trust.ActionAllows(actions, assumeRole) {
			break
		}
		if p == podsService {
			return podIdentity(i, st, r)
		}
		return other, risk(RiskOtherPrincipal, "service "+p)
	case "AWS":
		if !trust.ActionAllows(actions, assumeRole) {
			break
		}
		return awsPrincipal(i, p, r)
	default:
		if trust.ActionAllows(actions, assumeRole) {
			return other, risk(RiskOtherPrincipal, typ+" "+p)
		}
	}
	return nil, risk(RiskUnsupported, fmt.Sprintf("%s principal %s with actions %s", typ, p, strings.Join(actions, ", ")))
}

// awsPrincipal reads an AWS principal. IAM normalises a bare account id to
// its root ARN (policy.Document does the same), and a root principal
// delegates to the account: whoever that account's policies allow
// sts:AssumeRole on this role can assume it
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts).
func awsPrincipal(i int, p string, r Resolver) ([]Subject, []Risk) {
	risk := func(k RiskKind, detail string) []Risk { return []Risk{{Kind: k, Statement: i, Detail: detail}} }
	if p == "*" {
		return []Subject{{Path: Other, Principal: "*", Account: "*"}}, risk(RiskAnyone, `Principal "*"`)
	}
	if isAccountID(p) {
		// The document keeps what the author wrote; IAM stores a bare
		// account id as that account's root, in the role's partition.
		p = "arn:" + r.partition() + ":iam::" + p + ":root"
	}
	_, service, _, acct, resource, ok := arnParts(p)
	switch {
	case ok && service == "iam" && resource == "root":
		name := r.account(acct)
		return []Subject{{Path: Other, Principal: p, Account: name}}, risk(RiskAccountRoot, name)
	case ok && service == "iam" && strings.HasPrefix(resource, "role/"):
		s := Subject{Path: Chain, Principal: p, Account: r.account(acct), Name: r.Roles[p]}
		if s.Name == "" {
			return []Subject{s}, risk(RiskUnknownRole, p)
		}
		return []Subject{s}, nil
	}
	return []Subject{{Path: Other, Principal: p, Account: r.account(acct)}}, risk(RiskOtherPrincipal, p)
}

// oidcProvider splits arn:<partition>:iam::<account>:oidc-provider/<issuer>.
func oidcProvider(arn string) (issuer, account string, ok bool) {
	_, service, _, acct, resource, ok := arnParts(arn)
	issuer, found := strings.CutPrefix(resource, "oidc-provider/")
	if !ok || service != "iam" || !found || issuer == "" {
		return "", "", false
	}
	return issuer, acct, true
}

// exactOps are the operators this reader evaluates. Others (negations,
// IfExists, ForAnyValue) on a key that decides who is admitted are reported
// and left out, which can only show more access than IAM grants: every
// condition of a statement must hold, so dropping one never hides a subject.
var exactOps = map[string]bool{"StringEquals": true, "StringLike": true}

// irsa reads a web identity statement for one OIDC provider through
// trust.Read, on a copy holding only this provider and its sub and aud
// conditions under the operators it evaluates. Condition key names are
// case-insensitive in IAM
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html).
func irsa(i int, st map[string]any, provider, issuer, acct string, r Resolver) ([]Subject, []Risk) {
	var risks []Risk
	keep := map[string]any{}
	cond, _ := st["Condition"].(map[string]any)
	for _, op := range sortedKeys(cond) {
		keys, _ := cond[op].(map[string]any)
		for _, key := range sortedKeys(keys) {
			var suffix string
			switch {
			case strings.EqualFold(key, issuer+":sub"):
				suffix = ":sub"
			case strings.EqualFold(key, issuer+":aud"):
				suffix = ":aud"
			default:
				continue
			}
			if !exactOps[op] {
				risks = append(risks, Risk{Kind: RiskUnknownCondition, Statement: i, Detail: op + " on " + key})
				continue
			}
			m, _ := keep[op].(map[string]any)
			if m == nil {
				m = map[string]any{}
				keep[op] = m
			}
			// Keys that differ only in case are one key to IAM.
			vals, _ := keys[key].([]any)
			prev, _ := m[issuer+suffix].([]any)
			m[issuer+suffix] = append(prev, vals...)
		}
	}
	one, err := policy.FromMap(map[string]any{"Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": map[string]any{"Federated": provider},
		"Action": trust.Action, "Condition": keep,
	}}})
	grants := trust.Read(one)
	if err != nil || len(grants) != 1 || grants[0].Other != "" {
		return nil, append(risks, Risk{Kind: RiskUnsupported, Statement: i, Detail: "Federated " + provider})
	}
	g := grants[0]
	cluster, known := r.cluster(issuer)
	if !known {
		risks = append(risks, Risk{Kind: RiskUnknownCluster, Statement: i, Detail: issuer})
	}
	for _, gr := range g.Risks() {
		switch gr.Kind {
		case trust.NoSubject:
			risks = append(risks, Risk{Kind: RiskNoSubject, Statement: i, Detail: cluster})
		case trust.SubMatchesEverything:
			risks = append(risks, Risk{Kind: RiskMatchesEverything, Statement: i, Detail: gr.Sub})
		case trust.NamespaceWildcard:
			risks = append(risks, Risk{Kind: RiskNamespaceWildcard, Statement: i, Detail: gr.Sub})
		case trust.NoAudience:
			risks = append(risks, Risk{Kind: RiskNoAudience, Statement: i, Detail: cluster})
		}
	}
	auds := g.Audiences
	if len(auds) == 0 {
		auds = []string{""}
	}
	var subs []Subject
	for _, aud := range auds {
		base := Subject{Path: IRSA, Cluster: cluster, Account: r.account(acct), Audience: aud}
		if len(g.Subjects) == 0 {
			base.Namespace, base.ServiceAccount, base.Pattern = "*", "*", true
			subs = append(subs, base)
			continue
		}
		for _, sub := range g.Subjects {
			s := base
			s.Pattern = g.Patterns && strings.ContainsAny(sub, "*?")
			s.Namespace, s.ServiceAccount = serviceAccount(sub, s.Pattern)
			subs = append(subs, s)
		}
	}
	return subs, risks
}

// serviceAccount splits a token subject into namespace and name. Kubernetes
// names hold no ":", so a pattern with no ":" after the namespace part (its
// "*" spans the colon) admits any name, and a subject of no service account
// form keeps its raw value with no namespace.
func serviceAccount(sub string, pattern bool) (namespace, name string) {
	if pattern && trust.MatchesEverything(sub) {
		return "*", "*"
	}
	rest, ok := strings.CutPrefix(sub, "system:serviceaccount:")
	if !ok {
		return "", sub
	}
	ns, name, found := strings.Cut(rest, ":")
	switch {
	case found && ns != "" && name != "":
		return ns, name
	case !found && pattern && strings.HasSuffix(ns, "*"):
		return ns, "*"
	}
	return "", sub
}

func stringsOf(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
