package apply

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/irsa-sync/irsa-sync/internal/awsapi"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// association writes one EKS Pod Identity association change. An update or
// delete first describes the association, so that ownership is decided on
// the live object at write time, as for IAM objects (owner.go): another
// owner's association is changed only by an explicit adopt, an add-on's
// never. Associations are eventually consistent ("several seconds", EKS
// user guide, pod-id-association): a create that a rerun repeats too soon
// gets ResourceInUseException, and the rerun after that settles it.
func (w *writer) association() error {
	c := w.change
	client := w.clients.EKS[c.Cluster]
	if client == nil {
		return fmt.Errorf("no EKS client for cluster %q", c.Cluster)
	}
	account := c.AccountID()
	switch c.Action {
	case plan.Create:
		a := c.Association.After
		what := fmt.Sprintf("create Pod Identity association %s for role %s", a.Key(), a.RoleARN)
		err := w.call(account, what, func(ctx context.Context) error {
			in := &eks.CreatePodIdentityAssociationInput{ClusterName: aws.String(a.Cluster), Namespace: aws.String(a.Namespace),
				ServiceAccount: aws.String(a.ServiceAccount), RoleArn: aws.String(a.RoleARN), Tags: a.Tags}
			if a.TargetRoleARN != "" {
				in.TargetRoleArn = aws.String(a.TargetRoleARN)
			}
			_, err := client.CreatePodIdentityAssociation(ctx, in)
			return err
		})
		if isA[*ekstypes.ResourceInUseException](err) {
			// Reads, not writes: outside the write's attempt count.
			return w.associationExists(client, a, err)
		}
		return err
	case plan.Update:
		before, after := c.Association.Before, c.Association.After
		if err := w.mayWriteAssociation(client, before); err != nil {
			return err
		}
		if _, ok := c.Field(plan.FieldRoleARN); ok || hasField(c, plan.FieldTargetRoleARN) {
			what := fmt.Sprintf("update Pod Identity association %s (%s) to role %s", after.Key(), before.ID, after.RoleARN)
			if err := w.call(account, what, func(ctx context.Context) error {
				_, err := client.UpdatePodIdentityAssociation(ctx, &eks.UpdatePodIdentityAssociationInput{ClusterName: aws.String(after.Cluster),
					AssociationId: aws.String(before.ID), RoleArn: aws.String(after.RoleARN), TargetRoleArn: aws.String(after.TargetRoleARN)})
				return err
			}); err != nil {
				return err
			}
		}
		if !hasField(c, plan.FieldTags) {
			return nil
		}
		// An adopted association takes this owner's tag; others' tags stay.
		what := fmt.Sprintf("tag Pod Identity association %s (%s) with %s", after.Key(), before.ID, resource.OwnerTag)
		return w.call(account, what, func(ctx context.Context) error {
			_, err := client.TagResource(ctx, &eks.TagResourceInput{ResourceArn: aws.String(before.ARN), Tags: map[string]string{resource.OwnerTag: w.owner}})
			return err
		})
	case plan.Delete:
		before := c.Association.Before
		if err := w.mayWriteAssociation(client, before); err != nil {
			return ignore[*ekstypes.ResourceNotFoundException](err)
		}
		what := fmt.Sprintf("delete Pod Identity association %s (%s)", before.Key(), before.ID)
		return w.call(account, what, func(ctx context.Context) error {
			_, err := client.DeletePodIdentityAssociation(ctx, &eks.DeletePodIdentityAssociationInput{ClusterName: aws.String(before.Cluster), AssociationId: aws.String(before.ID)})
			return ignore[*ekstypes.ResourceNotFoundException](err)
		})
	}
	return fmt.Errorf("unknown action %q", c.Action)
}

// mayWriteAssociation describes the live association and refuses the write
// unless it is this owner's, or the change adopts it; an add-on's is
// always refused.
func (w *writer) mayWriteAssociation(client interface {
	DescribePodIdentityAssociation(context.Context, *eks.DescribePodIdentityAssociationInput, ...func(*eks.Options)) (*eks.DescribePodIdentityAssociationOutput, error)
}, a *resource.Association) error {
	var live *ekstypes.PodIdentityAssociation
	err := w.read(fmt.Sprintf("read the owner of Pod Identity association %s (%s)", a.Key(), a.ID), func(ctx context.Context) error {
		out, err := client.DescribePodIdentityAssociation(ctx, &eks.DescribePodIdentityAssociationInput{ClusterName: aws.String(a.Cluster), AssociationId: aws.String(a.ID)})
		if err == nil {
			live = out.Association
		}
		return err
	})
	if err != nil {
		return err
	}
	if arn := aws.ToString(live.OwnerArn); arn != "" {
		return fmt.Errorf("the Pod Identity association %s is owned by the EKS add-on %s: %w", a.Key(), arn, ErrNotOwned)
	}
	if owner := live.Tags[resource.OwnerTag]; owner != w.owner && !w.change.Adopt {
		return fmt.Errorf("the Pod Identity association %s has owner %q, not %q: %w", a.Key(), owner, w.owner, ErrNotOwned)
	}
	return nil
}

// associationExists finishes a create that found an association of the
// service account (another apply of this file won the race, or a create
// whose answer was lost): it is done when that association is this owner's
// with the desired roles, and the original error otherwise.
func (w *writer) associationExists(client awsapi.EKS, a *resource.Association, createErr error) error {
	var live *ekstypes.PodIdentityAssociation
	err := w.read(fmt.Sprintf("read the association of %s that exists", a.Key()), func(ctx context.Context) error {
		list, err := client.ListPodIdentityAssociations(ctx, &eks.ListPodIdentityAssociationsInput{ClusterName: aws.String(a.Cluster),
			Namespace: aws.String(a.Namespace), ServiceAccount: aws.String(a.ServiceAccount)})
		if err != nil {
			return err
		}
		if len(list.Associations) != 1 {
			return fmt.Errorf("%d associations listed", len(list.Associations))
		}
		out, err := client.DescribePodIdentityAssociation(ctx, &eks.DescribePodIdentityAssociationInput{ClusterName: aws.String(a.Cluster), AssociationId: list.Associations[0].AssociationId})
		if err == nil {
			live = out.Association
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("%w (%v)", createErr, err)
	}
	if live.Tags[resource.OwnerTag] != w.owner || aws.ToString(live.RoleArn) != a.RoleARN || aws.ToString(live.TargetRoleArn) != a.TargetRoleARN {
		return fmt.Errorf("%w (association %s exists with role %s and owner %q: plan again)", createErr, aws.ToString(live.AssociationId), aws.ToString(live.RoleArn), live.Tags[resource.OwnerTag])
	}
	return nil
}

// associationRefs are the roles an association names: EKS checks the
// role's trust when the association is created or updated, so it waits on
// the role (and the target role) being written first.
func associationRefs(a *resource.Association) []string {
	if a == nil {
		return nil
	}
	out := []string{a.RoleARN}
	if a.TargetRoleARN != "" {
		out = append(out, a.TargetRoleARN)
	}
	return out
}

func hasField(c plan.Change, name plan.FieldName) bool {
	_, ok := c.Field(name)
	return ok
}
