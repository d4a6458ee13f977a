package live

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/connect"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/state"
)

// Options tune Read.
type Options struct {
	// Parallelism bounds how many accounts and clusters are read at once;
	// 0 means 8.
	Parallelism int
	// Prune reads what pruning needs: every cluster's Pod Identity
	// associations, each described for its owner tag.
	Prune bool
	// PodIdentity reads every cluster's Pod Identity associations, each
	// described, whatever the file binds: import turns them into bindings.
	PodIdentity bool
}

// Read reads every account and cluster of the file concurrently. Each
// account is first checked with sts:GetCallerIdentity. Read makes no writes.
func Read(ctx context.Context, f *config.File, clients *connect.Clients, opts Options) (*state.Live, error) {
	st := &state.Live{Accounts: map[string]*state.Account{}, Clusters: map[string]*state.Cluster{}}
	var mu sync.Mutex
	declared := map[string]DeclaredPolicy{} // by "account/lower-cased name"
	for i, p := range f.Policies {
		doc, err := policy.Parse(p.Document)
		if err != nil {
			return nil, fmt.Errorf("policies[%d] (%s): %w", i, p.Name, err)
		}
		path := p.Path
		if path == "" {
			path = "/"
		}
		declared[p.Account+"/"+strings.ToLower(p.Name)] = DeclaredPolicy{Document: doc, Path: path, UserTags: len(p.Tags) > 0}
	}
	readers := awsManagedReaders(f)
	var fns []func(context.Context) error
	for _, a := range f.Accounts {
		fns = append(fns, func(ctx context.Context) error {
			want, _ := f.AccountPartition(a.Name)
			part, err := CheckIdentity(ctx, clients.STS[a.ID], a.Name, a.ID, want)
			if err != nil {
				return err
			}
			acct, err := ReadAccount(ctx, clients.IAM[a.ID], a.ID, AccountOptions{
				Owner: f.Owner,
				Declared: func(name string) (DeclaredPolicy, bool) {
					d, ok := declared[a.Name+"/"+strings.ToLower(name)]
					return d, ok
				},
			})
			if err != nil {
				return wrapf(err, "account %q", a.Name)
			}
			acct.Partition = part
			if q := f.Settings.OIDCProvidersQuota; q > 0 {
				acct.Quotas.OIDCProviders = q
			}
			var managed map[string]bool
			if len(readers[a.ID]) > 0 {
				if managed, err = ReadAWSManaged(ctx, clients.IAM[a.ID]); err != nil {
					return wrapf(err, "account %q", a.Name)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			st.Accounts[a.ID] = acct
			if managed != nil {
				if st.AWSManagedPolicies == nil {
					st.AWSManagedPolicies = map[string]bool{}
				}
				for arn := range managed {
					st.AWSManagedPolicies[arn] = true
				}
			}
			return nil
		})
	}
	bound := boundKeys(f)
	profiles := DeclaredConfigMaps(f)
	for _, c := range f.Clusters {
		fns = append(fns, func(ctx context.Context) error {
			issuer, arn := c.OIDCIssuer, ""
			if issuer == "" {
				var err error
				if issuer, arn, err = describeCluster(ctx, clients.EKS[c.Name], c.Name); err != nil {
					return err
				}
			}
			cl, err := ReadCluster(ctx, clients.Kube[c.Name], c.Name, issuer)
			if err != nil {
				return err
			}
			declared := profiles[c.Name]
			if err := ReadConfigMaps(ctx, clients.Kube[c.Name], cl, ConfigMapOptions{Declared: declared, Required: len(declared) > 0}); err != nil {
				return err
			}
			if pi := bound[c.Name]; opts.PodIdentity || pi.needs(cl, f.Owner, opts.Prune) {
				if cl.PodIdentity, err = ReadPodIdentity(ctx, clients.EKS[c.Name], c.Name, PodIdentityOptions{
					ARN: arn, Eligibility: len(pi.pod) > 0, DescribeAll: opts.Prune || opts.PodIdentity,
					Touched: func(key string) bool { return pi.exact[key] || ownPodIdentity(cl, key, f.Owner) },
				}); err != nil {
					return err
				}
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
