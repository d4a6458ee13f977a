package importer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// clusterIndex finds the file's clusters from what a trust names.
type clusterIndex struct {
	// byHost maps an issuer host to the (first, by name) cluster.
	byHost map[string]string
	// byARN maps a cluster ARN, as desired.ClusterARN builds it for the
	// trust's aws:SourceArn, to the cluster.
	byARN map[string]string
	// account maps a cluster to its account id.
	account map[string]string
}

// podSubject is one service account a Pod Identity statement admits.
type podSubject struct {
	Cluster, Namespace, Name string
}

// chainRef is a role-chaining statement: the role ARN it names, and whether
// it allows sts:TagSession too.
type chainRef struct {
	Role       string
	TagSession bool
}

// podStatement reads a statement trusting pods.eks.amazonaws.com as
// trust.Build generates it: exactly sts:AssumeRole and sts:TagSession,
// StringEquals on aws:SourceAccount and the namespace and service-account
// session tags, ArnEquals on aws:SourceArn, the clusters all of the file and
// of the role's account (another account's cluster reaches a role through a
// source role, sourceRole). It admits every combination of its clusters,
// namespaces and names, since each condition key matches any of its values.
func podStatement(st map[string]any, accountID string, idx clusterIndex) ([]podSubject, string) {
	for _, k := range resource.SortedKeys(st) {
		switch k {
		case "Effect", "Principal", "Action", "Condition", "Sid":
		default:
			return nil, fmt.Sprintf("trusting %s has a %s element, which irsa-sync does not generate", trust.PodsPrincipal, k)
		}
	}
	if st["Effect"] != "Allow" {
		return nil, fmt.Sprintf("trusting %s has Effect %v; irsa-sync generates only Allow statements", trust.PodsPrincipal, st["Effect"])
	}
	if !sameActions(stringsOf(st["Action"]), trust.PodActions) {
		return nil, fmt.Sprintf("trusting %s allows %s; EKS Pod Identity needs exactly %s, which irsa-sync generates", trust.PodsPrincipal,
			strings.Join(stringsOf(st["Action"]), ", "), strings.Join(trust.PodActions, " and "))
	}
	ops, _ := st["Condition"].(map[string]any)
	if len(ops) == 0 {
		return nil, fmt.Sprintf("trusts %s with no condition, so every Pod Identity association of the account may use the role; irsa-sync always narrows it to the cluster, namespace and service account", trust.PodsPrincipal)
	}
	values := map[string][]string{}
	for _, op := range resource.SortedKeys(ops) {
		keys, _ := ops[op].(map[string]any)
		for _, key := range resource.SortedKeys(keys) {
			want := "stringequals"
			if strings.EqualFold(key, trust.KeySourceARN) {
				want = "arnequals"
			}
			known := strings.EqualFold(key, trust.KeySourceARN) || strings.EqualFold(key, trust.KeySourceAccount) ||
				strings.EqualFold(key, trust.KeyNamespace) || strings.EqualFold(key, trust.KeyServiceAccount)
			if !known || strings.ToLower(op) != want {
				return nil, fmt.Sprintf("trusting %s has a %s condition on %s, which irsa-sync does not generate", trust.PodsPrincipal, op, key)
			}
			values[strings.ToLower(key)] = append(values[strings.ToLower(key)], stringsOf(keys[key])...)
		}
	}
	arns, accounts := values[strings.ToLower(trust.KeySourceARN)], values[strings.ToLower(trust.KeySourceAccount)]
	nss, names := values[strings.ToLower(trust.KeyNamespace)], values[strings.ToLower(trust.KeyServiceAccount)]
	for _, need := range []struct {
		key  string
		vals []string
	}{{trust.KeySourceARN, arns}, {trust.KeySourceAccount, accounts}, {trust.KeyNamespace, nss}, {trust.KeyServiceAccount, names}} {
		if len(need.vals) == 0 {
			return nil, fmt.Sprintf("trusting %s does not check %s; irsa-sync always does", trust.PodsPrincipal, need.key)
		}
	}
	var out []podSubject
	wantAccounts := map[string]bool{}
	for _, arn := range arns {
		cluster, ok := idx.byARN[arn]
		if !ok {
			return nil, fmt.Sprintf("trusting %s names the cluster %s, which is not a cluster of the file: add the cluster to the file, or keep this role out of it", trust.PodsPrincipal, arn)
		}
		if id := idx.account[cluster]; id != accountID {
			return nil, fmt.Sprintf("trusting %s names cluster %s of account %s; irsa-sync binds a cluster of another account than the role's through a source role in the cluster's account (sourceRole)", trust.PodsPrincipal, cluster, id)
		}
		wantAccounts[idx.account[cluster]] = true
		for _, ns := range nss {
			for _, n := range names {
				out = append(out, podSubject{Cluster: cluster, Namespace: ns, Name: n})
			}
		}
	}
	sort.Strings(accounts)
	if got := dedupe(accounts); strings.Join(got, ",") != strings.Join(resource.SortedKeys(wantAccounts), ",") {
		return nil, fmt.Sprintf("trusting %s checks aws:SourceAccount %s, not the account of its clusters (%s)", trust.PodsPrincipal, strings.Join(got, ", "), strings.Join(resource.SortedKeys(wantAccounts), ", "))
	}
	return out, ""
}

// chainStatement reads a statement naming one role as Principal.AWS, as
// trust.ForChainedRole generates it: sts:AssumeRole, and sts:TagSession when
// the chain passes session tags, with no condition. isRole is false when
// the principal is not one role ARN: the statement is then another
// principal's.
func chainStatement(st map[string]any) (c chainRef, isRole bool, problem string) {
	principal, _ := st["Principal"].(map[string]any)
	arns := stringsOf(principal["AWS"])
	if len(principal) != 1 || len(arns) != 1 || !strings.HasPrefix(arns[0], "arn:") || !strings.Contains(arns[0], ":role/") {
		return chainRef{}, false, ""
	}
	arn := arns[0]
	for _, k := range resource.SortedKeys(st) {
		switch k {
		case "Effect", "Principal", "Action", "Sid":
		default:
			return chainRef{Role: arn}, true, fmt.Sprintf("naming the role %s has a %s element, which irsa-sync's role chains (assumedFrom) do not generate", arn, k)
		}
	}
	if st["Effect"] != "Allow" {
		return chainRef{Role: arn}, true, fmt.Sprintf("naming the role %s has Effect %v; irsa-sync generates only Allow statements", arn, st["Effect"])
	}
	actions := stringsOf(st["Action"])
	switch {
	case sameActions(actions, []string{trust.AssumeRoleAction}):
		return chainRef{Role: arn}, true, ""
	case sameActions(actions, []string{trust.AssumeRoleAction, trust.TagSessionAction}):
		return chainRef{Role: arn, TagSession: true}, true, ""
	}
	return chainRef{Role: arn}, true, fmt.Sprintf("naming the role %s allows %s; a role chain (assumedFrom) allows %s, and %s with tagSession: true", arn,
		strings.Join(actions, ", "), trust.AssumeRoleAction, trust.TagSessionAction)
}

// sameActions reports whether two lists of actions are the same set, as
// IAM compares action names: ignoring case.
func sameActions(got, want []string) bool {
	set := func(list []string) string {
		out := make([]string, len(list))
		for i, a := range list {
			out[i] = strings.ToLower(a)
		}
		sort.Strings(out)
		return strings.Join(dedupe(out), ",")
	}
	return set(got) == set(want)
}

// isPodStatement reports whether a statement's only principal is the EKS
// Pod Identity service.
func isPodStatement(st map[string]any) bool {
	principal, _ := st["Principal"].(map[string]any)
	svc := stringsOf(principal["Service"])
	return len(principal) == 1 && len(svc) == 1 && svc[0] == trust.PodsPrincipal
}

// podNamesListedCluster reports whether a Pod Identity statement of a trust
// names a listed cluster in aws:SourceArn: a role import considers even
// when no association uses it yet.
func podNamesListedCluster(st map[string]any, idx clusterIndex) bool {
	ops, _ := st["Condition"].(map[string]any)
	for _, op := range ops {
		keys, _ := op.(map[string]any)
		for key, v := range keys {
			if !strings.EqualFold(key, trust.KeySourceARN) {
				continue
			}
			for _, arn := range stringsOf(v) {
				if _, ok := idx.byARN[arn]; ok {
					return true
				}
			}
		}
	}
	return false
}
