package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/irsa-sync/irsa-sync/internal/partition"
)

// The rules below repeat the patterns of schemas/bindings.schema.json (a
// test keeps the two in step) and add what a pattern cannot say.
var (
	ownerRE        = regexp.MustCompile(`^[A-Za-z0-9_.:/=+@-]{1,128}$`)
	accountNameRE  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$`)
	clusterNameRE  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$`)
	accountIDRE    = regexp.MustCompile(`^[0-9]{12}$`)
	roleArnRE      = regexp.MustCompile(`^arn:aws(?:-cn|-us-gov)?:iam::([0-9]{12}):role/(?:[!-~]+/)?[\w+=,.@-]{1,64}$`)
	policyArnRE    = regexp.MustCompile(`^arn:aws(?:-cn|-us-gov)?:iam::(aws|[0-9]{12}):policy/(?:[!-~]+/)?[\w+=,.@-]{1,128}$`)
	externalIDRE   = regexp.MustCompile(`^[\w+=,.@:/-]*$`)
	regionRE       = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`)
	policyNameRE   = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	roleNameRE     = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	iamPathRE      = regexp.MustCompile(`^(/|/[!-~]+/)$`)
	descriptionRE  = regexp.MustCompile(`^[\t\n\r\x20-\x7E\xA1-\xFF]*$`)
	tagTextRE      = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+@-]*$`)
	dnsLabelRE     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	dnsSubdomainRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	nsPatternRE    = regexp.MustCompile(`^[a-z0-9*?]([-a-z0-9*?]*[a-z0-9*?])?$`)
	namePatternRE  = regexp.MustCompile(`^[a-z0-9*?]([-a-z0-9.*?]*[a-z0-9*?])?$`)
)

// Quotas and limits of IAM and of the EKS pod identity webhook. Those that
// are account quotas are the defaults; irsa-sync reads the live value at
// plan time where IAM reports it.
const (
	maxTags               = 50
	maxManagedPolicies    = 10 // default AttachedPoliciesPerRoleQuota
	maxManagedPolicySize  = 6144
	maxInlinePoliciesSize = 10240
	maxPathLength         = 512
	maxDescriptionLength  = 1000
	minSessionDuration    = 3600
	maxSessionDuration    = 43200
	minTokenExpiration    = 600
	maxTokenExpiration    = 86400
	maxAudienceLength     = 255
	ownerTagKey           = "irsa-sync/owner"
	nameChars             = "letters, digits and + = , . @ _ -"
)

// accountOf returns the account id of a role or policy ARN, or "aws" for an
// AWS managed policy.
func accountOf(arn string, re *regexp.Regexp) string {
	if m := re.FindStringSubmatch(arn); m != nil {
		return m[1]
	}
	return ""
}

// checkIssuer returns what is wrong with an OIDC issuer URL, or "". The
// issuer becomes the IAM OIDC provider's URL and, without https://, the
// prefix of the trust's condition keys, compared literally with the
// token's iss claim: IAM's "Create an OpenID Connect (OIDC) identity
// provider in IAM" says the URL must begin with https://, may have a path
// but no query parameters, and should not contain a port number. Forms a
// URL parser would normalise (dot segments, percent-encoding) are refused
// too, because IAM does not normalise them and no EKS issuer has them.
func checkIssuer(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return fmt.Sprintf("%q is not a URL: %v", s, err)
	case u.Scheme != "https":
		return fmt.Sprintf("%q must use https, as IAM OIDC providers do (https://oidc.eks.REGION.amazonaws.com/id/ID)", s)
	case u.Host == "" || u.User != nil:
		return fmt.Sprintf("%q must be https://HOST/PATH with a host and no user", s)
	case u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(s, "?#"):
		return fmt.Sprintf("%q must not have a query or fragment: the issuer is matched literally", s)
	case strings.ContainsAny(s, " \t\n\r"):
		return fmt.Sprintf("%q must not contain white space", s)
	case u.Port() != "" || strings.HasSuffix(u.Host, ":"):
		return fmt.Sprintf("%q has a port: IAM OIDC provider URLs have none (https://HOST/PATH); remove :%s", s, u.Port())
	case strings.Contains(s, "%"):
		return fmt.Sprintf("%q has percent-encoding: IAM matches the issuer literally and EKS issuers have none; write the URL exactly as the cluster reports it", s)
	case hasDotSegment(u.Path):
		return fmt.Sprintf("%q has a . or .. path segment: IAM matches the issuer literally; write the URL exactly as the cluster reports it", s)
	case strings.HasSuffix(s, "/"):
		return fmt.Sprintf("%q must not end with /: write it exactly as the cluster reports it (%s), since the trust's condition keys are built from it", s, strings.TrimRight(s, "/"))
	case strings.Contains(u.Path, "//"):
		return fmt.Sprintf("%q has an empty path segment (//): write the URL exactly as the cluster reports it", s)
	}
	return ""
}

func hasDotSegment(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// checkEKSIssuer checks an issuer of EKS's form,
// https://oidc.eks.REGION.SUFFIX/id/ID, against its cluster's region: the
// region and the partition's domain (amazonaws.com.cn in China) must be the
// cluster's. Other issuers (self-managed clusters) are not checked.
func checkEKSIssuer(s, region string) string {
	u, err := url.Parse(s)
	if err != nil || !strings.HasPrefix(u.Host, "oidc.eks.") || region == "" {
		return ""
	}
	rest := strings.TrimPrefix(u.Host, "oidc.eks.")
	want := region + "." + partition.DNSSuffix(partition.ForRegion(region))
	if rest != want {
		return fmt.Sprintf("%q is an EKS issuer of another region or partition than the cluster's region %s: an EKS issuer there is https://oidc.eks.%s/id/ID; copy it from aws eks describe-cluster", s, region, want)
	}
	return ""
}

// chars is the length of s as IAM counts its length constraints: in
// characters (Unicode code points), not bytes. The IAM API reference gives
// Description "Maximum length of 1000" with the pattern
// [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*, so "é" (two bytes
// in UTF-8) is one of the 1,000; tag keys (1-128) and values (0-256) are
// counted the same way (API reference, Tag data type).
func chars(s string) int { return utf8.RuneCountInString(s) }

// checkPath checks an IAM path.
func (c *collector) checkPath(p path, s string) {
	switch {
	case s == "":
	case chars(s) > maxPathLength:
		c.add(p, "path is %d characters long, over IAM's limit of %d: shorten it", chars(s), maxPathLength)
	case !iamPathRE.MatchString(s):
		c.add(p, "path %q is not an IAM path: it must be / or start and end with / (such as /irsa/), with printable ASCII and no spaces between", s)
	}
}

// checkDescription checks a role or policy description.
func (c *collector) checkDescription(p path, s string) {
	switch {
	case chars(s) > maxDescriptionLength:
		c.add(p, "description is %d characters long, over IAM's limit of %d by %d: shorten it", chars(s), maxDescriptionLength, chars(s)-maxDescriptionLength)
	case !descriptionRE.MatchString(s):
		c.add(p, "description has characters IAM refuses: use printable Latin-1 text")
	}
}

// checkTags checks IAM tags of a role or policy.
func (c *collector) checkTags(p path, tags map[string]string) {
	if len(tags) > maxTags {
		c.add(p, "%d tags, over IAM's limit of %d per role or policy: remove %d", len(tags), maxTags, len(tags)-maxTags)
	}
	for _, k := range sortedKeys(tags) {
		v, kp := tags[k], p.with(k)
		switch {
		case k == "" || chars(k) > 128:
			c.add(kp, "tag key must be 1-128 characters long, not %d", chars(k))
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			c.add(kp, "tag keys starting with aws: are reserved by AWS: rename the key")
		case k == ownerTagKey:
			c.add(kp, "irsa-sync sets the tag %s itself from the file's owner field: remove it here and set owner instead", ownerTagKey)
		case !tagTextRE.MatchString(k):
			c.add(kp, "tag key %q has characters IAM refuses: use letters, digits, spaces and _ . : / = + - @", k)
		}
		switch {
		case chars(v) > 256:
			c.add(kp, "tag value is %d characters long, over IAM's limit of 256: shorten it", chars(v))
		case !tagTextRE.MatchString(v):
			c.add(kp, "tag value %q has characters IAM refuses: use letters, digits, spaces and _ . : / = + - @", v)
		}
	}
}

// isPattern reports whether a namespace or name is a wildcard pattern.
func isPattern(s string) bool { return strings.ContainsAny(s, "*?") }

// matchesAll reports whether a pattern matches (almost) every name: it is
// made of wildcards only, so nothing in it narrows the match.
func matchesAll(s string) bool {
	return strings.Contains(s, "*") && strings.Trim(s, "*?") == ""
}
