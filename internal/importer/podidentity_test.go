package importer

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// TestSourceRole: an association whose targetRoleArn is a role of another
// account imports as sourceRole on the target when the source role is the
// one irsa-sync would derive; else the role is unrepresentable.
func TestSourceRole(t *testing.T) {
	t.Parallel()
	c1 := desired.ClusterARN("us-east-1", idA, "c1")
	tests := []struct {
		name    string
		path    string            // the source role's
		tags    map[string]string // the source role's
		want    *config.Role
		problem string
	}{
		{"irsa-sync's own source role", "/", nil, &config.Role{Name: "tgt", Account: "b", SourceRole: "tgt-source",
			ServiceAccounts: []config.ServiceAccount{{Cluster: "c1", Namespace: "web", Name: "api", Via: config.ViaPodIdentity}}}, ""},
		{"a source role on another path", "/other/", nil, nil, "whose path /other/ is not the role's (/)"},
		{"a source role irsa-sync did not create", "/", map[string]string{resource.OwnerTag: "someone"}, nil, "which irsa-sync did not create"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srcARN := resource.RoleARN("aws", idA, tt.path, "tgt-source")
			tgt := target("tgt", trust.ForChainedRole(nil, []trust.Chain{{Role: srcARN, TagSession: true}}))
			source := resource.Role{AccountID: idA, Name: "tgt-source", Path: tt.path, Description: "EKS Pod Identity source role, chaining to roles of other accounts (irsa-sync)",
				Trust:          trust.ForRole(nil, trust.PodSubject{AccountID: idA, ClusterARN: c1, Namespace: "web", Name: "api"}),
				InlinePolicies: map[string]policy.Document{resource.ChainPolicyName: trust.ChainPermission([]trust.Chain{{Role: tgtARN, TagSession: true}})}}
			live := estate(tgt, source)
			if tt.tags != nil {
				r := live.Accounts[idA].Roles["tgt-source"]
				r.Tags = tt.tags
				live.Accounts[idA].Roles["tgt-source"] = r
			}
			delete(live.Clusters["c1"].ServiceAccounts, "default/app")
			live.Clusters["c1"].ServiceAccounts["web/api"] = state.ServiceAccount{ServiceAccount: resource.ServiceAccount{Cluster: "c1", Namespace: "web", Name: "api",
				Annotations: map[string]string{resource.OwnerAnnotation: "team", resource.PodIdentityAnnotation: "true"}}}
			live.Clusters["c1"].PodIdentity = &state.PodIdentity{ARN: c1, Associations: map[string]state.Association{"web/api": {Described: true, Association: resource.Association{
				AccountID: idA, Cluster: "c1", Namespace: "web", ServiceAccount: "api", ID: "a-1", RoleARN: srcARN, TargetRoleARN: tgtARN,
				Tags: map[string]string{resource.OwnerTag: "team"}}}}}
			res := Build(input(), live, Options{})
			var got *config.Role
			for i, r := range res.File.Roles {
				if r.Name == "tgt" {
					got = &res.File.Roles[i]
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("role tgt (-want +got):\n%s", diff)
			}
			var reports []string
			for _, r := range res.Reports {
				reports = append(reports, r.String())
			}
			text := strings.Join(reports, "\n")
			if (tt.problem == "") != (text == "") || !strings.Contains(text, tt.problem) {
				t.Errorf("reports:\n%s\nwant one saying %q", text, tt.problem)
			}
		})
	}
}
