package config

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// TestTrustSizeEstimateCountsChains checks the estimate against the trust
// the plan writes with its chain statements: one per assumedFrom source,
// and one naming the source role of cross-account Pod Identity bindings.
// An estimate without them lets through a trust IAM refuses.
func TestTrustSizeEstimateCountsChains(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("s", 50)
	host := "oidc.eks.us-east-1.amazonaws.com/id/" + eksIssuerID
	tests := []struct {
		name string
		// build returns the file, the index of the role checked, the
		// field its diagnostic names, and the trust the plan writes.
		build func() (*File, int, string, trust.Grants)
	}{
		{"a role reached only by chaining", func() (*File, int, string, trust.Grants) {
			f := validFile()
			target := Role{Name: "target", Account: "data"}
			var g trust.Grants
			for i := 0; i < 20; i++ {
				name := fmt.Sprintf("%s-%d", long, i)
				f.Roles = append(f.Roles, Role{Name: name, Account: "prod", Path: "/team/",
					ServiceAccounts: []ServiceAccount{{Cluster: "prod-use1", Namespace: "default", Name: fmt.Sprintf("sa-%d", i)}}})
				target.AssumedFrom = append(target.AssumedFrom, ChainSource{Role: name, TagSession: i%2 == 0})
				g.Chains = append(g.Chains, trust.Chain{Role: resource.RoleARN("aws", "111122223333", "/team/", name), TagSession: i%2 == 0})
			}
			f.Roles = append(f.Roles, target)
			return f, len(f.Roles) - 1, "assumedFrom", g
		}},
		{"IRSA bindings and a source role", func() (*File, int, string, trust.Grants) {
			f := validFile()
			r := Role{Name: "reader", Account: "data", SourceRole: "reader-source", Path: "/x/"}
			g := trust.Grants{Chains: []trust.Chain{{Role: resource.RoleARN("aws", "111122223333", "/x/", "reader-source"), TagSession: true}}}
			r.ServiceAccounts = append(r.ServiceAccounts, ServiceAccount{Cluster: "prod-use1", Namespace: "pods", Name: "reader", Via: ViaPodIdentity})
			for i := 0; trust.Build(g).Size() < 2100; i++ {
				b := ServiceAccount{Cluster: "prod-use1", Namespace: "default", Name: fmt.Sprintf("%s-%d", long, i)}
				r.ServiceAccounts = append(r.ServiceAccounts, b)
				g.IRSA = append(g.IRSA, trust.Subject{ProviderARN: resource.ProviderARN("aws", "444455556666", host), Issuer: host, Namespace: b.Namespace, Name: b.Name})
			}
			f.Roles = append(f.Roles, r)
			return f, len(f.Roles) - 1, "serviceAccounts", g
		}},
	}
	for _, tt := range tests {
		f, i, field, g := tt.build()
		size := trust.Build(g).Size()
		for _, quota := range []int{size - 1, size} {
			t.Run(fmt.Sprintf("%s/quota %d of %d", tt.name, quota, size), func(t *testing.T) {
				f := *f
				f.Settings.AssumeRolePolicySizeQuota = quota
				var want []string
				if quota < size {
					want = []string{fmt.Sprintf("roles[%d].%s", i, field)}
				}
				if diff := cmp.Diff(want, paths(Validate(&f))); diff != "" {
					t.Errorf("diagnostic paths (-want +got):\n%s", diff)
				}
			})
		}
	}
}
