package importer

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

const (
	idA, idB = "111111111111", "222222222222"
	host     = "oidc.eks.us-east-1.amazonaws.com/id/C1"
)

// estate is a live state of accounts a and b and cluster c1 (in a) whose
// roles are given; each is owned by team.
func estate(roles ...resource.Role) *state.Live {
	live := &state.Live{
		Accounts: map[string]*state.Account{
			idA: {ID: idA, Partition: "aws", Roles: map[string]resource.Role{}},
			idB: {ID: idB, Partition: "aws", Roles: map[string]resource.Role{}},
		},
		Clusters: map[string]*state.Cluster{"c1": {Name: "c1", Issuer: "https://" + host, ServiceAccounts: map[string]state.ServiceAccount{
			"default/app": {ServiceAccount: resource.ServiceAccount{Cluster: "c1", Namespace: "default", Name: "app", Annotations: map[string]string{
				resource.AnnotationRoleARN: resource.RoleARN("aws", idA, "/", "src"), resource.OwnerAnnotation: "team"}}},
		}}},
	}
	for _, r := range roles {
		if r.Path == "" {
			r.Path = "/"
		}
		r.ARN = resource.RoleARN("aws", r.AccountID, r.Path, r.Name)
		r.MaxSessionDuration = 3600
		r.Tags = map[string]string{resource.OwnerTag: "team"}
		live.Accounts[r.AccountID].Roles[strings.ToLower(r.Name)] = r
	}
	return live
}

func input() *config.File {
	return &config.File{APIVersion: config.APIVersion, Kind: config.Kind, Owner: "team",
		Accounts: []config.Account{{Name: "a", ID: idA}, {Name: "b", ID: idB}},
		Clusters: []config.Cluster{{Name: "c1", Account: "a", Region: "us-east-1"}}}
}

// src is a role of a bound through IRSA to c1/default/app.
func src(inline map[string]policy.Document) resource.Role {
	subj := trust.Subject{ProviderARN: resource.ProviderARN("aws", idA, host), Issuer: host, Namespace: "default", Name: "app"}
	return resource.Role{AccountID: idA, Name: "src", Trust: trust.ForRole([]trust.Subject{subj}), InlinePolicies: inline}
}

func target(name string, doc policy.Document) resource.Role {
	return resource.Role{AccountID: idB, Name: name, Trust: doc}
}

var (
	srcARN  = resource.RoleARN("aws", idA, "/", "src")
	tgtARN  = resource.RoleARN("aws", idB, "/", "tgt")
	rootDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + idA + `:root"},"Action":"sts:AssumeRole"}]}`
)

func TestChains(t *testing.T) {
	t.Parallel()
	chain := func(tag bool) policy.Document {
		return trust.ForChainedRole(nil, []trust.Chain{{Role: srcARN, TagSession: tag}})
	}
	permission := func(tag bool) map[string]policy.Document {
		return map[string]policy.Document{resource.ChainPolicyName: trust.ChainPermission([]trust.Chain{{Role: tgtARN, TagSession: tag}})}
	}
	tests := []struct {
		name   string
		live   *state.Live
		want   []config.ChainSource // tgt's assumedFrom; nil: tgt left out
		report []string             // parts of reports, in order
	}{
		{"a chain, its permission in place", estate(src(permission(false)), target("tgt", chain(false))),
			[]config.ChainSource{{Role: "src", Account: "a"}}, nil},
		{"with session tags", estate(src(permission(true)), target("tgt", chain(true))),
			[]config.ChainSource{{Role: "src", Account: "a", TagSession: true}}, nil},
		{"the permission missing", estate(src(nil), target("tgt", chain(false))),
			[]config.ChainSource{{Role: "src", Account: "a"}}, []string{"a/role src: apply adds the inline policy irsa-sync-chain"}},
		{"the permission without session tags", estate(src(permission(false)), target("tgt", chain(true))),
			[]config.ChainSource{{Role: "src", Account: "a", TagSession: true}}, []string{"a/role src: apply rewrites the inline policy irsa-sync-chain"}},
		{"a permission for a chain no longer there", estate(src(permission(false))),
			nil, []string{"a/role src: apply deletes the inline policy irsa-sync-chain"}},
		{"a chain from a role left out", estate(func() resource.Role {
			r := src(permission(false))
			m := r.Trust.Map()
			m["Statement"] = append(m["Statement"].([]any), policy.MustParse(rootDoc).Map()["Statement"].([]any)...)
			doc, err := policy.FromMap(m)
			if err != nil {
				t.Fatal(err)
			}
			r.Trust = doc
			return r
		}(), target("tgt", chain(false))), nil, []string{
			"a/role src: a trust statement names the principal {\"AWS\":[\"arn:aws:iam::" + idA + ":root\"]}",
			"a/role src: left out",
			"b/role tgt: a trust statement names the principal {\"AWS\":[\"" + srcARN + "\"]}; role src is left out",
			"b/role tgt: left out",
			"c1/default/app: annotated with " + srcARN + ", but the role is not imported",
		}},
		{"a chain from an unrelated role", estate(src(nil), target("tgt", trust.ForChainedRole(nil, []trust.Chain{{Role: resource.RoleARN("aws", idA, "/", "other")}}))),
			nil, nil},
		{"a chain statement with a condition", estate(src(nil), target("tgt", policy.MustParse(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+srcARN+`"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x"}}}]}`))),
			nil, []string{"b/role tgt: a trust statement naming the role " + srcARN + " has a Condition element", "b/role tgt: left out"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := Build(input(), tt.live, Options{})
			var got []config.ChainSource
			found := false
			for _, r := range res.File.Roles {
				if r.Name == "tgt" {
					got, found = r.AssumedFrom, true
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" || found != (tt.want != nil) {
				t.Errorf("assumedFrom of tgt (found %v) (-want +got):\n%s", found, diff)
			}
			var reports []string
			for _, r := range res.Reports {
				reports = append(reports, r.String())
			}
			if len(reports) != len(tt.report) {
				t.Fatalf("reports:\n%s\nwant %d", strings.Join(reports, "\n"), len(tt.report))
			}
			for i, want := range tt.report {
				if !strings.Contains(reports[i], want) {
					t.Errorf("report %d is %q, want it to say %q", i, reports[i], want)
				}
			}
		})
	}
}
