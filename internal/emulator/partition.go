package emulator

import (
	"encoding/json"
	"fmt"
	"strings"
)

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

// partition is the account's partition: pinned, or the current request's.
func (a *account) partition() string {
	if a.Partition != "" {
		return a.Partition
	}
	if a.requestPartition != "" {
		return a.requestPartition
	}
	return partitionAWS
}

// errInvalidPartition is what IAM answers for an ARN parameter of another
// partition than the caller's account (seen from AttachRolePolicy in
// GovCloud and China; IAM's 2024 notice on strict ARN validation says "the
// partition name must match the partition of the AWS account").
func errInvalidPartition() *APIError { return errValidation("Invalid ARN partition") }

// checkDocPartition refuses a document naming ARNs of another partition,
// as IAM does: a Resource of an identity policy is MalformedPolicyDocument
// `Partition "aws" is not valid for resource "arn:aws:..."` (the message
// users of GovCloud and China report from CreatePolicy and PutRolePolicy),
// and a Principal ARN of a trust policy is an invalid principal. ARNs whose
// partition is a wildcard are left alone.
func (a *account) checkDocPartition(doc string, kind docKind) error {
	var top struct{ Statement json.RawMessage }
	if json.Unmarshal([]byte(doc), &top) != nil {
		return nil // validatePolicyDocument reports the syntax
	}
	var stmts []map[string]json.RawMessage
	if json.Unmarshal(top.Statement, &stmts) != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(top.Statement, &one) != nil {
			return nil
		}
		stmts = []map[string]json.RawMessage{one}
	}
	want := a.partition()
	foreign := func(v string) bool {
		p, ok := parseARN(v)
		return ok && !strings.ContainsAny(p.partition, "*?") && p.partition != want
	}
	for _, st := range stmts {
		if kind == docIdentity {
			for _, field := range []string{"Resource", "NotResource"} {
				for _, v := range stringList(st[field]) {
					if foreign(v) {
						p, _ := parseARN(v)
						return errMalformed("Partition \"%s\" is not valid for resource \"%s\".", p.partition, v)
					}
				}
			}
			continue
		}
		for _, field := range []string{"Principal", "NotPrincipal"} {
			var byType map[string]json.RawMessage
			if json.Unmarshal(st[field], &byType) != nil {
				continue
			}
			for typ, vals := range byType {
				for _, v := range stringList(vals) {
					if foreign(v) {
						return errMalformed("Invalid principal in policy: \"%s\":\"%s\"", typ, v)
					}
				}
			}
		}
	}
	return nil
}

// EnsureAccountInPartition is EnsureAccount for an account that lives in
// one partition ("aws", "aws-us-gov" or "aws-cn"), as every real account
// does: its keys then work only for requests signed for a region of that
// partition, and every ARN it is answered with is in it. An account
// created by EnsureAccount alone is not pinned and takes the partition of
// each request's signing region (cn-* China, us-gov-* GovCloud, else aws),
// which suits a sandbox whose file names regions of one partition.
// Pinning an existing account to another partition is an error.
func (e *Emulator) EnsureAccountInPartition(id, partition string) (Credentials, error) {
	switch partition {
	case partitionAWS, partitionGov, partitionChina:
	default:
		return Credentials{}, fmt.Errorf("emulator: account %s: unknown partition %q; use aws, aws-us-gov or aws-cn", id, partition)
	}
	e.mu.Lock()
	a := e.ensureAccount(id)
	if a.Partition != "" && a.Partition != partition {
		e.mu.Unlock()
		return Credentials{}, fmt.Errorf("emulator: account %s is in partition %s, not %s", id, a.Partition, partition)
	}
	a.Partition = partition
	e.mu.Unlock()
	return e.EnsureAccount(id), nil
}
