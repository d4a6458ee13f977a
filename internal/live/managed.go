package live

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/irsa-sync/irsa-sync/internal/awsapi"
	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/partition"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// ReadAWSManaged lists the ARNs of every AWS-managed policy visible to the
// client, attached or not: ListPolicies with Scope AWS and OnlyAttached
// false, paged at IAM's largest page (about 1,400 policies, so two calls).
// AWS-managed policies are the same for every account of a partition, so
// one read serves them all, whatever the number of roles.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListPolicies.html
func ReadAWSManaged(ctx context.Context, client awsapi.IAM) (map[string]bool, error) {
	out := map[string]bool{}
	p := iam.NewListPoliciesPaginator(client, &iam.ListPoliciesInput{
		Scope: iamtypes.PolicyScopeTypeAws, OnlyAttached: false, MaxItems: aws.Int32(maxItems),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list AWS-managed policies (ListPolicies): %w", err)
		}
		for _, pol := range page.Policies {
			out[aws.ToString(pol.Arn)] = true
		}
	}
	return out, nil
}

// awsManagedReaders picks, for each partition of the AWS-managed policy
// ARNs the file's roles attach or take as boundary, the account that reads
// that partition's list: the first account (in file order) whose roles
// refer to one. It returns the partitions each reader reads.
func awsManagedReaders(f *config.File) map[string][]string {
	ids := map[string]string{}
	for _, a := range f.Accounts {
		ids[a.Name] = a.ID
	}
	seen := map[string]bool{}
	out := map[string][]string{}
	for _, r := range f.Roles {
		for _, arn := range append([]string{r.PermissionsBoundary}, r.Policies...) {
			if !resource.IsAWSManagedPolicy(arn) {
				continue
			}
			p := partition.OfARN(arn)
			if seen[p] || ids[r.Account] == "" {
				continue
			}
			seen[p] = true
			out[ids[r.Account]] = append(out[ids[r.Account]], p)
		}
	}
	return out
}
