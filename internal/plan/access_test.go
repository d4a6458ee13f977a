package plan

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/access"
	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// TestAccessAndRisks checks the access section and the risks the planner
// computes, each case against its near miss (the in-sync fixture).
func TestAccessAndRisks(t *testing.T) {
	t.Parallel()
	const roleAddr = "account/prod/role/app"
	type summary struct {
		Gained, Lost []string
		Risks        []string // kind: widening or trust risk kind
	}
	tests := []struct {
		name string
		edit func(*testing.T, *state.Live, *[]trust.Subject)
		want summary
	}{
		{name: "in sync", edit: func(*testing.T, *state.Live, *[]trust.Subject) {}},
		{name: "a pattern with a namespace wildcard widens", edit: func(_ *testing.T, _ *state.Live, subs *[]trust.Subject) {
			*subs = append(*subs, trust.Subject{ProviderARN: provARN, Issuer: issuer, Namespace: "batch-*", Name: "*"})
		}, want: summary{Gained: []string{"c1/batch-*/* (pattern)"},
			Risks: []string{"widensAccess: newPattern", "widensAccess: namespaceWildcard"}}},
		{name: "a live root statement is foreign and lost", edit: func(t *testing.T, have *state.Live, _ *[]trust.Subject) {
			r := have.Accounts[acct].Roles["app"]
			m := r.Trust.Map()
			m["Statement"] = append(m["Statement"].([]any), map[string]any{"Effect": "Allow", "Action": "sts:AssumeRole",
				"Principal": map[string]any{"AWS": "arn:aws:iam::999988887777:root"}})
			d, err := policy.FromMap(m)
			if err != nil {
				t.Fatal(err)
			}
			r.Trust = d
			have.Accounts[acct].Roles["app"] = r
		}, want: summary{Lost: []string{"account 999988887777 (any principal it permits)"}, Risks: []string{"foreignTrust: accountRoot"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want, have := fixture()
			subs := append([]trust.Subject(nil), want.Roles[0].Subjects...)
			tt.edit(t, have, &subs)
			want.Roles[0].Subjects, want.Roles[0].Trust = subs, trust.ForRole(subs)
			p := Compute(want, have, Options{})
			var got summary
			for _, a := range p.Access {
				if a.Address != roleAddr {
					t.Errorf("access of %s, want only %s", a.Address, roleAddr)
				}
				got.Gained = append(got.Gained, words(a.Gained)...)
				got.Lost = append(got.Lost, words(a.Lost)...)
			}
			for _, r := range p.Risks {
				switch {
				case r.Widening != nil:
					got.Risks = append(got.Risks, string(r.Kind)+": "+r.Widening.Why.String())
				case r.Trust != nil:
					got.Risks = append(got.Risks, string(r.Kind)+": "+r.Trust.Kind.String())
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("access and risks (-want +got):\n%s", diff)
			}
		})
	}
}

func words(subs []access.Subject) []string {
	var out []string
	for _, s := range subs {
		out = append(out, s.String())
	}
	return out
}

// TestReach: a changed shared policy reaches the file's role that attaches
// it and a live role the file does not declare, with their subjects; a role
// that does not attach it is not listed.
func TestReach(t *testing.T) {
	t.Parallel()
	want, have := fixture()
	pol := resource.Policy{AccountID: acct, Name: "shared", Path: "/", ARN: resource.PolicyARN("aws", acct, "/", "shared"),
		Document: doc(`[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}]`), Tags: map[string]string{resource.OwnerTag: owner}}
	addSharedPolicy(want, pol)
	livePol := pol
	livePol.Document = doc(`[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]`)
	a := have.Accounts[acct]
	a.Policies["shared"] = state.Policy{Policy: livePol, DefaultVersion: "v1", Versions: []state.PolicyVersion{{ID: "v1", Default: true}}, TagsKnown: true}
	r := a.Roles["app"]
	r.ManagedPolicies = append(append([]string(nil), r.ManagedPolicies...), pol.ARN)
	a.Roles["app"] = r
	want.Roles[0].ManagedPolicies = r.ManagedPolicies
	handMade := resource.Role{AccountID: acct, Name: "hand-made", Path: "/", ARN: resource.RoleARN("aws", acct, "/", "hand-made"),
		ManagedPolicies: []string{pol.ARN}, Trust: trust.ForRole([]trust.Subject{{ProviderARN: provARN, Issuer: issuer, Namespace: "ops", Name: "cron"}})}
	a.Roles["hand-made"] = handMade
	a.Roles["other"] = resource.Role{AccountID: acct, Name: "other", Path: "/", ARN: resource.RoleARN("aws", acct, "/", "other")}

	p := Compute(want, have, Options{})
	var got []string
	for _, rc := range p.Reach {
		for _, role := range rc.Roles {
			got = append(got, rc.Address+" → "+role.Account+"/"+role.Role+": "+joinWords(role.Subjects))
		}
	}
	wantReach := []string{
		"account/prod/policy/shared → prod/app: c1/default/app",
		"account/prod/policy/shared → prod/hand-made: c1/ops/cron",
	}
	if diff := cmp.Diff(wantReach, got); diff != "" {
		t.Errorf("reach (-want +got):\n%s", diff)
	}
}

func joinWords(subs []access.Subject) string {
	out := ""
	for i, w := range words(subs) {
		if i > 0 {
			out += ", "
		}
		out += w
	}
	return out
}

func addSharedPolicy(w *desired.State, p resource.Policy) {
	w.Policies = append(w.Policies, desired.Policy{Account: "prod", Policy: p})
}
