package importer

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/partition"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// verify builds the desired state of the imported file, as plan will, and
// reports under Changes what the next apply writes to the roles import
// wrote and to the source roles they derive: a trust irsa-sync would
// write in another form, the inline policy of a chain's source
// (resource.ChainPolicyName, which the file cannot declare), and a source
// role's other fields; and what it rewrites in the profile ConfigMaps
// import placed (verifyProfiles). Roles with problems are left alone: their comment
// or report says what apply replaces.
func (b *builder) verify() {
	want, parts, err := b.desiredState()
	if err != nil {
		b.report(Unrepresentable, "the imported file", "plan cannot build its desired state, so fix the file before applying it: "+err.Error())
		return
	}
	b.verifyProfiles(want)
	problems := map[string]bool{}
	for _, c := range b.cands {
		if len(c.allProblems()) > 0 {
			problems[c.a.Name+"/"+strings.ToLower(c.role.Name)] = true
		}
	}
	for _, r := range want.Roles {
		key := r.Account + "/" + strings.ToLower(r.Name)
		source := !b.imported[key] && !b.declaredRoles[key]
		if b.declaredRoles[key] || problems[key] {
			continue
		}
		have, ok := b.liveRole(r.AccountID, r.Name)
		object := r.Account + "/role " + r.Name
		if !ok {
			b.report(Changes, object, "the source role does not exist: apply will create it")
			continue
		}
		part := parts[r.AccountID]
		if part == "" {
			part = partition.AWS
		}
		if !have.Trust.EqualIn(r.Trust, part) {
			added, removed := r.Trust.ChangedStatements(have.Trust)
			b.report(Changes, object, "apply writes the trust irsa-sync generates"+statementList(", adding", added)+statementList(", removing", removed))
		}
		names := map[string]bool{resource.ChainPolicyName: true}
		if source {
			for n := range r.InlinePolicies {
				names[n] = true
			}
			for n := range have.InlinePolicies {
				names[n] = true
			}
			b.sourceFields(object, have, r.Role)
		}
		for _, n := range resource.SortedKeys(names) {
			w, wok := r.InlinePolicies[n]
			h, hok := have.InlinePolicies[n]
			switch {
			case wok && !hok:
				b.report(Changes, object, fmt.Sprintf("apply adds the inline policy %s: %s", n, w))
			case !wok && hok:
				b.report(Changes, object, fmt.Sprintf("apply deletes the inline policy %s, which allows what the file does not ask for: %s", n, h))
			case wok && !h.EqualIn(w, part):
				b.report(Changes, object, fmt.Sprintf("apply rewrites the inline policy %s to %s", n, w))
			}
		}
	}
}

// desiredState builds the desired state of the file as written so far, as
// plan will (documents read from their files, the live issuers and
// partitions), with the partition of each account by id.
func (b *builder) desiredState() (*desired.State, map[string]string, error) {
	f := *b.out
	f.Policies = append(f.Policies[:0:0], b.out.Policies...)
	for i, p := range f.Policies {
		if len(p.Document) == 0 && p.DocumentFile != "" {
			f.Policies[i].Document = json.RawMessage(b.res.Documents[p.DocumentFile])
		}
	}
	issuers := map[string]string{}
	for name, cl := range b.live.Clusters {
		issuers[name] = cl.Issuer
	}
	for _, c := range b.in.Clusters {
		if c.OIDCIssuer != "" {
			issuers[c.Name] = c.OIDCIssuer
		}
	}
	parts := map[string]string{}
	for id, acct := range b.live.Accounts {
		parts[id] = acct.Partition
	}
	want, err := desired.Build(&f, issuers, parts)
	return want, parts, err
}

// sourceFields reports what apply changes on a source role besides its
// policies: irsa-sync derives all of it.
func (b *builder) sourceFields(object string, have, want resource.Role) {
	if have.Description != want.Description {
		b.report(Changes, object, fmt.Sprintf("apply sets the description of the source role to %q", want.Description))
	}
	if have.MaxSessionDuration != want.MaxSessionDuration {
		b.report(Changes, object, fmt.Sprintf("apply sets the source role's maximum session to %d seconds", want.MaxSessionDuration))
	}
	if have.PermissionsBoundary != want.PermissionsBoundary {
		b.report(Changes, object, fmt.Sprintf("apply sets the source role's permissions boundary to %q", want.PermissionsBoundary))
	}
	if strings.Join(have.ManagedPolicies, ",") != strings.Join(want.ManagedPolicies, ",") {
		b.report(Changes, object, fmt.Sprintf("apply detaches the source role's managed policies %s", strings.Join(have.ManagedPolicies, ", ")))
	}
}

func statementList(lead string, stmts []string) string {
	if len(stmts) == 0 {
		return ""
	}
	return lead + " " + strings.Join(stmts, " and ")
}
