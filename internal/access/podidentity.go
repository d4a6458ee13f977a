package access

import (
	"strings"
)

// The condition keys that narrow a Pod Identity trust. EKS Pod Identity
// assumes the role on behalf of an association and sets session tags for
// the cluster, namespace and service account
// (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html);
// aws:SourceAccount and aws:SourceArn name the account and cluster the
// request comes from
// (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html).
// Keys are compared lower-cased: IAM condition key names are case-insensitive.
const (
	keySourceAccount  = "aws:sourceaccount"
	keySourceARN      = "aws:sourcearn"
	keyClusterARN     = "aws:requesttag/eks-cluster-arn"
	keyClusterName    = "aws:requesttag/eks-cluster-name"
	keyNamespace      = "aws:requesttag/kubernetes-namespace"
	keyServiceAccount = "aws:requesttag/kubernetes-service-account"
)

// podOps are the operators evaluated on Pod Identity keys, and whether each
// compares by wildcard. ARN operators apply to aws:SourceArn.
var podOps = map[string]bool{"StringEquals": false, "StringLike": true, "ArnEquals": false, "ArnLike": true}

// podValues are the values one key must match; like says some are compared
// by wildcard. nil means the key is not checked.
type podValues struct {
	values []string
	like   bool
}

// podIdentity reads a statement trusting pods.eks.amazonaws.com. Every
// condition must hold, so when several keys name the cluster (SourceArn and
// the cluster tags), the cluster ARNs are used: they are the narrowest
// reading that still shows every cluster IAM could admit.
func podIdentity(i int, st map[string]any, r Resolver) ([]Subject, []Risk) {
	var risks []Risk
	risk := func(k RiskKind, d string) { risks = append(risks, Risk{Kind: k, Statement: i, Detail: d}) }
	keys := map[string]*podValues{}
	cond, _ := st["Condition"].(map[string]any)
	for _, op := range sortedKeys(cond) {
		km, _ := cond[op].(map[string]any)
		for _, key := range sortedKeys(km) {
			lk := strings.ToLower(key)
			switch lk {
			case keySourceAccount, keySourceARN, keyClusterARN, keyClusterName, keyNamespace, keyServiceAccount:
			default:
				continue
			}
			like, ok := podOps[op]
			if !ok {
				risk(RiskUnknownCondition, op+" on "+key)
				continue
			}
			pv := keys[lk]
			if pv == nil {
				pv = &podValues{}
				keys[lk] = pv
			}
			vals := stringsOf(km[key])
			pv.values = append(pv.values, vals...)
			pv.like = pv.like || like && anyWild(vals)
		}
	}

	type place struct {
		cluster, account string
		pattern          bool
	}
	var places []place
	for _, k := range []string{keySourceARN, keyClusterARN} {
		if pv := keys[k]; pv != nil {
			for _, arn := range pv.values {
				name, acct := clusterOfARN(arn, r)
				places = append(places, place{name, acct, pv.like && strings.ContainsAny(arn, "*?")})
			}
		}
	}
	accounts := []string{"*"}
	if pv := keys[keySourceAccount]; pv != nil {
		accounts = nil
		for _, a := range pv.values {
			accounts = append(accounts, r.account(a))
		}
	}
	if pv := keys[keyClusterName]; len(places) == 0 && pv != nil {
		for _, name := range pv.values {
			for _, a := range accounts {
				places = append(places, place{name, a, pv.like && strings.ContainsAny(name, "*?")})
			}
		}
	}
	if len(places) == 0 {
		for _, a := range accounts {
			places = append(places, place{"*", a, true})
		}
		if keys[keySourceAccount] == nil {
			risk(RiskPodIdentityAnyAccount, "")
		} else {
			risk(RiskPodIdentityAnyCluster, strings.Join(accounts, ", "))
		}
	}

	namespaces, nsLike := tagValues(keys[keyNamespace])
	names, nameLike := tagValues(keys[keyServiceAccount])
	switch {
	case keys[keyNamespace] == nil && keys[keyServiceAccount] == nil:
		risk(RiskMatchesEverything, "no kubernetes-namespace or kubernetes-service-account condition")
	case keys[keyNamespace] == nil:
		risk(RiskNamespaceWildcard, "no kubernetes-namespace condition")
	}
	for _, ns := range namespaces {
		if nsLike && strings.ContainsAny(ns, "*?") && keys[keyNamespace] != nil {
			risk(RiskNamespaceWildcard, ns)
		}
	}

	var subs []Subject
	for _, p := range places {
		for _, ns := range namespaces {
			for _, name := range names {
				subs = append(subs, Subject{
					Path: PodIdentity, Cluster: p.cluster, Account: p.account,
					Namespace: ns, ServiceAccount: name,
					Pattern: p.pattern || nsLike && strings.ContainsAny(ns, "*?") || nameLike && strings.ContainsAny(name, "*?"),
				})
			}
		}
	}
	return subs, risks
}

// tagValues returns the values a session tag must match, or a "*" pattern
// when the tag is not checked.
func tagValues(pv *podValues) ([]string, bool) {
	if pv == nil {
		return []string{"*"}, true
	}
	return pv.values, pv.like
}

// clusterOfARN names the cluster of arn:<p>:eks:<region>:<account>:cluster/<name>
// the way the file does, or by its EKS name when the file has no such ARN.
func clusterOfARN(arn string, r Resolver) (name, account string) {
	if n, ok := r.ClusterARNs[arn]; ok {
		_, _, _, acct, _, _ := arnParts(arn)
		return n, r.account(acct)
	}
	_, _, _, acct, resource, ok := arnParts(arn)
	if n, found := strings.CutPrefix(resource, "cluster/"); ok && found && n != "" {
		return n, r.account(acct)
	}
	return arn, r.account(acct)
}

func anyWild(vals []string) bool {
	for _, v := range vals {
		if strings.ContainsAny(v, "*?") {
			return true
		}
	}
	return false
}
