package importer

import (
	"fmt"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
)

// association is a described EKS Pod Identity association of a listed
// cluster, not an add-on's.
type association struct {
	Cluster string
	state.Association
}

func (a association) key() podSubject {
	return podSubject{Cluster: a.Cluster, Namespace: a.Namespace, Name: a.ServiceAccount}
}

// indexAssociations indexes the listed clusters' associations by the role
// they name. An add-on's association (ownerArn) is never a binding: plan
// never changes one, so associationOrphans reports it instead.
func (b *builder) indexAssociations() {
	b.direct, b.targeted, b.sources = map[string][]association{}, map[string][]association{}, map[string]bool{}
	for _, name := range resource.SortedKeys(b.live.Clusters) {
		pi := b.live.Clusters[name].PodIdentity
		if pi == nil || !b.listedCluster(name) {
			continue
		}
		for _, key := range resource.SortedKeys(pi.Associations) {
			a := association{Cluster: name, Association: pi.Associations[key]}
			if a.OwnerARN != "" || !a.Described {
				continue
			}
			if a.TargetRoleARN == "" {
				b.direct[strings.ToLower(a.RoleARN)] = append(b.direct[strings.ToLower(a.RoleARN)], a)
				continue
			}
			b.targeted[strings.ToLower(a.TargetRoleARN)] = append(b.targeted[strings.ToLower(a.TargetRoleARN)], a)
			b.sources[strings.ToLower(a.RoleARN)] = true
		}
	}
}

func (b *builder) listedCluster(name string) bool {
	_, ok := b.idx.account[name]
	return ok
}

// podBindings adds the role's bindings via Pod Identity: one per
// association naming it (roleArn, or targetRoleArn through a source role),
// and one per service account its trust admits through Pod Identity with
// no association yet. A service account the trust also admits through OIDC
// is bound via both.
func (b *builder) podBindings(c *candidate) {
	exact := map[podSubject]int{} // IRSA bindings by service account
	for i, sa := range c.role.ServiceAccounts {
		if !strings.ContainsAny(sa.Namespace+sa.Name, "*?") {
			exact[podSubject{sa.Cluster, sa.Namespace, sa.Name}] = i
		}
	}
	trusted := map[podSubject]bool{}
	for _, p := range c.tr.Pods {
		trusted[p] = true
	}
	bound := map[podSubject]bool{}
	bind := func(k podSubject, owned bool) {
		if bound[k] {
			return
		}
		bound[k] = true
		if i, ok := exact[k]; ok {
			c.role.ServiceAccounts[i].Via = config.ViaBoth
			c.role.ServiceAccounts[i].Adopt = c.role.ServiceAccounts[i].Adopt || !owned
			return
		}
		sa := config.ServiceAccount{Cluster: k.Cluster, Namespace: k.Namespace, Name: k.Name, Via: config.ViaPodIdentity}
		where := k.Cluster + "/" + k.Namespace + "/" + k.Name
		var have state.ServiceAccount
		ok := false
		if cl := b.live.Clusters[k.Cluster]; cl != nil {
			have, ok = cl.ServiceAccounts[k.Namespace+"/"+k.Name]
		}
		if !ok {
			c.changes = append(c.changes, fmt.Sprintf("the role is bound to service account %s through EKS Pod Identity, which does not exist: apply will create it", where))
		}
		sa.Adopt = !owned || (ok && have.Annotations[resource.OwnerAnnotation] != b.in.Owner)
		c.role.ServiceAccounts = append(c.role.ServiceAccounts, sa)
	}
	arn := strings.ToLower(c.live.ARN)
	for _, a := range b.direct[arn] {
		k := a.key()
		if !trusted[k] {
			c.changes = append(c.changes, fmt.Sprintf("Pod Identity association %s binds service account %s/%s/%s, which the role's trust does not admit: apply adds it to the trust", a.ID, k.Cluster, k.Namespace, k.Name))
		}
		bind(k, state.OwnedBy(a.Tags, b.in.Owner))
	}
	b.sourceRole(c, bind)
	for _, p := range c.tr.Pods {
		if !bound[p] {
			c.changes = append(c.changes, fmt.Sprintf("the trust admits service account %s/%s/%s through EKS Pod Identity, but no association binds it: apply will create one", p.Cluster, p.Namespace, p.Name))
			bind(p, true)
		}
	}
}

// sourceRole binds the associations that reach the role as their
// targetRoleArn, through the source role of the cluster's account
// (desired.bindPodIdentity): the file says so with sourceRole, one name for
// all of them, and the source role takes the target's path. The chain
// statement naming the source role is sourceRole's, not an assumedFrom.
func (b *builder) sourceRole(c *candidate, bind func(podSubject, bool)) {
	assocs := b.targeted[strings.ToLower(c.live.ARN)]
	if len(assocs) == 0 {
		return
	}
	var name string
	for _, a := range assocs {
		where := a.Cluster + "/" + a.Namespace + "/" + a.ServiceAccount
		srcPath, srcName := splitRoleARN(a.RoleARN)
		problem := ""
		switch cid := b.idx.account[a.Cluster]; {
		case cid == c.a.ID:
			problem = fmt.Sprintf("Pod Identity association %s (%s) reaches the role through %s, a role of the cluster's own account; the file binds a role of the cluster's account directly, without a source role", a.ID, where, a.RoleARN)
		case name != "" && !strings.EqualFold(srcName, name):
			problem = fmt.Sprintf("Pod Identity association %s (%s) reaches the role through %s, and another through source role %q; the file gives a role one sourceRole", a.ID, where, a.RoleARN, name)
		case srcPath != orRoot(c.role.Path):
			problem = fmt.Sprintf("Pod Identity association %s (%s) reaches the role through %s, whose path %s is not the role's (%s); irsa-sync puts the source role on its target's path", a.ID, where, a.RoleARN, srcPath, orRoot(c.role.Path))
		default:
			if src, ok := b.liveRole(cid, srcName); ok && !state.OwnedBy(src.Tags, b.in.Owner) {
				problem = fmt.Sprintf("Pod Identity association %s (%s) reaches the role through %s, which irsa-sync did not create (tag %s is %q); irsa-sync manages a source role it creates, and adopts none: bind the role through a source role it makes, or in the cluster's account", a.ID, where, a.RoleARN, resource.OwnerTag, src.Tags[resource.OwnerTag])
			}
		}
		if problem != "" {
			c.problems = append(c.problems, problem)
			continue
		}
		name = srcName
		bind(a.key(), state.OwnedBy(a.Tags, b.in.Owner))
		// The target's trust names the source role for the chain EKS
		// makes; that statement is sourceRole's.
		kept := c.tr.Chains[:0:0]
		for _, ch := range c.tr.Chains {
			if !strings.EqualFold(ch.Role, a.RoleARN) {
				kept = append(kept, ch)
			}
		}
		c.tr.Chains = kept
	}
	c.role.SourceRole = name
}

// liveRole finds a role of a listed account by name.
func (b *builder) liveRole(accountID, name string) (resource.Role, bool) {
	acct := b.live.Accounts[accountID]
	if acct == nil {
		return resource.Role{}, false
	}
	return acct.Role(name)
}

// splitRoleARN returns the path and name of a role ARN
// (arn:PARTITION:iam::ACCOUNT:role/PATH/NAME).
func splitRoleARN(arn string) (path, name string) {
	_, rest, ok := strings.Cut(arn, ":role/")
	if !ok {
		return "", ""
	}
	i := strings.LastIndex(rest, "/")
	return "/" + rest[:i+1], rest[i+1:]
}

func orRoot(path string) string {
	if path == "" {
		return "/"
	}
	return path
}

// associationOrphans reports the associations of the listed clusters the
// file does not bind: an add-on's, which irsa-sync never changes, and those
// naming a role import did not write.
func (b *builder) associationOrphans() {
	for _, name := range resource.SortedKeys(b.live.Clusters) {
		pi := b.live.Clusters[name].PodIdentity
		if pi == nil || !b.listedCluster(name) {
			continue
		}
		for _, key := range resource.SortedKeys(pi.Associations) {
			a := pi.Associations[key]
			object := name + "/" + key
			if a.OwnerARN != "" {
				b.report(NotImported, object, fmt.Sprintf("EKS Pod Identity association %s is owned by the EKS add-on %s, and irsa-sync never changes an add-on's association; the file does not bind it", a.ID, a.OwnerARN))
				continue
			}
			if !a.Described {
				continue
			}
			role := a.RoleARN
			if a.TargetRoleARN != "" {
				role = a.TargetRoleARN
			}
			if b.podBound(name, key, role) {
				continue
			}
			why := "its account is not an account of the file"
			if acct := b.live.Accounts[resource.AccountOfARN(role)]; acct != nil {
				why = "the role is not imported (see its report)"
				if _, n := splitRoleARN(role); !hasRole(acct, n) {
					why = "no such role exists"
				}
			}
			b.report(NotImported, object, fmt.Sprintf("EKS Pod Identity association %s names role %s, but %s; the file does not bind it", a.ID, role, why))
		}
	}
}

// podBound reports whether a role of the file binds the service account via
// Pod Identity.
func (b *builder) podBound(cluster, key, roleARN string) bool {
	_, name := splitRoleARN(roleARN)
	for _, r := range b.out.Roles {
		if !strings.EqualFold(r.Name, name) || b.accountID(r.Account) != resource.AccountOfARN(roleARN) {
			continue
		}
		for _, sa := range r.ServiceAccounts {
			if sa.Cluster == cluster && sa.Namespace+"/"+sa.Name == key && config.UsesPodIdentity(b.out.ViaOf(sa)) {
				return true
			}
		}
	}
	return false
}

func (b *builder) accountID(name string) string {
	for _, a := range b.in.Accounts {
		if a.Name == name {
			return a.ID
		}
	}
	return ""
}
