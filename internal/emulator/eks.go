package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

func init() {
	handlers["eks"]["DescribeCluster"] = describeCluster
}

// eksRoutes maps restJson1 method and path shapes (from the EKS API
// reference's Request Syntax) to operations. "{x}" is a path label.
var eksRoutes = []struct{ method, pattern, action string }{
	{http.MethodGet, "/clusters/{clusterName}", "DescribeCluster"},
	{http.MethodPost, "/clusters/{clusterName}/pod-identity-associations", "CreatePodIdentityAssociation"},
	{http.MethodGet, "/clusters/{clusterName}/pod-identity-associations", "ListPodIdentityAssociations"},
	{http.MethodGet, "/clusters/{clusterName}/pod-identity-associations/{associationId}", "DescribePodIdentityAssociation"},
	{http.MethodPost, "/clusters/{clusterName}/pod-identity-associations/{associationId}", "UpdatePodIdentityAssociation"},
	{http.MethodDelete, "/clusters/{clusterName}/pod-identity-associations/{associationId}", "DeletePodIdentityAssociation"},
	{http.MethodGet, "/clusters/{clusterName}/addons", "ListAddons"},
	{http.MethodGet, "/clusters/{clusterName}/addons/{addonName}", "DescribeAddon"},
	{http.MethodGet, "/clusters/{clusterName}/fargate-profiles", "ListFargateProfiles"},
	{http.MethodGet, "/clusters/{clusterName}/fargate-profiles/{fargateProfileName}", "DescribeFargateProfile"},
	{http.MethodPost, "/tags/{resourceArn}", "TagResource"},
	{http.MethodGet, "/tags/{resourceArn}", "ListTagsForResource"},
	{http.MethodDelete, "/tags/{resourceArn}", "UntagResource"},
}

// eksRoute maps a restJson1 request to its operation name and decoded path
// labels. Labels are split on the escaped path, so an ARN label whose
// slashes the SDK escaped as %2F stays one label.
func eksRoute(r *http.Request) (string, map[string]string) {
	segs := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	for _, rt := range eksRoutes {
		want := strings.Split(strings.Trim(rt.pattern, "/"), "/")
		if rt.method != r.Method || len(want) != len(segs) {
			continue
		}
		labels := map[string]string{}
		ok := true
		for i, w := range want {
			seg, err := url.PathUnescape(segs[i])
			switch {
			case err != nil:
				ok = false
			case strings.HasPrefix(w, "{"):
				labels[strings.Trim(w, "{}")] = seg
				ok = ok && seg != ""
			default:
				ok = ok && seg == w
			}
		}
		if ok {
			return rt.action, labels
		}
	}
	return "", nil
}

// errEKSInvalidParameter and the other EKS errors carry the statuses the
// EKS API reference lists for them.
func errEKSInvalidParameter(format string, args ...any) *APIError {
	return errf(400, "InvalidParameterException", format, args...)
}

func errEKSNotFound(format string, args ...any) *APIError {
	return errf(404, "ResourceNotFoundException", format, args...)
}

// decodeBody reads a restJson1 request body into v. An empty body is an
// empty object, as the SDK sends none for operations without members.
func (c *call) decodeBody(v any) error {
	if len(c.body) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		return errf(400, "BadRequestException", "Invalid request body: %v", err)
	}
	return nil
}

// cluster resolves the clusterName label in the caller's account and the
// region of the credential scope.
func (c *call) cluster() (*cluster, error) {
	name := c.labels["clusterName"]
	cl := c.acct.Clusters[c.region+"/"+name]
	if cl == nil {
		return nil, errEKSNotFound("No cluster found for name: %s.", name)
	}
	return cl, nil
}

func clusterArn(partition, region, acct, name string) string {
	return "arn:" + partition + ":eks:" + region + ":" + acct + ":cluster/" + name
}

// eksPage is one page of a paged EKS list: maxResults between 1 and 100
// (default 100), nextToken an opaque string naming the last key returned.
type eksPage struct {
	start, end int
	next       string
}

// paginateEKS pages sorted keys. As with IAM markers, the token encodes the
// last key returned so concurrent writes never repeat or skip an item.
func (e *Emulator) paginateEKS(c *call, keys []string) (eksPage, error) {
	if !sort.StringsAreSorted(keys) {
		panic("emulator: paginateEKS needs sorted keys")
	}
	max := 100
	if s := c.query.Get("maxResults"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return eksPage{}, errEKSInvalidParameter("maxResults must be between 1 and 100")
		}
		max = n
	}
	if e.opts.PageSize > 0 && max > e.opts.PageSize {
		max = e.opts.PageSize
	}
	var p eksPage
	if tok := c.query.Get("nextToken"); tok != "" {
		last, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil {
			return eksPage{}, errEKSInvalidParameter("The nextToken is not valid.")
		}
		p.start = sort.SearchStrings(keys, string(last))
		if p.start < len(keys) && keys[p.start] == string(last) {
			p.start++
		}
	}
	p.end = min(p.start+max, len(keys))
	if p.end < len(keys) {
		p.next = base64.RawURLEncoding.EncodeToString([]byte(keys[p.end-1]))
	}
	return p, nil
}

// placeholderCA is not a real certificate; irsa-sync never dials the
// cluster endpoint through the emulator.
var placeholderCA = base64.StdEncoding.EncodeToString([]byte("-----BEGIN CERTIFICATE-----\nemulator placeholder\n-----END CERTIFICATE-----\n"))

// describeCluster answers for clusters keyed by the caller's account, the
// region of the credential scope, and the name.
func describeCluster(e *Emulator, c *call) (any, error) {
	cl, err := c.cluster()
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(c.acct.ID + "/" + cl.Region + "/" + cl.Name))
	host := strings.ToUpper(hex.EncodeToString(sum[:16]))
	return map[string]any{"cluster": map[string]any{
		"name":                 cl.Name,
		"arn":                  clusterArn(c.partition, cl.Region, c.acct.ID, cl.Name),
		"createdAt":            float64(cl.Created.UnixMilli()) / 1000,
		"version":              "1.33",
		"endpoint":             "https://" + host + ".gr7." + cl.Region + ".eks." + dnsSuffix(c.partition),
		"roleArn":              "arn:" + c.partition + ":iam::" + c.acct.ID + ":role/eks-cluster-role",
		"identity":             map[string]any{"oidc": map[string]any{"issuer": cl.Issuer}},
		"status":               "ACTIVE",
		"certificateAuthority": map[string]any{"data": placeholderCA},
		"platformVersion":      "eks.1",
		"tags":                 map[string]string{},
	}}, nil
}
