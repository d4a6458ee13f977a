package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// providers ensures an OIDC provider for every issuer a role's account
// trusts. An existing provider is reused whoever created it: there can be
// only one per issuer and account, and other tools' roles rely on it.
func (c *computer) providers() {
	for _, want := range c.want.Providers {
		addr := accountAddress(want.Account, resource.KindProvider, want.URL)
		have, ok := c.account(want.AccountID).Providers[want.ARN]
		if !ok {
			after := want.Provider
			c.add(Change{Action: Create, Kind: resource.KindProvider, Address: addr, Account: want.Account,
				Provider: &Diff[resource.Provider]{After: &after},
				Notes:    []Note{{Kind: NoteForClusters, Names: want.Clusters}}})
			continue
		}
		// Only add missing client ids: a shared provider may serve other
		// audiences that other tools rely on.
		missing := setDiff(want.ClientIDs, have.ClientIDs)
		if len(missing) == 0 {
			continue
		}
		before, after := have, have
		after.ClientIDs = sortedUnion(have.ClientIDs, want.ClientIDs)
		c.add(Change{Action: Update, Kind: resource.KindProvider, Address: addr, Account: want.Account,
			Provider: &Diff[resource.Provider]{Before: &before, After: &after},
			Fields:   []Field{{Name: FieldClientIDs, Added: missing}}})
	}
}

func (c *computer) policies() {
	for _, want := range c.want.Policies {
		addr := accountAddress(want.Account, resource.KindPolicy, want.Name)
		acct := c.account(want.AccountID)
		if size := want.Document.Size(); size > acct.Quotas.PolicySize {
			c.fail(addr, fmt.Sprintf("document is %d characters (white space not counted), %d over the account's managed policy size quota of %d: split it into two policies", size, size-acct.Quotas.PolicySize, acct.Quotas.PolicySize))
		}
		have, ok := acct.Policy(want.Name)
		if !ok {
			after := want.Policy
			c.add(Change{Action: Create, Kind: resource.KindPolicy, Address: addr, Account: want.Account, Policy: &Diff[resource.Policy]{After: &after}})
			continue
		}
		if have.ARN != want.ARN {
			c.fail(addr, fmt.Sprintf("a policy of this name exists as %s; IAM cannot move a policy to another path: set path %q in the file, or delete the old policy first", have.ARN, have.Path))
			continue
		}
		if !have.TagsKnown {
			// The reader skips the tags of a policy that matches the file
			// and is attached to this owner's roles (see live.wantsTags):
			// it was vetted when first attached, and nothing is written.
			continue
		}
		if !c.mayManage(addr, "policy", have.Tags, want.Adopt) {
			continue
		}
		ch := Change{Action: Update, Kind: resource.KindPolicy, Address: addr, Account: want.Account, Adopt: have.Tags[resource.OwnerTag] != c.want.Owner}
		if !have.Document.EqualIn(want.Document, acct.Partition) {
			ch.Fields = append(ch.Fields, documentField(FieldDocument, "", have.Document, want.Document))
			if len(have.Versions) >= acct.Quotas.VersionsPerPolicy {
				ch.RetireVersion = oldestNonDefault(have.Versions)
				ch.Notes = append(ch.Notes, Note{Kind: NoteRetireVersion, Count: len(have.Versions), Names: []string{ch.RetireVersion}})
			}
		}
		if f, ok := tagsField(have.Tags, want.Tags); ok {
			ch.Fields = append(ch.Fields, f)
		}
		if have.Description != want.Description {
			c.warn(addr, fmt.Sprintf("description differs (%q live, %q in the file), and IAM cannot change a policy's description after creation: it is left as it is", have.Description, want.Description))
		}
		if len(ch.Fields) > 0 {
			before, after := have.Policy, want.Policy
			ch.Policy = &Diff[resource.Policy]{Before: &before, After: &after}
			c.add(ch)
		}
	}
}

func (c *computer) roles() {
	maxNS := c.opts.MaxTrustedNamespaces
	if maxNS == 0 {
		maxNS = 10
	}
	for _, want := range c.want.Roles {
		addr := accountAddress(want.Account, resource.KindRole, want.Name)
		acct := c.account(want.AccountID)
		c.checkRoleQuotas(addr, want, acct.Quotas)
		c.checkReferences(addr, want)
		if n := namespaces(want.Subjects); n > maxNS {
			c.warn(addr, fmt.Sprintf("trusted from %d namespaces (more than %d): check that one role for all of them is intended", n, maxNS))
		}
		have, ok := acct.Role(want.Name)
		if !ok {
			after := want.Role
			c.add(Change{Action: Create, Kind: resource.KindRole, Address: addr, Account: want.Account, Role: &Diff[resource.Role]{After: &after}})
			continue
		}
		if have.Path != want.Path {
			c.fail(addr, fmt.Sprintf("the role exists with path %q; IAM cannot change a role's path: set path %q in the file, or delete the role first (service accounts would then need the new ARN)", have.Path, have.Path))
			continue
		}
		if !c.mayManage(addr, "role", have.Tags, want.Adopt) {
			continue
		}
		if fields := roleFields(have, want.Role, acct.Partition); len(fields) > 0 {
			before, after := have, want.Role
			c.add(Change{Action: Update, Kind: resource.KindRole, Address: addr, Account: want.Account,
				Role: &Diff[resource.Role]{Before: &before, After: &after}, Fields: fields, Adopt: have.Tags[resource.OwnerTag] != c.want.Owner})
		}
	}
}

// mayManage reports whether irsa-sync may change an existing object, and
// records a conflict when it may not: only objects this owner tagged, or
// that the file adopts, are changed.
func (c *computer) mayManage(addr, what string, tags map[string]string, adopt bool) bool {
	owner := tags[resource.OwnerTag]
	switch {
	case owner == c.want.Owner:
		return true
	case adopt:
		return true
	case owner == "":
		c.conflict(addr, fmt.Sprintf("a %s of this name exists and irsa-sync did not create it (no %s tag): set adopt: true on it in the file to manage it from now on, or rename it", what, resource.OwnerTag))
	default:
		c.conflict(addr, fmt.Sprintf("a %s of this name belongs to owner %q: it is not changed; rename it here, or set adopt: true to take it over", what, owner))
	}
	return false
}

func (c *computer) checkRoleQuotas(addr string, want desired.Role, q state.Quotas) {
	if size := want.Trust.Size(); size > q.AssumeRolePolicySize {
		c.fail(addr, fmt.Sprintf("trust policy is %d characters (white space not counted), %d over the account's AssumeRolePolicySizeQuota of %d: bind fewer service accounts to this role, use a namespace pattern, or raise the quota", size, size-q.AssumeRolePolicySize, q.AssumeRolePolicySize))
	}
	if n := len(want.ManagedPolicies); n > q.AttachedPoliciesPerRole {
		c.fail(addr, fmt.Sprintf("%d managed %s, %d over the account's AttachedPoliciesPerRoleQuota of %d: merge policies or raise the quota", n, plural(n, "policy", "policies"), n-q.AttachedPoliciesPerRole, q.AttachedPoliciesPerRole))
	}
	total := 0
	for _, d := range want.InlinePolicies {
		total += d.Size()
	}
	if total > state.InlinePolicySizeLimit {
		c.fail(addr, fmt.Sprintf("inline policies total %d characters, %d over IAM's limit of %d per role: move some into a managed policy", total, total-state.InlinePolicySizeLimit, state.InlinePolicySizeLimit))
	}
}

// roleFields lists what differs between a live role and the desired one,
// documents compared as IAM reads them in the account's partition.
func roleFields(have, want resource.Role, partition string) []Field {
	var fs []Field
	if !have.Trust.EqualIn(want.Trust, partition) {
		f := documentField(FieldTrust, "", have.Trust, want.Trust)
		f.Added, f.Removed = setDiff(trust.Subs(want.Trust), trust.Subs(have.Trust)), setDiff(trust.Subs(have.Trust), trust.Subs(want.Trust))
		fs = append(fs, f)
	}
	if have.Description != want.Description {
		fs = append(fs, Field{Name: FieldDescription, Before: Text(have.Description), After: Text(want.Description)})
	}
	if have.MaxSessionDuration != want.MaxSessionDuration {
		fs = append(fs, Field{Name: FieldMaxSessionDuration, Before: Number(have.MaxSessionDuration), After: Number(want.MaxSessionDuration)})
	}
	if have.PermissionsBoundary != want.PermissionsBoundary {
		fs = append(fs, Field{Name: FieldPermissionsBoundary, Before: Text(have.PermissionsBoundary), After: Text(want.PermissionsBoundary)})
	}
	if f, ok := tagsField(have.Tags, want.Tags); ok {
		fs = append(fs, f)
	}
	if added, removed := setDiff(want.ManagedPolicies, have.ManagedPolicies), setDiff(have.ManagedPolicies, want.ManagedPolicies); len(added)+len(removed) > 0 {
		fs = append(fs, Field{Name: FieldManagedPolicies, Added: added, Removed: removed})
	}
	names := map[string]bool{}
	for n := range have.InlinePolicies {
		names[n] = true
	}
	for n := range want.InlinePolicies {
		names[n] = true
	}
	for _, n := range resource.SortedKeys(names) {
		h, w := have.InlinePolicies[n], want.InlinePolicies[n]
		if !h.EqualIn(w, partition) {
			fs = append(fs, documentField(FieldInlinePolicy, n, h, w))
		}
	}
	return fs
}

// documentField describes a changed document by the statements it adds and
// removes, which is what a reviewer reads.
func documentField(name FieldName, key string, have, want policy.Document) Field {
	f := Field{Name: name, Key: key, Added: setDiff(want.Statements(), have.Statements()), Removed: setDiff(have.Statements(), want.Statements())}
	if !have.IsZero() {
		f.Before = Document{have}
	}
	if !want.IsZero() {
		f.After = Document{want}
	}
	return f
}

func tagsField(have, want map[string]string) (Field, bool) {
	if cmp.Equal(have, want, cmpEmptyMaps) {
		return Field{}, false
	}
	f := Field{Name: FieldTags, Before: Tags(have), After: Tags(want)}
	for _, k := range resource.SortedKeys(want) {
		if v, ok := have[k]; !ok || v != want[k] {
			f.Added = append(f.Added, k+"="+want[k])
		}
	}
	for _, k := range resource.SortedKeys(have) {
		if v, ok := want[k]; !ok || v != have[k] {
			f.Removed = append(f.Removed, k+"="+have[k])
		}
	}
	return f, true
}

var cmpEmptyMaps = cmp.FilterValues(func(a, b map[string]string) bool { return len(a) == 0 && len(b) == 0 }, cmp.Ignore())

func oldestNonDefault(vs []state.PolicyVersion) string {
	var cands []state.PolicyVersion
	for _, v := range vs {
		if !v.Default {
			cands = append(cands, v)
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		if !cands[i].Created.Equal(cands[j].Created) {
			return cands[i].Created.Before(cands[j].Created)
		}
		return versionNumber(cands[i].ID) < versionNumber(cands[j].ID)
	})
	if len(cands) == 0 {
		return ""
	}
	return cands[0].ID
}

func versionNumber(id string) int {
	n := 0
	_, _ = fmt.Sscanf(strings.TrimPrefix(id, "v"), "%d", &n) // IAM names versions vN; any other id sorts as 0
	return n
}

func namespaces(subjects []trust.Subject) int {
	seen := map[string]bool{}
	for _, s := range subjects {
		seen[s.Issuer+" "+s.Namespace] = true
	}
	return len(seen)
}

// setDiff returns the sorted members of a not in b.
func setDiff(a, b []string) []string {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
			in[x] = true
		}
	}
	sort.Strings(out)
	return out
}

func sortedUnion(a, b []string) []string {
	out := append(append([]string{}, a...), setDiff(b, a)...)
	sort.Strings(out)
	return out
}
