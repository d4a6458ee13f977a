package apply

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

const acct = "111122223333"

var (
	issuer   = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
	provARN  = resource.ProviderARN("aws", acct, issuer)
	polARN   = resource.PolicyARN("aws", acct, "/", "p")
	boundARN = resource.PolicyARN("aws", acct, "/", "boundary")
)

func provider() *resource.Provider {
	return &resource.Provider{AccountID: acct, ARN: provARN, URL: issuer}
}

func pol(name string) *resource.Policy {
	return &resource.Policy{AccountID: acct, Name: name, Path: "/", ARN: resource.PolicyARN("aws", acct, "/", name)}
}

func role(name string, policies ...string) *resource.Role {
	return &resource.Role{AccountID: acct, Name: name, Path: "/", ARN: resource.RoleARN("aws", acct, "/", name), ManagedPolicies: policies,
		Trust: trust.ForRole([]trust.Subject{{ProviderARN: provARN, Issuer: issuer, Namespace: "ns", Name: name}})}
}

func sa(name, roleName string) *resource.ServiceAccount {
	return &resource.ServiceAccount{Cluster: "c1", Namespace: "ns", Name: name,
		Annotations: map[string]string{resource.AnnotationRoleARN: resource.RoleARN("aws", acct, "/", roleName)}}
}

func create[T any](kind resource.Kind, addr string, after *T, set func(*plan.Change, *plan.Diff[T])) plan.Change {
	c := plan.Change{Action: plan.Create, Kind: kind, Address: addr}
	set(&c, &plan.Diff[T]{After: after})
	return c
}

func remove[T any](kind resource.Kind, addr string, before *T, set func(*plan.Change, *plan.Diff[T])) plan.Change {
	c := plan.Change{Action: plan.Delete, Kind: kind, Address: addr}
	set(&c, &plan.Diff[T]{Before: before})
	return c
}

func setProvider(c *plan.Change, d *plan.Diff[resource.Provider]) { c.Provider = d }
func setPolicy(c *plan.Change, d *plan.Diff[resource.Policy])     { c.Policy = d }
func setRole(c *plan.Change, d *plan.Diff[resource.Role])         { c.Role = d }
func setSA(c *plan.Change, d *plan.Diff[resource.ServiceAccount]) { c.ServiceAccount = d }

func TestDependencies(t *testing.T) {
	t.Parallel()
	bounded := role("bounded")
	bounded.PermissionsBoundary = boundARN
	tests := []struct {
		name    string
		changes []plan.Change
		want    [][]int
	}{{
		name: "create: provider and policy, then the role, then its service account; an unrelated role waits on nothing of them",
		changes: []plan.Change{
			create(resource.KindProvider, "prov", provider(), setProvider),
			create(resource.KindPolicy, "p", pol("p"), setPolicy),
			create(resource.KindRole, "r1", role("r1", polARN), setRole),
			create(resource.KindRole, "r2", &resource.Role{AccountID: acct, Name: "r2", ARN: resource.RoleARN("aws", acct, "/", "r2")}, setRole),
			create(resource.KindServiceAccount, "sa1", sa("sa1", "r1"), setSA),
			create(resource.KindServiceAccount, "sa2", sa("sa2", "r2"), setSA),
		},
		want: [][]int{nil, nil, {0, 1}, nil, {2}, {3}},
	}, {
		name: "a boundary policy created in the same plan comes first",
		changes: []plan.Change{
			create(resource.KindPolicy, "boundary", pol("boundary"), setPolicy),
			create(resource.KindRole, "bounded", bounded, setRole),
		},
		want: [][]int{nil, {0}},
	}, {
		name: "objects already live (not in the plan) order nothing",
		changes: []plan.Change{
			create(resource.KindRole, "r1", role("r1", polARN), setRole),
			create(resource.KindServiceAccount, "sa1", sa("sa1", "r1"), setSA),
		},
		want: [][]int{nil, {0}},
	}, {
		name: "delete: the service account before its role, the role before its policy and provider",
		changes: []plan.Change{
			remove(resource.KindServiceAccount, "sa1", sa("sa1", "r1"), setSA),
			remove(resource.KindRole, "r1", role("r1", polARN), setRole),
			remove(resource.KindPolicy, "p", pol("p"), setPolicy),
			remove(resource.KindProvider, "prov", provider(), setProvider),
		},
		want: [][]int{nil, {0}, {1}, {1}},
	}, {
		name: "a service account moved to a new role waits on it; the old role's delete waits on the move",
		changes: []plan.Change{
			create(resource.KindRole, "new", role("new"), setRole),
			{Action: plan.Update, Kind: resource.KindServiceAccount, Address: "sa1",
				ServiceAccount: &plan.Diff[resource.ServiceAccount]{Before: sa("sa1", "old"), After: sa("sa1", "new")}},
			remove(resource.KindRole, "old", role("old"), setRole),
		},
		want: [][]int{nil, {0}, {1}},
	}, {
		name: "a policy detached by a role update is deleted after the detach",
		changes: []plan.Change{
			{Action: plan.Update, Kind: resource.KindRole, Address: "r1",
				Role: &plan.Diff[resource.Role]{Before: role("r1", polARN), After: role("r1")}},
			remove(resource.KindPolicy, "p", pol("p"), setPolicy),
		},
		want: [][]int{nil, {0}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, dependencies(tt.changes)); diff != "" {
				t.Errorf("dependencies (-want +got):\n%s", diff)
			}
		})
	}
}
