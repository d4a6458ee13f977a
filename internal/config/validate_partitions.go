package config

import (
	"fmt"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/partition"
)

// AccountPartition returns the partition an account's clusters imply, and
// the region it was taken from: an account is in one partition, and EKS
// clusters are in their account's. An account with no cluster of its own
// takes the partition of the clusters its roles bind (a role trusts an
// OIDC provider created in its own account, of the same partition). It
// returns "" when nothing in the file says. The live read checks it
// against the partition of the account's sts:GetCallerIdentity ARN.
func (f *File) AccountPartition(account string) (p, region string) {
	cluster := func(name string) (Cluster, bool) {
		for _, c := range f.Clusters {
			if c.Name == name {
				return c, true
			}
		}
		return Cluster{}, false
	}
	for _, c := range f.Clusters {
		if c.Account == account && regionRE.MatchString(c.Region) {
			return partition.ForRegion(c.Region), c.Region
		}
	}
	for _, r := range f.Roles {
		if r.Account != account {
			continue
		}
		for _, b := range r.ServiceAccounts {
			if c, ok := cluster(b.Cluster); ok && regionRE.MatchString(c.Region) {
				return partition.ForRegion(c.Region), c.Region
			}
		}
	}
	return "", ""
}

// arnPartition is the partition to write an account's ARNs in, for the
// examples of a message: the one its clusters imply, else aws.
func (v *validator) arnPartition(account string) string {
	if p, _ := v.f.AccountPartition(account); p != "" {
		return p
	}
	return partition.AWS
}

// checkPartitions checks that every ARN the file names for an account is of
// that account's partition: arn:aws-cn: for an account whose clusters are
// in cn-* regions, arn:aws-us-gov: for us-gov-*, arn:aws: otherwise. IAM
// would otherwise refuse the ARN only in the middle of an apply.
func (v *validator) checkPartitions() {
	for i, a := range v.f.Accounts {
		want, region := v.f.AccountPartition(a.Name)
		v.checkClusterPartitions(a.Name)
		if want == "" {
			continue
		}
		v.checkARNPartition(at("accounts", i, "assumeRoleArn"), a.AssumeRoleArn, a.Name, want, region)
		for j, r := range v.f.Roles {
			if r.Account != a.Name {
				continue
			}
			v.checkARNPartition(at("roles", j, "permissionsBoundary"), r.PermissionsBoundary, a.Name, want, region)
			for k, ref := range r.Policies {
				v.checkARNPartition(at("roles", j, "policies", k), ref, a.Name, want, region)
			}
			v.checkBindingPartitions(j, r, want, region)
		}
	}
}

// checkBindingPartitions refuses a binding to a cluster of another
// partition than the role's account: the pod's SDK calls STS of its own
// partition, which cannot assume a role of another.
func (v *validator) checkBindingPartitions(j int, r Role, want, region string) {
	for k, b := range r.ServiceAccounts {
		c, ok := v.cluster(b.Cluster)
		if !ok || !regionRE.MatchString(c.Region) {
			continue
		}
		if got := partition.ForRegion(c.Region); got != want {
			v.add(at("roles", j, "serviceAccounts", k, "cluster"), "cluster %q is in partition %s (region %s), but role %q is in account %q of partition %s (region %s): a pod can assume only roles of its own partition; bind it to a role in an account of %s", c.Name, got, c.Region, r.Name, r.Account, want, region, got)
		}
	}
}

// checkClusterPartitions refuses an account whose clusters are in regions
// of different partitions: no account spans two.
func (v *validator) checkClusterPartitions(account string) {
	first := -1
	for i, c := range v.f.Clusters {
		if c.Account != account || !regionRE.MatchString(c.Region) {
			continue
		}
		if first < 0 {
			first = i
			continue
		}
		fc := v.f.Clusters[first]
		if p, q := partition.ForRegion(fc.Region), partition.ForRegion(c.Region); p != q {
			v.add(at("clusters", i, "region"), "region %s is in partition %s, but clusters[%d] (%q) of the same account %q is in %s (region %s): an AWS account is in one partition; declare the %s account separately", c.Region, q, first, fc.Name, account, p, fc.Region, q)
		}
	}
}

func (v *validator) checkARNPartition(p path, arn, account, want, region string) {
	got := partition.OfARN(arn)
	if got == "" || got == want {
		return // not an ARN (checked elsewhere), or right
	}
	fixed := "arn:" + want + strings.TrimPrefix(arn, "arn:"+got)
	if !partition.Known(got) {
		v.add(p, "%q is in partition %s, which irsa-sync does not support; account %q is in %s (its clusters are in %s): write %s", arn, got, account, want, region, fixed)
		return
	}
	v.add(p, "%q is in partition %s, but account %q is in %s (its clusters are in %s): write %s", arn, got, account, want, region, fixed)
}

// checkSharedIssuers refuses two clusters with one OIDC issuer: their
// tokens carry the same iss and sub, so a trust written for a service
// account of one admits the same name in the other, and the file could not
// say which cluster a binding means. Validation has no warnings, and a
// warning here would let the wider trust be applied; the same cluster
// declared twice (under two names, to reach it two ways) is a mistake of
// the file too.
func (v *validator) checkSharedIssuers() {
	seen := map[string]int{}
	for i, c := range v.f.Clusters {
		if c.OIDCIssuer == "" || checkIssuer(c.OIDCIssuer) != "" {
			continue
		}
		key := strings.ToLower(c.OIDCIssuer)
		if j, dup := seen[key]; dup {
			v.add(at("clusters", i, "oidcIssuer"), "%s", fmt.Sprintf("cluster %q has the issuer of %s (%q): service accounts of the two cannot be told apart (same issuer, same subject), so a role bound in one would trust the other's; if they are one cluster, declare it once, else correct the issuer", c.Name, v.ref(at("clusters", j)), v.f.Clusters[j].Name))
			continue
		}
		seen[key] = i
	}
}
