package config

import (
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/partition"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// DefaultAssumeRolePolicySizeQuota is IAM's default limit on a trust policy,
// in characters without white space. Accounts can have it raised.
const DefaultAssumeRolePolicySizeQuota = 2048

// eksIssuerID stands in for the 32-character id of an EKS issuer, whose
// real value comes from eks:DescribeCluster: EKS issuers all have this
// length, so the estimate is exact for EKS clusters.
var eksIssuerID = strings.Repeat("X", 32)

// checkTrustSize refuses a role whose generated trust would exceed the
// trust size quota, before any API call: the same trust the plan would
// write, with each cluster's issuer or, when only eks:DescribeCluster knows
// it, one of the same length. The plan checks again against the quota the
// account reports.
func (v *validator) checkTrustSize(p path, r Role) {
	id := v.accountID(r.Account)
	if id == "" {
		return // reported with the account reference
	}
	// The provider ARN is part of the trust, so its partition counts:
	// arn:aws-us-gov: is 7 characters longer than arn:aws: per subject.
	part, _ := v.f.AccountPartition(r.Account)
	var subjects []trust.Subject
	for _, b := range r.ServiceAccounts {
		c, ok := v.cluster(b.Cluster)
		if !ok {
			return // reported with the binding
		}
		issuer := c.OIDCIssuer
		if issuer == "" {
			issuer = "https://oidc.eks." + c.Region + "." + partition.DNSSuffix(partition.ForRegion(c.Region)) + "/id/" + eksIssuerID
		}
		host := resource.IssuerHost(issuer)
		subjects = append(subjects, trust.Subject{ProviderARN: resource.ProviderARN(part, id, host), Issuer: host,
			Namespace: b.Namespace, Name: b.Name, Audience: b.Audience})
	}
	quota := v.f.Settings.AssumeRolePolicySizeQuota
	if quota <= 0 {
		quota = DefaultAssumeRolePolicySizeQuota
	}
	if size := trust.ForRole(subjects).Size(); size > quota {
		v.add(p.with("serviceAccounts"), "the trust policy these %d bindings generate is %d characters (white space not counted), %d over the AssumeRolePolicySizeQuota of %d: bind fewer service accounts to this role (a pattern such as namespace: team-a, name: \"*\" folds a namespace into one subject), split the role, or, if the account's quota was raised, set settings.assumeRolePolicySizeQuota",
			len(r.ServiceAccounts), size, size-quota, quota)
	}
}

// cluster returns the file's cluster of that name.
func (v *validator) cluster(name string) (Cluster, bool) {
	for _, c := range v.f.Clusters {
		if c.Name == name {
			return c, true
		}
	}
	return Cluster{}, false
}
