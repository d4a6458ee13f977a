package config

import (
	"fmt"
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
// write (IRSA subjects, Pod Identity statements, and a chain statement per
// assumedFrom source and for the sourceRole of cross-account Pod Identity
// bindings), with each cluster's issuer or, when only eks:DescribeCluster
// knows it, one of the same length. The plan checks again against the
// quota the account reports.
func (v *validator) checkTrustSize(p path, r Role) {
	id := v.accountID(r.Account)
	if id == "" {
		return // reported with the account reference
	}
	// The provider ARN is part of the trust, so its partition counts:
	// arn:aws-us-gov: is 7 characters longer than arn:aws: per subject.
	part, _ := v.f.AccountPartition(r.Account)
	var subjects []trust.Subject
	var pods []trust.PodSubject
	chains := v.chainGrants(r)
	for _, b := range r.ServiceAccounts {
		c, ok := v.cluster(b.Cluster)
		if !ok {
			return // reported with the binding
		}
		via := v.f.ViaOf(b)
		if UsesPodIdentity(via) && c.Account == r.Account {
			// The cluster ARN's length is known before any call.
			pods = append(pods, trust.PodSubject{AccountID: id, Namespace: b.Namespace, Name: b.Name,
				ClusterARN: "arn:" + partition.ForRegion(c.Region) + ":eks:" + c.Region + ":" + id + ":cluster/" + c.Name})
		}
		if cid := v.accountID(c.Account); UsesPodIdentity(via) && c.Account != r.Account && r.SourceRole != "" && cid != "" {
			// The source role, in the cluster's account on the
			// role's path, chains to this role with session tags.
			cpart, _ := v.f.AccountPartition(c.Account)
			chains = appendChain(chains, trust.Chain{Role: resource.RoleARN(orPartition(cpart), cid, rolePath(r.Path), r.SourceRole), TagSession: true})
		}
		if !UsesIRSA(via) {
			continue
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
	if size := trust.Build(trust.Grants{IRSA: subjects, Pods: pods, Chains: chains}).Size(); size > quota {
		field := "serviceAccounts"
		if len(r.ServiceAccounts) == 0 {
			field = "assumedFrom"
		}
		what, fix := fmt.Sprintf("these %d bindings", len(r.ServiceAccounts)), ""
		if len(chains) > 0 {
			what, fix = fmt.Sprintf("these %d bindings and %d chained roles", len(r.ServiceAccounts), len(chains)), ", chain it from fewer roles"
		}
		v.add(p.with(field), "the trust policy %s generate is %d characters (white space not counted), %d over the AssumeRolePolicySizeQuota of %d: bind fewer service accounts to this role (a pattern such as namespace: team-a, name: \"*\" folds a namespace into one subject)%s, split the role, or, if the account's quota was raised, set settings.assumeRolePolicySizeQuota",
			what, size, size-quota, quota, fix)
	}
}

// chainGrants are the chain statements assumedFrom adds to a role's trust,
// one per source role this file declares (each named by its ARN).
func (v *validator) chainGrants(r Role) []trust.Chain {
	var out []trust.Chain
	for _, src := range r.AssumedFrom {
		k, ok := v.lookupChainSource(src)
		if !ok {
			continue // reported by checkChains
		}
		s := v.f.Roles[k]
		id := v.accountID(s.Account)
		if id == "" {
			continue
		}
		part, _ := v.f.AccountPartition(s.Account)
		out = appendChain(out, trust.Chain{Role: resource.RoleARN(orPartition(part), id, rolePath(s.Path), s.Name), TagSession: src.TagSession})
	}
	return out
}

// appendChain adds c unless its role is listed already: the trust holds one
// statement per source role.
func appendChain(list []trust.Chain, c trust.Chain) []trust.Chain {
	for _, x := range list {
		if x.Role == c.Role {
			return list
		}
	}
	return append(list, c)
}

func orPartition(p string) string {
	if p == "" {
		return partition.AWS
	}
	return p
}

func rolePath(p string) string {
	if p == "" {
		return "/"
	}
	return p
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
