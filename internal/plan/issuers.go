package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// sharedIssuers refuses two clusters whose live OIDC issuers (as
// eks:DescribeCluster reports them, or the file's override) are one:
// their tokens carry the same iss and sub, so a trust written for a
// service account of one admits the same name in the other. Validation
// refuses this for issuers written in the file; this catches issuers
// only EKS knows. It is an error, not a warning: applying would write the
// wider trust.
func (c *computer) sharedIssuers() {
	names := make([]string, 0, len(c.have.Clusters))
	for name := range c.have.Clusters {
		names = append(names, name)
	}
	sort.Strings(names)
	first := map[string]string{} // issuer host, lower-cased -> cluster
	for _, name := range names {
		issuer := c.have.Clusters[name].Issuer
		if issuer == "" {
			continue
		}
		key := strings.ToLower(resource.IssuerHost(issuer))
		other, dup := first[key]
		if !dup {
			first[key] = name
			continue
		}
		c.fail("cluster/"+name, fmt.Sprintf("clusters %q and %q have one OIDC issuer, %s: their service accounts cannot be told apart (same issuer, same subject), so a role bound in one would trust the other's; if they are one cluster, declare it once, else check the clusters' names and regions", other, name, issuer))
	}
}
