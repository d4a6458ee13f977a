package plan

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

const (
	acct   = "111122223333"
	owner  = "team-a"
	issuer = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
)

var provARN = resource.ProviderARN("aws", acct, issuer)

// fixture is a desired state of one role bound to one service account, and
// the live state that matches it exactly.
func fixture() (*desired.State, *state.Live) {
	subj := trust.Subject{ProviderARN: provARN, Issuer: issuer, Namespace: "default", Name: "app"}
	role := resource.Role{AccountID: acct, Name: "app", Path: "/", ARN: resource.RoleARN("aws", acct, "/", "app"),
		MaxSessionDuration: 3600, Tags: map[string]string{resource.OwnerTag: owner},
		ManagedPolicies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}, Trust: trust.ForRole([]trust.Subject{subj})}
	sa := resource.ServiceAccount{Cluster: "c1", Namespace: "default", Name: "app", Annotations: map[string]string{
		resource.AnnotationRoleARN: role.ARN, resource.OwnerAnnotation: owner}}
	prov := resource.Provider{AccountID: acct, ARN: provARN, URL: issuer, ClientIDs: []string{"sts.amazonaws.com"}, Tags: map[string]string{resource.OwnerTag: owner}}
	want := &desired.State{Owner: owner, Accounts: []desired.Account{{Name: "prod", ID: acct}},
		Providers:       []desired.Provider{{Provider: prov, Account: "prod", Clusters: []string{"c1"}}},
		Roles:           []desired.Role{{Role: role, Account: "prod", Subjects: []trust.Subject{subj}}},
		ServiceAccounts: []desired.ServiceAccount{{ServiceAccount: sa, Role: role.ARN}},
	}
	liveSA := sa
	liveSA.Annotations = copyMap(sa.Annotations)
	have := &state.Live{
		Accounts: map[string]*state.Account{acct: {ID: acct, Quotas: state.DefaultQuotas,
			Roles:     map[string]resource.Role{"app": role},
			Policies:  map[string]state.Policy{},
			Providers: map[string]resource.Provider{provARN: prov}}},
		Clusters: map[string]*state.Cluster{"c1": {Name: "c1", Namespaces: map[string]bool{"default": true},
			ServiceAccounts: map[string]state.ServiceAccount{"default/app": {ServiceAccount: liveSA, Managers: []string{resource.FieldManager},
				Owned: []string{resource.AnnotationRoleARN, resource.OwnerAnnotation}}}}},
	}
	return want, have
}

func TestInSyncIsEmpty(t *testing.T) {
	want, have := fixture()
	p := Compute(want, have, Options{})
	if !p.Empty() || p.Blocked() || len(p.Warnings) > 0 || len(p.Pruneable) > 0 {
		t.Fatalf("plan of an in-sync state is not empty: %+v", p)
	}
}

func TestOwnership(t *testing.T) {
	tests := []struct {
		name     string
		tags     map[string]string
		adopt    bool
		conflict string // substring of the conflict, "" for none
		update   bool
	}{
		{"ours", map[string]string{resource.OwnerTag: owner}, false, "", false},
		{"untagged", nil, false, "irsa-sync did not create it", false},
		{"other owner", map[string]string{resource.OwnerTag: "team-b"}, false, `belongs to owner "team-b"`, false},
		{"untagged adopted", nil, true, "", true},
		{"other owner adopted", map[string]string{resource.OwnerTag: "team-b"}, true, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, have := fixture()
			r := have.Accounts[acct].Roles["app"]
			r.Tags = tt.tags
			have.Accounts[acct].Roles["app"] = r
			want.Roles[0].Adopt = tt.adopt
			p := Compute(want, have, Options{})
			got := ""
			if len(p.Conflicts) > 0 {
				got = p.Conflicts[0].Message
			}
			if (tt.conflict == "") != (got == "") || !strings.Contains(got, tt.conflict) {
				t.Errorf("conflict = %q, want one containing %q", got, tt.conflict)
			}
			if updated := len(p.Changes) == 1 && fieldsOf(p.Changes[0]) == "tags"; updated != tt.update {
				t.Errorf("changes = %v, want a tags update: %v", p.Changes, tt.update)
			}
		})
	}
}

func TestServiceAccountConflictsAndSubset(t *testing.T) {
	tests := []struct {
		name      string
		live      map[string]string
		owned     []string // annotations irsa-sync's field manager owns; nil keeps the fixture's
		adopt     bool
		conflict  bool
		wantField string
	}{
		{"annotated by someone else with another role", map[string]string{resource.AnnotationRoleARN: "arn:aws:iam::1:role/x"}, []string{}, false, true, ""},
		{"adopted", map[string]string{resource.AnnotationRoleARN: "arn:aws:iam::1:role/x", "helm": "1"}, []string{}, true, false,
			"annotations.eks.amazonaws.com/role-arn,annotations.irsa-sync/owner"},
		{"unannotated: annotate, keep others' annotations", map[string]string{"helm": "1", resource.AnnotationSTSRegional: "true"}, []string{}, false, false,
			"annotations.eks.amazonaws.com/role-arn,annotations.irsa-sync/owner"},
		{"ours with a stale annotation irsa-sync set: removed", map[string]string{resource.AnnotationRoleARN: resource.RoleARN("aws", acct, "/", "app"), resource.OwnerAnnotation: owner, resource.AnnotationSTSRegional: "true"},
			[]string{resource.AnnotationRoleARN, resource.OwnerAnnotation, resource.AnnotationSTSRegional}, false, false,
			"annotations.eks.amazonaws.com/sts-regional-endpoints"},
		{"ours with an annotation another manager set: left alone", map[string]string{resource.AnnotationRoleARN: resource.RoleARN("aws", acct, "/", "app"), resource.OwnerAnnotation: owner, resource.AnnotationSTSRegional: "true"},
			nil, false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, have := fixture()
			sa := have.Clusters["c1"].ServiceAccounts["default/app"]
			sa.Annotations = tt.live
			if tt.owned != nil {
				sa.Owned = tt.owned
			}
			have.Clusters["c1"].ServiceAccounts["default/app"] = sa
			want.ServiceAccounts[0].Adopt = tt.adopt
			p := Compute(want, have, Options{})
			if got := len(p.Conflicts) > 0; got != tt.conflict {
				t.Fatalf("conflict = %v, want %v: %+v", got, tt.conflict, p.Conflicts)
			}
			got := ""
			if len(p.Changes) == 1 {
				got = fieldsOf(p.Changes[0])
			}
			if got != tt.wantField {
				t.Errorf("fields = %q, want %q", got, tt.wantField)
			}
		})
	}
}

func TestQuotaErrors(t *testing.T) {
	want, have := fixture()
	have.Accounts[acct].Quotas.AssumeRolePolicySize = 100
	have.Accounts[acct].Quotas.AttachedPoliciesPerRole = 0
	p := Compute(want, have, Options{})
	size := want.Roles[0].Trust.Size()
	wantErrs := []Problem{
		{"account/prod/role/app", "1 managed policy, 1 over the account's AttachedPoliciesPerRoleQuota of 0: merge policies or raise the quota"},
		{"account/prod/role/app", "trust policy is " + strconv.Itoa(size) + " characters (white space not counted), " + strconv.Itoa(size-100) + " over the account's AssumeRolePolicySizeQuota of 100: bind fewer service accounts to this role, use a namespace pattern, or raise the quota"},
	}
	if diff := cmp.Diff(wantErrs, p.Errors); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	if !p.Blocked() {
		t.Error("a plan with errors must block apply")
	}
}

func TestPolicyVersionRotation(t *testing.T) {
	want, have := fixture()
	doc := policy.MustParse(`{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	old := policy.MustParse(`{"Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`)
	p := resource.Policy{AccountID: acct, Name: "p", Path: "/", ARN: resource.PolicyARN("aws", acct, "/", "p"), Document: doc, Tags: map[string]string{resource.OwnerTag: owner}}
	want.Policies = []desired.Policy{{Policy: p, Account: "prod"}}
	lp := state.Policy{Policy: p, TagsKnown: true}
	lp.Document = old
	for _, v := range []string{"v3", "v7", "v5", "v6", "v4"} {
		lp.Versions = append(lp.Versions, state.PolicyVersion{ID: v, Default: v == "v3"})
	}
	have.Accounts[acct].Policies["p"] = lp
	plan := Compute(want, have, Options{})
	if len(plan.Changes) != 1 || plan.Changes[0].RetireVersion != "v4" || fieldsOf(plan.Changes[0]) != "document" {
		t.Fatalf("want one document update retiring v4 (oldest non-default), got %+v", plan.Changes)
	}
}

func TestPruneOnlyOwn(t *testing.T) {
	want, have := fixture()
	mine := have.Accounts[acct].Roles["app"]
	mine.Name, mine.ARN = "old", resource.RoleARN("aws", acct, "/", "old")
	theirs := mine
	theirs.Name, theirs.Tags = "theirs", map[string]string{resource.OwnerTag: "team-b"}
	have.Accounts[acct].Roles["old"], have.Accounts[acct].Roles["theirs"] = mine, theirs
	p := Compute(want, have, Options{})
	if diff := cmp.Diff([]string{"delete account/prod/role/old"}, actions(p.Pruneable)); diff != "" || len(p.Changes) != 0 {
		t.Errorf("without prune: pruneable (-want +got):\n%s\nchanges: %v", diff, actions(p.Changes))
	}
	p = Compute(want, have, Options{Prune: true})
	if diff := cmp.Diff([]string{"delete account/prod/role/old"}, actions(p.Changes)); diff != "" || len(p.Pruneable) != 0 {
		t.Errorf("with prune: changes (-want +got):\n%s", diff)
	}
}

func TestMissingNamespaceIsAnError(t *testing.T) {
	want, have := fixture()
	delete(have.Clusters["c1"].Namespaces, "default")
	p := Compute(want, have, Options{})
	if len(p.Errors) != 1 || !strings.Contains(p.Errors[0].Message, `namespace "default" does not exist`) {
		t.Errorf("errors = %+v", p.Errors)
	}
}

func TestChangeOrder(t *testing.T) {
	cs := []Change{
		{Action: Delete, Kind: resource.KindProvider, Address: "p"},
		{Action: Create, Kind: resource.KindServiceAccount, Address: "s"},
		{Action: Delete, Kind: resource.KindServiceAccount, Address: "s2"},
		{Action: Update, Kind: resource.KindRole, Address: "r"},
		{Action: Create, Kind: resource.KindPolicy, Address: "b"},
		{Action: Create, Kind: resource.KindPolicy, Address: "a"},
	}
	sortChanges(cs)
	want := []string{"create a", "create b", "update r", "create s", "delete s2", "delete p"}
	if diff := cmp.Diff(want, actions(cs)); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

func fieldsOf(c Change) string {
	var names []string
	for _, f := range c.Fields {
		names = append(names, f.Path())
	}
	return strings.Join(names, ",")
}

func actions(cs []Change) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, string(c.Action)+" "+c.Address)
	}
	return out
}
