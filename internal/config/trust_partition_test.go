package config

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// TestTrustSizeEstimateUsesThePartition checks the estimate against the
// trust the plan would write in the account's partition: the provider ARN
// of arn:aws-us-gov: is 7 characters longer than arn:aws:'s, and a China
// issuer 3 longer than a commercial one, so an estimate in the commercial
// partition lets through a trust IAM refuses.
func TestTrustSizeEstimateUsesThePartition(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ region, partition, issuer string }{
		{"us-gov-west-1", "aws-us-gov", "https://oidc.eks.us-gov-west-1.amazonaws.com/id/EXAMPLE"},
		{"cn-north-1", "aws-cn", "https://oidc.eks.cn-north-1.amazonaws.com.cn/id/EXAMPLE"},
		// With no oidcIssuer the estimate stands in an EKS issuer of the
		// region's domain.
		{"cn-north-1", "aws-cn", ""},
	} {
		f := validFile()
		f.Clusters[0].Region, f.Clusters[0].OIDCIssuer = tc.region, tc.issuer
		issuer := tc.issuer
		if issuer == "" {
			issuer = "https://oidc.eks.cn-north-1.amazonaws.com.cn/id/" + eksIssuerID
		}
		host := resource.IssuerHost(issuer)
		// Enough bindings to pass IAM's smallest quota, 2048.
		var subjects []trust.Subject
		size := 0
		for i := 0; size < 2100; i++ {
			b := ServiceAccount{Cluster: f.Clusters[0].Name, Namespace: "default", Name: fmt.Sprintf("app-%d", i)}
			f.Roles[0].ServiceAccounts = append(f.Roles[0].ServiceAccounts[:i], b)
			subjects = append(subjects, trust.Subject{ProviderARN: resource.ProviderARN(tc.partition, "111122223333", host),
				Issuer: host, Namespace: b.Namespace, Name: b.Name})
			size = trust.ForRole(subjects).Size()
		}
		for _, quota := range []int{size - 1, size} {
			t.Run(fmt.Sprintf("%s/%q/quota %d", tc.region, tc.issuer, quota), func(t *testing.T) {
				f := *f
				f.Settings.AssumeRolePolicySizeQuota = quota
				var want []string
				if quota < size {
					want = []string{"roles[0].serviceAccounts"}
				}
				if diff := cmp.Diff(want, paths(Validate(&f))); diff != "" {
					t.Errorf("a %d-character trust and quota %d: diagnostic paths (-want +got):\n%s", size, quota, diff)
				}
			})
		}
	}
}
