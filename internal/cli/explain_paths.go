package cli

import (
	"fmt"
	"io"

	"github.com/irsa-sync/irsa-sync/internal/access"
	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/policy"
)

// resolverFor names the ARNs of a trust the way the file does, for the
// project's own trust reasoning (internal/access): accounts, the clusters'
// ARNs (Pod Identity trusts name clusters by ARN) and roles (chaining).
func resolverFor(f *config.File, want *desired.State) access.Resolver {
	r := access.Resolver{ClusterARNs: map[string]string{}, Accounts: map[string]string{}, Roles: map[string]string{}}
	for _, a := range want.Accounts {
		r.Accounts[a.ID] = a.Name
	}
	for _, c := range f.Clusters {
		for _, a := range f.Accounts {
			if a.Name == c.Account {
				r.ClusterARNs[desired.ClusterARN(c.Region, a.ID, c.Name)] = c.Name
			}
		}
	}
	for _, role := range want.Roles {
		r.Roles[role.ARN] = role.Name
	}
	return r
}

// writePaths says, in access's words, who can assume the role through EKS
// Pod Identity. IRSA and role chaining (also a Pod Identity target role's
// source) are said by writeGrants, the risks of every path by writeRisks.
func writePaths(w io.Writer, doc policy.Document, r access.Resolver) {
	subjects, _ := access.Of(doc, r)
	for _, path := range []struct {
		path  access.Path
		title string
	}{{access.PodIdentity, "Through EKS Pod Identity (pods.eks.amazonaws.com), for an association of:"}} {
		var lines []string
		for _, s := range subjects {
			if s.Path == path.path {
				lines = append(lines, s.String())
			}
		}
		if len(lines) == 0 {
			continue
		}
		fmt.Fprintf(w, "  %s\n", path.title)
		for _, l := range lines {
			fmt.Fprintf(w, "    - %s\n", l)
		}
	}
}

// readByPaths reports whether access reads a statement irsa-sync's IRSA
// reader does not interpret as Pod Identity, which writePaths then says in
// words.
func readByPaths(statement string) bool {
	doc, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[` + statement + `]}`))
	if err != nil {
		return false
	}
	subjects, _ := access.Of(doc, access.Resolver{})
	for _, s := range subjects {
		if s.Path != access.PodIdentity {
			return false
		}
	}
	return len(subjects) > 0
}
