package desired

import (
	"fmt"
	"sort"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/partition"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// Association is a desired EKS Pod Identity association.
type Association struct {
	resource.Association
	// Role is the file's role the binding names: RoleARN, or TargetRoleARN
	// when the role is in another account than the cluster.
	Role  string `json:"role"`
	Adopt bool   `json:"adopt,omitempty"`
}

// ClusterARN is an EKS cluster's ARN, as aws:SourceArn carries it.
func ClusterARN(region, accountID, name string) string {
	return "arn:" + partition.ForRegion(region) + ":eks:" + region + ":" + accountID + ":cluster/" + name
}

// podIdentity collects the associations of a file and the source roles
// that cross-account bindings need.
type podIdentity struct {
	f         *config.File
	accountID map[string]string
	partition map[string]string // by account name
	clusters  map[string]config.Cluster
	ownerTags func(map[string]string) map[string]string
	assocs    []Association
	// sources are the source roles by ARN, with their targets.
	sources map[string]*Role
	targets map[string]map[string]bool
}

func newPodIdentity(f *config.File, accountID, partitionOf map[string]string, clusters map[string]config.Cluster, ownerTags func(map[string]string) map[string]string) *podIdentity {
	return &podIdentity{f: f, accountID: accountID, partition: partitionOf, clusters: clusters, ownerTags: ownerTags,
		sources: map[string]*Role{}, targets: map[string]map[string]bool{}}
}

// bindPodIdentity adds the association of one binding and its trust
// subject: on role itself when it is in the cluster's account, else on the
// source role there, which role then trusts to chain to it (EKS user
// guide, pod-id-assign-target-role: the association's roleArn must be in
// the cluster's account, targetRoleArn may be in any).
func bindPodIdentity(pi *podIdentity, role *Role, r config.Role, b config.ServiceAccount) error {
	cl, ok := pi.clusters[b.Cluster]
	if !ok {
		return fmt.Errorf("no cluster named %q", b.Cluster)
	}
	cid := pi.accountID[cl.Account]
	subj := trust.PodSubject{AccountID: cid, ClusterARN: ClusterARN(cl.Region, cid, cl.Name), Namespace: b.Namespace, Name: b.Name}
	a := Association{Role: role.ARN, Adopt: b.Adopt, Association: resource.Association{
		AccountID: cid, Cluster: cl.Name, Namespace: b.Namespace, ServiceAccount: b.Name,
		RoleARN: role.ARN, Tags: map[string]string{resource.OwnerTag: pi.f.Owner},
	}}
	if cid != role.AccountID {
		if r.SourceRole == "" {
			return fmt.Errorf("role %q is in another account than cluster %q: set sourceRole", r.Name, cl.Name)
		}
		src, err := pi.source(cl.Account, cid, role.Path, r.SourceRole)
		if err != nil {
			return fmt.Errorf("role %q: %w", r.Name, err)
		}
		src.Pods = append(src.Pods, subj)
		if pi.targets[src.ARN] == nil {
			pi.targets[src.ARN] = map[string]bool{}
		}
		pi.targets[src.ARN][role.ARN] = true
		if !contains(role.ChainFrom, src.ARN) {
			role.ChainFrom = append(role.ChainFrom, src.ARN)
		}
		a.RoleARN, a.TargetRoleARN = src.ARN, role.ARN
	} else {
		role.Pods = append(role.Pods, subj)
	}
	pi.assocs = append(pi.assocs, a)
	return nil
}

// source returns the source role of that name in a cluster's account. It
// takes its target's path, so that a file scoped by requiredRolePath (and
// an apply role scoped to role/<path>*) covers it too. IAM names a role by
// its name alone, whatever the case and path (CreateRole: "names must be
// unique within the account. Names are not distinguished by case"), so
// targets on two paths cannot share a source role.
func (pi *podIdentity) source(account, id, path, name string) (*Role, error) {
	arn := resource.RoleARN(pi.partition[account], id, path, name)
	if r := pi.sources[arn]; r != nil {
		return r, nil
	}
	for _, other := range pi.sources {
		if other.AccountID == id && strings.EqualFold(other.Name, name) {
			return nil, fmt.Errorf("sourceRole %q in account %q would be role %s, and another role's sourceRole already makes it %s: IAM role names are unique within an account whatever their case and path (a source role takes its target's path), so put the roles sharing a sourceRole on one path with one spelling, or give them different sourceRoles", name, account, arn, other.ARN)
		}
	}
	r := &Role{Account: account, Role: resource.Role{
		AccountID: id, Name: name, Path: path, ARN: arn,
		Description:        "EKS Pod Identity source role, chaining to roles of other accounts (irsa-sync)",
		MaxSessionDuration: DefaultMaxSessionDuration, Tags: pi.ownerTags(nil),
	}}
	// The apply role may create roles only with the required boundary
	// (settings.requiredPermissionsBoundary, a policy of the role's own
	// account), so the source role carries it too.
	if b := pi.f.Settings.RequiredPermissionsBoundary; b != "" {
		r.PermissionsBoundary = resource.PolicyARN(pi.partition[account], id, "/", b)
		if i := strings.LastIndex(b, "/"); i >= 0 {
			r.PermissionsBoundary = resource.PolicyARN(pi.partition[account], id, "/"+b[:i+1], b[i+1:])
		}
	}
	pi.sources[arn] = r
	return r, nil
}

// finish adds the associations and the source roles, each with the inline
// policy that lets it assume exactly its targets and tag the session (EKS
// passes the session tags on to the target role).
func (pi *podIdentity) finish(st *State) error {
	// By name, not ARN: a declared role of the same name on another path
	// is the same IAM role (see source).
	declared := map[string]bool{}
	for _, r := range st.Roles {
		declared[r.AccountID+"/"+strings.ToLower(r.Name)] = true
	}
	for _, arn := range resource.SortedKeys(pi.sources) {
		src := pi.sources[arn]
		if declared[src.AccountID+"/"+strings.ToLower(src.Name)] {
			return fmt.Errorf("sourceRole %q in account %q is also declared under roles: name another role, irsa-sync manages the source role itself", src.Name, src.Account)
		}
		var targets []trust.Chain
		for _, t := range resource.SortedKeys(pi.targets[arn]) {
			// EKS passes the session tags on to the target role.
			targets = append(targets, trust.Chain{Role: t, TagSession: true})
		}
		src.InlinePolicies = map[string]policy.Document{resource.ChainPolicyName: trust.ChainPermission(targets)}
		st.Roles = append(st.Roles, *src)
	}
	st.Associations = append(st.Associations, pi.assocs...)
	for i := range st.Roles {
		sort.Strings(st.Roles[i].ChainFrom)
	}
	return nil
}

// chains are everyone that assumes the role by chaining: the file's
// assumedFrom sources, and the Pod Identity source roles whose
// associations name it as targetRoleArn (with session tags, which EKS
// passes on).
func (r *Role) chains() []trust.Chain {
	var out []trust.Chain
	for _, c := range r.AssumedFrom {
		out = append(out, c.Chain)
	}
	for _, arn := range r.ChainFrom {
		out = append(out, trust.Chain{Role: arn, TagSession: true})
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ServiceAccount returns the desired ServiceAccount of an exact binding,
// nil when the file binds none there.
func (st *State) ServiceAccount(cluster, namespace, name string) *ServiceAccount {
	for i, sa := range st.ServiceAccounts {
		if sa.Cluster == cluster && sa.Namespace == namespace && sa.Name == name {
			return &st.ServiceAccounts[i]
		}
	}
	return nil
}
