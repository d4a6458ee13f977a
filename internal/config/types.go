// Package config reads and validates a bindings file (format irsa-sync/v1).
//
// The Go types below are the file's contract; schemas/bindings.schema.json
// describes the same shape and a test keeps the two in step.
package config

import "encoding/json"

// APIVersion and Kind identify a bindings file of this format.
const (
	APIVersion = "irsa-sync/v1"
	Kind       = "Bindings"
)

// File is a whole bindings file, or the files of one desired state merged
// (see Merge). owner, accounts, clusters and roles are required of the
// whole, not of each file, so the JSON tags say omitempty; Validate
// requires them.
type File struct {
	APIVersion string    `json:"apiVersion"`
	Kind       string    `json:"kind"`
	Owner      string    `json:"owner,omitempty"`
	Accounts   []Account `json:"accounts,omitempty"`
	Clusters   []Cluster `json:"clusters,omitempty"`
	Policies   []Policy  `json:"policies,omitempty"`
	Roles      []Role    `json:"roles,omitempty"`
	Settings   Settings  `json:"settings,omitempty"`

	// Path is where the file was read from; documentFile entries are
	// resolved relative to its directory. Not part of the file itself.
	Path string `json:"-"`
	// Source is the parsed text the File came from, so that Validate can
	// name the line of each problem; nil for a File built in memory.
	Source *Source `json:"-"`
	// Parts are the files a File merged from several was made of (see
	// Merge); nil for a File read from one file.
	Parts []*File `json:"-"`
}

// Settings tune validation rules that have a sensible default.
type Settings struct {
	// MaxTrustedNamespaces warns when one role is trusted from more
	// namespaces than this (default 10).
	MaxTrustedNamespaces int `json:"maxTrustedNamespaces,omitempty"`
	// AssumeRolePolicySizeQuota is the trust size validation checks against
	// before any API call (default 2048, IAM's default); set it when the
	// accounts' quota was raised. The plan checks each account's own quota.
	AssumeRolePolicySizeQuota int `json:"assumeRolePolicySizeQuota,omitempty"`
	// DefaultVia is the via of every exact binding that sets none
	// (default irsa).
	DefaultVia string `json:"defaultVia,omitempty"`
	// OIDCProvidersQuota is the number of OIDC providers each account may
	// hold (default 100, IAM's default), for accounts whose quota was
	// raised. GetAccountSummary does not report this quota, and reading
	// it from Service Quotas would need another API and permission, so
	// the file says it.
	OIDCProvidersQuota int `json:"oidcProvidersQuota,omitempty"`
	// RequiredRolePath refuses any role whose path does not start with it,
	// so that the file asks for nothing the apply role's policy, scoped to
	// role/<path>*, would refuse (see validate_scope.go).
	RequiredRolePath string `json:"requiredRolePath,omitempty"`
	// RequiredPermissionsBoundary refuses any role without this boundary
	// policy (name, with path if any, in the role's own account), which
	// the apply role's iam:PermissionsBoundary condition demands.
	RequiredPermissionsBoundary string `json:"requiredPermissionsBoundary,omitempty"`
}

// The ways a service account can reach its role.
const (
	// ViaIRSA: the eks.amazonaws.com/role-arn annotation and an OIDC
	// subject in the role's trust.
	ViaIRSA = "irsa"
	// ViaPodIdentity: an EKS Pod Identity association and a
	// pods.eks.amazonaws.com statement in the trust.
	ViaPodIdentity = "podIdentity"
	// ViaBoth: both at once, the middle step of a move between the two.
	ViaBoth = "both"
)

// Account is an AWS account irsa-sync manages objects in.
type Account struct {
	Name string `json:"name"`
	ID   string `json:"id"`
	// AssumeRoleArn is a role irsa-sync assumes to reach this account.
	AssumeRoleArn string `json:"assumeRoleArn,omitempty"`
	// ExternalID goes with AssumeRoleArn when the role's trust asks for one.
	ExternalID string `json:"externalId,omitempty"`
	// Profile is a shared-config profile to use instead of the default chain.
	Profile string `json:"profile,omitempty"`
}

// Cluster is an EKS cluster whose service accounts assume roles.
type Cluster struct {
	Name    string `json:"name"`
	Account string `json:"account"`
	Region  string `json:"region"`
	// KubeContext names the kubeconfig context used to reach the cluster.
	KubeContext string `json:"kubeContext,omitempty"`
	// OIDCIssuer overrides the issuer read from eks:DescribeCluster.
	OIDCIssuer string `json:"oidcIssuer,omitempty"`
	// Auth "eks" reaches the cluster with a token made from AWS credentials,
	// with no kubeconfig.
	Auth string `json:"auth,omitempty"`
	// InCluster uses the pod's own service account (irsa-sync running as a
	// CronJob inside this cluster).
	InCluster bool `json:"inCluster,omitempty"`
}

// Policy is a customer-managed IAM policy.
type Policy struct {
	Name        string `json:"name"`
	Account     string `json:"account"`
	Path        string `json:"path,omitempty"`
	Description string `json:"description,omitempty"`
	// Document is the policy inline in the file; DocumentFile names a JSON
	// file relative to the bindings file. Exactly one is set in the file;
	// Load then fills Document from DocumentFile.
	Document     json.RawMessage `json:"document,omitempty"`
	DocumentFile string          `json:"documentFile,omitempty"`
	// DocumentSource is the path Load read Document from when DocumentFile
	// is set, for messages. Not part of the file itself.
	DocumentSource string            `json:"-"`
	Tags           map[string]string `json:"tags,omitempty"`
	// Adopt lets irsa-sync take over a policy of this name that it did not
	// create (no owner tag, or another owner's).
	Adopt bool `json:"adopt,omitempty"`
}

// Role is an IAM role assumed by service accounts through IRSA.
type Role struct {
	Name                string            `json:"name"`
	Account             string            `json:"account"`
	Description         string            `json:"description,omitempty"`
	Path                string            `json:"path,omitempty"`
	MaxSessionDuration  int32             `json:"maxSessionDuration,omitempty"`
	PermissionsBoundary string            `json:"permissionsBoundary,omitempty"`
	Tags                map[string]string `json:"tags,omitempty"`
	// Policies are names of policies in this file, or managed policy ARNs.
	Policies []string `json:"policies,omitempty"`
	// InlinePolicies maps an inline policy name to its document.
	InlinePolicies map[string]json.RawMessage `json:"inlinePolicies,omitempty"`
	// ServiceAccounts may be empty only for a role reached by chaining
	// (AssumedFrom).
	ServiceAccounts []ServiceAccount `json:"serviceAccounts,omitempty"`
	// AssumedFrom lists the roles of this file that may assume this one
	// (role chaining, the AWS guide's second cross-account pattern).
	AssumedFrom []ChainSource `json:"assumedFrom,omitempty"`
	Adopt       bool          `json:"adopt,omitempty"`
	// SourceRole names the role irsa-sync manages in a cluster's account
	// when this role is in another account and bound via podIdentity or
	// both: EKS assumes the source role (trusting pods.eks.amazonaws.com)
	// and then this one as the association's targetRoleArn.
	SourceRole string `json:"sourceRole,omitempty"`
	// AllowNamespaceWildcard permits a wildcard in the namespace part of a
	// subject, which is otherwise refused as almost always a mistake.
	AllowNamespaceWildcard bool `json:"allowNamespaceWildcard,omitempty"`
}

// ServiceAccount binds a Kubernetes service account (or, with * or ? in the
// name, a pattern of them) to the role that lists it.
type ServiceAccount struct {
	Cluster   string `json:"cluster"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// StsRegionalEndpoints sets eks.amazonaws.com/sts-regional-endpoints.
	StsRegionalEndpoints bool `json:"stsRegionalEndpoints,omitempty"`
	// Audience sets eks.amazonaws.com/audience, and the trust checks it.
	Audience string `json:"audience,omitempty"`
	// TokenExpiration sets eks.amazonaws.com/token-expiration (seconds).
	TokenExpiration int64 `json:"tokenExpiration,omitempty"`
	// Adopt lets irsa-sync replace a role-arn annotation it did not set.
	Adopt bool `json:"adopt,omitempty"`
	// Via is how the service account reaches the role: irsa, podIdentity
	// or both; empty takes settings.defaultVia, else irsa. Patterns can
	// only be irsa: Pod Identity associations name one service account.
	Via string `json:"via,omitempty"`
}

// ViaOf returns the effective via of a binding of this file.
func (f *File) ViaOf(sa ServiceAccount) string {
	switch {
	case sa.Via != "":
		return sa.Via
	case f.Settings.DefaultVia != "" && !isPattern(sa.Namespace) && !isPattern(sa.Name):
		return f.Settings.DefaultVia
	}
	return ViaIRSA
}

// UsesIRSA reports whether a via keeps the IRSA annotation and subject.
func UsesIRSA(via string) bool { return via != ViaPodIdentity }

// UsesPodIdentity reports whether a via needs a Pod Identity association.
func UsesPodIdentity(via string) bool { return via == ViaPodIdentity || via == ViaBoth }

// ChainSource is a role of this file that may assume the role listing it:
// irsa-sync adds a statement naming it to that role's trust, and an inline
// policy to it allowing sts:AssumeRole on exactly that role.
type ChainSource struct {
	// Role is the source role's name under roles.
	Role string `json:"role"`
	// Account is the source role's account; needed only when roles of
	// that name are declared in several accounts.
	Account string `json:"account,omitempty"`
	// TagSession also allows sts:TagSession, for an application that passes
	// session tags when it assumes the role.
	TagSession bool `json:"tagSession,omitempty"`
	// ProfileConfigMap, when set, has irsa-sync write a ConfigMap holding
	// the AWS config profiles that chain from the source role to this one,
	// for the source role's pods to mount.
	ProfileConfigMap *ProfileConfigMap `json:"profileConfigMap,omitempty"`
}

// ProfileConfigMap is where the AWS config profile of one chain is written:
// a ConfigMap in a namespace whose pods run as the source role.
type ProfileConfigMap struct {
	Cluster   string `json:"cluster"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Adopt lets irsa-sync take over a ConfigMap of this name that it did
	// not write (one made by hand for the same chain).
	Adopt bool `json:"adopt,omitempty"`
}
