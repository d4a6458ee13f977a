package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
)

// policyRef is how the file names an attached policy: an ARN for an AWS
// managed one, the name of a declared policy for a customer-managed one of
// the role's account (declaring it when the input does not).
func (b *builder) policyRef(a config.Account, acct *state.Account, arn string) (string, string) {
	owner := resource.AccountOfARN(arn)
	switch {
	case owner == "aws":
		return arn, ""
	case owner != a.ID:
		return "", fmt.Sprintf("attaches %s, a policy of another account; the file attaches AWS managed policies and customer-managed ones of the role's account", arn)
	}
	var live *state.Policy
	for _, p := range acct.Policies {
		if p.ARN == arn {
			live = &p
			break
		}
	}
	if live == nil {
		// Not in the bulk read (deleted meanwhile): the ARN keeps the
		// attachment as it is.
		return arn, ""
	}
	key := a.Name + "/" + strings.ToLower(live.Name)
	if b.declaredPolicies[key] {
		return live.Name, ""
	}
	b.declaredPolicies[key] = true
	if !live.TagsKnown {
		b.res.UnknownTags[a.ID] = append(b.res.UnknownTags[a.ID], arn)
	}
	file := b.documentFile(a.Name, live.Name)
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, []byte(live.Document.Raw()), "", "  "); err != nil {
		pretty.Reset()
		pretty.WriteString(live.Document.Raw())
	}
	pretty.WriteByte('\n')
	b.res.Documents[file] = pretty.Bytes()
	p := config.Policy{Name: live.Name, Account: a.Name, Description: live.Description, DocumentFile: file,
		Tags: userTags(live.Tags),
		// Tags not read leave ownership unknown; adopt is then safe, as
		// it changes nothing on a policy this owner already holds.
		Adopt: !live.TagsKnown || !state.OwnedBy(live.Tags, b.in.Owner)}
	if live.Path != "/" {
		p.Path = live.Path
	}
	b.out.Policies = append(b.out.Policies, p)
	return live.Name, ""
}

// binding is the file's entry for one subject of a role's trust, with the
// ServiceAccount's annotations carried into its fields, and what the next
// apply would change on that ServiceAccount besides ownership.
func (b *builder) binding(a config.Account, r resource.Role, s subject) (config.ServiceAccount, string) {
	sa := config.ServiceAccount{Cluster: s.Cluster, Namespace: s.Namespace, Name: s.Name, Audience: s.Audience}
	if strings.ContainsAny(s.Namespace+s.Name, "*?") {
		return sa, ""
	}
	where := s.Cluster + "/" + s.Namespace + "/" + s.Name
	cl := b.live.Clusters[s.Cluster]
	if cl == nil {
		return sa, ""
	}
	have, ok := cl.ServiceAccounts[s.Namespace+"/"+s.Name]
	if !ok {
		return sa, fmt.Sprintf("the trust admits service account %s, which does not exist: apply will create it", where)
	}
	ann := have.Annotations
	sa.StsRegionalEndpoints = ann[resource.AnnotationSTSRegional] == "true"
	if v, ok := ann[resource.AnnotationTokenExpiration]; ok {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 600 && n <= 86400 {
			sa.TokenExpiration = n
		}
	}
	sa.Adopt = ann[resource.OwnerAnnotation] != b.in.Owner
	var change string
	switch current := ann[resource.AnnotationRoleARN]; {
	case current != r.ARN && current != "":
		change = fmt.Sprintf("service account %s is annotated with %s, though this role's trust admits it: apply will annotate it with %s", where, current, r.ARN)
	case current == "":
		change = fmt.Sprintf("service account %s has no role annotation: apply will annotate it with %s", where, r.ARN)
	}
	if got := ann[resource.AnnotationAudience]; orDefault(got) != orDefault(s.Audience) && change == "" {
		change = fmt.Sprintf("service account %s asks for audience %q but the trust checks %q: apply will set the annotation to the trust's", where, got, orDefault(s.Audience))
	}
	return sa, change
}

func orDefault(aud string) string {
	if aud == "" {
		return resource.DefaultAudience
	}
	return aud
}

// orphans reports the ServiceAccounts of the listed clusters annotated with a
// role of a listed account that the file does not declare (a deleted role, a
// role whose trust does not name the cluster, or one left out): import must
// not drop them silently.
func (b *builder) orphans() {
	accountByID := map[string]string{}
	for _, a := range b.in.Accounts {
		accountByID[a.ID] = a.Name
	}
	for _, c := range b.in.Clusters {
		cl := b.live.Clusters[c.Name]
		if cl == nil {
			continue
		}
		for _, key := range resource.SortedKeys(cl.ServiceAccounts) {
			arn := cl.ServiceAccounts[key].Annotations[resource.AnnotationRoleARN]
			name, ok := accountByID[resource.AccountOfARN(arn)]
			if !ok || !strings.Contains(arn, ":role/") {
				continue
			}
			role := arn[strings.LastIndex(arn, "/")+1:]
			rkey := name + "/" + strings.ToLower(role)
			if b.declaredRoles[rkey] || (b.imported[rkey] && b.bound(c.Name, key, name, role)) {
				continue
			}
			object := c.Name + "/" + key
			acct := b.live.Accounts[resource.AccountOfARN(arn)]
			var why string
			switch {
			case acct == nil:
				why = "its account was not read"
			case !hasRole(acct, role):
				why = "no such role exists in account " + name
			case b.imported[rkey]:
				why = "the role's trust does not admit this service account"
			default:
				why = "the role is not imported (its trust does not name a listed cluster's OIDC provider, or it was left out: see above)"
			}
			b.report(NotImported, object, fmt.Sprintf("annotated with %s, but %s; the file does not bind it", arn, why))
		}
	}
}

// bound reports whether an imported role binds the ServiceAccount exactly.
func (b *builder) bound(cluster, key, account, role string) bool {
	for _, r := range b.out.Roles {
		if r.Account != account || !strings.EqualFold(r.Name, role) {
			continue
		}
		for _, sa := range r.ServiceAccounts {
			if sa.Cluster == cluster && sa.Namespace+"/"+sa.Name == key {
				return true
			}
		}
	}
	return false
}

func hasRole(acct *state.Account, name string) bool {
	_, ok := acct.Role(name)
	return ok
}
