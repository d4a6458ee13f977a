package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// AssociationsPerCluster is EKS's quota of Pod Identity associations per
// cluster, not adjustable (EKS user guide, "Amazon EKS service quotas").
const AssociationsPerCluster = 5000

func associationAddress(cluster, namespace, name string) string {
	return "cluster/" + cluster + "/" + string(resource.KindAssociation) + "/" + namespace + "/" + name
}

// associations plans each cluster's Pod Identity associations: the file's,
// created or updated once the cluster is eligible, and this owner's that
// the file no longer binds via Pod Identity, deleted. An add-on's
// association (ownerArn) is never touched; another owner's on a declared
// service account is a conflict unless the binding adopts it.
func (c *computer) associations() {
	byCluster := map[string][]desired.Association{}
	for _, a := range c.want.Associations {
		byCluster[a.Cluster] = append(byCluster[a.Cluster], a)
	}
	for _, name := range resource.SortedKeys(byCluster) {
		c.clusterAssociations(name, byCluster[name])
	}
	c.unboundAssociations()
}

func (c *computer) clusterAssociations(cluster string, wants []desired.Association) {
	pi := c.cluster(cluster).PodIdentity
	if pi == nil {
		for _, w := range wants {
			c.fail(associationAddress(cluster, w.Namespace, w.ServiceAccount), "the cluster's EKS Pod Identity state was not read: report this as a bug")
		}
		return
	}
	if !c.eligible(cluster, pi, wants) {
		return
	}
	var creates []Change
	for _, want := range wants {
		addr := associationAddress(cluster, want.Namespace, want.ServiceAccount)
		have, ok := pi.Associations[want.Key()]
		if !ok {
			after := want.Association
			creates = append(creates, Change{Action: Create, Kind: resource.KindAssociation, Address: addr, Cluster: cluster,
				Association: &Diff[resource.Association]{After: &after}, Notes: associationNotes(c.want, want, true)})
			continue
		}
		if have.OwnerARN != "" {
			c.conflict(addr, fmt.Sprintf("association %s is owned by the EKS add-on %s, and irsa-sync never changes an add-on's association: bind the role through the add-on's own settings, or bind another service account", have.ID, have.OwnerARN))
			continue
		}
		ours := state.OwnedBy(have.Tags, c.want.Owner)
		if !ours && !want.Adopt {
			c.conflict(addr, fmt.Sprintf("association %s for role %s exists and irsa-sync did not create it (tag %s is %q): set adopt: true on this binding to take it over, or bind another service account", have.ID, have.RoleARN, resource.OwnerTag, have.Tags[resource.OwnerTag]))
			continue
		}
		after := want.Association
		after.ID, after.ARN = have.ID, have.ARN
		var fields []Field
		if have.RoleARN != after.RoleARN {
			fields = append(fields, Field{Name: FieldRoleARN, Before: Text(have.RoleARN), After: Text(after.RoleARN)})
		}
		if have.TargetRoleARN != after.TargetRoleARN {
			f := Field{Name: FieldTargetRoleARN}
			if have.TargetRoleARN != "" {
				f.Before = Text(have.TargetRoleARN)
			}
			if after.TargetRoleARN != "" {
				f.After = Text(after.TargetRoleARN)
			}
			fields = append(fields, f)
		}
		// Only the owner tag is compared: tags others added stay theirs.
		if !ours {
			fields = append(fields, Field{Name: FieldTags, Before: Tags(have.Tags), After: Tags(after.Tags), Added: []string{resource.OwnerTag + "=" + c.want.Owner}})
		}
		if len(fields) == 0 {
			continue
		}
		before := have.Association
		c.add(Change{Action: Update, Kind: resource.KindAssociation, Address: addr, Cluster: cluster, Adopt: !ours,
			Association: &Diff[resource.Association]{Before: &before, After: &after}, Fields: fields,
			Notes: associationNotes(c.want, want, have.RoleARN != after.RoleARN || have.TargetRoleARN != after.TargetRoleARN)})
	}
	if n := pi.Count + len(creates); n > AssociationsPerCluster {
		c.fail("cluster/"+cluster, fmt.Sprintf("the plan would create %d Pod Identity associations in a cluster that has %d, %d over EKS's quota of %d per cluster (not adjustable): bind fewer service accounts of this cluster via podIdentity, or delete unused associations first", len(creates), pi.Count, n-AssociationsPerCluster, AssociationsPerCluster))
		return
	}
	for _, ch := range creates {
		c.add(ch)
	}
}

// eligible refuses Pod Identity bindings in a cluster where they could not
// work, each with its reason, so that nothing of them is written: a
// cluster EKS does not know, one without the agent add-on, and namespaces
// a Fargate profile selects (EKS user guide, pod-identities.html: Pod
// Identity is not available on Fargate, nor outside EKS).
func (c *computer) eligible(cluster string, pi *state.PodIdentity, wants []desired.Association) bool {
	switch {
	case pi.ARN == "":
		c.fail("cluster/"+cluster, fmt.Sprintf("%d service accounts are bound via Pod Identity, but eks:DescribeCluster does not know cluster %q: EKS Pod Identity works on EKS clusters only (not EKS Anywhere or self-managed clusters); bind them via irsa", len(wants), cluster))
		return false
	case !pi.Agent:
		c.fail("cluster/"+cluster, fmt.Sprintf("%d service accounts are bound via Pod Identity, but the cluster lacks the %s add-on, which serves the credentials: install it (aws eks create-addon --cluster-name %s --addon-name %s), or bind them via irsa", len(wants), podIdentityAgent, cluster, podIdentityAgent))
		return false
	}
	ok := true
	for _, w := range wants {
		var profiles []string
		for _, sel := range resource.SortedKeys(pi.FargateNamespaces) {
			if trust.Glob(sel, w.Namespace) {
				profiles = append(profiles, pi.FargateNamespaces[sel]...)
			}
		}
		if len(profiles) > 0 {
			sort.Strings(profiles)
			c.fail(associationAddress(cluster, w.Namespace, w.ServiceAccount), fmt.Sprintf("namespace %q is selected by the Fargate profile %s, and EKS Pod Identity does not work on Fargate pods: bind this service account via irsa", w.Namespace, strings.Join(profiles, ", ")))
			ok = false
		}
	}
	return ok
}

// podIdentityAgent is the add-on live.PodIdentityAgent reads, named here
// for messages (plan imports no reader).
const podIdentityAgent = "eks-pod-identity-agent"

// associationNotes say what a pod gets: bound via both, IRSA's
// credentials still win; a new or changed association reaches only pods
// created after it.
func associationNotes(want *desired.State, a desired.Association, changesRole bool) []Note {
	var notes []Note
	if sa := want.ServiceAccount(a.Cluster, a.Namespace, a.ServiceAccount); sa != nil && sa.Annotations[resource.AnnotationRoleARN] != "" {
		notes = append(notes, Note{Kind: NoteBothCredentials})
	} else if changesRole {
		notes = append(notes, Note{Kind: NotePodIdentityRestart})
	}
	return notes
}

// unboundAssociations deletes this owner's associations of service
// accounts the file no longer binds via Pod Identity: a change when the
// service account is still bound (moving back to irsa), else pruneable.
func (c *computer) unboundAssociations() {
	want := map[string]bool{}
	for _, a := range c.want.Associations {
		want[a.Cluster+"/"+a.Key()] = true
	}
	for _, name := range resource.SortedKeys(c.have.Clusters) {
		pi := c.have.Clusters[name].PodIdentity
		if pi == nil {
			continue
		}
		for _, key := range resource.SortedKeys(pi.Associations) {
			have := pi.Associations[key]
			if want[name+"/"+key] || !have.Described || have.OwnerARN != "" || !state.OwnedBy(have.Tags, c.want.Owner) {
				continue
			}
			before := have.Association
			ch := Change{Action: Delete, Kind: resource.KindAssociation, Address: associationAddress(name, have.Namespace, have.ServiceAccount), Cluster: name,
				Association: &Diff[resource.Association]{Before: &before}, Notes: []Note{{Kind: NotePodIdentityRestart}}}
			if c.want.ServiceAccount(name, have.Namespace, have.ServiceAccount) != nil {
				c.add(ch)
			} else {
				c.pruneable(ch)
			}
		}
	}
}
