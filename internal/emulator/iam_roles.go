package emulator

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

func init() {
	for name, h := range map[string]handler{
		"CreateRole":                    createRole,
		"GetRole":                       getRole,
		"ListRoles":                     listRoles,
		"UpdateRole":                    updateRole,
		"UpdateAssumeRolePolicy":        updateAssumeRolePolicy,
		"PutRolePermissionsBoundary":    putRolePermissionsBoundary,
		"DeleteRolePermissionsBoundary": deleteRolePermissionsBoundary,
		"TagRole":                       tagRole,
		"UntagRole":                     untagRole,
		"ListRoleTags":                  listRoleTags,
		"DeleteRole":                    deleteRole,
	} {
		handlers["iam"][name] = h
	}
}

var (
	namePattern = regexp.MustCompile(`^[\w+=,.@-]+$`)
	pathPattern = regexp.MustCompile(`^(/|/[\x21-\x7E]+/)$`)
	descPattern = regexp.MustCompile(`^[\t\n\r\x20-\x7E\x{A1}-\x{FF}]*$`)
)

type xmlBoundary struct {
	PermissionsBoundaryType string
	PermissionsBoundaryArn  string
}

// xmlRole is IAM's Role shape. Which optional members are filled depends on
// the action, as in AWS: ListRoles carries no tags or boundary.
type xmlRole struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               string
	AssumeRolePolicyDocument string       `xml:",omitempty"`
	Description              string       `xml:",omitempty"`
	MaxSessionDuration       int32        `xml:",omitempty"`
	PermissionsBoundary      *xmlBoundary `xml:",omitempty"`
	Tags                     *xmlTagList  `xml:",omitempty"`
	RoleLastUsed             *struct{}    `xml:",omitempty"`
}

func validateRoleName(name string) error {
	if len(name) < 1 || len(name) > 64 {
		return errConstraint(name, "roleName", "Member must have length between 1 and 64")
	}
	if !namePattern.MatchString(name) {
		return errConstraint(name, "roleName", "Member must satisfy regular expression pattern: [\\w+=,.@-]+")
	}
	return nil
}

func validatePath(p string) error {
	if len(p) > 512 || !pathPattern.MatchString(p) {
		return errConstraint(p, "path", "Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)")
	}
	return nil
}

func validateDescription(d string) error {
	if len(d) > 1000 {
		return errConstraint(d, "description", "Member must have length less than or equal to 1000")
	}
	if !descPattern.MatchString(d) {
		return errConstraint(d, "description", "Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*")
	}
	return nil
}

func (a *account) roleArn(r *role) string { return roleArnIn(a.partition(), a.ID, r) }

func (a *account) role(c *call) (*role, error) {
	name, err := c.required("RoleName", "roleName")
	if err != nil {
		return nil, err
	}
	if err := validateRoleName(name); err != nil {
		return nil, err
	}
	r := a.Roles[strings.ToLower(name)]
	if r == nil {
		return nil, errNoSuchEntity("The role with name %s cannot be found.", name)
	}
	return r, nil
}

// checkTrust validates a trust policy and its size against the account's
// AssumeRolePolicySizeQuota (AWS names it ACLSizePerRole in the message).
func (a *account) checkTrust(doc string) error {
	if len(doc) > 131072 {
		return errConstraint("...", "assumeRolePolicyDocument", "Member must have length less than or equal to 131072")
	}
	if err := validatePolicyDocument(doc, docTrust); err != nil {
		return err
	}
	if err := a.checkDocPartition(doc, docTrust); err != nil {
		return err
	}
	if q := a.quota("AssumeRolePolicySizeQuota"); policySize(doc) > int(q) {
		return errLimit("Cannot exceed quota for ACLSizePerRole: %d", q)
	}
	return nil
}

func (e *Emulator) roleXML(a *account, r *role, full bool) xmlRole {
	x := xmlRole{Path: r.Path, RoleName: r.Name, RoleId: r.ID, Arn: a.roleArn(r), CreateDate: isoTime(r.Created),
		AssumeRolePolicyDocument: encodeDoc(r.Trust), Description: r.Description, MaxSessionDuration: r.MaxSession}
	if full {
		if r.Boundary != "" {
			x.PermissionsBoundary = &xmlBoundary{"PermissionsBoundaryPolicy", r.Boundary}
		}
		x.Tags = tagList(r.Tags)
		x.RoleLastUsed = &struct{}{}
	}
	return x
}

func createRole(e *Emulator, c *call) (any, error) {
	a := c.acct
	name, err := c.required("RoleName", "roleName")
	if err != nil {
		return nil, err
	}
	if err := validateRoleName(name); err != nil {
		return nil, err
	}
	path := c.form.Get("Path")
	if path == "" {
		path = "/"
	}
	if err := validatePath(path); err != nil {
		return nil, err
	}
	trust, err := c.required("AssumeRolePolicyDocument", "assumeRolePolicyDocument")
	if err != nil {
		return nil, err
	}
	desc := c.form.Get("Description")
	if err := validateDescription(desc); err != nil {
		return nil, err
	}
	maxSession, err := c.int32Param("MaxSessionDuration", "maxSessionDuration", 3600, 3600, 43200)
	if err != nil {
		return nil, err
	}
	tags, err := c.tags("Tags")
	if err != nil {
		return nil, err
	}
	boundary := c.form.Get("PermissionsBoundary")
	if boundary != "" {
		if _, err := e.findPolicy(a, boundary); err != nil {
			return nil, err
		}
	}
	if err := a.checkTrust(trust); err != nil {
		return nil, err
	}
	if err := e.checkRolePrincipals(trust); err != nil {
		return nil, err
	}
	if a.Roles[strings.ToLower(name)] != nil {
		return nil, errAlreadyExists("Role with name %s already exists.", name)
	}
	if q := a.quota("RolesQuota"); len(a.Roles) >= int(q) {
		return nil, errLimit("Cannot exceed quota for RolesPerAccount: %d", q)
	}
	r := &role{Name: name, Path: path, ID: stableID("AROA", a.ID, "role", strings.ToLower(name)), Trust: trust,
		Description: desc, MaxSession: maxSession, Boundary: boundary, Tags: tags, Created: e.now()}
	a.Roles[strings.ToLower(name)] = r
	x := e.roleXML(a, r, true)
	x.RoleLastUsed = nil
	return struct{ Role xmlRole }{x}, nil
}

func getRole(e *Emulator, c *call) (any, error) {
	r, err := c.acct.role(c)
	if err != nil {
		return nil, err
	}
	return struct{ Role xmlRole }{e.roleXML(c.acct, r, true)}, nil
}

// sortedRoles orders roles by lower-cased name: the stable order paging needs.
func sortedRoles(a *account) ([]*role, []string) {
	keys := make([]string, 0, len(a.Roles))
	for k := range a.Roles {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]*role, len(keys))
	for i, k := range keys {
		out[i] = a.Roles[k]
	}
	return out, keys
}

func listRoles(e *Emulator, c *call) (any, error) {
	prefix := c.form.Get("PathPrefix")
	if prefix == "" {
		prefix = "/"
	}
	all, allKeys := sortedRoles(c.acct)
	var roles []*role
	var keys []string
	for i, r := range all {
		if strings.HasPrefix(r.Path, prefix) {
			roles, keys = append(roles, r), append(keys, allKeys[i])
		}
	}
	p, err := e.paginate(c, keys)
	if err != nil {
		return nil, err
	}
	out := struct {
		Roles       []xmlRole `xml:"Roles>member"`
		IsTruncated bool
		Marker      string `xml:",omitempty"`
	}{Roles: []xmlRole{}, IsTruncated: p.truncated, Marker: p.marker}
	for _, r := range roles[p.start:p.end] {
		out.Roles = append(out.Roles, e.roleXML(c.acct, r, false))
	}
	return out, nil
}

func updateRole(e *Emulator, c *call) (any, error) {
	r, err := c.acct.role(c)
	if err != nil {
		return nil, err
	}
	_, hasDesc := c.form["Description"]
	desc := c.form.Get("Description")
	if err := validateDescription(desc); err != nil {
		return nil, err
	}
	maxSession, err := c.int32Param("MaxSessionDuration", "maxSessionDuration", r.MaxSession, 3600, 43200)
	if err != nil {
		return nil, err
	}
	if hasDesc {
		r.Description = desc
	}
	r.MaxSession = maxSession
	return struct{}{}, nil
}

func updateAssumeRolePolicy(e *Emulator, c *call) (any, error) {
	r, err := c.acct.role(c)
	if err != nil {
		return nil, err
	}
	doc, err := c.required("PolicyDocument", "policyDocument")
	if err != nil {
		return nil, err
	}
	if err := c.acct.checkTrust(doc); err != nil {
		return nil, err
	}
	if err := e.checkRolePrincipals(doc); err != nil {
		return nil, err
	}
	r.Trust = doc
	return nil, nil
}

func putRolePermissionsBoundary(e *Emulator, c *call) (any, error) {
	r, err := c.acct.role(c)
	if err != nil {
		return nil, err
	}
	arn, err := c.required("PermissionsBoundary", "permissionsBoundary")
	if err != nil {
		return nil, err
	}
	if _, err := e.findPolicy(c.acct, arn); err != nil {
		if asAPIError(err).Code == "NoSuchEntity" {
			return nil, errNoSuchEntity("Scope ARN: %s does not exist or is not attachable.", arn)
		}
		return nil, err
	}
	r.Boundary = arn
	return nil, nil
}

func deleteRolePermissionsBoundary(e *Emulator, c *call) (any, error) {
	r, err := c.acct.role(c)
	if err != nil {
		return nil, err
	}
	if r.Boundary == "" {
		return nil, errNoSuchEntity("The role %s does not have a permissions boundary.", r.Name)
	}
	r.Boundary = ""
	return nil, nil
}

func tagRole(e *Emulator, c *call) (any, error) {
	r, err := c.acct.role(c)
	if err != nil {
		return nil, err
	}
	tags, err := c.tags("Tags")
	if err != nil {
		return nil, err
	}
	if len(tags) == 0 {
		return nil, errConstraint("[]", "tags", "Member must have length greater than or equal to 1")
	}
	merged, err := mergeTags(r.Tags, tags)
	if err != nil {
		return nil, err
	}
	r.Tags = merged
	return nil, nil
}

func untagRole(e *Emulator, c *call) (any, error) {
	r, err := c.acct.role(c)
	if err != nil {
		return nil, err
	}
	r.Tags = removeTags(r.Tags, c.members("TagKeys"))
	return nil, nil
}

// tagsPage answers the ListXTags actions, which page like every IAM list.
func (e *Emulator) tagsPage(c *call, tags []tag) (any, error) {
	keys := make([]string, len(tags))
	for i := range tags {
		// Tags keep insertion order; the index makes a sorted, stable key.
		keys[i] = fmt.Sprintf("%04d", i)
	}
	p, err := e.paginate(c, keys)
	if err != nil {
		return nil, err
	}
	return struct {
		Tags        []xmlTag `xml:"Tags>member"`
		IsTruncated bool
		Marker      string `xml:",omitempty"`
	}{xmlTags(tags[p.start:p.end]), p.truncated, p.marker}, nil
}

func listRoleTags(e *Emulator, c *call) (any, error) {
	r, err := c.acct.role(c)
	if err != nil {
		return nil, err
	}
	return e.tagsPage(c, r.Tags)
}

func deleteRole(e *Emulator, c *call) (any, error) {
	r, err := c.acct.role(c)
	if err != nil {
		return nil, err
	}
	if len(r.Attached) > 0 {
		return nil, errDeleteConflict("Cannot delete entity, must detach all policies first.")
	}
	if len(r.Inline) > 0 {
		return nil, errDeleteConflict("Cannot delete entity, must delete policies first.")
	}
	delete(c.acct.Roles, strings.ToLower(r.Name))
	e.forgetRolePrincipal(c.acct.roleArn(r), r.ID)
	return nil, nil
}
