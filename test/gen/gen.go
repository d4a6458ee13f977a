// Package gen generates large bindings files for tests and benchmarks: N
// roles with M service accounts each, spread over K clusters and A accounts,
// with the mix a real estate has (exact and wildcard bindings, cross-account
// roles, shared customer-managed policies, inline policies, AWS-managed
// attachments). The output is a pure function of the Params, so two runs of
// a benchmark compare the same estate.
package gen

import (
	"encoding/json"
	"fmt"

	"sigs.k8s.io/yaml"

	"github.com/irsa-sync/irsa-sync/internal/config"
)

// Params describe an estate. Zero values take the defaults noted on each.
type Params struct {
	// Roles is the number of roles (N).
	Roles int
	// ServiceAccountsPerRole is the number of exact service accounts bound
	// to each role (M); default 2.
	ServiceAccountsPerRole int
	// Clusters is the number of clusters (K); default 4.
	Clusters int
	// Accounts is the number of AWS accounts (A); default 2. Clusters and
	// roles are dealt out over the accounts in turn.
	Accounts int
	// PoliciesPerAccount is the number of shared customer-managed policies
	// declared in each account; default 10.
	PoliciesPerAccount int
	// Changed is the number of roles changed against the base estate, spread
	// evenly over the roles; see Changes for what changes.
	Changed int
	// Owner is the file's owner id; default "estate".
	Owner string
}

// The shape of the mix. A role is cross-account (one of its service
// accounts lives on a cluster of another account) every crossAccountEvery
// roles; it also gets a wildcard binding every wildcardEvery roles, an
// inline policy every inlineEvery roles, a second shared policy every
// secondPolicyEvery roles and an AWS-managed policy every awsManagedEvery
// roles.
const (
	crossAccountEvery = 5
	wildcardEvery     = 10
	inlineEvery       = 3
	secondPolicyEvery = 2
	awsManagedEvery   = 4
	teams             = 40
)

// awsManagedARN is a policy the sandbox emulator knows, as IAM knows it.
const awsManagedARN = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"

var regions = []string{"us-east-1", "eu-west-1", "us-west-2", "ap-southeast-1"}

func (p Params) withDefaults() Params {
	if p.ServiceAccountsPerRole <= 0 {
		p.ServiceAccountsPerRole = 2
	}
	if p.Clusters <= 0 {
		p.Clusters = 4
	}
	if p.Accounts <= 0 {
		p.Accounts = 2
	}
	if p.PoliciesPerAccount <= 0 {
		p.PoliciesPerAccount = 10
	}
	if p.Owner == "" {
		p.Owner = "estate"
	}
	p.Changed = min(max(p.Changed, 0), p.Roles)
	return p
}

// File returns the estate as a bindings file built in memory (no Source, so
// diagnostics carry paths but no lines). It passes config.Validate.
func File(p Params) *config.File {
	p = p.withDefaults()
	f := &config.File{APIVersion: config.APIVersion, Kind: config.Kind, Owner: p.Owner}
	for a := range p.Accounts {
		acct := config.Account{Name: AccountName(a), ID: AccountID(a)}
		if a > 0 {
			// The first account is the default chain's; the others are
			// reached by assuming a role, as in a real multi-account estate.
			acct.AssumeRoleArn = "arn:aws:iam::" + acct.ID + ":role/irsa-sync"
		}
		f.Accounts = append(f.Accounts, acct)
	}
	for c := range p.Clusters {
		f.Clusters = append(f.Clusters, config.Cluster{Name: ClusterName(c), Account: AccountName(c % p.Accounts), Region: regions[c%len(regions)]})
	}
	for a := range p.Accounts {
		for i := range p.PoliciesPerAccount {
			f.Policies = append(f.Policies, config.Policy{
				Name: policyName(i), Account: AccountName(a), Path: "/irsa/",
				Description: fmt.Sprintf("shared policy %d", i),
				Document:    document("s3:GetObject", fmt.Sprintf("arn:aws:s3:::estate-%d-shared-%d/*", a, i)),
			})
		}
	}
	changed := map[int]ChangeKind{}
	for _, c := range Changes(p) {
		changed[c.Index] = c.Kind
	}
	for i := range p.Roles {
		kind, isChanged := changed[i]
		f.Roles = append(f.Roles, role(p, i, kind, isChanged))
	}
	return f
}

// YAML returns File(p) as YAML text, in the field order of config's types.
// At about 420 bytes a role, estates over about 2,400 roles exceed
// config.MaxFileSize (1 MiB), so config.Load refuses them: use File for those.
func YAML(p Params) ([]byte, error) {
	js, err := json.Marshal(File(p))
	if err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	out, err := yaml.JSONToYAML(js)
	if err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	return out, nil
}

func role(p Params, i int, kind ChangeKind, changed bool) config.Role {
	acct := i % p.Accounts
	team := TeamNamespace(i)
	r := config.Role{
		Name: RoleName(i), Account: AccountName(acct), Path: "/irsa/",
		Description: fmt.Sprintf("service %05d", i),
		Tags:        map[string]string{"team": team, "cost-center": fmt.Sprintf("cc-%d", i%7)},
		Policies:    []string{policyName(i % p.PoliciesPerAccount)},
	}
	if i%secondPolicyEvery == 1 && p.PoliciesPerAccount > 1 {
		r.Policies = append(r.Policies, policyName((i+1)%p.PoliciesPerAccount))
	}
	if i%awsManagedEvery == 3 {
		r.Policies = append(r.Policies, awsManagedARN)
	}
	if i%inlineEvery == 2 {
		r.InlinePolicies = map[string]json.RawMessage{"logs": document("logs:PutLogEvents", "*")}
	}
	home := homeClusters(p, acct)
	for s := range p.ServiceAccountsPerRole {
		cluster := home[(i/p.Accounts+s)%len(home)]
		if s == p.ServiceAccountsPerRole-1 && i%crossAccountEvery == 4 && p.Accounts > 1 {
			// Pattern A of the AWS guide: the role lives in another account
			// than the cluster of this service account.
			other := homeClusters(p, (acct+1)%p.Accounts)
			cluster = other[(i/p.Accounts)%len(other)]
		}
		r.ServiceAccounts = append(r.ServiceAccounts, config.ServiceAccount{
			Cluster: ClusterName(cluster), Namespace: team, Name: ServiceAccountName(i, s),
			StsRegionalEndpoints: s == 0,
		})
	}
	if i%wildcardEvery == 9 {
		r.ServiceAccounts = append(r.ServiceAccounts, config.ServiceAccount{
			Cluster: ClusterName(home[0]), Namespace: team, Name: fmt.Sprintf("%s-job-*", RoleName(i)),
		})
	}
	if changed {
		applyChange(&r, kind, home)
	}
	return r
}

// homeClusters are the indexes of the clusters running in account acct; an
// account with none borrows the first cluster, so every role has one.
func homeClusters(p Params, acct int) []int {
	var out []int
	for c := acct; c < p.Clusters; c += p.Accounts {
		out = append(out, c)
	}
	if len(out) == 0 {
		out = []int{0}
	}
	return out
}

func document(action, resource string) json.RawMessage {
	b, err := json.Marshal(map[string]any{
		"Version":   "2012-10-17",
		"Statement": []map[string]any{{"Effect": "Allow", "Action": action, "Resource": resource}},
	})
	if err != nil {
		panic(err) // a map of strings always marshals
	}
	return b
}

// AccountName is the name of the a-th account.
func AccountName(a int) string { return fmt.Sprintf("acct-%d", a) }

// AccountID is the 12-digit id of the a-th account.
func AccountID(a int) string { return fmt.Sprintf("%012d", 100000000000+a*111111111) }

// ClusterName is the name of the c-th cluster.
func ClusterName(c int) string { return fmt.Sprintf("cluster-%d", c) }

// RoleName is the name of the i-th role.
func RoleName(i int) string { return fmt.Sprintf("svc-%05d", i) }

// ServiceAccountName is the name of the s-th service account of role i.
func ServiceAccountName(i, s int) string { return fmt.Sprintf("%s-%d", RoleName(i), s) }

// TeamNamespace is the namespace of role i's service accounts.
func TeamNamespace(i int) string { return fmt.Sprintf("team-%02d", i%teams) }

func policyName(i int) string { return fmt.Sprintf("shared-%02d", i) }
