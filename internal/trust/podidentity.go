package trust

import (
	"sort"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// PodsPrincipal is the service principal EKS Pod Identity assumes roles as.
const PodsPrincipal = "pods.eks.amazonaws.com"

// PodActions are the actions a Pod Identity trust allows: EKS assumes the
// role and tags the session with the cluster, namespace and service account
// (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html).
var PodActions = []string{"sts:AssumeRole", "sts:TagSession"}

// The condition keys a Pod Identity trust is narrowed with. EKS sets
// aws:SourceAccount and aws:SourceArn (the cluster's ARN) on the request
// (pod-id-role.html), and the session tags kubernetes-namespace and
// kubernetes-service-account, among others
// (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html).
const (
	KeySourceAccount  = "aws:SourceAccount"
	KeySourceARN      = "aws:SourceArn"
	KeyNamespace      = "aws:RequestTag/kubernetes-namespace"
	KeyServiceAccount = "aws:RequestTag/kubernetes-service-account"
)

// PodSubject is one service account of one cluster allowed to assume a
// role through an EKS Pod Identity association.
type PodSubject struct {
	// AccountID is the cluster's account, which must be the role's: EKS
	// takes only a roleArn of the cluster's own account.
	AccountID  string `json:"accountId"`
	ClusterARN string `json:"clusterArn"`
	Namespace  string `json:"namespace"`
	Name       string `json:"name"`
}

// podStatements returns the Pod Identity statements that admit exactly
// these subjects. The conditions of one statement must all hold and each
// key matches any of its values, so the clusters, namespaces and names of
// one statement admit every combination of them. To admit exactly the
// declared service accounts, a statement holds one namespace, and the
// clusters whose service accounts in that namespace are the same names: a
// role bound to one service account in many clusters gets one statement.
// Never a statement without conditions: that would let any association in
// the account use the role (the issue eksctl's migration has).
func podStatements(subjects []PodSubject) []any {
	type key struct{ ns, names string }
	names := map[string]map[string]map[string]bool{} // ns -> cluster ARN -> names
	account := map[string]string{}                   // cluster ARN -> account
	for _, s := range subjects {
		if names[s.Namespace] == nil {
			names[s.Namespace] = map[string]map[string]bool{}
		}
		if names[s.Namespace][s.ClusterARN] == nil {
			names[s.Namespace][s.ClusterARN] = map[string]bool{}
		}
		names[s.Namespace][s.ClusterARN][s.Name] = true
		account[s.ClusterARN] = s.AccountID
	}
	clusters := map[key][]string{}
	for ns, byCluster := range names {
		for arn, set := range byCluster {
			k := key{ns, strings.Join(resource.SortedKeys(set), "\x00")}
			clusters[k] = append(clusters[k], arn)
		}
	}
	keys := make([]key, 0, len(clusters))
	for k := range clusters {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].ns != keys[j].ns {
			return keys[i].ns < keys[j].ns
		}
		return keys[i].names < keys[j].names
	})
	var stmts []any
	for _, k := range keys {
		arns := clusters[k]
		sort.Strings(arns)
		accounts := map[string]bool{}
		for _, a := range arns {
			accounts[account[a]] = true
		}
		stmts = append(stmts, map[string]any{
			"Effect":    "Allow",
			"Principal": map[string]any{"Service": PodsPrincipal},
			"Action":    anys(PodActions),
			"Condition": map[string]any{
				"StringEquals": map[string]any{
					KeySourceAccount:  anys(resource.SortedKeys(accounts)),
					KeyNamespace:      []any{k.ns},
					KeyServiceAccount: anys(strings.Split(k.names, "\x00")),
				},
				"ArnEquals": map[string]any{KeySourceARN: anys(arns)},
			},
		})
	}
	return stmts
}

// podSubs returns the Pod Identity subjects of a trust's statements that
// trust pods.eks.amazonaws.com narrowed by namespace, service account and
// cluster ARN, as Subs shows them.
func podSubs(doc policy.Document) []string {
	var out []string
	list, _ := doc.Map()["Statement"].([]any)
	for _, item := range list {
		st, _ := item.(map[string]any)
		pr, _ := st["Principal"].(map[string]any)
		if !names(pr["Service"], PodsPrincipal) {
			continue
		}
		cond, _ := st["Condition"].(map[string]any)
		eq, _ := cond["StringEquals"].(map[string]any)
		arn, _ := cond["ArnEquals"].(map[string]any)
		for _, c := range stringsOf(arn[KeySourceARN]) {
			for _, ns := range stringsOf(eq[KeyNamespace]) {
				for _, n := range stringsOf(eq[KeyServiceAccount]) {
					out = append(out, "system:serviceaccount:"+ns+":"+n+" @ pod-identity "+c)
				}
			}
		}
	}
	return out
}

// names reports whether a principal value (a string or a list) names p.
func names(v any, p string) bool {
	if s, ok := v.(string); ok {
		return s == p
	}
	for _, s := range stringsOf(v) {
		if s == p {
			return true
		}
	}
	return false
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
