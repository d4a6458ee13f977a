// Package partition knows the AWS partitions irsa-sync works in: which
// partition a region belongs to, and the names that differ between them
// (the ARN prefix, the DNS suffix of endpoints and EKS issuers, the IRSA
// token audience). It imports no SDK, so that validation and the planner
// can use it.
//
// Partitions (AWS General Reference, "Amazon Resource Names (ARNs)" and
// "AWS service endpoints"): aws (commercial), aws-cn (China, regions cn-*,
// domain amazonaws.com.cn), aws-us-gov (GovCloud (US), regions us-gov-*,
// domain amazonaws.com). The ISO partitions are not supported by
// irsa-sync.
package partition

import "strings"

// The partitions irsa-sync supports.
const (
	AWS      = "aws"
	China    = "aws-cn"
	GovCloud = "aws-us-gov"
)

// All lists the supported partitions, commercial first.
var All = []string{AWS, China, GovCloud}

// ForRegion returns the partition of a region name: aws-cn for cn-*,
// aws-us-gov for us-gov-*, aws otherwise.
func ForRegion(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return China
	case strings.HasPrefix(region, "us-gov-"):
		return GovCloud
	}
	return AWS
}

// Known reports whether p is a partition irsa-sync supports.
func Known(p string) bool {
	return p == AWS || p == China || p == GovCloud
}

// OfARN returns the partition field of an ARN ("arn:PARTITION:..."), or ""
// when s is not an ARN.
func OfARN(s string) string {
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return ""
	}
	p, _, ok := strings.Cut(rest, ":")
	if !ok {
		return ""
	}
	return p
}

// DNSSuffix returns the domain of a partition's endpoints and EKS OIDC
// issuers: amazonaws.com.cn in China (issuers are
// https://oidc.eks.cn-north-1.amazonaws.com.cn/id/ID), amazonaws.com
// elsewhere, GovCloud included.
func DNSSuffix(p string) string {
	if p == China {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}

// IAMRegion returns the region IAM and global STS calls of a partition are
// signed for: IAM is one global service per partition, served from
// us-east-1 (aws), us-gov-west-1 (aws-us-gov) and cn-north-1 (aws-cn)
// (AWS General Reference, "AWS Identity and Access Management endpoints
// and quotas"). Credentials of one partition are refused by the endpoints
// of another, so a client must be signed for a region of its account's.
func IAMRegion(p string) string {
	switch p {
	case China:
		return "cn-north-1"
	case GovCloud:
		return "us-gov-west-1"
	}
	return "us-east-1"
}

// STSEndpoint returns the regional STS endpoint of a region,
// https://sts.REGION.DNS-SUFFIX (AWS General Reference, "AWS Security
// Token Service endpoints and quotas").
func STSEndpoint(region string) string {
	return "https://sts." + region + "." + DNSSuffix(ForRegion(region))
}

// Audience returns the audience of IRSA tokens in a partition: the client
// id the IAM OIDC provider lists and the value of the trust's aud
// condition. It is sts.amazonaws.com in every partition, China included:
// the audience is the token's, set by the EKS pod identity webhook (default
// sts.amazonaws.com), not an STS endpoint. The English trust example of
// the China EKS user guide ("Assign IAM roles to Kubernetes service
// accounts", docs.amazonaws.cn) writes "sts.amazonaws.com" beside an
// arn:aws-cn: provider; tools that used sts.amazonaws.com.cn there failed
// with "Incorrect token audience" (eksctl-io/eksctl#1910,
// terraform-aws-modules/terraform-aws-eks#1704).
func Audience(p string) string {
	return "sts.amazonaws.com"
}
