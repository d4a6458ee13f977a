package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
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

// checkIssuer returns what is wrong with an OIDC issuer URL, or "".
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
	case strings.HasSuffix(s, "/"):
		return fmt.Sprintf("%q must not end with /: write it exactly as the cluster reports it (%s), since the trust's condition keys are built from it", s, strings.TrimRight(s, "/"))
	case strings.ContainsAny(s, " \t\n"):
		return fmt.Sprintf("%q must not contain white space", s)
	}
	return ""
}

// checkPath checks an IAM path.
func (c *collector) checkPath(p path, s string) {
	switch {
	case s == "":
	case len(s) > maxPathLength:
		c.add(p, "path is %d characters long, over IAM's limit of %d: shorten it", len(s), maxPathLength)
	case !iamPathRE.MatchString(s):
		c.add(p, "path %q is not an IAM path: it must be / or start and end with / (such as /irsa/), with printable ASCII and no spaces between", s)
	}
}

// checkDescription checks a role or policy description.
func (c *collector) checkDescription(p path, s string) {
	switch {
	case len(s) > maxDescriptionLength:
		c.add(p, "description is %d characters long, over IAM's limit of %d: shorten it", len(s), maxDescriptionLength)
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
		case k == "" || len(k) > 128:
			c.add(kp, "tag key must be 1-128 characters long")
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			c.add(kp, "tag keys starting with aws: are reserved by AWS: rename the key")
		case k == ownerTagKey:
			c.add(kp, "irsa-sync sets the tag %s itself from the file's owner field: remove it here and set owner instead", ownerTagKey)
		case !tagTextRE.MatchString(k):
			c.add(kp, "tag key %q has characters IAM refuses: use letters, digits, spaces and _ . : / = + - @", k)
		}
		switch {
		case len(v) > 256:
			c.add(kp, "tag value is %d characters long, over IAM's limit of 256: shorten it", len(v))
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
