// Package state holds the live state irsa-sync compares a bindings file with,
// as plain types: each account's IAM objects and quotas, and each cluster's
// issuer, namespaces and ServiceAccounts. The readers (internal/live) fill it;
// the planner and the renderers read it. It imports no SDK and no client-go,
// so neither do they.
package state

import (
	"strings"
	"time"

	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// Live is everything read, for every account and cluster of one file.
type Live struct {
	Accounts map[string]*Account `json:"accounts"` // by account id
	Clusters map[string]*Cluster `json:"clusters"` // by cluster name
	// AWSManagedPolicies are the ARNs of the AWS-managed policies of each
	// partition the file's roles refer to, read once per partition; nil
	// when the file refers to none (and nothing was read).
	AWSManagedPolicies map[string]bool `json:"awsManagedPolicies,omitempty"`
}

// Account is one AWS account's IAM objects that irsa-sync may manage.
type Account struct {
	ID string `json:"id"`
	// Partition is the account's partition (aws, aws-cn, aws-us-gov), from
	// the ARN sts:GetCallerIdentity answers with: every ARN irsa-sync
	// builds for the account is in it.
	Partition string `json:"partition"`
	// Roles by lower-cased name: IAM role names are unique per account
	// without regard to case.
	Roles map[string]resource.Role `json:"roles"`
	// Policies are the account's customer-managed policies, by lower-cased
	// name (unique per account whatever the path).
	Policies  map[string]Policy            `json:"policies"`
	Providers map[string]resource.Provider `json:"providers"` // by ARN
	Quotas    Quotas                       `json:"quotas"`
}

// Role returns the live role of that name, if any.
func (a *Account) Role(name string) (resource.Role, bool) {
	r, ok := a.Roles[strings.ToLower(name)]
	return r, ok
}

// Policy returns the live customer-managed policy of that name, if any.
func (a *Account) Policy(name string) (Policy, bool) {
	p, ok := a.Policies[strings.ToLower(name)]
	return p, ok
}

// Policy is a customer-managed policy with its versions.
type Policy struct {
	resource.Policy
	DefaultVersion  string          `json:"defaultVersion"`
	Versions        []PolicyVersion `json:"versions"`
	AttachmentCount int             `json:"attachmentCount"`
	// TagsKnown is false when the reader did not read this policy's tags
	// (IAM's bulk read omits them; they are read for policies the file
	// names, and for all with --prune).
	TagsKnown bool `json:"tagsKnown"`
}

// PolicyVersion is one stored version of a managed policy.
type PolicyVersion struct {
	ID      string    `json:"id"`
	Default bool      `json:"default"`
	Created time.Time `json:"created"`
}

// Quotas are the IAM limits of an account that a plan must respect, read
// from GetAccountSummary (each may have been raised from its default).
type Quotas struct {
	AssumeRolePolicySize    int `json:"assumeRolePolicySize"`
	AttachedPoliciesPerRole int `json:"attachedPoliciesPerRole"`
	PolicySize              int `json:"policySize"`
	VersionsPerPolicy       int `json:"versionsPerPolicy"`
	// Roles is RolesQuota, the roles an account may hold.
	Roles int `json:"roles"`
	// OIDCProviders is the OIDC providers an account may hold. It is not
	// in GetAccountSummary: it is IAM's default, or the file's
	// settings.oidcProvidersQuota.
	OIDCProviders int `json:"oidcProviders"`
}

// DefaultQuotas are IAM's defaults, used where an account reports none
// ("IAM and AWS STS quotas").
var DefaultQuotas = Quotas{
	AssumeRolePolicySize:    2048,
	AttachedPoliciesPerRole: 10,
	PolicySize:              6144,
	VersionsPerPolicy:       5,
	Roles:                   1000,
	OIDCProviders:           100,
}

// InlinePolicySizeLimit is IAM's fixed limit on the inline policies of one
// role, all together, in characters without white space.
const InlinePolicySizeLimit = 10240

// Cluster is one cluster's issuer and ServiceAccounts.
type Cluster struct {
	Name   string `json:"name"`
	Issuer string `json:"issuer"`
	// Namespaces that exist; nil when not read.
	Namespaces map[string]bool `json:"namespaces,omitempty"`
	// ServiceAccounts by "namespace/name".
	ServiceAccounts map[string]ServiceAccount `json:"serviceAccounts"`
	// PodIdentity is what EKS says about the cluster's Pod Identity; nil
	// when the file binds nothing in it via Pod Identity and does not
	// prune.
	PodIdentity *PodIdentity `json:"podIdentity,omitempty"`
	// ConfigMaps are the ConfigMaps labelled as irsa-sync's (any owner's)
	// and those of the names the file declares, by "namespace/name"; nil
	// when not read (see live.ReadConfigMaps).
	ConfigMaps map[string]ConfigMap `json:"configMaps,omitempty"`
}

// ConfigMap is a live ConfigMap, with who manages its fields.
type ConfigMap struct {
	resource.ConfigMap
	// Managers are the field managers that own any field (sorted).
	Managers []string `json:"managers,omitempty"`
	// Owned are the fields irsa-sync's field manager owns, as
	// "labels.KEY", "annotations.KEY" and "data.KEY", sorted: the only
	// ones it may change or remove.
	Owned []string `json:"owned,omitempty"`
}

// ServiceAccount is a live ServiceAccount with all its annotations and who
// manages its fields.
type ServiceAccount struct {
	resource.ServiceAccount
	// Managers are the field managers that own any field of the object
	// (from metadata.managedFields), sorted.
	Managers []string `json:"managers,omitempty"`
	// Owned are the annotation keys irsa-sync's field manager owns, sorted:
	// the only ones it may change or remove. An annotation someone else
	// set, even one irsa-sync also knows, stays theirs.
	Owned []string `json:"owned,omitempty"`
}

// OwnedBy reports whether the object carries this owner's tag.
func OwnedBy(tags map[string]string, owner string) bool {
	return tags[resource.OwnerTag] == owner
}

// Partitions returns each account's partition, by account id.
func (s *Live) Partitions() map[string]string {
	out := make(map[string]string, len(s.Accounts))
	for id, a := range s.Accounts {
		out[id] = a.Partition
	}
	return out
}

// Issuers returns each cluster's OIDC issuer URL.
func (s *Live) Issuers() map[string]string {
	out := make(map[string]string, len(s.Clusters))
	for name, c := range s.Clusters {
		out[name] = c.Issuer
	}
	return out
}
