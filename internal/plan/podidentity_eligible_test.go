package plan

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
)

// TestAssociationCannotBePlanned pins the refusals that keep a Pod
// Identity binding from being written where it could not work (EKS user
// guide, pod-identities.html): each is an error of the plan, and no
// association is created.
func TestAssociationCannotBePlanned(t *testing.T) {
	t.Parallel()
	quota := func(count int) string {
		return fmt.Sprintf("the plan would create 1 Pod Identity associations in a cluster that has %d, %d over EKS's quota of 5000 per cluster (not adjustable): bind fewer service accounts of this cluster via podIdentity, or delete unused associations first", count, count+1-AssociationsPerCluster)
	}
	tests := []struct {
		name   string
		mutate func(*state.PodIdentity) *state.PodIdentity
		errors []Problem
	}{
		{"Pod Identity state not read", func(*state.PodIdentity) *state.PodIdentity { return nil },
			[]Problem{{piAddr, "the cluster's EKS Pod Identity state was not read: report this as a bug"}}},
		{"not an EKS cluster", func(pi *state.PodIdentity) *state.PodIdentity { pi.ARN = ""; return pi },
			[]Problem{{"cluster/c1", `1 service accounts are bound via Pod Identity, but eks:DescribeCluster does not know cluster "c1": EKS Pod Identity works on EKS clusters only (not EKS Anywhere or self-managed clusters); bind them via irsa`}}},
		{"agent add-on missing", func(pi *state.PodIdentity) *state.PodIdentity { pi.Agent = false; return pi },
			[]Problem{{"cluster/c1", "1 service accounts are bound via Pod Identity, but the cluster lacks the eks-pod-identity-agent add-on, which serves the credentials: install it (aws eks create-addon --cluster-name c1 --addon-name eks-pod-identity-agent), or bind them via irsa"}}},
		{"a Fargate profile selects the namespace", func(pi *state.PodIdentity) *state.PodIdentity {
			pi.FargateNamespaces = map[string][]string{"default": {"fp-b", "fp-a"}, "jobs": {"fp-c"}}
			return pi
		}, []Problem{{piAddr, `namespace "default" is selected by the Fargate profile fp-a, fp-b, and EKS Pod Identity does not work on Fargate pods: bind this service account via irsa`}}},
		{"a Fargate profile selects the namespace by wildcard", func(pi *state.PodIdentity) *state.PodIdentity {
			pi.FargateNamespaces = map[string][]string{"def*": {"fp-a"}}
			return pi
		}, []Problem{{piAddr, `namespace "default" is selected by the Fargate profile fp-a, and EKS Pod Identity does not work on Fargate pods: bind this service account via irsa`}}},
		{"one create past the quota of 5,000", func(pi *state.PodIdentity) *state.PodIdentity { pi.Count = AssociationsPerCluster; return pi },
			[]Problem{{"cluster/c1", quota(AssociationsPerCluster)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want, have := piFixture(config.ViaPodIdentity)
			cl := have.Clusters["c1"]
			cl.PodIdentity = tt.mutate(cl.PodIdentity)
			p := Compute(want, have, Options{})
			if diff := cmp.Diff(tt.errors, p.Errors); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if got := actions(p.Changes); len(got) != 0 || !p.Blocked() {
				t.Errorf("changes %v, blocked %v: want none, blocked", got, p.Blocked())
			}
		})
	}
}

// TestAssociationEligible pins the other side of each refusal: a Fargate
// profile of other namespaces, the last association the quota allows, and
// an update in a full cluster (it creates nothing) are planned.
func TestAssociationEligible(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(*state.PodIdentity)
		want   []string
	}{
		{"a Fargate profile of other namespaces", func(pi *state.PodIdentity) {
			pi.FargateNamespaces = map[string][]string{"jobs": {"fp-a"}, "d*x": {"fp-b"}}
		}, []string{"create " + piAddr}},
		{"the 5,000th association", func(pi *state.PodIdentity) { pi.Count = AssociationsPerCluster - 1 }, []string{"create " + piAddr}},
		{"an update in a full cluster", func(pi *state.PodIdentity) {
			a := liveAssociation()
			a.RoleARN = resource.RoleARN("aws", acct, "/", "old")
			pi.Associations["default/app"], pi.Count = a, AssociationsPerCluster
		}, []string{"update " + piAddr}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want, have := piFixture(config.ViaPodIdentity)
			tt.mutate(have.Clusters["c1"].PodIdentity)
			p := Compute(want, have, Options{})
			if diff := cmp.Diff(tt.want, actions(p.Changes)); diff != "" || p.Blocked() {
				t.Errorf("changes (-want +got):\n%s\nerrors %+v conflicts %+v", diff, p.Errors, p.Conflicts)
			}
		})
	}
}

// TestUnboundAssociations pins what happens to this owner's associations
// the file no longer binds via Pod Identity: deleted as a change when the
// service account is still bound (a move back to irsa), pruneable when it
// is not bound at all; another owner's, an add-on's and undescribed ones
// are never touched.
func TestUnboundAssociations(t *testing.T) {
	t.Parallel()
	gone := func(edit func(*state.Association)) state.Association {
		a := liveAssociation()
		a.ServiceAccount = "gone"
		if edit != nil {
			edit(&a)
		}
		return a
	}
	deleteOf := func(a state.Association) Change {
		before := a.Association
		return Change{Action: Delete, Kind: resource.KindAssociation, Address: associationAddress("c1", a.Namespace, a.ServiceAccount),
			Cluster: "c1", Association: &Diff[resource.Association]{Before: &before}, Notes: []Note{{Kind: NotePodIdentityRestart}}}
	}
	tests := []struct {
		name      string
		live      state.Association
		changes   []Change
		pruneable []Change
	}{
		{name: "ours, its service account bound via irsa again: deleted", live: liveAssociation(),
			changes: []Change{deleteOf(liveAssociation())}},
		{name: "ours, its service account no longer bound: pruneable", live: gone(nil),
			pruneable: []Change{deleteOf(gone(nil))}},
		{name: "another owner's: kept", live: gone(func(a *state.Association) { a.Tags[resource.OwnerTag] = otherOwner })},
		{name: "untagged: kept", live: gone(func(a *state.Association) { a.Tags = nil })},
		{name: "an add-on's, even tagged ours: kept", live: gone(func(a *state.Association) { a.OwnerARN = addonARN })},
		// A summary has no tags, so its owner is unknown; it is kept even
		// if it carried ours.
		{name: "not described (a summary): kept", live: gone(func(a *state.Association) { a.Described, a.RoleARN = false, "" })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// The fixture's binding is via irsa: the file declares no
			// association.
			want, have := fixture()
			have.Clusters["c1"].PodIdentity = &state.PodIdentity{ARN: c1ARN, Agent: true, Count: 1,
				Associations: map[string]state.Association{tt.live.Key(): tt.live}}
			p := Compute(want, have, Options{})
			if diff := cmp.Diff(orEmpty(tt.changes), p.Changes); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(orEmpty(tt.pruneable), p.Pruneable); diff != "" {
				t.Errorf("pruneable (-want +got):\n%s", diff)
			}
			if p.Blocked() {
				t.Errorf("blocked: errors %+v conflicts %+v", p.Errors, p.Conflicts)
			}
			pruned := Compute(want, have, Options{Prune: true})
			if diff := cmp.Diff(actions(append(orEmpty(tt.changes), tt.pruneable...)), actions(pruned.Changes)); diff != "" {
				t.Errorf("with --prune, changes (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUnreadClusterHasNoUnboundAssociations checks that a cluster whose
// Pod Identity state was not read (the file binds nothing there via Pod
// Identity, nothing is marked) plans no association at all.
func TestUnreadClusterHasNoUnboundAssociations(t *testing.T) {
	t.Parallel()
	want, have := fixture()
	have.Clusters["c1"].PodIdentity = nil
	if p := Compute(want, have, Options{Prune: true}); len(p.Changes) != 0 || p.Blocked() {
		t.Errorf("changes %v, errors %+v: want none", actions(p.Changes), p.Errors)
	}
}
