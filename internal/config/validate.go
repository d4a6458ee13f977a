package config

import (
	"maps"
	"slices"
	"strings"
)

// Validate checks every rule of the format that needs no API call and
// returns all the problems found, sorted; nil means the file is valid.
//
// It checks each value (names, ids, ARNs, paths, durations, regions,
// issuers, tags, policy documents and their sizes), every reference
// between entries (accounts, clusters, policies), uniqueness, and the
// trust rules: no wildcard namespace without allowNamespaceWildcard, no
// pattern that matches every service account, one role per exact service
// account. When f came from Load, each problem carries its line, and
// problems the schema found are included.
func Validate(f *File) Diagnostics {
	v := &validator{collector: collector{src: f.Source}, f: f}
	_ = v.run() // the same diagnostics stay in v.diags, to which addDeferred adds
	if f.Source != nil {
		v.addDeferred(f.Source.deferred)
	}
	if len(v.diags) == 0 {
		return nil
	}
	v.diags.Sort()
	return v.diags
}

// validator holds the indexes the cross-reference checks share.
type validator struct {
	collector
	f *File
	// accounts maps an account name to its index in f.Accounts.
	accounts map[string]int
	clusters map[string]int
	// policies maps account name + lower-case policy name to its index:
	// IAM names are unique per account regardless of case.
	policies map[accountKey]int
}

// run applies every check and returns what they found, unsorted.
func (v *validator) run() Diagnostics {
	v.checkHeader()
	v.checkScopeSettings()
	v.checkAccounts()
	v.checkClusters()
	v.checkPolicies()
	if len(v.f.Roles) == 0 {
		v.add(at("roles"), "no roles: declare at least one, as - {name: my-app, account: prod, serviceAccounts: [{cluster: prod-use1, namespace: default, name: my-app}]}")
	}
	v.checkRoles()
	v.checkChains()
	v.checkSourceRoles()
	v.checkBindings()
	v.checkPartitions()
	v.checkSharedIssuers()
	return v.diags
}

type accountKey struct{ account, name string }

func keyOf(account, name string) accountKey {
	return accountKey{account, strings.ToLower(name)}
}

// addDeferred adds the schema's findings that no check of Validate
// already reported at the same place. They are a safety net: every rule
// of the schema has a check here with a more specific message.
func (v *validator) addDeferred(deferred Diagnostics) {
	own := slices.Clone(v.diags)
	for _, d := range deferred {
		said := slices.ContainsFunc(own, func(o Diagnostic) bool { return o.File == d.File && covers(o.Path, d.Path) })
		if !said {
			v.diags = append(v.diags, d)
		}
	}
}

// maxAssumeRolePolicySizeQuota is the highest trust size IAM grants on
// request.
const maxAssumeRolePolicySizeQuota = 4096

func (v *validator) checkHeader() {
	f := v.f
	if f.APIVersion != APIVersion {
		v.add(at("apiVersion"), "apiVersion is %q; this irsa-sync reads %q: set apiVersion: %s", f.APIVersion, APIVersion, APIVersion)
	}
	if f.Kind != Kind {
		v.add(at("kind"), "kind is %q; a bindings file has kind: %s", f.Kind, Kind)
	}
	switch {
	case f.Owner == "":
		v.add(at("owner"), "owner is required: it names who manages the objects of this file (such as platform-prod) and is stamped on each of them")
	case !ownerRE.MatchString(f.Owner):
		v.add(at("owner"), "owner %q must be 1-128 characters of letters, digits and _ . : / = + @ - (it becomes an IAM tag value and a Kubernetes annotation): rename it", f.Owner)
	}
	if f.Settings.MaxTrustedNamespaces < 0 {
		v.add(at("settings", "maxTrustedNamespaces"), "must be a positive number of namespaces, or left out for the default of 10")
	}
	v.checkDefaultVia()
	if q := f.Settings.AssumeRolePolicySizeQuota; q != 0 && (q < DefaultAssumeRolePolicySizeQuota || q > maxAssumeRolePolicySizeQuota) {
		v.add(at("settings", "assumeRolePolicySizeQuota"), "%d is outside IAM's range for this quota (%d, raisable to %d): set the account's actual quota, or leave it out for the default", q, DefaultAssumeRolePolicySizeQuota, maxAssumeRolePolicySizeQuota)
	}
	if q := f.Settings.OIDCProvidersQuota; q != 0 && q < DefaultOIDCProvidersQuota {
		v.add(at("settings", "oidcProvidersQuota"), "%d is below IAM's default of %d OIDC providers per account, which can only be raised: set the accounts' raised quota, or leave it out for the default", q, DefaultOIDCProvidersQuota)
	}
}

// DefaultOIDCProvidersQuota is IAM's default number of OIDC identity
// providers per account ("IAM and AWS STS quotas": 100).
const DefaultOIDCProvidersQuota = 100

func (v *validator) checkAccounts() {
	v.accounts = map[string]int{}
	ids := map[string]int{}
	if len(v.f.Accounts) == 0 {
		v.add(at("accounts"), "no accounts: declare at least one, as - {name: prod, id: \"111122223333\"}")
	}
	for i, a := range v.f.Accounts {
		p := at("accounts", i)
		// A malformed name is still indexed, so that entries referring
		// to it are not reported as dangling too.
		j, dup := v.accounts[a.Name]
		switch {
		case a.Name == "":
			v.add(p.with("name"), "account name is required: other entries refer to the account by it")
		case !accountNameRE.MatchString(a.Name):
			v.add(p.with("name"), "account name %q must be 1-63 characters of letters, digits, _ . -, starting with a letter or digit: rename it", a.Name)
		case dup:
			v.add(p.with("name"), "account name %q is already used by %s: give each account its own name", a.Name, v.ref(at("accounts", j)))
		}
		if !dup && a.Name != "" {
			v.accounts[a.Name] = i
		}
		switch {
		case a.ID == "":
			v.add(p.with("id"), "account id is required: the 12-digit AWS account id, in quotes")
		case !accountIDRE.MatchString(a.ID):
			v.add(p.with("id"), "account id %q must be exactly 12 digits (keep leading zeros, and quote it): check it with aws sts get-caller-identity", a.ID)
		default:
			if j, dup := ids[a.ID]; dup {
				v.add(p.with("id"), "account id %s is already declared as %s (%q): declare each account once and refer to it by name", a.ID, v.ref(at("accounts", j)), v.f.Accounts[j].Name)
			} else {
				ids[a.ID] = i
			}
		}
		v.checkAccountAccess(p, a)
	}
}

// checkAccountAccess checks how irsa-sync reaches an account.
func (v *validator) checkAccountAccess(p path, a Account) {
	checkAccess(&v.collector, p, a.ID, AccountAccess{AssumeRoleArn: a.AssumeRoleArn, ExternalID: a.ExternalID, Profile: a.Profile})
}

// checkAccess checks one way to reach the account whose id is id, in the
// bindings file or the connections file (c places the problems in it).
func checkAccess(c *collector, p path, id string, a AccountAccess) {
	if a.AssumeRoleArn != "" {
		owner := accountOf(a.AssumeRoleArn, roleArnRE)
		switch {
		case owner == "":
			c.add(p.with("assumeRoleArn"), "%q is not a role ARN: write arn:aws:iam::%s:role/NAME", a.AssumeRoleArn, orExample(id))
		case accountIDRE.MatchString(id) && owner != id:
			c.add(p.with("assumeRoleArn"), "role %q is in account %s, not in this account (%s): irsa-sync assumes a role in the account it manages; use arn:aws:iam::%s:role/NAME", a.AssumeRoleArn, owner, id, id)
		}
	}
	if a.AssumeRoleArn != "" && a.Profile != "" {
		c.add(p.with("profile"), "set assumeRoleArn or profile, not both: irsa-sync reaches an account one way")
	}
	if a.ExternalID != "" {
		switch {
		case a.AssumeRoleArn == "":
			c.add(p.with("externalId"), "externalId goes with assumeRoleArn: set assumeRoleArn too, or remove externalId")
		case len(a.ExternalID) < 2 || len(a.ExternalID) > 1224 || !externalIDRE.MatchString(a.ExternalID):
			c.add(p.with("externalId"), "externalId must be 2-1224 characters of letters, digits and + = , . @ : / _ -")
		}
	}
}

func orExample(id string) string {
	if accountIDRE.MatchString(id) {
		return id
	}
	return "ACCOUNT-ID"
}

func (v *validator) checkClusters() {
	v.clusters = map[string]int{}
	if len(v.f.Clusters) == 0 {
		v.add(at("clusters"), "no clusters: declare at least one, as - {name: prod-use1, account: prod, region: us-east-1}")
	}
	for i, c := range v.f.Clusters {
		p := at("clusters", i)
		j, dup := v.clusters[c.Name]
		switch {
		case c.Name == "":
			v.add(p.with("name"), "cluster name is required: the EKS cluster's name")
		case !clusterNameRE.MatchString(c.Name):
			v.add(p.with("name"), "cluster name %q is not an EKS cluster name (1-100 characters of letters, digits, _ -, starting with a letter or digit): use the name eks:DescribeCluster knows", c.Name)
		case dup:
			v.add(p.with("name"), "cluster %q is already declared as %s: declare each cluster once", c.Name, v.ref(at("clusters", j)))
		}
		if !dup && c.Name != "" {
			v.clusters[c.Name] = i
		}
		v.checkAccountRef(p.with("account"), c.Account, "cluster")
		switch {
		case c.Region == "":
			v.add(p.with("region"), "region is required: the AWS region the cluster runs in, such as us-east-1")
		case !regionRE.MatchString(c.Region):
			v.add(p.with("region"), "region %q is not an AWS region name: write it like us-east-1 or eu-west-1", c.Region)
		}
		if c.OIDCIssuer != "" {
			if msg := checkIssuer(c.OIDCIssuer); msg != "" {
				v.add(p.with("oidcIssuer"), "%s", msg)
			} else if msg := checkEKSIssuer(c.OIDCIssuer, c.Region); msg != "" && regionRE.MatchString(c.Region) {
				v.add(p.with("oidcIssuer"), "%s", msg)
			}
		}
		checkClusterAccess(&v.collector, p, c.Name, ClusterAccess{KubeContext: c.KubeContext, Auth: c.Auth, InCluster: c.InCluster})
	}
}

// checkClusterAccess checks one way to reach the cluster named name.
func checkClusterAccess(c *collector, p path, name string, a ClusterAccess) {
	var ways []string
	if a.KubeContext != "" {
		ways = append(ways, "kubeContext")
	}
	if a.Auth != "" {
		ways = append(ways, "auth")
		if a.Auth != "eks" {
			c.add(p.with("auth"), "auth %q is not known: the only value is eks (a token from AWS credentials); leave it out to use the kubeconfig", a.Auth)
		}
	}
	if a.InCluster {
		ways = append(ways, "inCluster")
	}
	if len(ways) > 1 {
		c.add(p, "%s are set: choose one way to reach the cluster (none means the kubeconfig context named %q)", strings.Join(ways, " and "), name)
	}
}

// checkAccountRef checks that name refers to a declared account.
func (v *validator) checkAccountRef(p path, name, what string) {
	switch name {
	case "":
		v.add(p, "account is required: the name of the account (under accounts) this %s is in", what)
	default:
		if _, ok := v.accounts[name]; !ok {
			v.add(p, "no account named %q: declare it under accounts, or use one of %s", name, quoteList(slices.Sorted(maps.Keys(v.accounts))))
		}
	}
}

func quoteList(names []string) string {
	if len(names) == 0 {
		return "(none declared)"
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = `"` + n + `"`
	}
	return strings.Join(q, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
