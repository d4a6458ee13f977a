package emulator

import "strings"

// The partitions AWS documents, with the DNS suffix of their endpoints
// (AWS General Reference, "ARN formats" and "Service endpoints").
const (
	partitionAWS   = "aws"
	partitionGov   = "aws-us-gov"
	partitionChina = "aws-cn"
)

// partitionOfRegion is the partition a region belongs to: cn-* is China,
// us-gov-* is GovCloud (US), everything else the commercial partition.
func partitionOfRegion(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return partitionChina
	case strings.HasPrefix(region, "us-gov-"):
		return partitionGov
	}
	return partitionAWS
}

// dnsSuffix is the domain of a partition's endpoints and EKS OIDC issuers.
func dnsSuffix(partition string) string {
	if partition == partitionChina {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}

// arnParts are the fields of arn:partition:service:region:account:resource.
type arnParts struct{ partition, service, region, account, resource string }

func parseARN(s string) (arnParts, bool) {
	f := strings.SplitN(s, ":", 6)
	if len(f) != 6 || f[0] != "arn" || f[1] == "" {
		return arnParts{}, false
	}
	return arnParts{f[1], f[2], f[3], f[4], f[5]}, true
}

// parseRoleArnIn splits arn:<partition>:iam::ACCOUNT:role/PATH/NAME,
// refusing an ARN of another partition.
func parseRoleArnIn(partition, arn string) (acct, path, name string, ok bool) {
	p, ok := parseARN(arn)
	if !ok || p.partition != partition || p.service != "iam" || p.region != "" || len(p.account) != 12 {
		return "", "", "", false
	}
	rest, found := strings.CutPrefix(p.resource, "role/")
	if !found {
		return "", "", "", false
	}
	i := strings.LastIndex(rest, "/")
	path, name = "/"+rest[:i+1], rest[i+1:]
	return p.account, path, name, name != ""
}

func roleArnIn(partition, acct string, r *role) string {
	return "arn:" + partition + ":iam::" + acct + ":role" + r.Path + r.Name
}

func providerArnIn(partition, acct, url string) string {
	return "arn:" + partition + ":iam::" + acct + ":oidc-provider/" + url
}
