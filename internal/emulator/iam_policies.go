package emulator

import (
	"regexp"
	"strings"
)

func init() {
	for name, h := range map[string]handler{
		"CreatePolicy":   createPolicy,
		"GetPolicy":      getPolicy,
		"DeletePolicy":   deletePolicy,
		"TagPolicy":      tagPolicy,
		"UntagPolicy":    untagPolicy,
		"ListPolicyTags": listPolicyTags,
	} {
		handlers["iam"][name] = h
	}
}

var versionPattern = regexp.MustCompile(`^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$`)

// xmlPolicy is IAM's Policy shape (CreatePolicy, GetPolicy).
type xmlPolicy struct {
	PolicyName                    string
	PolicyId                      string
	Arn                           string
	Path                          string
	DefaultVersionId              string
	AttachmentCount               int
	PermissionsBoundaryUsageCount int
	IsAttachable                  bool
	Description                   string `xml:",omitempty"`
	CreateDate                    string
	UpdateDate                    string
	Tags                          *xmlTagList `xml:",omitempty"`
}

// xmlVersion is IAM's PolicyVersion shape; Document is left out where AWS
// leaves it out (CreatePolicyVersion, ListPolicyVersions).
type xmlVersion struct {
	Document         string `xml:",omitempty"`
	VersionId        string
	IsDefaultVersion bool
	CreateDate       string
}

// parsePolicyArn splits arn:PARTITION:iam::OWNER:policy/PATH/NAME.
func parsePolicyArn(arn string) (partition, owner, path, name string, ok bool) {
	p, found := parseARN(arn)
	if !found || p.service != "iam" || p.region != "" {
		return "", "", "", "", false
	}
	rest, found := strings.CutPrefix(p.resource, "policy/")
	if !found {
		return "", "", "", "", false
	}
	i := strings.LastIndex(rest, "/")
	path, name = "/"+rest[:i+1], rest[i+1:]
	return p.partition, p.account, path, name, name != ""
}

func (a *account) policyArn(p *policy) string {
	return "arn:" + a.partition() + ":iam::" + a.ID + ":policy" + p.Path + p.Name
}

// findPolicy resolves a policy ARN visible from the account: its own
// customer-managed policies and the AWS-managed catalogue.
func (e *Emulator) findPolicy(a *account, arn string) (*policy, error) {
	partition, owner, path, name, ok := parsePolicyArn(arn)
	if !ok {
		return nil, errf(400, "InvalidInput", "ARN %s is not valid.", arn)
	}
	if partition != a.partition() {
		return nil, errInvalidPartition()
	}
	var p *policy
	switch owner {
	case "aws":
		p = awsManaged[path+name]
	case a.ID:
		if q := a.Policies[strings.ToLower(name)]; q != nil && q.Path == path {
			p = q
		}
	}
	if p == nil {
		return nil, errNoSuchEntity("Policy %s does not exist or is not attachable.", arn)
	}
	return p, nil
}

// ownPolicy resolves a policy the caller may change: AWS-managed ones are
// readable but not writable.
func (e *Emulator) ownPolicy(c *call) (*policy, string, error) {
	arn, err := c.required("PolicyArn", "policyArn")
	if err != nil {
		return nil, "", err
	}
	p, err := e.findPolicy(c.acct, arn)
	if err != nil {
		return nil, "", err
	}
	if isAWSManaged(arn) {
		return nil, "", errf(403, "AccessDenied", "User: %s is not authorized to perform: iam:%s on resource: policy %s", c.caller.Arn, c.action, arn)
	}
	return p, arn, nil
}

func (a *account) attachmentCount(arn string) (attached, boundaries int) {
	for _, r := range a.Roles {
		for _, have := range r.Attached {
			if have == arn {
				attached++
			}
		}
		if r.Boundary == arn {
			boundaries++
		}
	}
	return attached, boundaries
}

func (e *Emulator) policyXML(a *account, arn string, p *policy) xmlPolicy {
	n, b := a.attachmentCount(arn)
	return xmlPolicy{PolicyName: p.Name, PolicyId: p.ID, Arn: arn, Path: p.Path, DefaultVersionId: p.Default,
		AttachmentCount: n, PermissionsBoundaryUsageCount: b, IsAttachable: true, Description: p.Description,
		CreateDate: isoTime(p.Created), UpdateDate: isoTime(p.Updated), Tags: tagList(p.Tags)}
}

func (p *policy) version(id string) *policyVersion {
	for _, v := range p.Versions {
		if v.ID == id {
			return v
		}
	}
	return nil
}

func versionXML(p *policy, v *policyVersion, withDoc bool) xmlVersion {
	x := xmlVersion{VersionId: v.ID, IsDefaultVersion: v.ID == p.Default, CreateDate: isoTime(v.Created)}
	if withDoc {
		x.Document = encodeDoc(v.Doc)
	}
	return x
}

// checkPolicyDoc validates a managed policy document and its size against
// the account's PolicySizeQuota.
func (a *account) checkPolicyDoc(doc string) error {
	if err := validatePolicyDocument(doc, docIdentity); err != nil {
		return err
	}
	if err := a.checkDocPartition(doc, docIdentity); err != nil {
		return err
	}
	if q := a.quota("PolicySizeQuota"); policySize(doc) > int(q) {
		return errLimit("Cannot exceed quota for PolicySize: %d", q)
	}
	return nil
}

func createPolicy(e *Emulator, c *call) (any, error) {
	a := c.acct
	name, err := c.required("PolicyName", "policyName")
	if err != nil {
		return nil, err
	}
	if len(name) > 128 || !namePattern.MatchString(name) {
		return nil, errConstraint(name, "policyName", "Member must satisfy regular expression pattern: [\\w+=,.@-]+")
	}
	path := c.form.Get("Path")
	if path == "" {
		path = "/"
	}
	if err := validatePath(path); err != nil {
		return nil, err
	}
	desc := c.form.Get("Description")
	if err := validateDescription(desc); err != nil {
		return nil, err
	}
	tags, err := c.tags("Tags")
	if err != nil {
		return nil, err
	}
	doc, err := c.required("PolicyDocument", "policyDocument")
	if err != nil {
		return nil, err
	}
	if err := a.checkPolicyDoc(doc); err != nil {
		return nil, err
	}
	if a.Policies[strings.ToLower(name)] != nil {
		return nil, errAlreadyExists("A policy called %s already exists. Duplicate names are not allowed.", name)
	}
	if q := a.quota("PoliciesQuota"); len(a.Policies) >= int(q) {
		return nil, errLimit("Cannot exceed quota for PoliciesPerAccount: %d", q)
	}
	now := e.now()
	p := &policy{Name: name, Path: path, ID: stableID("ANPA", a.ID, "policy", strings.ToLower(name)), Description: desc,
		Tags: tags, Created: now, Updated: now, Default: "v1", NextVersion: 2,
		Versions: []*policyVersion{{ID: "v1", Doc: doc, Created: now}}}
	a.Policies[strings.ToLower(name)] = p
	x := e.policyXML(a, a.policyArn(p), p)
	x.Description = "" // CreatePolicy's response omits it, as in AWS
	return struct{ Policy xmlPolicy }{x}, nil
}

func getPolicy(e *Emulator, c *call) (any, error) {
	arn, err := c.required("PolicyArn", "policyArn")
	if err != nil {
		return nil, err
	}
	p, err := e.findPolicy(c.acct, arn)
	if err != nil {
		return nil, err
	}
	return struct{ Policy xmlPolicy }{e.policyXML(c.acct, arn, p)}, nil
}

func deletePolicy(e *Emulator, c *call) (any, error) {
	p, arn, err := e.ownPolicy(c)
	if err != nil {
		return nil, err
	}
	if n, b := c.acct.attachmentCount(arn); n+b > 0 {
		return nil, errDeleteConflict("Cannot delete a policy attached to entities.")
	}
	if len(p.Versions) > 1 {
		return nil, errDeleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions.")
	}
	delete(c.acct.Policies, strings.ToLower(p.Name))
	return nil, nil
}

func tagPolicy(e *Emulator, c *call) (any, error) {
	p, _, err := e.ownPolicy(c)
	if err != nil {
		return nil, err
	}
	tags, err := c.tags("Tags")
	if err != nil {
		return nil, err
	}
	merged, err := mergeTags(p.Tags, tags)
	if err != nil {
		return nil, err
	}
	p.Tags = merged
	return nil, nil
}

func untagPolicy(e *Emulator, c *call) (any, error) {
	p, _, err := e.ownPolicy(c)
	if err != nil {
		return nil, err
	}
	p.Tags = removeTags(p.Tags, c.members("TagKeys"))
	return nil, nil
}

func listPolicyTags(e *Emulator, c *call) (any, error) {
	arn, err := c.required("PolicyArn", "policyArn")
	if err != nil {
		return nil, err
	}
	p, err := e.findPolicy(c.acct, arn)
	if err != nil {
		return nil, err
	}
	return e.tagsPage(c, p.Tags)
}
