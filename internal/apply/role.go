package apply

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/irsa-sync/irsa-sync/internal/awsapi"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

func (w *writer) role() error {
	c := w.change
	r := c.Role.After
	if c.Action == plan.Delete {
		r = c.Role.Before
	}
	client, err := w.iam(r.AccountID)
	if err != nil {
		return err
	}
	if c.Action != plan.Create {
		if proceed, err := w.mayWrite(client, c, r.Name, r.ARN); err != nil || !proceed {
			return err
		}
	}
	if c.Action == plan.Delete {
		return w.deleteRole(r)
	}
	rw := roleWriter{writer: w, client: client, role: r}
	if c.Action == plan.Create {
		return rw.create()
	}
	return rw.update(c.Fields)
}

type roleWriter struct {
	*writer
	client awsapi.IAM
	role   *resource.Role
}

func (rw roleWriter) do(what string, fn func(ctx context.Context) error) error {
	return rw.call(rw.role.AccountID, fmt.Sprintf("%s of role %q", what, rw.role.Name), fn)
}

// create makes the role with its tags in the same call, so even a run
// stopped right after it leaves a role a rerun recognises as its own.
func (rw roleWriter) create() error {
	r := rw.role
	err := rw.call(r.AccountID, fmt.Sprintf("create role %q", r.Name), func(ctx context.Context) error {
		_, err := rw.client.CreateRole(ctx, &iam.CreateRoleInput{
			RoleName: aws.String(r.Name), Path: aws.String(r.Path), AssumeRolePolicyDocument: aws.String(r.Trust.JSON()),
			Description: optional(r.Description), MaxSessionDuration: aws.Int32(r.MaxSessionDuration),
			PermissionsBoundary: optional(r.PermissionsBoundary), Tags: tags(r.Tags),
		})
		return err
	})
	if alreadyExists(err) {
		err = rw.roleExists(err)
	}
	if err != nil {
		return err
	}
	for _, arn := range r.ManagedPolicies {
		if err := rw.attach(arn); err != nil {
			return err
		}
	}
	for _, name := range resource.SortedKeys(r.InlinePolicies) {
		if err := rw.putInline(name, r.InlinePolicies[name]); err != nil {
			return err
		}
	}
	return nil
}

// update writes exactly the fields the plan found different. Detaches run
// before attaches so a role near its attachment quota can swap policies.
func (rw roleWriter) update(fields []plan.Field) error {
	r := rw.role
	var steps []func() error
	updateRole := false
	for _, f := range fields {
		switch f.Name {
		case plan.FieldTrust:
			steps = append(steps, func() error {
				return rw.do("update trust policy", func(ctx context.Context) error {
					_, err := rw.client.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(r.Name), PolicyDocument: aws.String(r.Trust.JSON())})
					return err
				})
			})
		case plan.FieldDescription, plan.FieldMaxSessionDuration:
			updateRole = true
		case plan.FieldPermissionsBoundary:
			steps = append(steps, rw.boundary)
		case plan.FieldTags:
			set, unset := tagChanges(f)
			steps = append(steps, func() error { return rw.retag(set, unset) })
		case plan.FieldManagedPolicies:
			for _, arn := range f.Removed {
				steps = append(steps, func() error { return rw.detach(arn) })
			}
			for _, arn := range f.Added {
				steps = append(steps, func() error { return rw.attach(arn) })
			}
		case plan.FieldInlinePolicy:
			name := f.Key
			if doc, ok := r.InlinePolicies[name]; ok {
				steps = append(steps, func() error { return rw.putInline(name, doc) })
			} else {
				steps = append(steps, func() error { return rw.deleteInline(name) })
			}
		default:
			return fmt.Errorf("role %q: field %q cannot be updated", r.Name, f.Path())
		}
	}
	if updateRole {
		// One UpdateRole call sets both; IAM clears a description sent empty.
		steps = append(steps, func() error {
			return rw.do("update description and maximum session", func(ctx context.Context) error {
				_, err := rw.client.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String(r.Name), Description: aws.String(r.Description), MaxSessionDuration: aws.Int32(r.MaxSessionDuration)})
				return err
			})
		})
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func (rw roleWriter) boundary() error {
	r := rw.role
	if r.PermissionsBoundary == "" {
		return rw.do("remove permissions boundary", func(ctx context.Context) error {
			_, err := rw.client.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String(r.Name)})
			return ignore[*iamtypes.NoSuchEntityException](err)
		})
	}
	return rw.do("set permissions boundary", func(ctx context.Context) error {
		_, err := rw.client.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String(r.Name), PermissionsBoundary: aws.String(r.PermissionsBoundary)})
		return err
	})
}

func (rw roleWriter) retag(set []iamtypes.Tag, unset []string) error {
	if len(unset) > 0 {
		if err := rw.do("remove tags "+quote(unset), func(ctx context.Context) error {
			_, err := rw.client.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String(rw.role.Name), TagKeys: unset})
			return err
		}); err != nil {
			return err
		}
	}
	if len(set) == 0 {
		return nil
	}
	return rw.do("set tags", func(ctx context.Context) error {
		_, err := rw.client.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(rw.role.Name), Tags: set})
		return err
	})
}

func (rw roleWriter) attach(arn string) error {
	return rw.do("attach policy "+arn, func(ctx context.Context) error {
		_, err := rw.client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(rw.role.Name), PolicyArn: aws.String(arn)})
		return err
	})
}

func (rw roleWriter) detach(arn string) error {
	return rw.do("detach policy "+arn, func(ctx context.Context) error {
		_, err := rw.client.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(rw.role.Name), PolicyArn: aws.String(arn)})
		return ignore[*iamtypes.NoSuchEntityException](err)
	})
}

func (rw roleWriter) putInline(name string, doc policy.Document) error {
	return rw.do(fmt.Sprintf("put inline policy %q", name), func(ctx context.Context) error {
		_, err := rw.client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(rw.role.Name), PolicyName: aws.String(name), PolicyDocument: aws.String(doc.JSON())})
		return err
	})
}

func (rw roleWriter) deleteInline(name string) error {
	return rw.do(fmt.Sprintf("delete inline policy %q", name), func(ctx context.Context) error {
		_, err := rw.client.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(rw.role.Name), PolicyName: aws.String(name)})
		return ignore[*iamtypes.NoSuchEntityException](err)
	})
}

// deleteRole detaches and deletes the role's policies first: IAM refuses to
// delete a role that still has any.
func (w *writer) deleteRole(r *resource.Role) error {
	client, err := w.iam(r.AccountID)
	if err != nil {
		return err
	}
	rw := roleWriter{writer: w, client: client, role: r}
	for _, arn := range r.ManagedPolicies {
		if err := rw.detach(arn); err != nil {
			return err
		}
	}
	for _, name := range resource.SortedKeys(r.InlinePolicies) {
		if err := rw.deleteInline(name); err != nil {
			return err
		}
	}
	return w.call(r.AccountID, fmt.Sprintf("delete role %q", r.Name), func(ctx context.Context) error {
		_, err := client.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(r.Name)})
		return ignore[*iamtypes.NoSuchEntityException](err)
	})
}
