package apply

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/irsa-sync/irsa-sync/internal/awsapi"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// ErrNotOwned is wrapped by the error of a change refused at write time
// because the live object's owner is not this file's.
var ErrNotOwned = errors.New("not this owner's object")

// Ownership is decided again at write time, per object, whatever the plan
// says: a plan is data that may be stale or edited, and the only owner that
// counts is the one on the live object now. An update or delete of an
// object whose owner tag names someone else (or no one) is refused unless
// the change is an explicit adopt the file asked for. These are one read per
// changed object, never per unchanged one.

// ownerOf reads the live owner tag of a role, policy or OIDC provider.
// found is false when the object does not exist (a delete then has nothing
// to do).
func (w *writer) ownerOf(client awsapi.IAM, kind resource.Kind, name, arn string) (owner string, found bool, err error) {
	err = w.read(fmt.Sprintf("read the owner of %s %q", kind, name), func(ctx context.Context) error {
		var tags []iamtypes.Tag
		switch kind {
		case resource.KindRole:
			out, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
			if err != nil {
				return err
			}
			tags = out.Role.Tags
		case resource.KindPolicy:
			out, err := client.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
			if err != nil {
				return err
			}
			tags = out.Policy.Tags
		case resource.KindProvider:
			out, err := client.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
			if err != nil {
				return err
			}
			tags = out.Tags
		default:
			return fmt.Errorf("no owner read for kind %q", kind)
		}
		owner, found = tagMap(tags)[resource.OwnerTag], true
		return nil
	})
	if isA[*iamtypes.NoSuchEntityException](err) {
		return "", false, nil
	}
	return owner, found, err
}

// mayWrite refuses an update or delete of an IAM object this owner does not
// hold, reading its tags now. It returns proceed false, and no error, for a
// delete of an object that is already gone.
func (w *writer) mayWrite(client awsapi.IAM, c plan.Change, name, arn string) (proceed bool, err error) {
	owner, found, err := w.ownerOf(client, c.Kind, name, arn)
	if err != nil {
		return false, err
	}
	if !found {
		if c.Action == plan.Delete {
			return false, nil
		}
		return false, fmt.Errorf("%s %q no longer exists: run plan again", c.Kind, name)
	}
	return true, w.ownedOrAdopted(c, fmt.Sprintf("%s %q", c.Kind, name), owner)
}

// ownedOrAdopted is the rule itself, shared by IAM objects and
// ServiceAccounts.
func (w *writer) ownedOrAdopted(c plan.Change, what, owner string) error {
	switch {
	case owner == w.owner:
		return nil
	case c.Adopt && c.Action == plan.Update:
		// The file adopts it: the plan showed the takeover for review.
		return nil
	case owner == "":
		return fmt.Errorf("%s has no owner now, and this change is no adoption: it is not %sd (%w); run plan again", what, c.Action, ErrNotOwned)
	default:
		return fmt.Errorf("%s belongs to owner %q now: it is not %sd (%w); run plan again", what, owner, c.Action, ErrNotOwned)
	}
}
