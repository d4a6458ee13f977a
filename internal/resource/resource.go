// Package resource defines the objects irsa-sync manages, in one plain shape
// shared by the desired state (from the bindings file), the live state (read
// from AWS and Kubernetes) and the plan, so that comparing the two sides is a
// field-by-field comparison of the same types.
package resource

import (
	"sort"

	"github.com/irsa-sync/irsa-sync/internal/policy"
)

// OwnerTag is the IAM tag, and OwnerAnnotation the ServiceAccount annotation,
// naming the bindings file's owner on everything irsa-sync created or adopted.
// irsa-sync never updates or deletes an object whose owner is another.
const (
	OwnerTag        = "irsa-sync/owner"
	OwnerAnnotation = "irsa-sync/owner"
	// CreatedAnnotation marks a ServiceAccount irsa-sync created (rather than
	// annotated), which is the only kind it may delete when pruning.
	CreatedAnnotation = "irsa-sync/created"
	// FieldManager is the server-side apply field manager irsa-sync writes
	// ServiceAccounts under: it owns exactly the annotations irsa-sync sets,
	// so labels and annotations of Helm or anyone else are never touched,
	// and dropping an annotation from what irsa-sync applies removes it.
	FieldManager = "irsa-sync"
)

// Annotations read by the EKS pod identity webhook.
const (
	AnnotationRoleARN         = "eks.amazonaws.com/role-arn"
	AnnotationSTSRegional     = "eks.amazonaws.com/sts-regional-endpoints"
	AnnotationAudience        = "eks.amazonaws.com/audience"
	AnnotationTokenExpiration = "eks.amazonaws.com/token-expiration"
)

// DefaultAudience is the token audience the webhook uses when a
// ServiceAccount does not name one.
const DefaultAudience = "sts.amazonaws.com"

// Kind names a type of managed object.
type Kind string

// The kinds of objects irsa-sync manages, in the order they are created.
const (
	KindProvider       Kind = "oidc-provider"
	KindPolicy         Kind = "policy"
	KindRole           Kind = "role"
	KindServiceAccount Kind = "serviceaccount"
)

// Order is the position of a kind in dependency order: a provider before the
// roles trusting it, a policy before the roles attaching it, a role before the
// ServiceAccounts naming it. Deletes run in the reverse order.
func (k Kind) Order() int {
	switch k {
	case KindProvider:
		return 0
	case KindPolicy:
		return 1
	case KindRole:
		return 2
	default:
		return 3
	}
}

// Provider is an IAM OIDC identity provider for one cluster issuer.
type Provider struct {
	AccountID string            `json:"accountId"`
	ARN       string            `json:"arn"`
	URL       string            `json:"url"` // the issuer without https://
	ClientIDs []string          `json:"clientIds"`
	Tags      map[string]string `json:"tags,omitempty"`
}

// Policy is a customer-managed IAM policy with its default version's document.
type Policy struct {
	AccountID   string            `json:"accountId"`
	Name        string            `json:"name"`
	Path        string            `json:"path"`
	ARN         string            `json:"arn"`
	Description string            `json:"description,omitempty"`
	Document    policy.Document   `json:"document"`
	Tags        map[string]string `json:"tags,omitempty"`
}

// Role is an IAM role with everything irsa-sync manages on it.
type Role struct {
	AccountID           string            `json:"accountId"`
	Name                string            `json:"name"`
	Path                string            `json:"path"`
	ARN                 string            `json:"arn"`
	Description         string            `json:"description,omitempty"`
	MaxSessionDuration  int32             `json:"maxSessionDuration"`
	PermissionsBoundary string            `json:"permissionsBoundary,omitempty"`
	Tags                map[string]string `json:"tags,omitempty"`
	// ManagedPolicies are the attached policies' ARNs, sorted.
	ManagedPolicies []string                   `json:"managedPolicies,omitempty"`
	InlinePolicies  map[string]policy.Document `json:"inlinePolicies,omitempty"`
	Trust           policy.Document            `json:"trust"`
}

// ServiceAccount is a Kubernetes ServiceAccount. In the desired state its
// Annotations are exactly those irsa-sync sets; in the live state, all of them.
type ServiceAccount struct {
	Cluster     string            `json:"cluster"`
	Namespace   string            `json:"namespace"`
	Name        string            `json:"name"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Key identifies a ServiceAccount within its cluster.
func (sa ServiceAccount) Key() string { return sa.Namespace + "/" + sa.Name }

// SortedKeys returns a map's keys in order, for deterministic output.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
