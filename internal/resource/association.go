package resource

// KindAssociation is an EKS Pod Identity association: it binds one
// service account of one cluster to a role.
const KindAssociation Kind = "pod-identity-association"

// Association is an EKS Pod Identity association. In the desired state ID,
// ARN and OwnerARN are empty; Tags are exactly those irsa-sync sets.
type Association struct {
	// AccountID is the cluster's account, where the association lives.
	AccountID      string `json:"accountId"`
	Cluster        string `json:"cluster"`
	Namespace      string `json:"namespace"`
	ServiceAccount string `json:"serviceAccount"`
	// RoleARN is the role EKS assumes, always in the cluster's account;
	// TargetRoleARN the role it then assumes with those credentials
	// (another account's), empty when there is none.
	RoleARN       string            `json:"roleArn"`
	TargetRoleARN string            `json:"targetRoleArn,omitempty"`
	ID            string            `json:"associationId,omitempty"`
	ARN           string            `json:"associationArn,omitempty"`
	Tags          map[string]string `json:"tags,omitempty"`
	// OwnerARN is set when an EKS add-on owns the association: irsa-sync
	// never changes or deletes one.
	OwnerARN string `json:"ownerArn,omitempty"`
}

// Key identifies an association within its cluster: EKS allows one per
// namespace and service account.
func (a Association) Key() string { return a.Namespace + "/" + a.ServiceAccount }

// PodIdentityAnnotation marks a ServiceAccount irsa-sync binds through EKS
// Pod Identity (via podIdentity or both): the reader then knows, from the
// ServiceAccount list alone, which clusters hold this owner's associations,
// so a file with IRSA bindings only makes no EKS Pod Identity calls.
const PodIdentityAnnotation = "irsa-sync/pod-identity"
