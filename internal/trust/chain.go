package trust

import (
	"sort"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/policy"
)

// The actions of role chaining: the source role calls sts:AssumeRole on the
// target, and sts:TagSession too when it passes session tags; IAM checks
// both in the target's trust and in the source's identity policies
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required).
const (
	AssumeRoleAction = "sts:AssumeRole"
	TagSessionAction = "sts:TagSession"
)

// Chain is one role-chaining link: Role (an ARN) may assume the other end.
// In a target's trust it is the source; in a source's permission, the target.
type Chain struct {
	Role       string `json:"role"`
	TagSession bool   `json:"tagSession,omitempty"`
}

func (c Chain) actions() []any {
	if c.TagSession {
		return []any{AssumeRoleAction, TagSessionAction}
	}
	return []any{AssumeRoleAction}
}

// ForChainedRole is ForRole's trust plus one statement per source role that
// may assume the role by chaining: Principal.AWS the source's ARN, as the AWS
// guide's "Authenticate to another account with IRSA" writes it. The
// statements come after the IRSA ones, sorted by source ARN.
func ForChainedRole(subjects []Subject, sources []Chain) policy.Document {
	return Build(Grants{IRSA: subjects, Chains: sources})
}

// chainStatements are one statement per source role, sorted by ARN.
func chainStatements(sources []Chain) []any {
	var stmts []any
	for _, s := range sortedChains(sources) {
		stmts = append(stmts, map[string]any{
			"Effect":    "Allow",
			"Principal": map[string]any{"AWS": []any{s.Role}},
			"Action":    s.actions(),
		})
	}
	return stmts
}

// ChainPermission is the inline policy of a source role that allows it to
// assume exactly the target roles: one statement per target, so each target
// carries its own actions. No targets is the zero document.
func ChainPermission(targets []Chain) policy.Document {
	var stmts []any
	for _, t := range sortedChains(targets) {
		stmts = append(stmts, map[string]any{
			"Effect":   "Allow",
			"Action":   t.actions(),
			"Resource": []any{t.Role},
		})
	}
	return document(stmts)
}

func sortedChains(in []Chain) []Chain {
	out := append([]Chain(nil), in...)
	sort.Slice(out, func(i, j int) bool { return out[i].Role < out[j].Role })
	return out
}

// RolePrincipals returns the role ARNs a trust names as Principal.AWS in
// Allow statements, sorted: the roles that must exist before IAM accepts the
// trust, since IAM refuses a trust naming a role that does not exist
// (MalformedPolicyDocument "Invalid principal in policy").
func RolePrincipals(doc policy.Document) []string {
	seen := map[string]bool{}
	list, _ := doc.Map()["Statement"].([]any)
	for _, item := range list {
		st, _ := item.(map[string]any)
		if st["Effect"] != "Allow" {
			continue
		}
		principals, _ := st["Principal"].(map[string]any)
		for _, p := range stringsOf(principals["AWS"]) {
			if strings.HasPrefix(p, "arn:") && strings.Contains(p, ":role/") {
				seen[p] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
