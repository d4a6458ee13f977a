package plan

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

func doc(stmts string) policy.Document {
	return policy.MustParse(`{"Version":"2012-10-17","Statement":` + stmts + `}`)
}

// TestPolicyAndNamespaceWarnings checks each warning both ways: the risky
// shape warns (and the plan is not blocked), the near miss does not.
func TestPolicyAndNamespaceWarnings(t *testing.T) {
	const roleAddr, polAddr = "account/prod/role/app", "account/prod/policy/p"
	tests := []struct {
		name string
		edit func(*desired.State, *Options)
		want []string // "address: message fragment"
	}{
		{name: "nothing risky", edit: func(*desired.State, *Options) {}},
		{name: "managed policy * on *", edit: func(w *desired.State, _ *Options) {
			addPolicy(w, doc(`[{"Effect":"Allow","Action":"*","Resource":"*"}]`))
		}, want: []string{polAddr + `: broadPolicy  *`}},
		{name: "managed policy *:* in a list, second statement", edit: func(w *desired.State, _ *Options) {
			addPolicy(w, doc(`[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Allow","Action":["s3:*","*:*"],"Resource":["arn:aws:s3:::b","*"]}]`))
		}, want: []string{polAddr + `: broadPolicy  *`}},
		{name: "managed policy iam:* on one resource", edit: func(w *desired.State, _ *Options) {
			addPolicy(w, doc(`[{"Effect":"Allow","Action":"IAM:*","Resource":"arn:aws:iam::111122223333:role/x"}]`))
		}, want: []string{polAddr + `: broadPolicy  iam:*`}},
		{name: "attaching a broad declared policy", edit: func(w *desired.State, _ *Options) {
			addPolicy(w, doc(`[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]`))
			w.Roles[0].ManagedPolicies = append(w.Roles[0].ManagedPolicies, resource.PolicyARN("aws", acct, "/", "p"))
		}, want: []string{polAddr + `: broadPolicy  iam:*`, roleAddr + ": broadPolicy " + resource.PolicyARN("aws", acct, "/", "p") + " iam:*"}},
		{name: "managed policy * on one resource", edit: func(w *desired.State, _ *Options) {
			addPolicy(w, doc(`[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b"}]`))
		}},
		{name: "managed policy s3:* on *", edit: func(w *desired.State, _ *Options) {
			addPolicy(w, doc(`[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]`))
		}},
		{name: "deny * on *", edit: func(w *desired.State, _ *Options) {
			addPolicy(w, doc(`[{"Effect":"Deny","Action":"*","Resource":"*"}]`))
		}},
		{name: "inline * on *", edit: func(w *desired.State, _ *Options) {
			w.Roles[0].InlinePolicies = map[string]policy.Document{"all": doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)}
		}, want: []string{roleAddr + `: broadPolicy inline:all *`}},
		{name: "AdministratorAccess attached", edit: func(w *desired.State, _ *Options) {
			w.Roles[0].ManagedPolicies = append(w.Roles[0].ManagedPolicies, "arn:aws:iam::aws:policy/AdministratorAccess")
		}, want: []string{roleAddr + ": broadPolicy arn:aws:iam::aws:policy/AdministratorAccess *"}},
		{name: "AdministratorAccess of GovCloud attached", edit: func(w *desired.State, _ *Options) {
			w.Roles[0].ManagedPolicies = append(w.Roles[0].ManagedPolicies, "arn:aws-us-gov:iam::aws:policy/AdministratorAccess")
		}, want: []string{roleAddr + ": broadPolicy arn:aws-us-gov:iam::aws:policy/AdministratorAccess *"}},
		{name: "AdministratorAccess of China attached", edit: func(w *desired.State, _ *Options) {
			w.Roles[0].ManagedPolicies = append(w.Roles[0].ManagedPolicies, "arn:aws-cn:iam::aws:policy/AdministratorAccess")
		}, want: []string{roleAddr + ": broadPolicy arn:aws-cn:iam::aws:policy/AdministratorAccess *"}},
		{name: "a customer policy named AdministratorAccess is not AWS's", edit: func(w *desired.State, _ *Options) {
			// Declared in the file, so the reference exists; its document
			// grants one action, and the name alone is no risk.
			w.Policies = append(w.Policies, desired.Policy{Account: w.Roles[0].Account, Policy: resource.Policy{AccountID: "111122223333",
				Name: "AdministratorAccess", Path: "/", ARN: "arn:aws:iam::111122223333:policy/AdministratorAccess",
				Document: doc(`[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]`)}})
			w.Roles[0].ManagedPolicies = append(w.Roles[0].ManagedPolicies, "arn:aws:iam::111122223333:policy/AdministratorAccess")
		}},
		{name: "11 namespaces, default limit 10", edit: func(w *desired.State, _ *Options) {
			trustNamespaces(w, 11)
		}, want: []string{roleAddr + ": trusted from 11 namespaces (more than 10)"}},
		{name: "10 namespaces, default limit 10", edit: func(w *desired.State, _ *Options) {
			trustNamespaces(w, 10)
		}},
		{name: "3 namespaces, limit 2", edit: func(w *desired.State, o *Options) {
			trustNamespaces(w, 3)
			o.MaxTrustedNamespaces = 2
		}, want: []string{roleAddr + ": trusted from 3 namespaces (more than 2)"}},
		{name: "2 namespaces, limit 2", edit: func(w *desired.State, o *Options) {
			trustNamespaces(w, 2)
			o.MaxTrustedNamespaces = 2
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, have := fixture()
			opts := Options{}
			tt.edit(want, &opts)
			p := Compute(want, have, opts)
			var got []string
			for _, w := range p.Warnings {
				got = append(got, w.Address+": "+w.Message)
			}
			for _, r := range p.Risks {
				if r.Kind == RiskBroadPolicy {
					got = append(got, r.Address+": "+string(r.Kind)+" "+r.Policy+" "+r.Grants)
				}
			}
			sort.Strings(got)
			if len(got) != len(tt.want) {
				t.Fatalf("warnings:\n%s\nwant %d: %v", strings.Join(got, "\n"), len(tt.want), tt.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("warning %d:\n got %s\nwant %s...", i, got[i], tt.want[i])
				}
			}
			if p.Blocked() {
				t.Errorf("a warning blocked the plan: %+v %+v", p.Conflicts, p.Errors)
			}
		})
	}
}

func addPolicy(w *desired.State, d policy.Document) {
	w.Policies = append(w.Policies, desired.Policy{Account: "prod", Policy: resource.Policy{
		AccountID: acct, Name: "p", Path: "/", ARN: resource.PolicyARN("aws", acct, "/", "p"), Document: d,
		Tags: map[string]string{resource.OwnerTag: owner}}})
}

// trustNamespaces trusts the fixture's role from n namespaces.
func trustNamespaces(w *desired.State, n int) {
	var subs []trust.Subject
	for i := range n {
		subs = append(subs, trust.Subject{ProviderARN: provARN, Issuer: issuer, Namespace: fmt.Sprintf("ns%02d", i), Name: "app"})
	}
	w.Roles[0].Subjects = subs
	w.Roles[0].Trust = trust.ForRole(subs)
}
