package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"
)

// EKS add-on and Fargate profile reads (DescribeAddon, ListAddons,
// DescribeFargateProfile, ListFargateProfiles, as the EKS API reference
// documents them), and the seeding that sets them up. Creating, updating
// and deleting add-ons or profiles through the API is not emulated.

func init() {
	handlers["eks"]["DescribeAddon"] = describeAddon
	handlers["eks"]["ListAddons"] = listAddons
	handlers["eks"]["DescribeFargateProfile"] = describeFargateProfile
	handlers["eks"]["ListFargateProfiles"] = listFargateProfiles
}

// PodIdentityAgent is the add-on EKS Pod Identity needs on a cluster.
const PodIdentityAgent = "eks-pod-identity-agent"

type addon struct {
	Name    string    `json:"name"`
	Version string    `json:"version"`
	Created time.Time `json:"createdAt"`
}

type fargateProfile struct {
	Name          string            `json:"name"`
	ExecutionRole string            `json:"podExecutionRoleArn"`
	Selectors     []FargateSelector `json:"selectors"`
	Created       time.Time         `json:"createdAt"`
}

// ClusterSeed sets up an EKS cluster for a test or the sandbox.
type ClusterSeed struct {
	Account, Region, Name, Issuer string
	// WithoutPodIdentityAgent leaves out the eks-pod-identity-agent add-on
	// that every seeded cluster otherwise has.
	WithoutPodIdentityAgent bool
	// Addons are further add-ons by name, such as "vpc-cni".
	Addons          []string
	FargateProfiles []FargateProfileSeed
}

// FargateProfileSeed is one Fargate profile of a seeded cluster.
type FargateProfileSeed struct {
	Name string
	// PodExecutionRoleArn defaults to a role named AmazonEKSFargatePodExecutionRole.
	PodExecutionRoleArn string
	Selectors           []FargateSelector
}

// FargateSelector selects the pods of a namespace, optionally only those
// with all of the labels, as a Fargate profile selector does.
type FargateSelector struct {
	Namespace string            `json:"namespace"`
	Labels    map[string]string `json:"labels,omitempty"`
}

// SeedCluster creates the cluster or updates an existing one (see
// EnsureCluster), then replaces its add-ons and Fargate profiles with those
// of the seed. Pod Identity associations are kept. It refuses what EKS
// refuses in a Fargate profile: no name, no selector or more than 5, a
// selector without a namespace or with more than 5 labels (EKS user guide,
// "Define which Pods use AWS Fargate when launched").
func (e *Emulator) SeedCluster(s ClusterSeed) error {
	if s.Account == "" || s.Region == "" || s.Name == "" {
		return fmt.Errorf("emulator: seed cluster %q: account, region and name are required", s.Name)
	}
	seen := map[string]bool{}
	for _, fp := range s.FargateProfiles {
		if fp.Name == "" || seen[fp.Name] {
			return fmt.Errorf("emulator: seed cluster %q: Fargate profile names must be set and unique (%q)", s.Name, fp.Name)
		}
		seen[fp.Name] = true
		if len(fp.Selectors) == 0 || len(fp.Selectors) > 5 {
			return fmt.Errorf("emulator: seed cluster %q: Fargate profile %q needs 1 to 5 selectors, has %d", s.Name, fp.Name, len(fp.Selectors))
		}
		for i, sel := range fp.Selectors {
			if sel.Namespace == "" || len(sel.Labels) > 5 {
				return fmt.Errorf("emulator: seed cluster %q: Fargate profile %q selector %d needs a namespace and at most 5 labels", s.Name, fp.Name, i+1)
			}
		}
	}
	e.EnsureCluster(s.Account, s.Region, s.Name, s.Issuer)
	e.mu.Lock()
	defer e.mu.Unlock()
	cl := e.st.Accounts[s.Account].Clusters[s.Region+"/"+s.Name]
	cl.Addons = map[string]*addon{}
	names := s.Addons
	if !s.WithoutPodIdentityAgent {
		names = append([]string{PodIdentityAgent}, names...)
	}
	for _, n := range names {
		cl.Addons[n] = &addon{Name: n, Version: addonVersion(n), Created: e.now()}
	}
	cl.Fargate = nil
	for _, fp := range s.FargateProfiles {
		if cl.Fargate == nil {
			cl.Fargate = map[string]*fargateProfile{}
		}
		role := fp.PodExecutionRoleArn
		if role == "" {
			role = "arn:" + partitionOfRegion(s.Region) + ":iam::" + s.Account + ":role/AmazonEKSFargatePodExecutionRole"
		}
		cl.Fargate[fp.Name] = &fargateProfile{Name: fp.Name, ExecutionRole: role, Selectors: fp.Selectors, Created: e.now()}
	}
	return nil
}

// AssociationSeed is a Pod Identity association made outside the API, such
// as one an EKS add-on owns (OwnerArn set). Its trust is not checked.
type AssociationSeed struct {
	Namespace, ServiceAccount, RoleArn, TargetRoleArn, OwnerArn string
	Tags                                                        map[string]string
}

// SeedPodIdentityAssociation adds an association to an existing cluster and
// returns its id. A second association of one service account is refused,
// as EKS refuses it.
func (e *Emulator) SeedPodIdentityAssociation(accountID, region, clusterName string, s AssociationSeed) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.st.Accounts[accountID]
	if a == nil || a.Clusters[region+"/"+clusterName] == nil {
		return "", fmt.Errorf("emulator: seed association: no cluster %s/%s in account %s; seed the cluster first", region, clusterName, accountID)
	}
	cl := a.Clusters[region+"/"+clusterName]
	if s.Namespace == "" || s.ServiceAccount == "" || s.RoleArn == "" {
		return "", fmt.Errorf("emulator: seed association in cluster %s: namespace, service account and role ARN are required", clusterName)
	}
	for _, old := range cl.Associations {
		if old.Namespace == s.Namespace && old.ServiceAccount == s.ServiceAccount {
			return "", fmt.Errorf("emulator: seed association: %s/%s already has association %s", s.Namespace, s.ServiceAccount, old.ID)
		}
	}
	as := &association{ID: newAssociationID(accountID, cl), Namespace: s.Namespace, ServiceAccount: s.ServiceAccount,
		RoleArn: s.RoleArn, TargetRoleArn: s.TargetRoleArn, OwnerArn: s.OwnerArn, Tags: s.Tags, Created: e.now(), Modified: e.now()}
	if cl.Associations == nil {
		cl.Associations = map[string]*association{}
	}
	cl.Associations[as.ID] = as
	return as.ID, nil
}

// addonVersion is an illustrative version string in EKS's shape.
func addonVersion(name string) string {
	if name == PodIdentityAgent {
		return "v1.3.8-eksbuild.2"
	}
	return "v1.0.0-eksbuild.1"
}

// addons is the cluster's add-ons, with nil read as the default setup.
func (cl *cluster) addons() map[string]*addon {
	if cl.Addons == nil {
		return map[string]*addon{PodIdentityAgent: {Name: PodIdentityAgent, Version: addonVersion(PodIdentityAgent), Created: cl.Created}}
	}
	return cl.Addons
}

// resourceUUID is a stable UUID-shaped suffix, as EKS ends add-on and
// Fargate profile ARNs with one.
func resourceUUID(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	id := hex.EncodeToString(sum[:16])
	return id[:8] + "-" + id[8:12] + "-" + id[12:16] + "-" + id[16:20] + "-" + id[20:32]
}

func describeAddon(e *Emulator, c *call) (any, error) {
	cl, err := c.cluster()
	if err != nil {
		return nil, err
	}
	name := c.labels["addonName"]
	ad := cl.addons()[name]
	if ad == nil {
		return nil, errEKSNotFound("No addon: %s found in cluster: %s", name, cl.Name)
	}
	return map[string]any{"addon": map[string]any{
		"addonName":    ad.Name,
		"clusterName":  cl.Name,
		"status":       "ACTIVE",
		"addonVersion": ad.Version,
		"health":       map[string]any{"issues": []any{}},
		"addonArn": "arn:" + c.partition + ":eks:" + cl.Region + ":" + c.acct.ID + ":addon/" + cl.Name + "/" + ad.Name + "/" +
			resourceUUID(c.acct.ID, cl.Region, cl.Name, ad.Name),
		"createdAt":  float64(ad.Created.UnixMilli()) / 1000,
		"modifiedAt": float64(ad.Created.UnixMilli()) / 1000,
		"tags":       map[string]string{},
	}}, nil
}

func listAddons(e *Emulator, c *call) (any, error) {
	cl, err := c.cluster()
	if err != nil {
		return nil, err
	}
	var names []string
	for n := range cl.addons() {
		names = append(names, n)
	}
	sort.Strings(names)
	p, err := e.paginateEKS(c, names)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"addons": append([]string{}, names[p.start:p.end]...)}
	if p.next != "" {
		out["nextToken"] = p.next
	}
	return out, nil
}

func describeFargateProfile(e *Emulator, c *call) (any, error) {
	cl, err := c.cluster()
	if err != nil {
		return nil, err
	}
	name := c.labels["fargateProfileName"]
	fp := cl.Fargate[name]
	if fp == nil {
		return nil, errEKSNotFound("No Fargate Profile found with name: %s.", name)
	}
	sels := []map[string]any{}
	for _, s := range fp.Selectors {
		sels = append(sels, map[string]any{"namespace": s.Namespace, "labels": tagMap(s.Labels)})
	}
	return map[string]any{"fargateProfile": map[string]any{
		"fargateProfileName": fp.Name,
		"fargateProfileArn": "arn:" + c.partition + ":eks:" + cl.Region + ":" + c.acct.ID + ":fargateprofile/" + cl.Name + "/" + fp.Name + "/" +
			resourceUUID(c.acct.ID, cl.Region, cl.Name, "fargate", fp.Name),
		"clusterName":         cl.Name,
		"createdAt":           float64(fp.Created.UnixMilli()) / 1000,
		"podExecutionRoleArn": fp.ExecutionRole,
		"subnets":             []string{},
		"selectors":           sels,
		"status":              "ACTIVE",
		"tags":                map[string]string{},
		"health":              map[string]any{"issues": []any{}},
	}}, nil
}

func listFargateProfiles(e *Emulator, c *call) (any, error) {
	cl, err := c.cluster()
	if err != nil {
		return nil, err
	}
	var names []string
	for n := range cl.Fargate {
		names = append(names, n)
	}
	sort.Strings(names)
	p, err := e.paginateEKS(c, names)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"fargateProfileNames": append([]string{}, names[p.start:p.end]...)}
	if p.next != "" {
		out["nextToken"] = p.next
	}
	return out, nil
}
