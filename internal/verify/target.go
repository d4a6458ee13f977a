package verify

import (
	"fmt"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// Target is one exact binding to prove.
type Target struct {
	Cluster   string
	Region    string
	Namespace string
	Name      string
	// Role is the ARN of the role the file binds the ServiceAccount to.
	Role string
	// Audience is the token audience: the binding's, else the webhook's
	// default sts.amazonaws.com.
	Audience string
	// Issuer is the cluster's issuer without https://, as IAM names the
	// provider.
	Issuer string
}

// Filter narrows the bindings verified; an empty field matches all.
type Filter struct {
	// Role is a role name or ARN.
	Role      string
	Cluster   string
	Namespace string
}

func (f Filter) matches(t Target) bool {
	return (f.Role == "" || f.Role == t.Role || f.Role == roleName(t.Role)) &&
		(f.Cluster == "" || f.Cluster == t.Cluster) &&
		(f.Namespace == "" || f.Namespace == t.Namespace)
}

// Targets lists the exact bindings of the file that match the filter, in
// the desired state's order (patterns have no ServiceAccount to mint a
// token for). issuers are the clusters' issuers the plan read. A filter
// that matches nothing is an error naming it, so a misspelt --role never
// passes as "all proven".
func Targets(f *config.File, want *desired.State, issuers map[string]string, filter Filter) ([]Target, error) {
	region := map[string]string{}
	for _, c := range f.Clusters {
		region[c.Name] = c.Region
	}
	var out []Target
	for _, sa := range want.ServiceAccounts {
		aud := sa.Annotations[resource.AnnotationAudience]
		if aud == "" {
			aud = resource.DefaultAudience
		}
		t := Target{Cluster: sa.Cluster, Region: region[sa.Cluster], Namespace: sa.Namespace, Name: sa.Name,
			Role: sa.Role, Audience: aud, Issuer: resource.IssuerHost(issuers[sa.Cluster])}
		if filter.matches(t) {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no exact binding matches %s: check the names against %s", filter.words(), f.Path)
	}
	return out, nil
}

func (f Filter) words() string {
	var parts []string
	for _, p := range [][2]string{{"--role", f.Role}, {"--cluster", f.Cluster}, {"--namespace", f.Namespace}} {
		if p[1] != "" {
			parts = append(parts, p[0]+" "+p[1])
		}
	}
	if len(parts) == 0 {
		return "the file (it binds no exact service account)"
	}
	return strings.Join(parts, ", ")
}
