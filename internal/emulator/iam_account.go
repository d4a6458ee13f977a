package emulator

import (
	"sort"
	"strings"
)

func init() {
	handlers["iam"]["GetAccountSummary"] = getAccountSummary
	handlers["iam"]["GetAccountAuthorizationDetails"] = getAccountAuthorizationDetails
}

// defaultQuotas are IAM's default quotas under their GetAccountSummary
// SummaryMap keys (IAM API reference, GetAccountSummary; IAM User Guide,
// "IAM and AWS STS quotas"). The emulator enforces RolesQuota,
// PoliciesQuota, AttachedPoliciesPerRoleQuota, AssumeRolePolicySizeQuota,
// PolicySizeQuota, RolePolicySizeQuota and VersionsPerPolicyQuota, and
// reports the user, group and certificate ones only. OIDC providers per
// account (default 100) has no SummaryMap key: AWS reports it through
// Service Quotas only, so GetAccountSummary leaves it out while CreateOpenIDConnectProvider
// enforces it; SetQuota takes it as "OpenIdConnectProvidersQuota".
var defaultQuotas = map[string]int32{
	"RolesQuota":                      1000,
	"PoliciesQuota":                   1500,
	"AttachedPoliciesPerRoleQuota":    10,
	"AssumeRolePolicySizeQuota":       2048,
	"PolicySizeQuota":                 6144,
	"RolePolicySizeQuota":             10240,
	"VersionsPerPolicyQuota":          5,
	"PolicyVersionsInUseQuota":        10000,
	"InstanceProfilesQuota":           1000,
	"UsersQuota":                      5000,
	"GroupsQuota":                     300,
	"ServerCertificatesQuota":         20,
	"UserPolicySizeQuota":             2048,
	"GroupPolicySizeQuota":            5120,
	"GroupsPerUserQuota":              10,
	"SigningCertificatesPerUserQuota": 2,
	"AccessKeysPerUserQuota":          2,
	"AttachedPoliciesPerUserQuota":    10,
	"AttachedPoliciesPerGroupQuota":   10,
	"OpenIdConnectProvidersQuota":     100,
}

func (a *account) quota(name string) int32 {
	if v, ok := a.Quotas[name]; ok {
		return v
	}
	return defaultQuotas[name]
}

// SetQuota overrides one of the account's IAM quotas (a name from
// GetAccountSummary's SummaryMap such as "AttachedPoliciesPerRoleQuota"), the
// way a raised service quota would. It creates the account if needed.
func (e *Emulator) SetQuota(accountID, name string, v int32) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.ensureAccount(accountID)
	if a.Quotas == nil {
		a.Quotas = map[string]int32{}
	}
	a.Quotas[name] = v
}

type xmlEntry struct {
	Key   string `xml:"key"`
	Value int32  `xml:"value"`
}

func getAccountSummary(e *Emulator, c *call) (any, error) {
	a := c.acct
	versions := 0
	for _, p := range a.Policies {
		versions += len(p.Versions)
	}
	m := map[string]int32{
		"Roles":                             int32(len(a.Roles)),
		"Policies":                          int32(len(a.Policies)),
		"PolicyVersionsInUse":               int32(versions),
		"Users":                             1, // the admin identity behind EnsureAccount's keys
		"Groups":                            0,
		"InstanceProfiles":                  0,
		"Providers":                         0, // SAML providers; IAM does not count OIDC ones here
		"ServerCertificates":                0,
		"MFADevices":                        0,
		"MFADevicesInUse":                   0,
		"AccountMFAEnabled":                 0,
		"AccountAccessKeysPresent":          0,
		"AccountPasswordPresent":            0,
		"AccountSigningCertificatesPresent": 0,
		"GlobalEndpointTokenVersion":        1,
	}
	for k := range defaultQuotas {
		if k != "OpenIdConnectProvidersQuota" {
			m[k] = a.quota(k)
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := struct {
		SummaryMap []xmlEntry `xml:"SummaryMap>entry"`
	}{}
	for _, k := range keys {
		out.SummaryMap = append(out.SummaryMap, xmlEntry{k, m[k]})
	}
	return out, nil
}

type xmlInline struct {
	PolicyName     string
	PolicyDocument string
}

type xmlRoleDetail struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               string
	AssumeRolePolicyDocument string
	InstanceProfileList      []struct{}    `xml:"InstanceProfileList>member"`
	RolePolicyList           []xmlInline   `xml:"RolePolicyList>member"`
	AttachedManagedPolicies  []xmlAttached `xml:"AttachedManagedPolicies>member"`
	PermissionsBoundary      *xmlBoundary  `xml:",omitempty"`
	Tags                     []xmlTag      `xml:"Tags>member"`
	RoleLastUsed             struct{}
}

type xmlPolicyDetail struct {
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
	PolicyVersionList             []xmlVersion `xml:"PolicyVersionList>member"`
}

// getAccountAuthorizationDetails pages roles, then customer-managed
// policies, then the AWS-managed policies attached in the account, as one
// list, so a Marker can land anywhere in it.
func getAccountAuthorizationDetails(e *Emulator, c *call) (any, error) {
	a := c.acct
	want := map[string]bool{}
	for _, f := range c.members("Filter") {
		switch f {
		case "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy":
			want[f] = true
		default:
			return nil, errConstraint("["+f+"]", "filter", "Member must satisfy constraint: [Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]]")
		}
	}
	all := len(want) == 0
	var keys []string
	if all || want["Role"] {
		_, rk := sortedRoles(a)
		for _, k := range rk {
			keys = append(keys, "1/"+k)
		}
	}
	if all || want["LocalManagedPolicy"] {
		for k := range a.Policies {
			keys = append(keys, "2/"+k)
		}
	}
	if all || want["AWSManagedPolicy"] {
		for key := range awsManaged {
			arn := a.awsManagedArn(key)
			if n, b := a.attachmentCount(arn); n+b > 0 {
				keys = append(keys, "3/"+arn)
			}
		}
	}
	sort.Strings(keys)
	p, err := e.paginate(c, keys)
	if err != nil {
		return nil, err
	}
	out := struct {
		UserDetailList  []struct{}        `xml:"UserDetailList>member"`
		GroupDetailList []struct{}        `xml:"GroupDetailList>member"`
		RoleDetailList  []xmlRoleDetail   `xml:"RoleDetailList>member"`
		Policies        []xmlPolicyDetail `xml:"Policies>member"`
		IsTruncated     bool
		Marker          string `xml:",omitempty"`
	}{IsTruncated: p.truncated, Marker: p.marker}
	for _, k := range keys[p.start:p.end] {
		switch kind, rest, _ := strings.Cut(k, "/"); kind {
		case "1":
			out.RoleDetailList = append(out.RoleDetailList, roleDetail(a, a.Roles[rest]))
		case "2":
			pol := a.Policies[rest]
			out.Policies = append(out.Policies, policyDetail(a, a.policyArn(pol), pol))
		case "3":
			_, _, _, key, _ := parsePolicyArn(rest)
			out.Policies = append(out.Policies, policyDetail(a, rest, awsManaged[key]))
		}
	}
	return out, nil
}

func roleDetail(a *account, r *role) xmlRoleDetail {
	d := xmlRoleDetail{Path: r.Path, RoleName: r.Name, RoleId: r.ID, Arn: a.roleArn(r), CreateDate: isoTime(r.Created),
		AssumeRolePolicyDocument: encodeDoc(r.Trust), Tags: xmlTags(r.Tags)}
	pols, _ := sortedInline(r)
	for _, p := range pols {
		d.RolePolicyList = append(d.RolePolicyList, xmlInline{p.Name, encodeDoc(p.Doc)})
	}
	for _, arn := range r.Attached {
		_, _, _, name, _ := parsePolicyArn(arn)
		d.AttachedManagedPolicies = append(d.AttachedManagedPolicies, xmlAttached{name, arn})
	}
	if r.Boundary != "" {
		d.PermissionsBoundary = &xmlBoundary{"PermissionsBoundaryPolicy", r.Boundary}
	}
	return d
}

func policyDetail(a *account, arn string, p *policy) xmlPolicyDetail {
	n, b := a.attachmentCount(arn)
	d := xmlPolicyDetail{PolicyName: p.Name, PolicyId: p.ID, Arn: arn, Path: p.Path, DefaultVersionId: p.Default,
		AttachmentCount: n, PermissionsBoundaryUsageCount: b, IsAttachable: true, Description: p.Description,
		CreateDate: isoTime(p.Created), UpdateDate: isoTime(p.Updated)}
	for _, v := range p.Versions {
		d.PolicyVersionList = append(d.PolicyVersionList, versionXML(p, v, true))
	}
	return d
}
