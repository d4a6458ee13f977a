// Package importer turns a live estate into the bindings file that declares
// it, for `irsa-sync import`: every role of the file's accounts whose trust
// names an OIDC provider of the file's clusters, or that an EKS Pod Identity
// association of them names, with its policies and the ServiceAccounts bound
// to it, and the roles chained from those (assumedFrom) with the profile
// ConfigMaps irsa-sync wrote for the chains. It is pure: the live state was read before,
// with the same bulk readers plan uses.
//
// The property it keeps: a plan of the file it writes, against the estate it
// was read from, changes nothing but ownership (adopt: true where an object
// is not this owner's yet). What a bindings file cannot say is reported per
// role, and that role is left out unless the caller keeps it.
package importer

import (
	"encoding/json"
	"path"
	"sort"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
)

// Options tune Build.
type Options struct {
	// PoliciesDir is where policy documents are written, relative to the
	// output file's directory, with forward slashes (default "policies").
	PoliciesDir string
	// IncludeUnrepresentable keeps a role whose trust the file cannot
	// express, with a comment saying what the next apply would change.
	IncludeUnrepresentable bool
}

// Result is the imported file and what goes with it.
type Result struct {
	File *config.File
	// Documents maps each documentFile path (relative to the output file)
	// to the JSON it holds.
	Documents map[string][]byte
	// Comments maps an index of File.Roles to the comment written above it.
	Comments map[int][]string
	// Reports are what the reviewer must know, sorted.
	Reports []Report
	// UnknownTags are customer-managed policies the file would declare
	// whose tags were not read (IAM's bulk read omits them): the caller
	// reads them and builds again, so that tags and ownership are right.
	UnknownTags map[string][]string // account id -> policy ARNs, sorted
}

// ReportKind says what a report is about.
type ReportKind string

// The kinds of report.
const (
	// Unrepresentable: a role's trust or attachments the file cannot say.
	Unrepresentable ReportKind = "unrepresentable"
	// NotImported: a ServiceAccount annotated with a role of a listed
	// account that the file does not declare, an association it does not
	// bind, or a profile ConfigMap of no chain it writes.
	NotImported ReportKind = "not-imported"
	// Changes: something the next apply of the imported file would write
	// beyond ownership.
	Changes ReportKind = "changes"
)

// Report is one finding, about one role, ServiceAccount, association or
// ConfigMap.
type Report struct {
	Kind   ReportKind `json:"kind"`
	Object string     `json:"object"` // account/role NAME, cluster/namespace/name or cluster/configmap namespace/name
	Reason string     `json:"reason"`
}

// String is the report as a line on stderr.
func (r Report) String() string { return r.Object + ": " + r.Reason }

// Build imports the estate. in is the input file (accounts and clusters, and
// any roles and policies already declared, which are kept as written).
func Build(in *config.File, live *state.Live, opts Options) *Result {
	if opts.PoliciesDir == "" {
		opts.PoliciesDir = "policies"
	}
	b := &builder{in: in, live: live, opts: opts, res: &Result{Documents: map[string][]byte{}, Comments: map[int][]string{}, UnknownTags: map[string][]string{}},
		declaredRoles: map[string]bool{}, declaredPolicies: map[string]bool{}, imported: map[string]bool{}, profileCMs: map[string]bool{}}
	b.indexClusters()
	b.indexAssociations()
	out := *in
	out.Path, out.Source = "", nil
	out.Roles = append([]config.Role(nil), in.Roles...)
	out.Policies = append([]config.Policy(nil), in.Policies...)
	for _, r := range in.Roles {
		b.declaredRoles[r.Account+"/"+strings.ToLower(r.Name)] = true
	}
	for _, p := range in.Policies {
		b.declaredPolicies[p.Account+"/"+strings.ToLower(p.Name)] = true
	}
	b.out = &out
	accounts := append([]config.Account(nil), in.Accounts...)
	sort.Slice(accounts, func(i, j int) bool { return accounts[i].Name < accounts[j].Name })
	for _, a := range accounts {
		if acct := live.Accounts[a.ID]; acct != nil {
			b.account(a, acct)
		}
	}
	b.resolveChains()
	b.emit()
	b.profiles()
	b.verify()
	b.orphans()
	b.associationOrphans()
	sort.Slice(b.res.Reports, func(i, j int) bool {
		x, y := b.res.Reports[i], b.res.Reports[j]
		if x.Object != y.Object {
			return x.Object < y.Object
		}
		if x.Kind != y.Kind {
			return x.Kind < y.Kind
		}
		return x.Reason < y.Reason
	})
	for id := range b.res.UnknownTags {
		sort.Strings(b.res.UnknownTags[id])
	}
	b.res.File = b.out
	return b.res
}

type builder struct {
	in   *config.File
	live *state.Live
	opts Options
	out  *config.File
	res  *Result
	idx  clusterIndex
	// declaredRoles and declaredPolicies are the input's, by
	// "account/lower-cased name"; imported are the roles import added.
	declaredRoles, declaredPolicies, imported map[string]bool
	// profileCMs are the live profile ConfigMaps import wrote into
	// assumedFrom entries, by "cluster/namespace/name".
	profileCMs map[string]bool
	// direct are the associations of listed clusters by their lower-cased
	// roleArn, targeted those with a targetRoleArn by the lower-cased
	// target, and sources the lower-cased roleArns of the latter: the
	// source roles irsa-sync derives from sourceRole.
	direct, targeted map[string][]association
	sources          map[string]bool
	// cands are the roles import considers, in account and name order.
	cands []*candidate
}

// candidate is a live role import considers, as the file would declare it.
type candidate struct {
	a    config.Account
	acct *state.Account
	live resource.Role
	tr   readTrust
	role config.Role
	// problems are what the file cannot say of the role itself,
	// chainProblems those of its chain statements (which depend on the
	// roles imported); changes what the next apply would write.
	problems, chainProblems, changes []string
	// chainOnly: the role's trust names no cluster, only roles it may be
	// chained from.
	chainOnly bool
	// namesCandidate: a chain statement names a role import considers,
	// so a chain-only role left out is reported rather than unrelated.
	namesCandidate bool
	kept           bool
}

func (c *candidate) allProblems() []string {
	return append(append([]string(nil), c.problems...), c.chainProblems...)
}

// keep reports whether the role goes into the file: when the file can say
// all of it, or, with --include-unrepresentable, when it binds something.
func (c *candidate) keep(include bool) bool {
	binds := len(c.role.ServiceAccounts) > 0 || len(c.role.AssumedFrom) > 0
	return binds && (len(c.allProblems()) == 0 || include)
}

func (b *builder) report(kind ReportKind, object, reason string) {
	b.res.Reports = append(b.res.Reports, Report{Kind: kind, Object: object, Reason: reason})
}

// indexClusters finds each listed cluster's issuer host and ARN.
func (b *builder) indexClusters() {
	b.idx = clusterIndex{byHost: map[string]string{}, byARN: map[string]string{}, account: map[string]string{}}
	ids := map[string]string{}
	for _, a := range b.in.Accounts {
		ids[a.Name] = a.ID
	}
	clusters := append([]config.Cluster(nil), b.in.Clusters...)
	sort.Slice(clusters, func(i, j int) bool { return clusters[i].Name < clusters[j].Name })
	for _, c := range clusters {
		id := ids[c.Account]
		b.idx.account[c.Name] = id
		b.idx.byARN[desired.ClusterARN(c.Region, id, c.Name)] = c.Name
		if cl := b.live.Clusters[c.Name]; cl != nil && cl.Issuer != "" {
			host := resource.IssuerHost(cl.Issuer)
			if _, dup := b.idx.byHost[host]; !dup {
				b.idx.byHost[host] = c.Name
			}
		}
	}
}

// account collects the candidates of one account, in name order: roles
// whose trust names a listed cluster or that an association of one names,
// and roles whose trust names only roles, which chaining may import.
func (b *builder) account(a config.Account, acct *state.Account) {
	for _, key := range resource.SortedKeys(acct.Roles) {
		r := acct.Roles[key]
		arn := strings.ToLower(r.ARN)
		if b.declaredRoles[a.Name+"/"+key] || b.sources[arn] {
			continue // declared already, or a source role sourceRole derives
		}
		bound := namesListedCluster(r.Trust, b.idx) || len(b.direct[arn]) > 0 || len(b.targeted[arn]) > 0
		tr := parseTrust(r.Trust, a.ID, b.idx)
		if !bound && len(tr.RoleRefs) == 0 {
			continue
		}
		c := b.role(a, acct, r, tr)
		c.chainOnly = !bound
		b.cands = append(b.cands, c)
	}
}

// emit writes the candidates kept into the file, with their reports.
func (b *builder) emit() {
	for _, c := range b.cands {
		if c.chainOnly && len(c.role.AssumedFrom) == 0 && !c.namesCandidate {
			continue // chains from no role of the file: not this file's
		}
		object := c.a.Name + "/role " + c.role.Name
		problems := c.allProblems()
		for _, p := range problems {
			b.report(Unrepresentable, object, p)
		}
		if !c.kept {
			if !b.opts.IncludeUnrepresentable || len(problems) == 0 {
				b.report(Unrepresentable, object, "left out of the file (--include-unrepresentable keeps it)")
			} else {
				b.report(Unrepresentable, object, "left out of the file even with --include-unrepresentable: no service account of a listed cluster is bound to it")
			}
			continue
		}
		for _, ch := range c.changes {
			b.report(Changes, object, ch)
		}
		b.imported[c.a.Name+"/"+strings.ToLower(c.role.Name)] = true
		b.out.Roles = append(b.out.Roles, c.role)
		if len(problems) > 0 {
			idx := len(b.out.Roles) - 1
			b.res.Comments[idx] = append([]string{"irsa-sync import kept this role though the file cannot express its live trust:"},
				append(prefixed(problems), "The next apply replaces the trust with the one generated from serviceAccounts below, which drops what is listed above.")...)
		}
	}
}

func prefixed(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = "- " + l
	}
	return out
}

// role is the file's entry for a live role, the problems that keep it from
// being imported as it is, and what the next apply would change besides
// ownership. Its chains are resolved later (resolveChains).
func (b *builder) role(a config.Account, acct *state.Account, r resource.Role, tr readTrust) *candidate {
	role := config.Role{Name: r.Name, Account: a.Name, Description: r.Description, PermissionsBoundary: r.PermissionsBoundary,
		Tags: userTags(r.Tags), Adopt: !state.OwnedBy(r.Tags, b.in.Owner)}
	if r.Path != "/" {
		role.Path = r.Path
	}
	if r.MaxSessionDuration != 0 && r.MaxSessionDuration != 3600 {
		role.MaxSessionDuration = r.MaxSessionDuration
	}
	c := &candidate{a: a, acct: acct, live: r, tr: tr, problems: append([]string(nil), tr.Problems...)}
	for _, arn := range r.ManagedPolicies {
		ref, problem := b.policyRef(a, acct, arn)
		if problem != "" {
			c.problems = append(c.problems, problem)
			continue
		}
		role.Policies = append(role.Policies, ref)
	}
	sort.Strings(role.Policies)
	for _, name := range resource.SortedKeys(r.InlinePolicies) {
		if name == resource.ChainPolicyName {
			// irsa-sync's derived half of a chain: the file cannot
			// declare it, and verify says what apply writes there.
			continue
		}
		if role.InlinePolicies == nil {
			role.InlinePolicies = map[string]json.RawMessage{}
		}
		role.InlinePolicies[name] = json.RawMessage(r.InlinePolicies[name].Raw())
	}
	seen := map[subject]bool{}
	for _, s := range tr.Subjects {
		if seen[s] {
			continue
		}
		seen[s] = true
		sa, change := b.binding(a, r, s)
		if strings.ContainsAny(s.Namespace, "*?") {
			role.AllowNamespaceWildcard = true
		}
		if change != "" {
			c.changes = append(c.changes, change)
		}
		role.ServiceAccounts = append(role.ServiceAccounts, sa)
	}
	c.role = role
	b.podBindings(c)
	if dv := b.in.Settings.DefaultVia; dv != "" && dv != config.ViaIRSA {
		// The input's default would turn an irsa binding into another.
		for i, sa := range c.role.ServiceAccounts {
			if sa.Via == "" && !strings.ContainsAny(sa.Namespace+sa.Name, "*?") {
				c.role.ServiceAccounts[i].Via = config.ViaIRSA
			}
		}
	}
	sort.Slice(c.role.ServiceAccounts, func(i, j int) bool {
		x, y := c.role.ServiceAccounts[i], c.role.ServiceAccounts[j]
		return x.Cluster+"\x00"+x.Namespace+"\x00"+x.Name+"\x00"+x.Audience < y.Cluster+"\x00"+y.Namespace+"\x00"+y.Name+"\x00"+y.Audience
	})
	return c
}

// userTags are the tags a user set: irsa-sync's own (irsa-sync/*) are
// stamped by apply, never written in the file.
func userTags(tags map[string]string) map[string]string {
	var out map[string]string
	for k, v := range tags {
		if strings.HasPrefix(k, "irsa-sync/") {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k] = v
	}
	return out
}

// documentFile is where a policy's document is written, relative to the
// output file: one directory per account, since names are unique per
// account only.
func (b *builder) documentFile(account, name string) string {
	return path.Join(b.opts.PoliciesDir, account, name+".json")
}
