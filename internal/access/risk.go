package access

import (
	"fmt"
	"sort"
)

// RiskKind names one way a trust admits more than the named service
// accounts irsa-sync generates trusts for. Only Words turns it into prose.
type RiskKind int

// The kinds of risk, roughly from worst to mildest.
const (
	// RiskAnyone: Principal "*" (or NotPrincipal): anyone, in any account.
	RiskAnyone RiskKind = iota + 1
	// RiskAccountRoot: an account's root, which lets every principal of that
	// account that its own policies allow sts:AssumeRole assume the role.
	RiskAccountRoot
	// RiskNoSubject: an IRSA statement checks no sub.
	RiskNoSubject
	// RiskMatchesEverything: a sub pattern admits every service account.
	RiskMatchesEverything
	// RiskNamespaceWildcard: a namespace pattern admits namespaces created
	// later.
	RiskNamespaceWildcard
	// RiskPodIdentityAnyAccount: a Pod Identity statement narrows neither
	// the account nor the cluster.
	RiskPodIdentityAnyAccount
	// RiskPodIdentityAnyCluster: a Pod Identity statement narrows the
	// account but not the cluster.
	RiskPodIdentityAnyCluster
	// RiskNoAudience: an IRSA statement checks no aud.
	RiskNoAudience
	// RiskUnknownCluster: an IRSA statement trusts an issuer that is no
	// cluster of the file.
	RiskUnknownCluster
	// RiskUnknownRole: a chained source role the file does not declare.
	RiskUnknownRole
	// RiskOtherPrincipal: a user, a service other than Pod Identity, or a
	// federated provider that is no OIDC provider.
	RiskOtherPrincipal
	// RiskUnknownCondition: a condition operator this reader does not
	// evaluate on a key that decides who is admitted; access was computed
	// as if that condition were absent, which may show more than IAM allows.
	RiskUnknownCondition
	// RiskUnsupported: a statement irsa-sync does not generate and this
	// reader cannot interpret (NotAction, actions of no path, a malformed
	// principal).
	RiskUnsupported
	// RiskHasDeny: the trust has a Deny statement; access is computed from
	// the Allow statements only, so it may show more than IAM allows.
	RiskHasDeny
)

var riskNames = map[RiskKind]string{
	RiskAnyone:                "anyone",
	RiskAccountRoot:           "accountRoot",
	RiskNoSubject:             "noSubject",
	RiskMatchesEverything:     "matchesEverything",
	RiskNamespaceWildcard:     "namespaceWildcard",
	RiskPodIdentityAnyAccount: "podIdentityAnyAccount",
	RiskPodIdentityAnyCluster: "podIdentityAnyCluster",
	RiskNoAudience:            "noAudience",
	RiskUnknownCluster:        "unknownCluster",
	RiskUnknownRole:           "unknownRole",
	RiskOtherPrincipal:        "otherPrincipal",
	RiskUnknownCondition:      "unknownCondition",
	RiskUnsupported:           "unsupportedStatement",
	RiskHasDeny:               "hasDeny",
}

// String is the kind's stable identifier, for JSON output and tests.
func (k RiskKind) String() string {
	if n, ok := riskNames[k]; ok {
		return n
	}
	return fmt.Sprintf("risk(%d)", int(k))
}

// MarshalText writes the kind's identifier, so JSON plans carry names.
func (k RiskKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Critical reports whether the kind lets principals outside the file's
// clusters, or every service account of a cluster, assume the role: a
// reviewer should stop the change.
func (k RiskKind) Critical() bool {
	switch k {
	case RiskAnyone, RiskAccountRoot, RiskNoSubject, RiskMatchesEverything, RiskPodIdentityAnyAccount:
		return true
	}
	return false
}

// Risk is one risk of a trust: its kind, the index of the statement in the
// normalised document (statements sorted as policy.Document keeps them) and
// the value it is about (a pattern, principal, issuer or operator).
type Risk struct {
	Kind      RiskKind `json:"kind"`
	Statement int      `json:"statement"`
	Detail    string   `json:"detail,omitempty"`
}

// Words says the risk in a sentence a reviewer can act on.
func (r Risk) Words() string {
	d := r.Detail
	switch r.Kind {
	case RiskAnyone:
		return fmt.Sprintf("statement %d lets anyone in any AWS account assume the role (%s)", r.Statement, d)
	case RiskAccountRoot:
		return fmt.Sprintf("statement %d trusts account %s: any principal of that account that its own policies allow sts:AssumeRole can assume the role", r.Statement, d)
	case RiskNoSubject:
		return fmt.Sprintf("statement %d checks no subject: every service account of cluster %s can assume the role", r.Statement, d)
	case RiskMatchesEverything:
		return fmt.Sprintf("statement %d admits every service account of the cluster (%s)", r.Statement, d)
	case RiskNamespaceWildcard:
		return fmt.Sprintf("statement %d admits namespaces by wildcard (%s): namespaces created later are admitted too", r.Statement, d)
	case RiskPodIdentityAnyAccount:
		return fmt.Sprintf("statement %d lets EKS Pod Identity assume the role for an association in any cluster of any account: narrow it with aws:SourceAccount and aws:SourceArn", r.Statement)
	case RiskPodIdentityAnyCluster:
		return fmt.Sprintf("statement %d lets EKS Pod Identity assume the role for an association in any cluster of account %s: narrow it with aws:SourceArn or the eks-cluster-arn tag", r.Statement, d)
	case RiskNoAudience:
		return fmt.Sprintf("statement %d checks no audience: tokens of cluster %s minted for any audience are accepted", r.Statement, d)
	case RiskUnknownCluster:
		return fmt.Sprintf("statement %d trusts issuer %s, which is no cluster in the file", r.Statement, d)
	case RiskUnknownRole:
		return fmt.Sprintf("statement %d lets role %s, which the file does not declare, assume the role by chaining", r.Statement, d)
	case RiskOtherPrincipal:
		return fmt.Sprintf("statement %d trusts %s, a principal irsa-sync does not generate", r.Statement, d)
	case RiskUnknownCondition:
		return fmt.Sprintf("statement %d uses condition %s, which irsa-sync does not evaluate: access is shown as if it were absent", r.Statement, d)
	case RiskUnsupported:
		return fmt.Sprintf("statement %d is a statement irsa-sync does not generate (%s): read it yourself", r.Statement, d)
	case RiskHasDeny:
		return fmt.Sprintf("statement %d denies: access is computed from the Allow statements only and may be narrower than shown", r.Statement)
	}
	return fmt.Sprintf("statement %d: %s %s", r.Statement, r.Kind, d)
}

func sortRisks(in []Risk) []Risk {
	sort.Slice(in, func(i, j int) bool {
		a, b := in[i], in[j]
		if a.Statement != b.Statement {
			return a.Statement < b.Statement
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Detail < b.Detail
	})
	out := in[:0]
	for i, r := range in {
		if i > 0 && r == in[i-1] {
			continue
		}
		out = append(out, r)
	}
	return out
}
