package emulator

import (
	"fmt"
	"strconv"
	"strings"
)

func init() {
	for name, h := range map[string]handler{
		"CreatePolicyVersion":     createPolicyVersion,
		"GetPolicyVersion":        getPolicyVersion,
		"ListPolicyVersions":      listPolicyVersions,
		"DeletePolicyVersion":     deletePolicyVersion,
		"SetDefaultPolicyVersion": setDefaultPolicyVersion,
	} {
		handlers["iam"][name] = h
	}
}

func createPolicyVersion(e *Emulator, c *call) (any, error) {
	p, _, err := e.ownPolicy(c)
	if err != nil {
		return nil, err
	}
	doc, err := c.required("PolicyDocument", "policyDocument")
	if err != nil {
		return nil, err
	}
	if err := c.acct.checkPolicyDoc(doc); err != nil {
		return nil, err
	}
	if q := c.acct.quota("VersionsPerPolicyQuota"); len(p.Versions) >= int(q) {
		return nil, errLimit("A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", q)
	}
	v := &policyVersion{ID: "v" + strconv.Itoa(p.NextVersion), Doc: doc, Created: e.now()}
	p.NextVersion++
	p.Versions = append(p.Versions, v)
	if c.form.Get("SetAsDefault") == "true" {
		p.Default = v.ID
		p.Updated = v.Created
	}
	return struct{ PolicyVersion xmlVersion }{versionXML(p, v, false)}, nil
}

func (c *call) versionID() (string, error) {
	id, err := c.required("VersionId", "versionId")
	if err != nil {
		return "", err
	}
	if !versionPattern.MatchString(id) {
		return "", errConstraint(id, "versionId", "Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?")
	}
	return id, nil
}

func getPolicyVersion(e *Emulator, c *call) (any, error) {
	arn, err := c.required("PolicyArn", "policyArn")
	if err != nil {
		return nil, err
	}
	p, err := e.findPolicy(c.acct, arn)
	if err != nil {
		return nil, err
	}
	id, err := c.versionID()
	if err != nil {
		return nil, err
	}
	v := p.version(id)
	if v == nil {
		return nil, errNoSuchEntity("Policy %s version %s does not exist or is not attachable.", arn, id)
	}
	return struct{ PolicyVersion xmlVersion }{versionXML(p, v, true)}, nil
}

func listPolicyVersions(e *Emulator, c *call) (any, error) {
	arn, err := c.required("PolicyArn", "policyArn")
	if err != nil {
		return nil, err
	}
	p, err := e.findPolicy(c.acct, arn)
	if err != nil {
		return nil, err
	}
	// Newest first, as IAM lists them; the key sorts descending by number.
	keys := make([]string, len(p.Versions))
	vs := make([]*policyVersion, len(p.Versions))
	for i := range p.Versions {
		v := p.Versions[len(p.Versions)-1-i]
		n, _ := strconv.Atoi(strings.TrimPrefix(v.ID, "v"))
		vs[i], keys[i] = v, fmt.Sprintf("%010d", 1<<30-n)
	}
	pg, err := e.paginate(c, keys)
	if err != nil {
		return nil, err
	}
	out := struct {
		Versions    []xmlVersion `xml:"Versions>member"`
		IsTruncated bool
		Marker      string `xml:",omitempty"`
	}{Versions: []xmlVersion{}, IsTruncated: pg.truncated, Marker: pg.marker}
	for _, v := range vs[pg.start:pg.end] {
		out.Versions = append(out.Versions, versionXML(p, v, false))
	}
	return out, nil
}

func deletePolicyVersion(e *Emulator, c *call) (any, error) {
	p, arn, err := e.ownPolicy(c)
	if err != nil {
		return nil, err
	}
	id, err := c.versionID()
	if err != nil {
		return nil, err
	}
	if p.version(id) == nil {
		return nil, errNoSuchEntity("Policy %s version %s does not exist or is not attachable.", arn, id)
	}
	if id == p.Default {
		return nil, errDeleteConflict("Cannot delete the default version of a policy.")
	}
	for i, v := range p.Versions {
		if v.ID == id {
			p.Versions = append(p.Versions[:i:i], p.Versions[i+1:]...)
			break
		}
	}
	return nil, nil
}

func setDefaultPolicyVersion(e *Emulator, c *call) (any, error) {
	p, arn, err := e.ownPolicy(c)
	if err != nil {
		return nil, err
	}
	id, err := c.versionID()
	if err != nil {
		return nil, err
	}
	if p.version(id) == nil {
		return nil, errNoSuchEntity("Policy %s version %s does not exist or is not attachable.", arn, id)
	}
	p.Default, p.Updated = id, e.now()
	return nil, nil
}
