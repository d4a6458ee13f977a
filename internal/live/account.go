package live

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/irsa-sync/irsa-sync/internal/awsapi"
	"github.com/irsa-sync/irsa-sync/internal/partition"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
)

// AccountOptions say which per-object reads an account needs beyond the bulk
// ones. IAM's bulk read omits policy tags, so they are read one call per
// policy, and only for the policies whose owner matters.
type AccountOptions struct {
	// Owner is the bindings file's owner.
	Owner string
	// Declared returns what the file declares for a policy of that name,
	// and whether it declares one.
	Declared func(name string) (DeclaredPolicy, bool)
}

// DeclaredPolicy is what the reader needs to know of a declared policy to
// decide whether its tags are worth a call.
type DeclaredPolicy struct {
	Document policy.Document
	Path     string
	UserTags bool
}

// wantsTags reports whether a policy's owner matters to a plan, so that its
// tags (which IAM's bulk read omits) are worth one call:
//   - a declared policy, unless it is already attached to a role this owner
//     holds and matches the file (document, path, no tags of its own): it
//     was vetted when irsa-sync first attached it, and nothing will be
//     written to it, so a no-op plan of a large estate costs no call per
//     policy;
//   - an undeclared policy not attached to another owner's role: it may be
//     this owner's and no longer declared, a prune candidate the plan shows
//     even without --prune.
func (o AccountOptions) wantsTags(p state.Policy, foreign, ours map[string]bool) bool {
	if o.Declared != nil {
		if d, ok := o.Declared(p.Name); ok {
			settled := ours[p.ARN] && !d.UserTags && d.Path == p.Path && d.Document.Equal(p.Document)
			return !settled
		}
	}
	return !foreign[p.ARN]
}

// maxItems is the largest page IAM serves: the fewer pages, the fewer calls
// for a large account.
const maxItems = 1000

// CheckIdentity asks STS whose credentials these are and refuses an account
// whose credentials answer with another id: writing to the wrong account is
// the one mistake a reconciler must never make. It returns the account's
// partition, the partition field of the caller's ARN, and refuses one
// other than want (the partition the account's cluster regions imply;
// "" when the file does not say) or one irsa-sync does not support.
func CheckIdentity(ctx context.Context, client awsapi.STS, name, id, want string) (string, error) {
	out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("account %q: check credentials with sts:GetCallerIdentity: %w", name, err)
	}
	arn := aws.ToString(out.Arn)
	if got := aws.ToString(out.Account); got != id {
		return "", fmt.Errorf("account %q: the credentials for it belong to account %s (%s), not %s: set assumeRoleArn or profile for this account, or correct its id", name, got, arn, id)
	}
	got := partition.OfARN(arn)
	switch {
	case !partition.Known(got):
		return "", fmt.Errorf("account %q: sts:GetCallerIdentity answered with ARN %q, whose partition %q irsa-sync does not support (it supports %s)", name, arn, got, strings.Join(partition.All, ", "))
	case want != "" && got != want:
		return "", fmt.Errorf("account %q: its credentials are of partition %s (%s), but its clusters' regions are in partition %s: an account is in one partition; correct the clusters' regions, or reach the account with credentials of %s", name, got, arn, want, want)
	}
	return got, nil
}

// ReadAccount reads an account's roles, customer-managed policies, OIDC
// providers and quotas: GetAccountAuthorizationDetails and ListRoles pages,
// the provider list, and GetAccountSummary, whatever the number of roles.
func ReadAccount(ctx context.Context, client awsapi.IAM, id string, opts AccountOptions) (*state.Account, error) {
	acct := &state.Account{ID: id, Roles: map[string]resource.Role{}, Policies: map[string]state.Policy{}, Providers: map[string]resource.Provider{}}
	var (
		details  []*iam.GetAccountAuthorizationDetailsOutput
		listed   []iamtypes.Role
		provARNs []string
	)
	err := all(ctx,
		func(ctx context.Context) (err error) { details, err = readDetails(ctx, client); return },
		func(ctx context.Context) (err error) { listed, err = listRoles(ctx, client); return },
		func(ctx context.Context) (err error) { acct.Quotas, err = readQuotas(ctx, client); return },
		func(ctx context.Context) error {
			out, err := client.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
			if err != nil {
				return fmt.Errorf("list OIDC providers: %w", err)
			}
			for _, p := range out.OpenIDConnectProviderList {
				provARNs = append(provARNs, aws.ToString(p.Arn))
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	for _, page := range details {
		for _, rd := range page.RoleDetailList {
			r, err := roleFromDetail(id, rd)
			if err != nil {
				return nil, err
			}
			acct.Roles[strings.ToLower(r.Name)] = r
		}
		for _, pd := range page.Policies {
			p, err := policyFromDetail(id, pd)
			if err != nil {
				return nil, err
			}
			acct.Policies[strings.ToLower(p.Name)] = p
		}
	}
	// Description and maximum session duration are only in ListRoles.
	for _, lr := range listed {
		key := strings.ToLower(aws.ToString(lr.RoleName))
		if r, ok := acct.Roles[key]; ok {
			r.Description = aws.ToString(lr.Description)
			r.MaxSessionDuration = aws.ToInt32(lr.MaxSessionDuration)
			acct.Roles[key] = r
		}
	}
	if err := readProviders(ctx, client, id, provARNs, acct); err != nil {
		return nil, err
	}
	foreign := map[string]bool{} // policies attached to a role of another owner
	ours := map[string]bool{}    // policies attached to a role of this owner
	for _, r := range acct.Roles {
		for _, arn := range r.ManagedPolicies {
			if state.OwnedBy(r.Tags, opts.Owner) {
				ours[arn] = true
			} else {
				foreign[arn] = true
			}
		}
	}
	if err := readPolicyTags(ctx, client, acct, func(p state.Policy) bool { return opts.wantsTags(p, foreign, ours) }); err != nil {
		return nil, err
	}
	return acct, nil
}

func readDetails(ctx context.Context, client awsapi.IAM) ([]*iam.GetAccountAuthorizationDetailsOutput, error) {
	var pages []*iam.GetAccountAuthorizationDetailsOutput
	p := iam.NewGetAccountAuthorizationDetailsPaginator(client, &iam.GetAccountAuthorizationDetailsInput{
		Filter:   []iamtypes.EntityType{iamtypes.EntityTypeRole, iamtypes.EntityTypeLocalManagedPolicy},
		MaxItems: aws.Int32(maxItems),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("read roles and policies (GetAccountAuthorizationDetails): %w", err)
		}
		pages = append(pages, page)
	}
	return pages, nil
}

func listRoles(ctx context.Context, client awsapi.IAM) ([]iamtypes.Role, error) {
	var roles []iamtypes.Role
	p := iam.NewListRolesPaginator(client, &iam.ListRolesInput{MaxItems: aws.Int32(maxItems)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list roles: %w", err)
		}
		roles = append(roles, page.Roles...)
	}
	return roles, nil
}

func readQuotas(ctx context.Context, client awsapi.IAM) (state.Quotas, error) {
	out, err := client.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil {
		return state.Quotas{}, fmt.Errorf("read quotas (GetAccountSummary): %w", err)
	}
	q := state.DefaultQuotas
	set := func(dst *int, key string) {
		if v, ok := out.SummaryMap[key]; ok && v > 0 {
			*dst = int(v)
		}
	}
	set(&q.AssumeRolePolicySize, "AssumeRolePolicySizeQuota")
	set(&q.AttachedPoliciesPerRole, "AttachedPoliciesPerRoleQuota")
	set(&q.PolicySize, "PolicySizeQuota")
	set(&q.VersionsPerPolicy, "VersionsPerPolicyQuota")
	set(&q.Roles, "RolesQuota")
	return q, nil
}

func roleFromDetail(account string, rd iamtypes.RoleDetail) (resource.Role, error) {
	name := aws.ToString(rd.RoleName)
	r := resource.Role{AccountID: account, Name: name, Path: aws.ToString(rd.Path), ARN: aws.ToString(rd.Arn), Tags: tagMap(rd.Tags)}
	var err error
	if r.Trust, err = policy.Parse([]byte(aws.ToString(rd.AssumeRolePolicyDocument))); err != nil {
		return r, fmt.Errorf("role %q: trust policy: %w", name, err)
	}
	if rd.PermissionsBoundary != nil {
		r.PermissionsBoundary = aws.ToString(rd.PermissionsBoundary.PermissionsBoundaryArn)
	}
	for _, ap := range rd.AttachedManagedPolicies {
		r.ManagedPolicies = append(r.ManagedPolicies, aws.ToString(ap.PolicyArn))
	}
	sort.Strings(r.ManagedPolicies)
	for _, ip := range rd.RolePolicyList {
		doc, err := policy.Parse([]byte(aws.ToString(ip.PolicyDocument)))
		if err != nil {
			return r, fmt.Errorf("role %q: inline policy %q: %w", name, aws.ToString(ip.PolicyName), err)
		}
		if r.InlinePolicies == nil {
			r.InlinePolicies = map[string]policy.Document{}
		}
		r.InlinePolicies[aws.ToString(ip.PolicyName)] = doc
	}
	return r, nil
}

func policyFromDetail(account string, pd iamtypes.ManagedPolicyDetail) (state.Policy, error) {
	p := state.Policy{
		Policy: resource.Policy{AccountID: account, Name: aws.ToString(pd.PolicyName), Path: aws.ToString(pd.Path),
			ARN: aws.ToString(pd.Arn), Description: aws.ToString(pd.Description)},
		DefaultVersion:  aws.ToString(pd.DefaultVersionId),
		AttachmentCount: int(aws.ToInt32(pd.AttachmentCount)),
	}
	for _, v := range pd.PolicyVersionList {
		pv := state.PolicyVersion{ID: aws.ToString(v.VersionId), Default: v.IsDefaultVersion, Created: aws.ToTime(v.CreateDate)}
		p.Versions = append(p.Versions, pv)
		if pv.Default {
			doc, err := policy.Parse([]byte(aws.ToString(v.Document)))
			if err != nil {
				return p, fmt.Errorf("policy %q version %s: %w", p.Name, pv.ID, err)
			}
			p.Document = doc
		}
	}
	sort.Slice(p.Versions, func(i, j int) bool { return p.Versions[i].ID < p.Versions[j].ID })
	return p, nil
}

// readProviders reads each OIDC provider's client ids and tags. Accounts hold
// one provider per cluster issuer, a handful, so this stays small.
func readProviders(ctx context.Context, client awsapi.IAM, account string, arns []string, acct *state.Account) error {
	var mu sync.Mutex
	fns := make([]func(context.Context) error, 0, len(arns))
	for _, arn := range arns {
		fns = append(fns, func(ctx context.Context) error {
			out, err := client.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
			if err != nil {
				return fmt.Errorf("read OIDC provider %s: %w", arn, err)
			}
			ids := append([]string(nil), out.ClientIDList...)
			sort.Strings(ids)
			mu.Lock()
			defer mu.Unlock()
			acct.Providers[arn] = resource.Provider{AccountID: account, ARN: arn, URL: resource.IssuerHost(aws.ToString(out.Url)), ClientIDs: ids, Tags: tagMap(out.Tags)}
			return nil
		})
	}
	return all(ctx, fns...)
}

func readPolicyTags(ctx context.Context, client awsapi.IAM, acct *state.Account, want func(state.Policy) bool) error {
	var mu sync.Mutex
	var fns []func(context.Context) error
	for key, p := range acct.Policies {
		if want == nil || !want(p) {
			continue
		}
		fns = append(fns, func(ctx context.Context) error {
			var tags []iamtypes.Tag
			pg := iam.NewListPolicyTagsPaginator(client, &iam.ListPolicyTagsInput{PolicyArn: aws.String(p.ARN)})
			for pg.HasMorePages() {
				page, err := pg.NextPage(ctx)
				if err != nil {
					return fmt.Errorf("read tags of policy %s: %w", p.ARN, err)
				}
				tags = append(tags, page.Tags...)
			}
			mu.Lock()
			defer mu.Unlock()
			p.Tags, p.TagsKnown = tagMap(tags), true
			acct.Policies[key] = p
			return nil
		})
	}
	return all(ctx, fns...)
}

func tagMap(tags []iamtypes.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}
