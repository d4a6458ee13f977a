package apply

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/irsa-sync/irsa-sync/internal/awsapi"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// A create that meets EntityAlreadyExists lost a race: another run (often a
// second apply of the same file) or a person made the object between our
// read and our write. Failing would leave the change for a rerun that then
// succeeds; re-reading the object and finishing the change converges now,
// and it is safe because an object of another owner is still refused.

func alreadyExists(err error) bool { return isA[*iamtypes.EntityAlreadyExistsException](err) }

// read runs a read that finishes a change already started: like call, it
// survives cancellation of the run on its own deadline, and it is no write.
func (w *writer) read(what string, fn func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(w.stop), w.opts.CallTimeout)
	defer cancel()
	if err := fn(ctx); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// providerExists finishes a provider create that found one: providers are
// shared whoever made them, so only the missing client ids are added.
func (w *writer) providerExists(client awsapi.IAM, p *resource.Provider, createErr error) error {
	arn := p.ARN
	var have []string
	if err := w.read(fmt.Sprintf("read OIDC provider %q, which exists already", p.URL), func(ctx context.Context) error {
		out, err := client.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
		if err == nil {
			have = out.ClientIDList
		}
		return err
	}); err != nil {
		return fmt.Errorf("%w (after: %w)", err, createErr)
	}
	for _, id := range p.ClientIDs {
		if slices.Contains(have, id) {
			continue
		}
		if err := w.call(p.AccountID, fmt.Sprintf("add client id %q to OIDC provider %q", id, p.URL), func(ctx context.Context) error {
			_, err := client.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String(id)})
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// checkOwner refuses an object that appeared under another owner's tag (or
// none) between plan and apply: that is a conflict for a person to resolve.
func checkOwner(what, name string, tags []iamtypes.Tag, want map[string]string) error {
	got := tagMap(tags)
	if got[resource.OwnerTag] != want[resource.OwnerTag] {
		return fmt.Errorf("%s %q was created by someone else (owner tag %q) while this apply ran: it is not changed; run plan to see the conflict", what, name, got[resource.OwnerTag])
	}
	return nil
}

func tagMap(tags []iamtypes.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// missingTags are the wanted tags the object lacks or holds with another value.
func missingTags(have []iamtypes.Tag, want map[string]string) []iamtypes.Tag {
	got := tagMap(have)
	var out []iamtypes.Tag
	for _, k := range resource.SortedKeys(want) {
		if v, ok := got[k]; !ok || v != want[k] {
			out = append(out, iamtypes.Tag{Key: aws.String(k), Value: aws.String(want[k])})
		}
	}
	return out
}

// policyExists finishes a policy create that found one of this owner: a new
// version is published only when the live document differs.
func (w *writer) policyExists(client awsapi.IAM, p *resource.Policy, createErr error) error {
	arn := p.ARN
	var live *iamtypes.Policy
	var doc policy.Document
	if err := w.read(fmt.Sprintf("read policy %q, which exists already", p.Name), func(ctx context.Context) error {
		out, err := client.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
		if err != nil {
			return err
		}
		live = out.Policy
		v, err := client.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: live.DefaultVersionId})
		if err != nil {
			return err
		}
		doc, err = policy.Parse([]byte(aws.ToString(v.PolicyVersion.Document)))
		return err
	}); err != nil {
		return fmt.Errorf("%w (after: %w)", err, createErr)
	}
	if err := checkOwner("policy", p.Name, live.Tags, p.Tags); err != nil {
		return err
	}
	if !doc.Equal(p.Document) {
		if err := w.publishVersion(client, arn, p); err != nil {
			return err
		}
	}
	if set := missingTags(live.Tags, p.Tags); len(set) > 0 {
		return w.call(p.AccountID, fmt.Sprintf("tag policy %q", p.Name), func(ctx context.Context) error {
			_, err := client.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: aws.String(arn), Tags: set})
			return err
		})
	}
	return nil
}

// publishVersion makes the document the default version, first deleting the
// oldest non-default version when the policy holds IAM's maximum of five.
func (w *writer) publishVersion(client awsapi.IAM, arn string, p *resource.Policy) error {
	var versions []iamtypes.PolicyVersion
	if err := w.read(fmt.Sprintf("list versions of policy %q", p.Name), func(ctx context.Context) error {
		out, err := client.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
		if err == nil {
			versions = out.Versions
		}
		return err
	}); err != nil {
		return err
	}
	if len(versions) >= 5 {
		var old []iamtypes.PolicyVersion
		for _, v := range versions {
			if !v.IsDefaultVersion {
				old = append(old, v)
			}
		}
		sort.Slice(old, func(i, j int) bool { return aws.ToTime(old[i].CreateDate).Before(aws.ToTime(old[j].CreateDate)) })
		if len(old) > 0 {
			id := old[0].VersionId
			if err := w.call(p.AccountID, fmt.Sprintf("delete version %s of policy %q", aws.ToString(id), p.Name), func(ctx context.Context) error {
				_, err := client.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: id})
				return ignore[*iamtypes.NoSuchEntityException](err)
			}); err != nil {
				return err
			}
		}
	}
	return w.call(p.AccountID, fmt.Sprintf("publish a new version of policy %q", p.Name), func(ctx context.Context) error {
		_, err := client.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(p.Document.JSON()), SetAsDefault: true})
		return err
	})
}

// roleExists brings a role of this owner that a create found to the file's
// trust, description, session, boundary and tags; the caller then attaches
// and puts policies, which IAM accepts again without harm.
func (rw roleWriter) roleExists(createErr error) error {
	r := rw.role
	var live *iamtypes.Role
	var trustDoc policy.Document
	if err := rw.read(fmt.Sprintf("read role %q, which exists already", r.Name), func(ctx context.Context) error {
		out, err := rw.client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(r.Name)})
		if err != nil {
			return err
		}
		live = out.Role
		trustDoc, err = policy.Parse([]byte(aws.ToString(live.AssumeRolePolicyDocument)))
		return err
	}); err != nil {
		return fmt.Errorf("%w (after: %w)", err, createErr)
	}
	if err := checkOwner("role", r.Name, live.Tags, r.Tags); err != nil {
		return err
	}
	if aws.ToString(live.Path) != r.Path {
		return fmt.Errorf("role %q was created with path %q while this apply ran, and IAM cannot change a path: run plan to see the error", r.Name, aws.ToString(live.Path))
	}
	if !trustDoc.Equal(r.Trust) {
		if err := rw.do("update trust policy", func(ctx context.Context) error {
			_, err := rw.client.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(r.Name), PolicyDocument: aws.String(r.Trust.JSON())})
			return err
		}); err != nil {
			return err
		}
	}
	if aws.ToString(live.Description) != r.Description || aws.ToInt32(live.MaxSessionDuration) != r.MaxSessionDuration {
		if err := rw.do("update description and maximum session", func(ctx context.Context) error {
			_, err := rw.client.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String(r.Name), Description: aws.String(r.Description), MaxSessionDuration: aws.Int32(r.MaxSessionDuration)})
			return err
		}); err != nil {
			return err
		}
	}
	boundary := ""
	if live.PermissionsBoundary != nil {
		boundary = aws.ToString(live.PermissionsBoundary.PermissionsBoundaryArn)
	}
	if boundary != r.PermissionsBoundary {
		if err := rw.boundary(); err != nil {
			return err
		}
	}
	if set := missingTags(live.Tags, r.Tags); len(set) > 0 {
		return rw.retag(set, nil)
	}
	return nil
}
