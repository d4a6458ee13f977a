package emulator

import (
	"sort"
	"strings"
)

func init() {
	handlers["iam"]["ListPolicies"] = listPolicies
}

// listPolicies serves ListPolicies: the account's customer-managed
// policies, the AWS-managed catalogue, or both (Scope Local, AWS, All; All
// by default), optionally only those attached (OnlyAttached, false by
// default) and under PathPrefix, paged with Marker and MaxItems. Tags and
// documents are not returned, as in IAM.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListPolicies.html
func listPolicies(e *Emulator, c *call) (any, error) {
	scope := c.form.Get("Scope")
	switch scope {
	case "":
		scope = "All"
	case "All", "AWS", "Local":
	default:
		return nil, errValidation("1 validation error detected: Value '%s' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]", scope)
	}
	onlyAttached := strings.EqualFold(c.form.Get("OnlyAttached"), "true")
	prefix := c.form.Get("PathPrefix")
	if prefix == "" {
		prefix = "/"
	}
	type listed struct {
		arn string
		p   *policy
	}
	var all []listed
	if scope != "Local" {
		for key, p := range awsManaged {
			all = append(all, listed{c.acct.awsManagedArn(key), p})
		}
	}
	if scope != "AWS" {
		for _, p := range c.acct.Policies {
			all = append(all, listed{c.acct.policyArn(p), p})
		}
	}
	var keep []listed
	for _, l := range all {
		if !strings.HasPrefix(l.p.Path, prefix) {
			continue
		}
		if n, b := c.acct.attachmentCount(l.arn); onlyAttached && n+b == 0 {
			continue
		}
		keep = append(keep, l)
	}
	sort.Slice(keep, func(i, j int) bool { return keep[i].arn < keep[j].arn })
	keys := make([]string, len(keep))
	for i, l := range keep {
		keys[i] = l.arn
	}
	pg, err := e.paginate(c, keys)
	if err != nil {
		return nil, err
	}
	out := struct {
		Policies    []xmlPolicy `xml:"Policies>member"`
		IsTruncated bool
		Marker      string `xml:",omitempty"`
	}{Policies: []xmlPolicy{}, IsTruncated: pg.truncated, Marker: pg.marker}
	for _, l := range keep[pg.start:pg.end] {
		x := e.policyXML(c.acct, l.arn, l.p)
		x.Tags = nil
		out.Policies = append(out.Policies, x)
	}
	return out, nil
}
