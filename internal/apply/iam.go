package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/irsa-sync/irsa-sync/internal/awsapi"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

func (w *writer) iam(account string) (awsapi.IAM, error) {
	c := w.clients.IAM[account]
	if c == nil {
		return nil, fmt.Errorf("no IAM client for account %s", account)
	}
	return c, nil
}

func (w *writer) provider() error {
	c := w.change
	p := c.Provider.After
	if c.Action == plan.Delete {
		p = c.Provider.Before
	}
	client, err := w.iam(p.AccountID)
	if err != nil {
		return err
	}
	if c.Action == plan.Delete {
		// Providers are shared: an update only adds a client id, whoever
		// made the provider; a delete needs it to be this owner's.
		if proceed, err := w.mayWrite(client, c, p.URL, p.ARN); err != nil || !proceed {
			return err
		}
	}
	switch c.Action {
	case plan.Create:
		err := w.call(p.AccountID, fmt.Sprintf("create OIDC provider %q", p.URL), func(ctx context.Context) error {
			_, err := client.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
				Url: aws.String("https://" + p.URL), ClientIDList: p.ClientIDs, Tags: tags(p.Tags),
			})
			return err
		})
		if alreadyExists(err) {
			return w.providerExists(client, p, err)
		}
		return err
	case plan.Update:
		f, _ := c.Field(plan.FieldClientIDs)
		for _, id := range f.Added {
			if err := w.call(p.AccountID, fmt.Sprintf("add client id %q to OIDC provider %q", id, p.URL), func(ctx context.Context) error {
				_, err := client.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(p.ARN), ClientID: aws.String(id)})
				return err
			}); err != nil {
				return err
			}
		}
		return nil
	default:
		return w.call(p.AccountID, fmt.Sprintf("delete OIDC provider %q", p.URL), func(ctx context.Context) error {
			_, err := client.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(p.ARN)})
			return ignore[*iamtypes.NoSuchEntityException](err)
		})
	}
}

func (w *writer) policy() error {
	c := w.change
	p := c.Policy.After
	if c.Action == plan.Delete {
		p = c.Policy.Before
	}
	client, err := w.iam(p.AccountID)
	if err != nil {
		return err
	}
	if c.Action != plan.Create {
		if proceed, err := w.mayWrite(client, c, p.Name, p.ARN); err != nil || !proceed {
			return err
		}
	}
	if c.Action == plan.Delete {
		return w.deletePolicy(p)
	}
	if c.Action == plan.Create {
		err := w.call(p.AccountID, fmt.Sprintf("create policy %q", p.Name), func(ctx context.Context) error {
			_, err := client.CreatePolicy(ctx, &iam.CreatePolicyInput{
				PolicyName: aws.String(p.Name), Path: aws.String(p.Path), PolicyDocument: aws.String(p.Document.JSON()),
				Description: optional(p.Description), Tags: tags(p.Tags),
			})
			return err
		})
		if alreadyExists(err) {
			return w.policyExists(client, p, err)
		}
		return err
	}
	if c.RetireVersion != "" {
		if err := w.call(p.AccountID, fmt.Sprintf("delete version %s of policy %q", c.RetireVersion, p.Name), func(ctx context.Context) error {
			_, err := client.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(p.ARN), VersionId: aws.String(c.RetireVersion)})
			return ignore[*iamtypes.NoSuchEntityException](err)
		}); err != nil {
			return err
		}
	}
	if _, ok := c.Field(plan.FieldDocument); ok {
		if err := w.call(p.AccountID, fmt.Sprintf("publish a new version of policy %q", p.Name), func(ctx context.Context) error {
			_, err := client.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(p.ARN), PolicyDocument: aws.String(p.Document.JSON()), SetAsDefault: true})
			return err
		}); err != nil {
			return err
		}
	}
	if f, ok := c.Field(plan.FieldTags); ok {
		set, unset := tagChanges(f)
		if len(unset) > 0 {
			if err := w.call(p.AccountID, fmt.Sprintf("untag policy %q", p.Name), func(ctx context.Context) error {
				_, err := client.UntagPolicy(ctx, &iam.UntagPolicyInput{PolicyArn: aws.String(p.ARN), TagKeys: unset})
				return err
			}); err != nil {
				return err
			}
		}
		if len(set) > 0 {
			return w.call(p.AccountID, fmt.Sprintf("tag policy %q", p.Name), func(ctx context.Context) error {
				_, err := client.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: aws.String(p.ARN), Tags: set})
				return err
			})
		}
	}
	return nil
}

// deletePolicy removes the non-default versions first: IAM refuses to delete
// a policy that still has them.
func (w *writer) deletePolicy(p *resource.Policy) error {
	client, err := w.iam(p.AccountID)
	if err != nil {
		return err
	}
	var versions []iamtypes.PolicyVersion
	pg := iam.NewListPolicyVersionsPaginator(client, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(p.ARN)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(w.stop)
		if err != nil {
			if isA[*iamtypes.NoSuchEntityException](err) {
				return nil
			}
			return fmt.Errorf("list versions of policy %q: %w", p.Name, err)
		}
		versions = append(versions, page.Versions...)
	}
	for _, v := range versions {
		if v.IsDefaultVersion {
			continue
		}
		if err := w.call(p.AccountID, fmt.Sprintf("delete version %s of policy %q", aws.ToString(v.VersionId), p.Name), func(ctx context.Context) error {
			_, err := client.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(p.ARN), VersionId: v.VersionId})
			return ignore[*iamtypes.NoSuchEntityException](err)
		}); err != nil {
			return err
		}
	}
	return w.call(p.AccountID, fmt.Sprintf("delete policy %q", p.Name), func(ctx context.Context) error {
		_, err := client.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(p.ARN)})
		return ignore[*iamtypes.NoSuchEntityException](err)
	})
}

func tags(m map[string]string) []iamtypes.Tag {
	var out []iamtypes.Tag
	for _, k := range resource.SortedKeys(m) {
		out = append(out, iamtypes.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}

// tagChanges turns a tags field into the tags to set (new or changed values)
// and the keys to remove; unchanged tags are not written.
func tagChanges(f plan.Field) (set []iamtypes.Tag, unset []string) {
	before, _ := f.Before.(plan.Tags)
	after, _ := f.After.(plan.Tags)
	for _, k := range resource.SortedKeys(after) {
		if v, ok := before[k]; !ok || v != after[k] {
			set = append(set, iamtypes.Tag{Key: aws.String(k), Value: aws.String(after[k])})
		}
	}
	for _, k := range resource.SortedKeys(before) {
		if _, ok := after[k]; !ok {
			unset = append(unset, k)
		}
	}
	return set, unset
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

func isA[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

// ignore treats an error of type T as success: deleting what is already gone
// is what a rerun after a partial apply does.
func ignore[T error](err error) error {
	if isA[T](err) {
		return nil
	}
	return err
}

func quote(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
