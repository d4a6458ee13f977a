package emulator

import (
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"sort"
	"strings"
)

// EKS Pod Identity associations, as the EKS API reference documents
// CreatePodIdentityAssociation, DescribePodIdentityAssociation,
// UpdatePodIdentityAssociation, DeletePodIdentityAssociation and
// ListPodIdentityAssociations.

func init() {
	for name, h := range map[string]handler{
		"CreatePodIdentityAssociation":   createAssociation,
		"DescribePodIdentityAssociation": describeAssociation,
		"UpdatePodIdentityAssociation":   updateAssociation,
		"DeletePodIdentityAssociation":   deleteAssociation,
		"ListPodIdentityAssociations":    listAssociations,
	} {
		handlers["eks"][name] = h
	}
}

// defaultAssociationsPerCluster is EKS's quota of Pod Identity associations
// per cluster (EKS user guide, "Amazon EKS service quotas"): not adjustable.
const defaultAssociationsPerCluster = 5000

// podsPrincipal is the service principal EKS Pod Identity assumes roles as.
const podsPrincipal = "pods.eks.amazonaws.com"

func (e *Emulator) associationsQuota() int {
	if e.opts.AssociationsPerCluster > 0 {
		return e.opts.AssociationsPerCluster
	}
	return defaultAssociationsPerCluster
}

func associationArn(partition string, acct string, cl *cluster, id string) string {
	return "arn:" + partition + ":eks:" + cl.Region + ":" + acct + ":podidentityassociation/" + cl.Name + "/" + id
}

// newAssociationID makes an id shaped like EKS's: "a-" and 17 lower-case
// letters and digits. It is derived from the cluster and a counter so that
// sandbox runs are reproducible and a deleted id is never reused.
func newAssociationID(acct string, cl *cluster) string {
	cl.NextAssociation++
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%s\x00%s\x00%d", acct, cl.Region, cl.Name, cl.NextAssociation)))
	return "a-" + strings.ToLower(base32.StdEncoding.EncodeToString(sum[:]))[:17]
}

// associationJSON is the PodIdentityAssociation shape: the full
// description returned by create, describe, update and delete.
func associationJSON(partition, acct string, cl *cluster, a *association) map[string]any {
	out := map[string]any{
		"associationArn":     associationArn(partition, acct, cl, a.ID),
		"associationId":      a.ID,
		"clusterName":        cl.Name,
		"namespace":          a.Namespace,
		"serviceAccount":     a.ServiceAccount,
		"roleArn":            a.RoleArn,
		"disableSessionTags": a.DisableSessionTags,
		"createdAt":          float64(a.Created.UnixMilli()) / 1000,
		"modifiedAt":         float64(a.Modified.UnixMilli()) / 1000,
		"tags":               tagMap(a.Tags),
	}
	if a.TargetRoleArn != "" {
		out["targetRoleArn"] = a.TargetRoleArn
		out["externalId"] = externalID(acct, cl, a)
	}
	if a.Policy != "" {
		out["policy"] = a.Policy
	}
	if a.OwnerArn != "" {
		out["ownerArn"] = a.OwnerArn
	}
	return out
}

// externalID is the external id EKS passes when it assumes the target role,
// in the shape the EKS user guide's pod-id-assign-target-role page shows:
// region/account/cluster/namespace/service-account.
func externalID(acct string, cl *cluster, a *association) string {
	return strings.Join([]string{cl.Region, acct, cl.Name, a.Namespace, a.ServiceAccount}, "/")
}

func tagMap(t map[string]string) map[string]string {
	if t == nil {
		return map[string]string{}
	}
	return t
}

// validateEKSTags applies the TagMap constraints of the EKS API reference:
// at most 50 entries, keys 1-128 characters, values at most 256.
func validateEKSTags(tags map[string]string) error {
	if len(tags) > 50 {
		return errf(400, "BadRequestException", "Tags must have at most 50 entries, got %d.", len(tags))
	}
	for k, v := range tags {
		if n := len([]rune(k)); n < 1 || n > 128 || strings.HasPrefix(strings.ToLower(k), "aws:") {
			return errf(400, "BadRequestException", "Tag key %q must be 1-128 characters and must not start with aws:.", k)
		}
		if len([]rune(v)) > 256 {
			return errf(400, "BadRequestException", "Tag value of key %q must be at most 256 characters.", k)
		}
	}
	return nil
}

// checkAssociationRoles validates roleArn (a role of the cluster's own
// account and partition, whose trust lets EKS Pod Identity assume it and,
// unless session tags are disabled, tag the session) and targetRoleArn
// (any role ARN of the partition).
func (e *Emulator) checkAssociationRoles(c *call, cl *cluster, a *association) error {
	acct, _, name, ok := parseRoleArnIn(c.partition, a.RoleArn)
	if !ok {
		return errEKSInvalidParameter("roleArn %s is not a valid IAM role ARN in partition %s.", a.RoleArn, c.partition)
	}
	if acct != c.acct.ID {
		return errEKSInvalidParameter("The role %s must be in the same account as the cluster (%s); use targetRoleArn for a role in another account.", a.RoleArn, c.acct.ID)
	}
	r := c.acct.Roles[strings.ToLower(name)]
	if r == nil || roleArnIn(c.partition, c.acct.ID, r) != a.RoleArn {
		return errEKSInvalidParameter("Role %s does not exist.", a.RoleArn)
	}
	req := assumeRequest{
		principals: map[string][]string{"Service": {podsPrincipal}},
		actions:    []string{"sts:AssumeRole"},
		context: map[string][]string{
			"aws:sourceaccount": {c.acct.ID},
			"aws:sourcearn":     {clusterArn(c.partition, cl.Region, c.acct.ID, cl.Name)},
		},
	}
	if !a.DisableSessionTags {
		req.actions = append(req.actions, "sts:TagSession")
		for k, v := range map[string]string{
			"eks-cluster-arn":            clusterArn(c.partition, cl.Region, c.acct.ID, cl.Name),
			"eks-cluster-name":           cl.Name,
			"kubernetes-namespace":       a.Namespace,
			"kubernetes-service-account": a.ServiceAccount,
		} {
			req.context["aws:requesttag/"+k] = []string{v}
			req.context["aws:principaltag/"+k] = []string{v}
		}
	}
	if !trustAllows(r.Trust, req) {
		return errEKSInvalidParameter("The trust policy of role %s does not allow %s to perform %s for this cluster.", a.RoleArn, podsPrincipal, strings.Join(req.actions, " and "))
	}
	if a.TargetRoleArn != "" {
		if _, _, _, ok := parseRoleArnIn(c.partition, a.TargetRoleArn); !ok {
			return errEKSInvalidParameter("targetRoleArn %s is not a valid IAM role ARN in partition %s.", a.TargetRoleArn, c.partition)
		}
		if a.TargetRoleArn == a.RoleArn {
			return errEKSInvalidParameter("targetRoleArn must differ from roleArn.")
		}
	}
	return nil
}

func createAssociation(e *Emulator, c *call) (any, error) {
	cl, err := c.cluster()
	if err != nil {
		return nil, err
	}
	var in struct {
		Namespace, ServiceAccount, RoleArn, TargetRoleArn, Policy, ClientRequestToken string
		DisableSessionTags                                                            bool
		Tags                                                                          map[string]string
	}
	if err := c.decodeBody(&in); err != nil {
		return nil, err
	}
	for field, v := range map[string]string{"namespace": in.Namespace, "serviceAccount": in.ServiceAccount, "roleArn": in.RoleArn} {
		if v == "" {
			return nil, errEKSInvalidParameter("%s is required.", field)
		}
	}
	if err := validateEKSTags(in.Tags); err != nil {
		return nil, err
	}
	a := &association{Namespace: in.Namespace, ServiceAccount: in.ServiceAccount, RoleArn: in.RoleArn,
		TargetRoleArn: in.TargetRoleArn, DisableSessionTags: in.DisableSessionTags, Policy: in.Policy, Tags: in.Tags}
	for _, old := range cl.Associations {
		if old.Namespace == a.Namespace && old.ServiceAccount == a.ServiceAccount {
			return nil, errf(409, "ResourceInUseException", "Association already exists: %s", old.ID)
		}
	}
	if err := e.checkAssociationRoles(c, cl, a); err != nil {
		return nil, err
	}
	if q := e.associationsQuota(); len(cl.Associations) >= q {
		return nil, errf(400, "ResourceLimitExceededException", "Cluster %s already has the maximum of %d Pod Identity associations.", cl.Name, q)
	}
	a.ID = newAssociationID(c.acct.ID, cl)
	a.Created, a.Modified = e.now(), e.now()
	if cl.Associations == nil {
		cl.Associations = map[string]*association{}
	}
	cl.Associations[a.ID] = a
	return map[string]any{"association": associationJSON(c.partition, c.acct.ID, cl, a)}, nil
}

// association resolves the clusterName and associationId labels.
func (c *call) association() (*cluster, *association, error) {
	cl, err := c.cluster()
	if err != nil {
		return nil, nil, err
	}
	id := c.labels["associationId"]
	a := cl.Associations[id]
	if a == nil {
		return nil, nil, errEKSNotFound("No Pod Identity Association found for id: %s", id)
	}
	return cl, a, nil
}

func describeAssociation(e *Emulator, c *call) (any, error) {
	cl, a, err := c.association()
	if err != nil {
		return nil, err
	}
	return map[string]any{"association": associationJSON(c.partition, c.acct.ID, cl, a)}, nil
}

// updateAssociation changes only what the reference lets it change: the
// role, the target role, session tags and the session policy. Namespace and
// service account are fixed: moving one is a delete and a create.
func updateAssociation(e *Emulator, c *call) (any, error) {
	cl, a, err := c.association()
	if err != nil {
		return nil, err
	}
	var in struct {
		RoleArn, TargetRoleArn, Policy *string
		DisableSessionTags             *bool
		ClientRequestToken             string
	}
	if err := c.decodeBody(&in); err != nil {
		return nil, err
	}
	next := *a
	if in.RoleArn != nil {
		next.RoleArn = *in.RoleArn
	}
	if in.TargetRoleArn != nil {
		next.TargetRoleArn = *in.TargetRoleArn
	}
	if in.Policy != nil {
		next.Policy = *in.Policy
	}
	if in.DisableSessionTags != nil {
		next.DisableSessionTags = *in.DisableSessionTags
	}
	if err := e.checkAssociationRoles(c, cl, &next); err != nil {
		return nil, err
	}
	next.Modified = e.now()
	*a = next
	return map[string]any{"association": associationJSON(c.partition, c.acct.ID, cl, a)}, nil
}

func deleteAssociation(e *Emulator, c *call) (any, error) {
	cl, a, err := c.association()
	if err != nil {
		return nil, err
	}
	delete(cl.Associations, a.ID)
	return map[string]any{"association": associationJSON(c.partition, c.acct.ID, cl, a)}, nil
}

// listAssociations returns PodIdentityAssociationSummary items: the
// reference leaves out roleArn, targetRoleArn, createdAt, modifiedAt and
// tags, which need DescribePodIdentityAssociation.
func listAssociations(e *Emulator, c *call) (any, error) {
	cl, err := c.cluster()
	if err != nil {
		return nil, err
	}
	ns, sa := c.query.Get("namespace"), c.query.Get("serviceAccount")
	byKey := map[string]*association{}
	var keys []string
	for _, a := range cl.Associations {
		if (ns != "" && a.Namespace != ns) || (sa != "" && a.ServiceAccount != sa) {
			continue
		}
		k := a.Namespace + "\x00" + a.ServiceAccount + "\x00" + a.ID
		byKey[k] = a
		keys = append(keys, k)
	}
	sort.Strings(keys)
	p, err := e.paginateEKS(c, keys)
	if err != nil {
		return nil, err
	}
	items := []map[string]any{}
	for _, k := range keys[p.start:p.end] {
		a := byKey[k]
		s := map[string]any{
			"associationArn": associationArn(c.partition, c.acct.ID, cl, a.ID),
			"associationId":  a.ID,
			"clusterName":    cl.Name,
			"namespace":      a.Namespace,
			"serviceAccount": a.ServiceAccount,
		}
		if a.OwnerArn != "" {
			s["ownerArn"] = a.OwnerArn
		}
		items = append(items, s)
	}
	out := map[string]any{"associations": items}
	if p.next != "" {
		out["nextToken"] = p.next
	}
	return out, nil
}
