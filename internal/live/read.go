package live

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/connect"
	"github.com/irsa-sync/irsa-sync/internal/policy"
)

// Options say what Read reads beyond what every plan needs.
type Options struct {
	// Prune reads the tags of every customer-managed policy, to find this
	// owner's policies the file no longer declares.
	Prune bool
	// Parallelism bounds how many accounts and clusters are read at once;
	// 0 means 8.
	Parallelism int
}

// Read reads every account and cluster of the file concurrently. Each
// account is first checked with sts:GetCallerIdentity. Read makes no writes.
func Read(ctx context.Context, f *config.File, clients *connect.Clients, opts Options) (*State, error) {
	st := &State{Accounts: map[string]*Account{}, Clusters: map[string]*Cluster{}}
	var mu sync.Mutex
	declared, err := declaredPolicies(f)
	if err != nil {
		return nil, err
	}
	var fns []func(context.Context) error
	for _, a := range f.Accounts {
		fns = append(fns, func(ctx context.Context) error {
			if err := CheckIdentity(ctx, clients.STS[a.ID], a.Name, a.ID); err != nil {
				return err
			}
			acct, err := ReadAccount(ctx, clients.IAM[a.ID], a.ID, AccountOptions{
				PolicyTags: func(p Policy) bool { return opts.Prune || declared[a.Name+"/"+strings.ToLower(p.Name)].needsTags(p) },
			})
			if err != nil {
				return wrapf(err, "account %q", a.Name)
			}
			mu.Lock()
			defer mu.Unlock()
			st.Accounts[a.ID] = acct
			return nil
		})
	}
	for _, c := range f.Clusters {
		fns = append(fns, func(ctx context.Context) error {
			issuer := c.OIDCIssuer
			if issuer == "" {
				var err error
				if issuer, err = Issuer(ctx, clients.EKS[c.Name], c.Name); err != nil {
					return err
				}
			}
			cl, err := ReadCluster(ctx, clients.Kube[c.Name], c.Name, issuer)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			st.Clusters[c.Name] = cl
			return nil
		})
	}
	n := opts.Parallelism
	if n <= 0 {
		n = 8
	}
	if err := allN(ctx, n, fns...); err != nil {
		return nil, err
	}
	return st, nil
}

// Issuers returns each cluster's OIDC issuer URL.
func (s *State) Issuers() map[string]string {
	out := make(map[string]string, len(s.Clusters))
	for name, c := range s.Clusters {
		out[name] = c.Issuer
	}
	return out
}

// declaredPolicy is what the reader needs to know of a policy the file
// declares to decide whether its tags are worth a call.
type declaredPolicy struct {
	declared bool
	document policy.Document
	path     string
	userTags bool
}

// needsTags reports whether a live policy's tags must be read: only when a
// write may follow (its document or path differs, or the file sets tags of
// its own), since only then does its owner matter. A no-op plan of a large
// estate then makes no per-policy calls.
func (d declaredPolicy) needsTags(live Policy) bool {
	return d.declared && (d.userTags || !d.document.Equal(live.Document) || live.Path != d.path)
}

func declaredPolicies(f *config.File) (map[string]declaredPolicy, error) {
	out := map[string]declaredPolicy{}
	for i, p := range f.Policies {
		doc, err := policy.Parse(p.Document)
		if err != nil {
			return nil, fmt.Errorf("policies[%d] (%s): %w", i, p.Name, err)
		}
		path := p.Path
		if path == "" {
			path = "/"
		}
		out[p.Account+"/"+strings.ToLower(p.Name)] = declaredPolicy{declared: true, document: doc, path: path, userTags: len(p.Tags) > 0}
	}
	return out, nil
}
