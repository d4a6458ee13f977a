package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
)

func init() {
	handlers["eks"]["DescribeCluster"] = describeCluster
}

// eksAction maps a restJson1 request to its operation name.
func eksAction(r *http.Request) string {
	rest, ok := strings.CutPrefix(r.URL.Path, "/clusters/")
	if ok && r.Method == http.MethodGet && rest != "" && !strings.Contains(rest, "/") {
		return "DescribeCluster"
	}
	return ""
}

func clusterNameFromPath(p string) string { return strings.TrimPrefix(p, "/clusters/") }

// placeholderCA is not a real certificate; irsa-sync never dials the
// cluster endpoint through the emulator.
var placeholderCA = base64.StdEncoding.EncodeToString([]byte("-----BEGIN CERTIFICATE-----\nemulator placeholder\n-----END CERTIFICATE-----\n"))

// describeCluster answers for clusters keyed by the caller's account, the
// region of the credential scope, and the name.
func describeCluster(e *Emulator, c *call) (any, error) {
	name := clusterNameFromPath(c.path)
	cl := c.acct.Clusters[c.region+"/"+name]
	if cl == nil {
		return nil, errf(404, "ResourceNotFoundException", "No cluster found for name: %s.", name)
	}
	sum := sha256.Sum256([]byte(c.acct.ID + "/" + cl.Region + "/" + cl.Name))
	host := strings.ToUpper(hex.EncodeToString(sum[:16]))
	return map[string]any{"cluster": map[string]any{
		"name":                 cl.Name,
		"arn":                  "arn:aws:eks:" + cl.Region + ":" + c.acct.ID + ":cluster/" + cl.Name,
		"createdAt":            float64(cl.Created.UnixMilli()) / 1000,
		"version":              "1.33",
		"endpoint":             "https://" + host + ".gr7." + cl.Region + ".eks.amazonaws.com",
		"roleArn":              "arn:aws:iam::" + c.acct.ID + ":role/eks-cluster-role",
		"identity":             map[string]any{"oidc": map[string]any{"issuer": cl.Issuer}},
		"status":               "ACTIVE",
		"certificateAuthority": map[string]any{"data": placeholderCA},
		"platformVersion":      "eks.1",
		"tags":                 map[string]string{},
	}}, nil
}
