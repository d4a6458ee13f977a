package importer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/partition"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// subject is one service account, or pattern, a live trust admits, with the
// cluster whose issuer its statement names.
type subject struct {
	Cluster, Namespace, Name, Audience string
}

// readTrust is what a live trust says in the file's terms: the subjects it
// admits through OIDC and through EKS Pod Identity, the roles it names for
// chaining, and the reasons (one per statement) it cannot be written as
// bindings.
type readTrust struct {
	Subjects []subject
	Pods     []podSubject
	Chains   []chainRef
	// RoleRefs are the role ARNs of every statement naming one role,
	// whether or not it is a chain the file can say.
	RoleRefs []string
	Problems []string
}

// namesListedCluster reports whether any statement of a trust names, as its
// federated principal, an OIDC provider for the issuer of a listed cluster,
// or, trusting EKS Pod Identity, a listed cluster's ARN: the roles import
// considers.
func namesListedCluster(doc policy.Document, idx clusterIndex) bool {
	for _, st := range statements(doc) {
		principal, _ := st["Principal"].(map[string]any)
		for _, p := range stringsOf(principal["Federated"]) {
			if _, ok := idx.byHost[providerHost(p)]; ok {
				return true
			}
		}
		if isPodStatement(st) && podNamesListedCluster(st, idx) {
			return true
		}
	}
	return false
}

// parseTrust reads each statement of a role's trust as the bindings that
// trust.Build would generate it from. A statement of any other shape is a
// problem, described for the reviewer: irsa-sync's next apply would replace
// it with the generated trust. Chain statements are read, not judged: only
// the caller knows which roles the file declares.
func parseTrust(doc policy.Document, accountID string, idx clusterIndex) readTrust {
	var out readTrust
	for _, st := range statements(doc) {
		if isPodStatement(st) {
			pods, problem := podStatement(st, accountID, idx)
			if problem != "" {
				out.Problems = append(out.Problems, "a trust statement "+problem)
			}
			out.Pods = append(out.Pods, pods...)
			continue
		}
		if c, isRole, problem := chainStatement(st); isRole {
			out.RoleRefs = append(out.RoleRefs, c.Role)
			if problem != "" {
				out.Problems = append(out.Problems, "a trust statement "+problem)
			} else {
				out.Chains = append(out.Chains, c)
			}
			continue
		}
		subs, problem := parseStatement(st, accountID, idx.byHost)
		if problem != "" {
			out.Problems = append(out.Problems, "a trust statement "+problem)
			continue
		}
		out.Subjects = append(out.Subjects, subs...)
	}
	return out
}

func parseStatement(st map[string]any, accountID string, clusterByHost map[string]string) ([]subject, string) {
	for _, k := range resource.SortedKeys(st) {
		switch k {
		case "Effect", "Principal", "Action", "Condition", "Sid":
		default:
			return nil, fmt.Sprintf("has a %s element, which irsa-sync does not generate", k)
		}
	}
	if st["Effect"] != "Allow" {
		return nil, fmt.Sprintf("has Effect %v; irsa-sync generates only Allow statements", st["Effect"])
	}
	principal, _ := st["Principal"].(map[string]any)
	feds := stringsOf(principal["Federated"])
	if len(principal) != 1 || len(feds) != 1 {
		return nil, fmt.Sprintf("names the principal %s; irsa-sync generates exactly one OIDC provider per statement", policyText(st["Principal"]))
	}
	fed := feds[0]
	host := providerHost(fed)
	cluster, ok := clusterByHost[host]
	switch {
	case host == "":
		return nil, fmt.Sprintf("names the federated principal %q, which is not an IAM OIDC provider", fed)
	case !ok:
		return nil, fmt.Sprintf("trusts the OIDC provider %s, whose issuer is not a cluster of the file: add the cluster to the file, or keep this role out of it", fed)
	case fed != resource.ProviderARN(partition.OfARN(fed), accountID, host):
		// The partition is the principal's own: IAM holds only ARNs of
		// the role's partition, so this compares the account.
		return nil, fmt.Sprintf("trusts the OIDC provider %s of another account; irsa-sync trusts the provider in the role's own account (%s)", fed, resource.ProviderARN(partition.OfARN(fed), accountID, host))
	}
	actions := stringsOf(st["Action"])
	if len(actions) != 1 || !strings.EqualFold(actions[0], trust.Action) {
		return nil, fmt.Sprintf("allows %s; irsa-sync generates only %s", strings.Join(actions, ", "), trust.Action)
	}
	subs, auds, problem := readConditions(st["Condition"], host)
	if problem != "" {
		return nil, problem
	}
	if len(auds) != 1 {
		if len(auds) == 0 {
			return nil, fmt.Sprintf("does not check the token audience (%s:aud); irsa-sync always checks it", host)
		}
		return nil, fmt.Sprintf("admits %d audiences (%s) in one statement; irsa-sync checks one audience per statement", len(auds), strings.Join(auds, ", "))
	}
	aud := auds[0]
	if aud == resource.DefaultAudience {
		aud = ""
	}
	out := make([]subject, 0, len(subs))
	for _, s := range subs {
		ns, name, ok := splitSub(s)
		if !ok {
			return nil, fmt.Sprintf("admits the subject %q, which is not of the form system:serviceaccount:NAMESPACE:NAME", s)
		}
		out = append(out, subject{Cluster: cluster, Namespace: ns, Name: name, Audience: aud})
	}
	return out, ""
}

// readConditions returns the sub and aud values of a statement's
// conditions, or why they are not the ones irsa-sync generates. IAM compares
// operators and keys case-insensitively; StringLike with a value holding no
// wildcard matches exactly as StringEquals does (IAM User Guide, "IAM JSON
// policy elements: Condition operators", string condition operators), so
// the guide's StringLike on aud is an exact audience.
func readConditions(v any, host string) (subs, auds []string, problem string) {
	ops, _ := v.(map[string]any)
	subKey, audKey := strings.ToLower(host+":sub"), strings.ToLower(host+":aud")
	var subOps []string
	for _, op := range resource.SortedKeys(ops) {
		lop := strings.ToLower(op)
		if lop != "stringequals" && lop != "stringlike" {
			return nil, nil, fmt.Sprintf("has a %s condition, which irsa-sync does not generate", op)
		}
		keys, _ := ops[op].(map[string]any)
		for _, key := range resource.SortedKeys(keys) {
			vals := stringsOf(keys[key])
			switch strings.ToLower(key) {
			case subKey:
				subOps = append(subOps, op)
				for _, s := range vals {
					if lop == "stringequals" && strings.ContainsAny(s, "*?") {
						return nil, nil, fmt.Sprintf("compares %s with StringEquals to %q, whose * or ? match only themselves: write StringLike for a pattern", key, s)
					}
				}
				subs = append(subs, vals...)
			case audKey:
				for _, a := range vals {
					if lop == "stringlike" && strings.ContainsAny(a, "*?") {
						return nil, nil, fmt.Sprintf("matches the audience with the pattern %q; irsa-sync checks one exact audience", a)
					}
				}
				auds = append(auds, vals...)
			default:
				return nil, nil, fmt.Sprintf("has a %s condition on %s, which irsa-sync does not generate", op, key)
			}
		}
	}
	switch {
	case len(subOps) > 1:
		// Both must hold, so the statement admits only subjects in both
		// lists: not what a list of bindings says.
		return nil, nil, fmt.Sprintf("checks %s:sub with both StringEquals and StringLike, which must both match", host)
	case len(subOps) == 0:
		return nil, nil, fmt.Sprintf("has no %s:sub condition, so every service account of the cluster may assume the role; irsa-sync never generates that", host)
	}
	sort.Strings(subs)
	sort.Strings(auds)
	return subs, dedupe(auds), ""
}

// splitSub splits system:serviceaccount:NS:NAME; neither part may be empty
// or hold another colon.
func splitSub(s string) (ns, name string, ok bool) {
	rest, found := strings.CutPrefix(s, "system:serviceaccount:")
	if !found {
		return "", "", false
	}
	ns, name, found = strings.Cut(rest, ":")
	if !found || ns == "" || name == "" || strings.Contains(name, ":") {
		return "", "", false
	}
	return ns, name, true
}

// providerHost returns the issuer host of an OIDC provider ARN, or "".
func providerHost(arn string) string {
	_, host, ok := strings.Cut(arn, ":oidc-provider/")
	if !ok || !strings.HasPrefix(arn, "arn:") {
		return ""
	}
	return host
}

func statements(doc policy.Document) []map[string]any {
	list, _ := doc.Map()["Statement"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, item := range list {
		if st, ok := item.(map[string]any); ok {
			out = append(out, st)
		}
	}
	return out
}

func stringsOf(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		out := make([]string, 0, len(t))
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func policyText(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	d, err := policy.FromMap(map[string]any{"Statement": []any{map[string]any{"Principal": v}}})
	if err != nil {
		return fmt.Sprint(v)
	}
	s := d.Statements()[0]
	return strings.TrimSuffix(strings.TrimPrefix(s, `{"Principal":`), "}")
}

func dedupe(sorted []string) []string {
	out := sorted[:0:0]
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			out = append(out, s)
		}
	}
	return out
}
