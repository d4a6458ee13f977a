// Package desired turns a validated bindings file into the objects it asks
// for: OIDC providers, policies, roles with generated trusts, and annotated
// ServiceAccounts, each in the shape the live state is read into.
package desired

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/partition"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// DefaultMaxSessionDuration is IAM's default for a role that sets none.
const DefaultMaxSessionDuration = 3600

// State is everything a bindings file declares, resolved to ARNs.
type State struct {
	Owner           string           `json:"owner"`
	Accounts        []Account        `json:"accounts"`
	Providers       []Provider       `json:"providers"`
	Policies        []Policy         `json:"policies"`
	Roles           []Role           `json:"roles"`
	ServiceAccounts []ServiceAccount `json:"serviceAccounts"`
	// Patterns are wildcard bindings: they shape trusts, and there is no
	// object to annotate for them.
	Patterns []Pattern `json:"patterns,omitempty"`
	// Associations are the EKS Pod Identity associations of the bindings
	// via podIdentity or both.
	Associations []Association `json:"associations,omitempty"`
	// ConfigMaps are the profile ConfigMaps of the file's role chains.
	ConfigMaps []ConfigMap `json:"configMaps,omitempty"`
}

// Account is an AWS account of the file.
type Account struct {
	Name string `json:"name"`
	ID   string `json:"id"`
	// Partition is the account's partition, from the live read; every
	// ARN built for the account is in it.
	Partition string `json:"partition"`
}

// Provider is the OIDC provider a role's account needs for one cluster.
type Provider struct {
	resource.Provider
	Account  string   `json:"account"`
	Clusters []string `json:"clusters"`
}

// Policy is a declared customer-managed policy.
type Policy struct {
	resource.Policy
	Account string `json:"account"`
	Adopt   bool   `json:"adopt,omitempty"`
}

// Role is a declared role with its generated trust.
type Role struct {
	resource.Role
	// Where names, for each policy ARN the role refers to (attached or as
	// boundary), its place in the file ("bindings.yaml:42:
	// roles[1].policies[0]"), for problems to point at the line.
	Where map[string]string `json:"-"`
	// Index is the role's position in the file's roles, for problems to
	// name the field they are about (roles[i].permissionsBoundary).
	Index    int             `json:"-"`
	Account  string          `json:"account"`
	Adopt    bool            `json:"adopt,omitempty"`
	Subjects []trust.Subject `json:"subjects"`
	// AssumedFrom are the roles that may assume this one by chaining.
	AssumedFrom []Chain `json:"assumedFrom,omitempty"`
	// Pods are the service accounts that assume the role through EKS Pod
	// Identity, ChainFrom the source roles that assume it as their
	// associations' target role.
	Pods      []trust.PodSubject `json:"pods,omitempty"`
	ChainFrom []string           `json:"chainFrom,omitempty"`
}

// ServiceAccount is an exact binding: a ServiceAccount to create or annotate.
type ServiceAccount struct {
	resource.ServiceAccount
	Role  string `json:"role"` // the role's ARN
	Adopt bool   `json:"adopt,omitempty"`
}

// Pattern is a wildcard binding, trusted by pattern.
type Pattern struct {
	Cluster   string `json:"cluster"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Role      string `json:"role"`
}

// Build resolves a validated file. issuers maps each cluster name to its OIDC
// issuer URL (from the file's override or eks:DescribeCluster); partitions
// maps each account id to its partition (from sts:GetCallerIdentity, see
// live.CheckIdentity). An account missing from partitions takes the one
// its clusters' regions imply, else the commercial partition.
func Build(f *config.File, issuers, partitions map[string]string) (*State, error) {
	accountID := map[string]string{}
	partitionOf := map[string]string{} // by account name
	st := &State{Owner: f.Owner}
	for _, a := range f.Accounts {
		accountID[a.Name] = a.ID
		p := partitions[a.ID]
		if p == "" {
			p, _ = f.AccountPartition(a.Name)
		}
		if p == "" {
			p = partition.AWS
		}
		partitionOf[a.Name] = p
		st.Accounts = append(st.Accounts, Account{Name: a.Name, ID: a.ID, Partition: p})
	}
	ownerTags := func(user map[string]string) map[string]string {
		tags := map[string]string{resource.OwnerTag: f.Owner}
		for k, v := range user {
			tags[k] = v
		}
		return tags
	}

	policyARN := map[string]string{} // "account/name" -> ARN
	for i, p := range f.Policies {
		doc, err := policy.Parse(p.Document)
		if err != nil {
			return nil, fmt.Errorf("policies[%d] (%s): %w", i, p.Name, err)
		}
		id := accountID[p.Account]
		path := orRoot(p.Path)
		arn := resource.PolicyARN(partitionOf[p.Account], id, path, p.Name)
		policyARN[p.Account+"/"+p.Name] = arn
		st.Policies = append(st.Policies, Policy{Account: p.Account, Adopt: p.Adopt, Policy: resource.Policy{
			AccountID: id, Name: p.Name, Path: path, ARN: arn, Description: p.Description,
			Document: doc, Tags: ownerTags(p.Tags),
		}})
	}

	providers := map[string]*Provider{}
	clusterByName := map[string]config.Cluster{}
	for _, c := range f.Clusters {
		clusterByName[c.Name] = c
	}
	exact := map[string]string{} // cluster/ns/name -> role, to refuse double bindings
	pi := newPodIdentity(f, accountID, partitionOf, clusterByName, ownerTags)
	for i, r := range f.Roles {
		id, part := accountID[r.Account], partitionOf[r.Account]
		path := orRoot(r.Path)
		role := Role{Index: i, Account: r.Account, Adopt: r.Adopt, Role: resource.Role{
			AccountID: id, Name: r.Name, Path: path, ARN: resource.RoleARN(part, id, path, r.Name),
			Description: r.Description, MaxSessionDuration: r.MaxSessionDuration,
			PermissionsBoundary: r.PermissionsBoundary, Tags: ownerTags(r.Tags),
		}}
		if role.MaxSessionDuration == 0 {
			role.MaxSessionDuration = DefaultMaxSessionDuration
		}
		role.Where = map[string]string{}
		if r.PermissionsBoundary != "" {
			role.Where[r.PermissionsBoundary] = f.Where("roles", i, "permissionsBoundary")
		}
		for j, ref := range r.Policies {
			where := f.Where("roles", i, "policies", j)
			if strings.HasPrefix(ref, "arn:") {
				role.Where[ref] = where
			} else if arn, ok := policyARN[r.Account+"/"+ref]; ok {
				role.Where[arn] = where
			}
			if strings.HasPrefix(ref, "arn:") {
				role.ManagedPolicies = append(role.ManagedPolicies, ref)
			} else if arn, ok := policyARN[r.Account+"/"+ref]; ok {
				role.ManagedPolicies = append(role.ManagedPolicies, arn)
			} else {
				return nil, fmt.Errorf("roles[%d] (%s): policy %q is not declared in account %q", i, r.Name, ref, r.Account)
			}
		}
		sort.Strings(role.ManagedPolicies)
		for _, name := range resource.SortedKeys(r.InlinePolicies) {
			doc, err := policy.Parse(r.InlinePolicies[name])
			if err != nil {
				return nil, fmt.Errorf("roles[%d] (%s): inline policy %q: %w", i, r.Name, name, err)
			}
			if role.InlinePolicies == nil {
				role.InlinePolicies = map[string]policy.Document{}
			}
			role.InlinePolicies[name] = doc
		}
		for j, b := range r.ServiceAccounts {
			via := f.ViaOf(b)
			if config.UsesPodIdentity(via) {
				if err := bindPodIdentity(pi, &role, r, b); err != nil {
					return nil, fmt.Errorf("roles[%d].serviceAccounts[%d]: %w", i, j, err)
				}
			}
			if !config.UsesIRSA(via) {
				key := b.Cluster + "/" + b.Namespace + "/" + b.Name
				if other, dup := exact[key]; dup && other != role.ARN {
					return nil, fmt.Errorf("service account %s is bound to two roles: %s and %s", key, other, role.ARN)
				}
				exact[key] = role.ARN
				st.ServiceAccounts = append(st.ServiceAccounts, ServiceAccount{
					Role: role.ARN, Adopt: b.Adopt,
					ServiceAccount: resource.ServiceAccount{
						Cluster: b.Cluster, Namespace: b.Namespace, Name: b.Name,
						Annotations: map[string]string{resource.OwnerAnnotation: f.Owner, resource.PodIdentityAnnotation: "true"},
					},
				})
				continue
			}
			issuer, ok := issuers[b.Cluster]
			if !ok || issuer == "" {
				return nil, fmt.Errorf("roles[%d].serviceAccounts[%d]: no OIDC issuer known for cluster %q", i, j, b.Cluster)
			}
			host := resource.IssuerHost(issuer)
			pkey := id + " " + host
			if providers[pkey] == nil {
				providers[pkey] = &Provider{Account: r.Account, Provider: resource.Provider{
					AccountID: id, ARN: resource.ProviderARN(part, id, host), URL: host,
					ClientIDs: []string{partition.Audience(part)},
					Tags:      map[string]string{resource.OwnerTag: f.Owner},
				}}
			}
			prov := providers[pkey]
			prov.Clusters = appendUnique(prov.Clusters, b.Cluster)
			if b.Audience != "" {
				prov.ClientIDs = appendUnique(prov.ClientIDs, b.Audience)
			}
			subj := trust.Subject{ProviderARN: prov.ARN, Issuer: host, Namespace: b.Namespace, Name: b.Name, Audience: b.Audience}
			role.Subjects = append(role.Subjects, subj)
			if subj.IsPattern() {
				st.Patterns = append(st.Patterns, Pattern{Cluster: b.Cluster, Namespace: b.Namespace, Name: b.Name, Role: role.ARN})
				continue
			}
			key := b.Cluster + "/" + b.Namespace + "/" + b.Name
			if other, dup := exact[key]; dup && other != role.ARN {
				return nil, fmt.Errorf("service account %s is bound to two roles: %s and %s", key, other, role.ARN)
			}
			exact[key] = role.ARN
			st.ServiceAccounts = append(st.ServiceAccounts, ServiceAccount{
				Role: role.ARN, Adopt: b.Adopt,
				ServiceAccount: resource.ServiceAccount{
					Cluster: b.Cluster, Namespace: b.Namespace, Name: b.Name,
					Annotations: annotations(f.Owner, role.ARN, b, via),
				},
			})
		}
		st.Roles = append(st.Roles, role)
	}
	if err := st.addChains(f); err != nil {
		return nil, err
	}
	if err := pi.finish(st); err != nil {
		return nil, err
	}
	for i := range st.Roles {
		r := &st.Roles[i]
		r.Trust = trust.Build(trust.Grants{IRSA: r.Subjects, Pods: r.Pods, Chains: r.chains()})
	}
	for _, k := range resource.SortedKeys(providers) {
		p := providers[k]
		sort.Strings(p.Clusters)
		sort.Strings(p.ClientIDs)
		st.Providers = append(st.Providers, *p)
	}
	st.sort()
	return st, nil
}

// annotations are exactly the ones irsa-sync sets on a bound ServiceAccount.
func annotations(owner, roleARN string, b config.ServiceAccount, via string) map[string]string {
	a := map[string]string{
		resource.AnnotationRoleARN: roleARN,
		resource.OwnerAnnotation:   owner,
	}
	if config.UsesPodIdentity(via) {
		a[resource.PodIdentityAnnotation] = "true"
	}
	if b.StsRegionalEndpoints {
		a[resource.AnnotationSTSRegional] = "true"
	}
	if b.Audience != "" {
		a[resource.AnnotationAudience] = b.Audience
	}
	if b.TokenExpiration != 0 {
		a[resource.AnnotationTokenExpiration] = strconv.FormatInt(b.TokenExpiration, 10)
	}
	return a
}

// sort orders every list the same way whatever the file's order, so plans
// are byte-identical for equal inputs.
func (st *State) sort() {
	sort.Slice(st.Accounts, func(i, j int) bool { return st.Accounts[i].Name < st.Accounts[j].Name })
	sort.Slice(st.Policies, func(i, j int) bool { return st.Policies[i].ARN < st.Policies[j].ARN })
	sort.Slice(st.Roles, func(i, j int) bool { return st.Roles[i].ARN < st.Roles[j].ARN })
	sort.Slice(st.ServiceAccounts, func(i, j int) bool {
		a, b := st.ServiceAccounts[i], st.ServiceAccounts[j]
		return a.Cluster+"/"+a.Key() < b.Cluster+"/"+b.Key()
	})
	sort.Slice(st.Associations, func(i, j int) bool {
		a, b := st.Associations[i], st.Associations[j]
		return a.Cluster+"/"+a.Key() < b.Cluster+"/"+b.Key()
	})
	sort.Slice(st.ConfigMaps, func(i, j int) bool {
		a, b := st.ConfigMaps[i], st.ConfigMaps[j]
		return a.Cluster+"/"+a.Key() < b.Cluster+"/"+b.Key()
	})
	sort.Slice(st.Patterns, func(i, j int) bool {
		a, b := st.Patterns[i], st.Patterns[j]
		return a.Cluster+"/"+a.Namespace+"/"+a.Name+"/"+a.Role < b.Cluster+"/"+b.Namespace+"/"+b.Name+"/"+b.Role
	})
}

// AccountName returns the file's name for an account id.
func (st *State) AccountName(id string) string {
	for _, a := range st.Accounts {
		if a.ID == id {
			return a.Name
		}
	}
	return id
}

func orRoot(path string) string {
	if path == "" {
		return "/"
	}
	return path
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
