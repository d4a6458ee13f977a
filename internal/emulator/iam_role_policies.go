package emulator

import (
	"sort"
	"strings"
)

func init() {
	for name, h := range map[string]handler{
		"AttachRolePolicy":         attachRolePolicy,
		"DetachRolePolicy":         detachRolePolicy,
		"ListAttachedRolePolicies": listAttachedRolePolicies,
		"PutRolePolicy":            putRolePolicy,
		"GetRolePolicy":            getRolePolicy,
		"DeleteRolePolicy":         deleteRolePolicy,
		"ListRolePolicies":         listRolePolicies,
	} {
		handlers["iam"][name] = h
	}
}

type xmlAttached struct {
	PolicyName string
	PolicyArn  string
}

func attachRolePolicy(e *Emulator, c *call) (any, error) {
	r, err := c.acct.role(c)
	if err != nil {
		return nil, err
	}
	arn, err := c.required("PolicyArn", "policyArn")
	if err != nil {
		return nil, err
	}
	if _, err := e.findPolicy(c.acct, arn); err != nil {
		return nil, err
	}
	for _, have := range r.Attached {
		if have == arn {
			return nil, nil // attaching twice is a no-op in IAM
		}
	}
	if q := c.acct.quota("AttachedPoliciesPerRoleQuota"); len(r.Attached) >= int(q) {
		return nil, errLimit("Cannot exceed quota for PoliciesPerRole: %d", q)
	}
	r.Attached = append(r.Attached, arn)
	return nil, nil
}

func detachRolePolicy(e *Emulator, c *call) (any, error) {
	r, err := c.acct.role(c)
	if err != nil {
		return nil, err
	}
	arn, err := c.required("PolicyArn", "policyArn")
	if err != nil {
		return nil, err
	}
	for i, have := range r.Attached {
		if have == arn {
			r.Attached = append(r.Attached[:i:i], r.Attached[i+1:]...)
			return nil, nil
		}
	}
	return nil, errNoSuchEntity("Policy %s was not attached.", arn)
}

func listAttachedRolePolicies(e *Emulator, c *call) (any, error) {
	r, err := c.acct.role(c)
	if err != nil {
		return nil, err
	}
	prefix := c.form.Get("PathPrefix")
	var arns []string
	for _, arn := range r.Attached {
		if _, _, path, _, ok := parsePolicyArn(arn); ok && strings.HasPrefix(path, prefix) {
			arns = append(arns, arn)
		}
	}
	sort.Strings(arns)
	p, err := e.paginate(c, arns)
	if err != nil {
		return nil, err
	}
	out := struct {
		AttachedPolicies []xmlAttached `xml:"AttachedPolicies>member"`
		IsTruncated      bool
		Marker           string `xml:",omitempty"`
	}{AttachedPolicies: []xmlAttached{}, IsTruncated: p.truncated, Marker: p.marker}
	for _, arn := range arns[p.start:p.end] {
		_, _, _, name, _ := parsePolicyArn(arn)
		out.AttachedPolicies = append(out.AttachedPolicies, xmlAttached{name, arn})
	}
	return out, nil
}

func inlineName(c *call) (string, error) {
	name, err := c.required("PolicyName", "policyName")
	if err != nil {
		return "", err
	}
	if len(name) > 128 || !namePattern.MatchString(name) {
		return "", errConstraint(name, "policyName", "Member must satisfy regular expression pattern: [\\w+=,.@-]+")
	}
	return name, nil
}

func putRolePolicy(e *Emulator, c *call) (any, error) {
	r, err := c.acct.role(c)
	if err != nil {
		return nil, err
	}
	name, err := inlineName(c)
	if err != nil {
		return nil, err
	}
	doc, err := c.required("PolicyDocument", "policyDocument")
	if err != nil {
		return nil, err
	}
	if err := validatePolicyDocument(doc, docIdentity); err != nil {
		return nil, err
	}
	if err := c.acct.checkDocPartition(doc, docIdentity); err != nil {
		return nil, err
	}
	total := policySize(doc)
	for k, p := range r.Inline {
		if k != strings.ToLower(name) {
			total += policySize(p.Doc)
		}
	}
	if q := c.acct.quota("RolePolicySizeQuota"); total > int(q) {
		return nil, errLimit("Maximum policy size of %d bytes exceeded for role %s", q, r.Name)
	}
	if r.Inline == nil {
		r.Inline = map[string]*inline{}
	}
	if have := r.Inline[strings.ToLower(name)]; have != nil {
		have.Doc = doc // replacing keeps the name's original case, as IAM does
		return nil, nil
	}
	r.Inline[strings.ToLower(name)] = &inline{Name: name, Doc: doc}
	return nil, nil
}

func (r *role) inlinePolicy(c *call) (*inline, error) {
	name, err := inlineName(c)
	if err != nil {
		return nil, err
	}
	p := r.Inline[strings.ToLower(name)]
	if p == nil {
		return nil, errNoSuchEntity("The role policy with name %s cannot be found.", name)
	}
	return p, nil
}

func getRolePolicy(e *Emulator, c *call) (any, error) {
	r, err := c.acct.role(c)
	if err != nil {
		return nil, err
	}
	p, err := r.inlinePolicy(c)
	if err != nil {
		return nil, err
	}
	return struct{ RoleName, PolicyName, PolicyDocument string }{r.Name, p.Name, encodeDoc(p.Doc)}, nil
}

func deleteRolePolicy(e *Emulator, c *call) (any, error) {
	r, err := c.acct.role(c)
	if err != nil {
		return nil, err
	}
	p, err := r.inlinePolicy(c)
	if err != nil {
		return nil, err
	}
	delete(r.Inline, strings.ToLower(p.Name))
	return nil, nil
}

// sortedInline orders a role's inline policies by lower-cased name.
func sortedInline(r *role) ([]*inline, []string) {
	keys := make([]string, 0, len(r.Inline))
	for k := range r.Inline {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]*inline, len(keys))
	for i, k := range keys {
		out[i] = r.Inline[k]
	}
	return out, keys
}

func listRolePolicies(e *Emulator, c *call) (any, error) {
	r, err := c.acct.role(c)
	if err != nil {
		return nil, err
	}
	pols, keys := sortedInline(r)
	p, err := e.paginate(c, keys)
	if err != nil {
		return nil, err
	}
	out := struct {
		PolicyNames []string `xml:"PolicyNames>member"`
		IsTruncated bool
		Marker      string `xml:",omitempty"`
	}{PolicyNames: []string{}, IsTruncated: p.truncated, Marker: p.marker}
	for _, pol := range pols[p.start:p.end] {
		out.PolicyNames = append(out.PolicyNames, pol.Name)
	}
	return out, nil
}
