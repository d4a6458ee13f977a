package plan

import (
	"fmt"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// checkReferences refuses a role that attaches, or takes as permissions
// boundary, a policy that does not exist: IAM would answer NoSuchEntity in
// the middle of the apply, after other writes. Customer-managed policies are
// looked up in the account's bulk read and among the file's own policies
// (created by this plan); AWS-managed ones in the partition's list read
// once per run (state.Live.AWSManagedPolicies). Nothing here reads per
// role. An account that was not read (a plan computed from partial state)
// is not checked.
func (c *computer) checkReferences(addr string, want desired.Role) {
	check := func(field, arn string) {
		if msg := c.missing(want.AccountID, arn); msg != "" {
			where := want.Where[arn]
			if where == "" {
				where = fmt.Sprintf("roles[%d].%s", want.Index, field)
			}
			c.fail(addr, fmt.Sprintf("%s: %s: correct the ARN, or create the policy first", where, msg))
		}
	}
	if want.PermissionsBoundary != "" {
		check("permissionsBoundary", want.PermissionsBoundary)
	}
	for _, arn := range want.ManagedPolicies {
		check("policies", arn)
	}
}

// missing says why a policy ARN a role in account id refers to does not
// exist, or returns "" when it does (or cannot be checked).
func (c *computer) missing(id, arn string) string {
	if resource.IsAWSManagedPolicy(arn) {
		if c.have.AWSManagedPolicies == nil || c.have.AWSManagedPolicies[arn] {
			return ""
		}
		return fmt.Sprintf("no AWS-managed policy %s exists", arn)
	}
	acct := c.have.Accounts[id]
	if acct == nil {
		return ""
	}
	if owner := resource.AccountOfARN(arn); owner != id {
		// IAM finds customer-managed policies in the role's own account only
		// (NoSuchEntity "does not exist or is not attachable").
		return fmt.Sprintf("policy %s belongs to account %s, not to the role's account %s, and IAM attaches only the account's own and AWS-managed policies", arn, owner, id)
	}
	for _, p := range c.want.Policies {
		if p.AccountID == id && p.ARN == arn {
			return ""
		}
	}
	name := arn[strings.LastIndex(arn, "/")+1:]
	if p, ok := acct.Policy(name); ok && p.ARN == arn {
		return ""
	}
	return fmt.Sprintf("no policy %s exists in account %s", arn, id)
}
