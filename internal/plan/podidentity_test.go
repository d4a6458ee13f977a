package plan

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
)

const (
	piAddr    = "cluster/c1/pod-identity-association/default/app"
	piID      = "a-0123456789abcdef0"
	piARN     = "arn:aws:eks:us-east-1:" + acct + ":podidentityassociation/c1/" + piID
	c1ARN     = "arn:aws:eks:us-east-1:" + acct + ":cluster/c1"
	targetARN = "arn:aws:iam::444455556666:role/reader"
	addonARN  = "arn:aws:eks:us-east-1:" + acct + ":addon/c1/aws-ebs-csi-driver/abc"
)

var appRoleARN = resource.RoleARN("aws", acct, "/", "app")

// wantAssociation is the desired association of c1 default/app to role app.
func wantAssociation() resource.Association {
	return resource.Association{AccountID: acct, Cluster: "c1", Namespace: "default", ServiceAccount: "app",
		RoleARN: appRoleARN, Tags: map[string]string{resource.OwnerTag: owner}}
}

// liveAssociation is wantAssociation as EKS describes it once created.
func liveAssociation() state.Association {
	a := wantAssociation()
	a.ID, a.ARN = piID, piARN
	a.Tags = copyMap(a.Tags)
	return state.Association{Association: a, Described: true}
}

// piFixture is the compute fixture with c1 default/app bound via via
// (podIdentity or both): the association declared, the ServiceAccount
// marked in sync, and c1 an EKS cluster with the agent add-on and no
// associations.
func piFixture(via string) (*desired.State, *state.Live) {
	want, have := fixture()
	want.Associations = []desired.Association{{Association: wantAssociation(), Role: appRoleARN}}
	ann := map[string]string{resource.OwnerAnnotation: owner, resource.PodIdentityAnnotation: "true"}
	if via == config.ViaBoth {
		ann[resource.AnnotationRoleARN] = appRoleARN
	}
	want.ServiceAccounts[0].Annotations = ann
	cl := have.Clusters["c1"]
	sa := cl.ServiceAccounts["default/app"]
	sa.Annotations = copyMap(ann)
	sa.Owned = resource.SortedKeys(ann)
	cl.ServiceAccounts["default/app"] = sa
	cl.PodIdentity = &state.PodIdentity{ARN: c1ARN, Agent: true, Associations: map[string]state.Association{}}
	return want, have
}

func withTarget(a resource.Association, target string) resource.Association {
	a.TargetRoleARN = target
	return a
}

func withIDs(a resource.Association) resource.Association {
	a.ID, a.ARN = piID, piARN
	return a
}

// TestAssociationPlan pins how a declared association is planned against
// what EKS holds: created, left alone, updated in roleArn and
// targetRoleArn, refused when another owner or an add-on holds it, and
// taken over with adopt; with the note saying what pods get.
func TestAssociationPlan(t *testing.T) {
	t.Parallel()
	podID, both := config.ViaPodIdentity, config.ViaBoth
	restart := []Note{{Kind: NotePodIdentityRestart}}
	bothCreds := []Note{{Kind: NoteBothCredentials}}
	live := func(edit func(*state.Association)) *state.Association {
		a := liveAssociation()
		edit(&a)
		return &a
	}
	tests := []struct {
		name      string
		via       string
		target    string // the desired targetRoleArn
		adopt     bool
		live      *state.Association
		changes   []Change
		conflicts []Problem
	}{
		{name: "absent: created, pods restarted to get it", via: podID, changes: []Change{{Action: Create, Kind: resource.KindAssociation,
			Address: piAddr, Cluster: "c1", Association: &Diff[resource.Association]{After: ptr(wantAssociation())}, Notes: restart}}},
		{name: "absent, via both: created, pods keep IRSA credentials", via: both, changes: []Change{{Action: Create, Kind: resource.KindAssociation,
			Address: piAddr, Cluster: "c1", Association: &Diff[resource.Association]{After: ptr(wantAssociation())}, Notes: bothCreds}}},
		{name: "absent, with a target role: created with targetRoleArn", via: podID, target: targetARN, changes: []Change{{Action: Create,
			Kind: resource.KindAssociation, Address: piAddr, Cluster: "c1",
			Association: &Diff[resource.Association]{After: ptr(withTarget(wantAssociation(), targetARN))}, Notes: restart}}},
		{name: "as wanted: no change", via: podID, live: ptr(liveAssociation())},
		{name: "as wanted with a target role: no change", via: podID, target: targetARN,
			live: live(func(a *state.Association) { a.TargetRoleARN = targetARN })},
		{name: "ours with tags others added: not compared", via: podID,
			live: live(func(a *state.Association) { a.Tags["cost-center"] = "42" })},
		{name: "ours, another role: roleArn updated", via: podID,
			live: live(func(a *state.Association) { a.RoleARN = resource.RoleARN("aws", acct, "/", "old") }),
			changes: []Change{{Action: Update, Kind: resource.KindAssociation, Address: piAddr, Cluster: "c1",
				Association: &Diff[resource.Association]{Before: ptr(func() resource.Association {
					a := withIDs(wantAssociation())
					a.RoleARN = resource.RoleARN("aws", acct, "/", "old")
					return a
				}()), After: ptr(withIDs(wantAssociation()))},
				Fields: []Field{{Name: FieldRoleARN, Before: Text(resource.RoleARN("aws", acct, "/", "old")), After: Text(appRoleARN)}},
				Notes:  restart}}},
		{name: "ours, another role, via both: roleArn updated, pods keep IRSA credentials", via: both,
			live: live(func(a *state.Association) { a.RoleARN = resource.RoleARN("aws", acct, "/", "old") }),
			changes: []Change{{Action: Update, Kind: resource.KindAssociation, Address: piAddr, Cluster: "c1",
				Association: &Diff[resource.Association]{Before: ptr(func() resource.Association {
					a := withIDs(wantAssociation())
					a.RoleARN = resource.RoleARN("aws", acct, "/", "old")
					return a
				}()), After: ptr(withIDs(wantAssociation()))},
				Fields: []Field{{Name: FieldRoleARN, Before: Text(resource.RoleARN("aws", acct, "/", "old")), After: Text(appRoleARN)}},
				Notes:  bothCreds}}},
		{name: "ours, target role added", via: podID, target: targetARN, live: ptr(liveAssociation()),
			changes: []Change{{Action: Update, Kind: resource.KindAssociation, Address: piAddr, Cluster: "c1",
				Association: &Diff[resource.Association]{Before: ptr(withIDs(wantAssociation())), After: ptr(withTarget(withIDs(wantAssociation()), targetARN))},
				Fields:      []Field{{Name: FieldTargetRoleARN, After: Text(targetARN)}}, Notes: restart}}},
		{name: "ours, target role removed", via: podID, live: live(func(a *state.Association) { a.TargetRoleARN = targetARN }),
			changes: []Change{{Action: Update, Kind: resource.KindAssociation, Address: piAddr, Cluster: "c1",
				Association: &Diff[resource.Association]{Before: ptr(withTarget(withIDs(wantAssociation()), targetARN)), After: ptr(withIDs(wantAssociation()))},
				Fields:      []Field{{Name: FieldTargetRoleARN, Before: Text(targetARN)}}, Notes: restart}}},
		{name: "ours, another target role", via: podID, target: targetARN,
			live: live(func(a *state.Association) { a.TargetRoleARN = "arn:aws:iam::444455556666:role/old" }),
			changes: []Change{{Action: Update, Kind: resource.KindAssociation, Address: piAddr, Cluster: "c1",
				Association: &Diff[resource.Association]{Before: ptr(withTarget(withIDs(wantAssociation()), "arn:aws:iam::444455556666:role/old")),
					After: ptr(withTarget(withIDs(wantAssociation()), targetARN))},
				Fields: []Field{{Name: FieldTargetRoleARN, Before: Text("arn:aws:iam::444455556666:role/old"), After: Text(targetARN)}}, Notes: restart}}},
		{name: "another owner's: conflict", via: podID, live: live(func(a *state.Association) { a.Tags[resource.OwnerTag] = otherOwner }),
			conflicts: []Problem{{piAddr, "association " + piID + " for role " + appRoleARN + ` exists and irsa-sync did not create it (tag irsa-sync/owner is "team-b"): set adopt: true on this binding to take it over, or bind another service account`}}},
		{name: "untagged: conflict", via: podID, live: live(func(a *state.Association) { a.Tags = nil }),
			conflicts: []Problem{{piAddr, "association " + piID + " for role " + appRoleARN + ` exists and irsa-sync did not create it (tag irsa-sync/owner is ""): set adopt: true on this binding to take it over, or bind another service account`}}},
		{name: "another owner's, adopted, same role: the owner tag only, no restart", via: podID, adopt: true,
			live: live(func(a *state.Association) {
				a.Tags = map[string]string{resource.OwnerTag: otherOwner, "cost-center": "42"}
			}),
			changes: []Change{{Action: Update, Kind: resource.KindAssociation, Address: piAddr, Cluster: "c1", Adopt: true,
				Association: &Diff[resource.Association]{Before: ptr(func() resource.Association {
					a := withIDs(wantAssociation())
					a.Tags = map[string]string{resource.OwnerTag: otherOwner, "cost-center": "42"}
					return a
				}()), After: ptr(withIDs(wantAssociation()))},
				Fields: []Field{{Name: FieldTags, Before: Tags{resource.OwnerTag: otherOwner, "cost-center": "42"}, After: Tags{resource.OwnerTag: owner},
					Added: []string{resource.OwnerTag + "=" + owner}}}}}},
		{name: "untagged, adopted, another role: roleArn and the owner tag", via: podID, adopt: true,
			live: live(func(a *state.Association) { a.Tags, a.RoleARN = nil, resource.RoleARN("aws", acct, "/", "old") }),
			changes: []Change{{Action: Update, Kind: resource.KindAssociation, Address: piAddr, Cluster: "c1", Adopt: true,
				Association: &Diff[resource.Association]{Before: ptr(func() resource.Association {
					a := withIDs(wantAssociation())
					a.Tags, a.RoleARN = nil, resource.RoleARN("aws", acct, "/", "old")
					return a
				}()), After: ptr(withIDs(wantAssociation()))},
				Fields: []Field{{Name: FieldRoleARN, Before: Text(resource.RoleARN("aws", acct, "/", "old")), After: Text(appRoleARN)},
					{Name: FieldTags, Before: Tags(nil), After: Tags{resource.OwnerTag: owner}, Added: []string{resource.OwnerTag + "=" + owner}}},
				Notes: restart}}},
		{name: "an add-on's: conflict, whatever its tags", via: podID,
			live:      live(func(a *state.Association) { a.OwnerARN = addonARN }),
			conflicts: []Problem{{piAddr, "association " + piID + " is owned by the EKS add-on " + addonARN + ", and irsa-sync never changes an add-on's association: bind the role through the add-on's own settings, or bind another service account"}}},
		{name: "an add-on's, adopted: still a conflict", via: podID, adopt: true,
			live:      &state.Association{Association: resource.Association{Cluster: "c1", Namespace: "default", ServiceAccount: "app", ID: piID, ARN: piARN, OwnerARN: addonARN}},
			conflicts: []Problem{{piAddr, "association " + piID + " is owned by the EKS add-on " + addonARN + ", and irsa-sync never changes an add-on's association: bind the role through the add-on's own settings, or bind another service account"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want, have := piFixture(tt.via)
			want.Associations[0].Adopt = tt.adopt
			want.Associations[0].TargetRoleARN = tt.target
			pi := have.Clusters["c1"].PodIdentity
			if tt.live != nil {
				pi.Associations["default/app"], pi.Count = *tt.live, 1
			}
			p := Compute(want, have, Options{Prune: true})
			if diff := cmp.Diff(orEmpty(tt.changes), p.Changes); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(orEmpty(tt.conflicts), p.Conflicts); diff != "" {
				t.Errorf("conflicts (-want +got):\n%s", diff)
			}
			if len(p.Errors) > 0 {
				t.Errorf("errors: %+v", p.Errors)
			}
			for _, c := range p.Changes {
				if err := c.Check(); err != nil {
					t.Errorf("change %s: %v", c.Address, err)
				}
			}
		})
	}
}
