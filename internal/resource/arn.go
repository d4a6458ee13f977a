package resource

import "strings"

// RoleARN is the ARN of a role; path is "/" or "/a/b/".
func RoleARN(accountID, path, name string) string {
	return "arn:aws:iam::" + accountID + ":role" + orRoot(path) + name
}

// PolicyARN is the ARN of a customer-managed policy.
func PolicyARN(accountID, path, name string) string {
	return "arn:aws:iam::" + accountID + ":policy" + orRoot(path) + name
}

// ProviderARN is the ARN of the OIDC provider for issuer in an account.
func ProviderARN(accountID, issuer string) string {
	return "arn:aws:iam::" + accountID + ":oidc-provider/" + IssuerHost(issuer)
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
