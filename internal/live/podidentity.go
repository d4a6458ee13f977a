package live

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/irsa-sync/irsa-sync/internal/awsapi"
	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
)

// PodIdentityAgent is the EKS add-on that serves Pod Identity credentials
// on the nodes; without it an association gives pods nothing
// (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-agent-setup.html).
const PodIdentityAgent = "eks-pod-identity-agent"

// PodIdentityOptions say what ReadPodIdentity reads.
type PodIdentityOptions struct {
	// ARN is the cluster's ARN when DescribeCluster was already called;
	// empty to call it.
	ARN string
	// Eligibility reads the agent add-on and the Fargate profiles: only
	// needed when the file binds service accounts of the cluster via Pod
	// Identity.
	Eligibility bool
	// Touched reports whether an association's namespace/service account
	// is one the file or this owner's ServiceAccounts name: only those
	// are described.
	Touched func(key string) bool
	// DescribeAll describes every association not owned by an add-on, for
	// --prune, which needs each one's owner tag.
	DescribeAll bool
}

// ReadPodIdentity reads a cluster's Pod Identity state: its ARN, the agent
// add-on and Fargate profiles when asked, and its associations. The list
// returns PodIdentityAssociationSummary items, without roleArn,
// targetRoleArn or tags (EKS API reference, ListPodIdentityAssociations),
// so an association is described only when it is touched: the calls grow
// with list pages and touched associations, never with the estate's roles.
func ReadPodIdentity(ctx context.Context, client awsapi.EKS, cluster string, opts PodIdentityOptions) (*state.PodIdentity, error) {
	pi := &state.PodIdentity{ARN: opts.ARN, Associations: map[string]state.Association{}}
	if pi.ARN == "" {
		out, err := client.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(cluster)})
		var nf *ekstypes.ResourceNotFoundException
		switch {
		case errors.As(err, &nf):
			return pi, nil // not an EKS cluster (or not in this account and region)
		case err != nil:
			return nil, fmt.Errorf("cluster %q: eks:DescribeCluster: %w", cluster, err)
		}
		pi.ARN = aws.ToString(out.Cluster.Arn)
	}
	if opts.Eligibility {
		if err := readEligibility(ctx, client, cluster, pi); err != nil {
			return nil, err
		}
	}
	var summaries []ekstypes.PodIdentityAssociationSummary
	in := &eks.ListPodIdentityAssociationsInput{ClusterName: aws.String(cluster), MaxResults: aws.Int32(100)}
	for {
		out, err := client.ListPodIdentityAssociations(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("cluster %q: eks:ListPodIdentityAssociations: %w", cluster, err)
		}
		summaries = append(summaries, out.Associations...)
		if in.NextToken = out.NextToken; aws.ToString(in.NextToken) == "" {
			break
		}
	}
	pi.Count = len(summaries)
	var mu sync.Mutex
	var fns []func(context.Context) error
	for _, s := range summaries {
		a := state.Association{Association: resource.Association{
			Cluster: cluster, Namespace: aws.ToString(s.Namespace), ServiceAccount: aws.ToString(s.ServiceAccount),
			ID: aws.ToString(s.AssociationId), ARN: aws.ToString(s.AssociationArn), OwnerARN: aws.ToString(s.OwnerArn),
		}}
		pi.Associations[a.Key()] = a
		touched := opts.DescribeAll || (opts.Touched != nil && opts.Touched(a.Key()))
		if a.OwnerARN != "" || !touched {
			continue
		}
		fns = append(fns, func(ctx context.Context) error {
			out, err := client.DescribePodIdentityAssociation(ctx, &eks.DescribePodIdentityAssociationInput{ClusterName: aws.String(cluster), AssociationId: aws.String(a.ID)})
			if err != nil {
				return fmt.Errorf("cluster %q: eks:DescribePodIdentityAssociation %s (%s): %w", cluster, a.ID, a.Key(), err)
			}
			d := out.Association
			a.RoleARN, a.TargetRoleARN, a.Tags, a.Described = aws.ToString(d.RoleArn), aws.ToString(d.TargetRoleArn), d.Tags, true
			a.OwnerARN = aws.ToString(d.OwnerArn)
			mu.Lock()
			defer mu.Unlock()
			pi.Associations[a.Key()] = a
			return nil
		})
	}
	// EKS's request rate limits are per account and Region; the reader's
	// usual bound keeps describes well inside them.
	if err := all(ctx, fns...); err != nil {
		return nil, err
	}
	return pi, nil
}

// readEligibility reads what decides whether Pod Identity works in the
// cluster: the agent add-on (DescribeAddon: ResourceNotFoundException when
// it is not installed) and the namespaces Fargate profiles select (Pod
// Identity does not support Fargate pods; pod-identities.html).
func readEligibility(ctx context.Context, client awsapi.EKS, cluster string, pi *state.PodIdentity) error {
	_, err := client.DescribeAddon(ctx, &eks.DescribeAddonInput{ClusterName: aws.String(cluster), AddonName: aws.String(PodIdentityAgent)})
	var nf *ekstypes.ResourceNotFoundException
	switch {
	case errors.As(err, &nf):
	case err != nil:
		return fmt.Errorf("cluster %q: eks:DescribeAddon %s: %w", cluster, PodIdentityAgent, err)
	default:
		pi.Agent = true
	}
	var names []string
	in := &eks.ListFargateProfilesInput{ClusterName: aws.String(cluster)}
	for {
		out, err := client.ListFargateProfiles(ctx, in)
		if err != nil {
			return fmt.Errorf("cluster %q: eks:ListFargateProfiles: %w", cluster, err)
		}
		names = append(names, out.FargateProfileNames...)
		if in.NextToken = out.NextToken; aws.ToString(in.NextToken) == "" {
			break
		}
	}
	for _, name := range names {
		out, err := client.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{ClusterName: aws.String(cluster), FargateProfileName: aws.String(name)})
		if err != nil {
			return fmt.Errorf("cluster %q: eks:DescribeFargateProfile %s: %w", cluster, name, err)
		}
		for _, sel := range out.FargateProfile.Selectors {
			if pi.FargateNamespaces == nil {
				pi.FargateNamespaces = map[string][]string{}
			}
			ns := aws.ToString(sel.Namespace)
			pi.FargateNamespaces[ns] = append(pi.FargateNamespaces[ns], name)
		}
	}
	return nil
}

// clusterBindings are one cluster's exact bindings in the file, and those
// via Pod Identity (podIdentity or both).
type clusterBindings struct{ exact, pod map[string]bool }

// boundKeys returns each cluster's bindings by "namespace/name".
func boundKeys(f *config.File) map[string]clusterBindings {
	out := map[string]clusterBindings{}
	for _, r := range f.Roles {
		for _, b := range r.ServiceAccounts {
			if strings.ContainsAny(b.Namespace+b.Name, "*?") {
				continue
			}
			cb, ok := out[b.Cluster]
			if !ok {
				cb = clusterBindings{exact: map[string]bool{}, pod: map[string]bool{}}
				out[b.Cluster] = cb
			}
			key := b.Namespace + "/" + b.Name
			cb.exact[key] = true
			if config.UsesPodIdentity(f.ViaOf(b)) {
				cb.pod[key] = true
			}
		}
	}
	return out
}

// needs reports whether the cluster's Pod Identity state must be read: the
// file binds a service account there via Pod Identity, a ServiceAccount
// there carries this owner's Pod Identity mark (a binding moving back to
// IRSA, or removed), or the plan prunes.
func (cb clusterBindings) needs(cl *state.Cluster, owner string, prune bool) bool {
	if prune || len(cb.pod) > 0 {
		return true
	}
	for key := range cl.ServiceAccounts {
		if ownPodIdentity(cl, key, owner) {
			return true
		}
	}
	return false
}

// ownPodIdentity reports whether the ServiceAccount key carries this
// owner's Pod Identity mark.
func ownPodIdentity(cl *state.Cluster, key, owner string) bool {
	sa, ok := cl.ServiceAccounts[key]
	return ok && sa.Annotations[resource.OwnerAnnotation] == owner && sa.Annotations[resource.PodIdentityAnnotation] == "true"
}
