package state

import "github.com/irsa-sync/irsa-sync/internal/resource"

// PodIdentity is one cluster's EKS Pod Identity state: whether it can
// serve associations, and the associations it has.
type PodIdentity struct {
	// ARN is the cluster's ARN from eks:DescribeCluster; empty when the
	// cluster is not an EKS cluster (DescribeCluster does not know it).
	ARN string `json:"arn,omitempty"`
	// Agent is whether the eks-pod-identity-agent add-on is installed
	// (eks:DescribeAddon).
	Agent bool `json:"agent"`
	// FargateNamespaces are the namespaces a Fargate profile selects:
	// Pod Identity does not work on Fargate pods.
	FargateNamespaces map[string][]string `json:"fargateNamespaces,omitempty"` // namespace -> profiles
	// Count is the number of associations the cluster has, all owners.
	Count int `json:"count"`
	// Associations by "namespace/service-account". Those the reader did
	// not describe (not touched by the file or this owner) carry only
	// their id, ARN and owner ARN: the list returns summaries.
	Associations map[string]Association `json:"associations"`
}

// Association is a live association; Described is false for a summary.
type Association struct {
	resource.Association
	Described bool `json:"described"`
}
