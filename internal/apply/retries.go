package apply

import (
	"context"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go/middleware"

	"github.com/irsa-sync/irsa-sync/internal/awsapi"
)

// attemptsKey carries, in a write's context, the counter of the HTTP
// attempts the SDK makes for it: the retryer hides its retries, and a
// report of how hard IAM pushed back is how people size WritesPerSecond.
type attemptsKey struct{}

func withAttempts(ctx context.Context, n *atomic.Int64) context.Context {
	return context.WithValue(ctx, attemptsKey{}, n)
}

// countAttempts adds a middleware after the SDK's retry loop, so it runs once
// per attempt, counting into the counter of the call's context if any.
func countAttempts(o *iam.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		return s.Finalize.Insert(middleware.FinalizeMiddlewareFunc("irsa-sync/attempts",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				if n, ok := ctx.Value(attemptsKey{}).(*atomic.Int64); ok {
					n.Add(1)
				}
				return next.HandleFinalize(ctx, in)
			}), "Retry", middleware.After)
	})
}

// countingIAM passes every call through with countAttempts. Only the calls
// apply makes are wrapped; the rest reach the embedded client unchanged.
type countingIAM struct{ awsapi.IAM }

func with(opts []func(*iam.Options)) []func(*iam.Options) {
	return append(opts[:len(opts):len(opts)], countAttempts)
}

func (c countingIAM) GetOpenIDConnectProvider(ctx context.Context, in *iam.GetOpenIDConnectProviderInput, o ...func(*iam.Options)) (*iam.GetOpenIDConnectProviderOutput, error) {
	return c.IAM.GetOpenIDConnectProvider(ctx, in, with(o)...)
}
func (c countingIAM) CreateOpenIDConnectProvider(ctx context.Context, in *iam.CreateOpenIDConnectProviderInput, o ...func(*iam.Options)) (*iam.CreateOpenIDConnectProviderOutput, error) {
	return c.IAM.CreateOpenIDConnectProvider(ctx, in, with(o)...)
}
func (c countingIAM) AddClientIDToOpenIDConnectProvider(ctx context.Context, in *iam.AddClientIDToOpenIDConnectProviderInput, o ...func(*iam.Options)) (*iam.AddClientIDToOpenIDConnectProviderOutput, error) {
	return c.IAM.AddClientIDToOpenIDConnectProvider(ctx, in, with(o)...)
}
func (c countingIAM) DeleteOpenIDConnectProvider(ctx context.Context, in *iam.DeleteOpenIDConnectProviderInput, o ...func(*iam.Options)) (*iam.DeleteOpenIDConnectProviderOutput, error) {
	return c.IAM.DeleteOpenIDConnectProvider(ctx, in, with(o)...)
}
func (c countingIAM) CreatePolicy(ctx context.Context, in *iam.CreatePolicyInput, o ...func(*iam.Options)) (*iam.CreatePolicyOutput, error) {
	return c.IAM.CreatePolicy(ctx, in, with(o)...)
}
func (c countingIAM) CreatePolicyVersion(ctx context.Context, in *iam.CreatePolicyVersionInput, o ...func(*iam.Options)) (*iam.CreatePolicyVersionOutput, error) {
	return c.IAM.CreatePolicyVersion(ctx, in, with(o)...)
}
func (c countingIAM) DeletePolicyVersion(ctx context.Context, in *iam.DeletePolicyVersionInput, o ...func(*iam.Options)) (*iam.DeletePolicyVersionOutput, error) {
	return c.IAM.DeletePolicyVersion(ctx, in, with(o)...)
}
func (c countingIAM) ListPolicyVersions(ctx context.Context, in *iam.ListPolicyVersionsInput, o ...func(*iam.Options)) (*iam.ListPolicyVersionsOutput, error) {
	return c.IAM.ListPolicyVersions(ctx, in, with(o)...)
}
func (c countingIAM) DeletePolicy(ctx context.Context, in *iam.DeletePolicyInput, o ...func(*iam.Options)) (*iam.DeletePolicyOutput, error) {
	return c.IAM.DeletePolicy(ctx, in, with(o)...)
}
func (c countingIAM) TagPolicy(ctx context.Context, in *iam.TagPolicyInput, o ...func(*iam.Options)) (*iam.TagPolicyOutput, error) {
	return c.IAM.TagPolicy(ctx, in, with(o)...)
}
func (c countingIAM) UntagPolicy(ctx context.Context, in *iam.UntagPolicyInput, o ...func(*iam.Options)) (*iam.UntagPolicyOutput, error) {
	return c.IAM.UntagPolicy(ctx, in, with(o)...)
}
func (c countingIAM) CreateRole(ctx context.Context, in *iam.CreateRoleInput, o ...func(*iam.Options)) (*iam.CreateRoleOutput, error) {
	return c.IAM.CreateRole(ctx, in, with(o)...)
}
func (c countingIAM) UpdateRole(ctx context.Context, in *iam.UpdateRoleInput, o ...func(*iam.Options)) (*iam.UpdateRoleOutput, error) {
	return c.IAM.UpdateRole(ctx, in, with(o)...)
}
func (c countingIAM) UpdateAssumeRolePolicy(ctx context.Context, in *iam.UpdateAssumeRolePolicyInput, o ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error) {
	return c.IAM.UpdateAssumeRolePolicy(ctx, in, with(o)...)
}
func (c countingIAM) PutRolePermissionsBoundary(ctx context.Context, in *iam.PutRolePermissionsBoundaryInput, o ...func(*iam.Options)) (*iam.PutRolePermissionsBoundaryOutput, error) {
	return c.IAM.PutRolePermissionsBoundary(ctx, in, with(o)...)
}
func (c countingIAM) DeleteRolePermissionsBoundary(ctx context.Context, in *iam.DeleteRolePermissionsBoundaryInput, o ...func(*iam.Options)) (*iam.DeleteRolePermissionsBoundaryOutput, error) {
	return c.IAM.DeleteRolePermissionsBoundary(ctx, in, with(o)...)
}
func (c countingIAM) TagRole(ctx context.Context, in *iam.TagRoleInput, o ...func(*iam.Options)) (*iam.TagRoleOutput, error) {
	return c.IAM.TagRole(ctx, in, with(o)...)
}
func (c countingIAM) UntagRole(ctx context.Context, in *iam.UntagRoleInput, o ...func(*iam.Options)) (*iam.UntagRoleOutput, error) {
	return c.IAM.UntagRole(ctx, in, with(o)...)
}
func (c countingIAM) AttachRolePolicy(ctx context.Context, in *iam.AttachRolePolicyInput, o ...func(*iam.Options)) (*iam.AttachRolePolicyOutput, error) {
	return c.IAM.AttachRolePolicy(ctx, in, with(o)...)
}
func (c countingIAM) DetachRolePolicy(ctx context.Context, in *iam.DetachRolePolicyInput, o ...func(*iam.Options)) (*iam.DetachRolePolicyOutput, error) {
	return c.IAM.DetachRolePolicy(ctx, in, with(o)...)
}
func (c countingIAM) PutRolePolicy(ctx context.Context, in *iam.PutRolePolicyInput, o ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error) {
	return c.IAM.PutRolePolicy(ctx, in, with(o)...)
}
func (c countingIAM) DeleteRolePolicy(ctx context.Context, in *iam.DeleteRolePolicyInput, o ...func(*iam.Options)) (*iam.DeleteRolePolicyOutput, error) {
	return c.IAM.DeleteRolePolicy(ctx, in, with(o)...)
}
func (c countingIAM) DeleteRole(ctx context.Context, in *iam.DeleteRoleInput, o ...func(*iam.Options)) (*iam.DeleteRoleOutput, error) {
	return c.IAM.DeleteRole(ctx, in, with(o)...)
}
