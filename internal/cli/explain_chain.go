package cli

import (
	"fmt"
	"io"

	"github.com/irsa-sync/irsa-sync/internal/access"
	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// writeChain walks the role chains around a declared role: for a target,
// each source role that may assume it and the service accounts that reach it
// through that source; for a source, the roles it may chain to. clusters
// names the file's clusters by issuer host.
func writeChain(w io.Writer, want *desired.State, role *desired.Role, clusters map[string]string) {
	r := access.Resolver{Clusters: clusters, Accounts: map[string]string{}, Roles: map[string]string{}}
	byARN := map[string]*desired.Role{}
	for i := range want.Roles {
		byARN[want.Roles[i].ARN] = &want.Roles[i]
		r.Roles[want.Roles[i].ARN] = want.Roles[i].Name
	}
	for _, a := range want.Accounts {
		r.Accounts[a.ID] = a.Name
	}
	subjects, _ := access.Of(role.Trust, r)
	var chained []access.Subject
	for _, s := range subjects {
		if s.Path == access.Chain {
			chained = append(chained, s)
		}
	}
	if len(chained) > 0 {
		fmt.Fprintln(w, "\nBy role chaining (assumedFrom), as the file declares it:")
	}
	for _, s := range chained {
		source := byARN[s.Principal]
		if source == nil {
			fmt.Fprintf(w, "  - role %s, which this file does not declare\n", s.Principal)
			continue
		}
		fmt.Fprintf(w, "  - through role %s in account %s (%s), which these service accounts assume:\n", source.Name, source.Account, source.ARN)
		via, _ := access.Of(source.Trust, r)
		n := 0
		for _, v := range via {
			if v.Path == access.IRSA || v.Path == access.PodIdentity {
				fmt.Fprintf(w, "      - %s\n", v)
				n++
			}
		}
		if n == 0 {
			fmt.Fprintln(w, "      - none: no service account can start this chain")
		}
		for _, cm := range want.ConfigMaps {
			if cm.Target == role.ARN && cm.Source == source.ARN {
				fmt.Fprintf(w, "      pods in namespace %s of cluster %s chain with the AWS config profile %q of ConfigMap %s/%s\n", cm.Namespace, cm.Cluster, cm.Data[resource.ProfileNameKey], cm.Namespace, cm.Name)
			}
		}
	}
	var targets []*desired.Role
	for i := range want.Roles {
		for _, src := range want.Roles[i].AssumedFrom {
			if src.Role == role.ARN {
				targets = append(targets, &want.Roles[i])
			}
		}
	}
	if len(targets) > 0 {
		fmt.Fprintln(w, "\nThis role may chain to (its inline policy irsa-sync-chain allows sts:AssumeRole on exactly these):")
	}
	for _, t := range targets {
		fmt.Fprintf(w, "  - role %s in account %s (%s)\n", t.Name, t.Account, t.ARN)
	}
}

// chainStatement returns the source role a trust statement (as trust.Read
// reports it, in Other) lets assume the role by chaining, or "".
func chainStatement(stmt string) string {
	doc, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[` + stmt + `]}`))
	if err != nil {
		return ""
	}
	if roles := trust.RolePrincipals(doc); len(roles) == 1 {
		return roles[0]
	}
	return ""
}
