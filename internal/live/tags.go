package live

import (
	"context"

	"github.com/irsa-sync/irsa-sync/internal/awsapi"
	"github.com/irsa-sync/irsa-sync/internal/state"
)

// ReadPolicyTags reads the tags of the named customer-managed policies of an
// account that the bulk read left unknown: one ListPolicyTags per policy,
// as plan does for the policies a file declares. Import calls it for the
// policies it is about to declare.
func ReadPolicyTags(ctx context.Context, client awsapi.IAM, acct *state.Account, arns []string) error {
	want := make(map[string]bool, len(arns))
	for _, a := range arns {
		want[a] = true
	}
	return readPolicyTags(ctx, client, acct, func(p state.Policy) bool { return want[p.ARN] && !p.TagsKnown })
}
