package resource

import (
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/partition"
)

// Every builder takes the partition of the account (aws, aws-cn,
// aws-us-gov): IAM refuses an ARN of another partition than the caller's
// account ("ARN formats", AWS General Reference). An empty partition is
// the commercial one.

// RoleARN is the ARN of a role; path is "/" or "/a/b/".
func RoleARN(p, accountID, path, name string) string {
	return iamARN(p, accountID, "role"+orRoot(path)+name)
}

// PolicyARN is the ARN of a customer-managed policy.
func PolicyARN(p, accountID, path, name string) string {
	return iamARN(p, accountID, "policy"+orRoot(path)+name)
}

// ProviderARN is the ARN of the OIDC provider for issuer in an account.
func ProviderARN(p, accountID, issuer string) string {
	return iamARN(p, accountID, "oidc-provider/"+IssuerHost(issuer))
}

// RootARN is the principal that stands for a whole account.
func RootARN(p, accountID string) string {
	return iamARN(p, accountID, "root")
}

// AWSManagedPolicyARN is the ARN of an AWS managed policy (account "aws")
// in a partition, e.g. arn:aws-us-gov:iam::aws:policy/AdministratorAccess.
func AWSManagedPolicyARN(p, name string) string {
	return iamARN(p, "aws", "policy/"+name)
}

func iamARN(p, account, res string) string {
	if p == "" {
		p = partition.AWS
	}
	return "arn:" + p + ":iam::" + account + ":" + res
}

// IssuerHost is an issuer URL without its scheme, as IAM names providers and
// condition keys (oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE).
func IssuerHost(issuer string) string {
	return strings.TrimSuffix(strings.TrimPrefix(issuer, "https://"), "/")
}

// AccountOfARN returns the account id field of an ARN ("aws" for AWS-managed
// policies), or "" when arn is not an ARN.
func AccountOfARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

func orRoot(path string) string {
	if path == "" {
		return "/"
	}
	return path
}

// IsAWSManagedPolicy reports whether an ARN names an AWS-managed policy
// (arn:PARTITION:iam::aws:policy/...), which no account holds and every
// account of the partition may attach.
func IsAWSManagedPolicy(arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[2] == "iam" && parts[3] == "" && parts[4] == "aws" && strings.HasPrefix(parts[5], "policy/")
}
