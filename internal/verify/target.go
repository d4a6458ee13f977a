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
	// Hops are the ARNs of the roles the file chains to from Role
	// (assumedFrom naming it), in the file's order: a pod of the binding
	// reaches each with sts:AssumeRole from its web identity session.
	Hops []string
}

// Filter narrows the bindings verified; an empty field matches all.
type Filter struct {
	// Role is a role name or ARN.
	Role      string
	Cluster   string
	Namespace string
}

// apply keeps a target the filter selects. --role names the binding's own
// role or a role chained to from it: then only the hops to that role are
// proven, through the binding that reaches it, since a chain's target has
// no ServiceAccount of its own to mint a token for.
func (f Filter) apply(t Target) (Target, bool) {
	if (f.Cluster != "" && f.Cluster != t.Cluster) || (f.Namespace != "" && f.Namespace != t.Namespace) {
		return t, false
	}
	if f.Role == "" || f.namesRole(t.Role) {
		return t, true
	}
	var hops []string
	for _, h := range t.Hops {
		if f.namesRole(h) {
			hops = append(hops, h)
		}
	}
	t.Hops = hops
	return t, len(hops) > 0
}

func (f Filter) namesRole(arn string) bool { return f.Role == arn || f.Role == roleName(arn) }

// chainTargets maps each source role's ARN to the roles chained to from
// it, in the file's order of the targets.
func chainTargets(want *desired.State) map[string][]string {
	out := map[string][]string{}
	for _, r := range want.Roles {
		for _, c := range r.AssumedFrom {
			out[c.Role] = append(out[c.Role], r.ARN)
		}
	}
	return out
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
	hops := chainTargets(want)
	var out []Target
	for _, sa := range want.ServiceAccounts {
		if sa.Annotations[resource.AnnotationRoleARN] == "" {
			// Bound via podIdentity only: no web identity token to mint;
			// the Pod Identity path is not verified here.
			continue
		}
		aud := sa.Annotations[resource.AnnotationAudience]
		if aud == "" {
			aud = resource.DefaultAudience
		}
		t := Target{Cluster: sa.Cluster, Region: region[sa.Cluster], Namespace: sa.Namespace, Name: sa.Name,
			Role: sa.Role, Audience: aud, Issuer: resource.IssuerHost(issuers[sa.Cluster]), Hops: hops[sa.Role]}
		if t, ok := filter.apply(t); ok {
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
