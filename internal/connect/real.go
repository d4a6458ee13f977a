package connect

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/partition"
)

// RetryMaxAttempts is how many times the SDK tries a call by default: IAM
// throttles bursts, and a large apply must ride them out.
const RetryMaxAttempts = 10

// DefaultRegion signs IAM and STS calls when the environment names no
// region and the file implies no other partition for the account: IAM is a
// global service.
const DefaultRegion = "us-east-1"

// Real connects to real AWS accounts and clusters with the SDK's default
// chain (environment, shared profiles, web identity, as irsa-sync running
// under IRSA itself has) and its settings, AWS_ENDPOINT_URL and the
// per-service AWS_ENDPOINT_URL_IAM / _STS / _EKS among them.
type Real struct {
	// Kubeconfig is an explicit kubeconfig path; empty means the standard
	// loading rules (KUBECONFIG, then ~/.kube/config).
	Kubeconfig string
	// RetryMaxAttempts bounds the SDK's adaptive retryer; 0 means
	// RetryMaxAttempts.
	RetryMaxAttempts int
	// Regions are, by account name, a region of the account's partition
	// (AccountRegions): an account whose configured region is in another
	// partition, or none, is signed there instead, since the credentials
	// of an aws-cn or aws-us-gov account are valid only in their own
	// partition's endpoints.
	Regions map[string]string

	mu     sync.Mutex
	loaded map[loadKey]*loadedConfig
}

// loadKey names one SDK configuration load: the profile (empty for the
// default chain) and the region forced on it (empty for the environment's
// or the profile's own).
type loadKey struct{ profile, region string }

// loadedConfig is one SDK configuration, loaded once however many accounts
// and goroutines ask for it: accounts sharing it share its credentials
// cache, so they fetch credentials once.
type loadedConfig struct {
	once sync.Once
	cfg  aws.Config
	err  error
}

func (r *Real) options(extra ...func(*awsconfig.LoadOptions) error) []func(*awsconfig.LoadOptions) error {
	attempts := r.RetryMaxAttempts
	if attempts == 0 {
		attempts = RetryMaxAttempts
	}
	// Adaptive mode rate-limits the client itself after throttling, which
	// is what a low-rate control-plane API such as IAM needs.
	return append([]func(*awsconfig.LoadOptions) error{
		awsconfig.WithRetryMode(aws.RetryModeAdaptive),
		awsconfig.WithRetryMaxAttempts(attempts),
		awsconfig.WithDefaultRegion(DefaultRegion),
	}, extra...)
}

// AWS returns the configuration for account a: its profile, the default
// chain, and on top of either its assumeRoleArn.
//
// The region is decided before the credentials are built, not patched on the
// result: LoadDefaultConfig gives the providers it builds (a profile's
// role_arn with source_profile, web identity from the environment) their own
// STS client in the region it loaded with, so an aws-us-gov account loaded
// in a commercial region would ask a commercial STS endpoint for its
// credentials, and be refused. The environment's region is kept when it is
// in the account's partition; otherwise the configuration is loaded again in
// the partition's region (Regions). The providers are lazy, so the first
// load fetches nothing.
func (r *Real) AWS(ctx context.Context, a config.Account) (aws.Config, error) {
	cfg, err := r.load(ctx, loadKey{profile: a.Profile})
	if hint := r.Regions[a.Name]; err == nil && hint != "" && partition.ForRegion(cfg.Region) != partition.ForRegion(hint) {
		cfg, err = r.load(ctx, loadKey{profile: a.Profile, region: hint})
	}
	if err != nil {
		if a.Profile != "" {
			return aws.Config{}, fmt.Errorf("load AWS profile %q: %w", a.Profile, err)
		}
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	return AssumeRole(cfg, a), nil
}

// load returns a copy of the configuration of k, loading it on first use.
func (r *Real) load(ctx context.Context, k loadKey) (aws.Config, error) {
	r.mu.Lock()
	if r.loaded == nil {
		r.loaded = map[loadKey]*loadedConfig{}
	}
	l := r.loaded[k]
	if l == nil {
		l = &loadedConfig{}
		r.loaded[k] = l
	}
	r.mu.Unlock()
	l.once.Do(func() {
		var extra []func(*awsconfig.LoadOptions) error
		if k.profile != "" {
			extra = append(extra, awsconfig.WithSharedConfigProfile(k.profile))
		}
		if k.region != "" {
			extra = append(extra, awsconfig.WithRegion(k.region))
		}
		l.cfg, l.err = awsconfig.LoadDefaultConfig(ctx, r.options(extra...)...)
	})
	return l.cfg.Copy(), l.err
}

// AccountRegions returns, for each account of f whose partition the file
// implies (from its clusters' regions), one region of that partition: the
// region Real signs its IAM and STS calls in when the environment names
// none, or names one of another partition.
func AccountRegions(f *config.File) map[string]string {
	out := map[string]string{}
	for _, a := range f.Accounts {
		if _, region := f.AccountPartition(a.Name); region != "" {
			out[a.Name] = region
		}
	}
	return out
}

// AssumeRole returns cfg with credentials from assuming the account's
// assumeRoleArn, if it has one, cached and refreshed by the SDK.
func AssumeRole(cfg aws.Config, a config.Account) aws.Config {
	if a.AssumeRoleArn == "" {
		return cfg
	}
	out := cfg.Copy()
	out.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), a.AssumeRoleArn, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "irsa-sync"
		if a.ExternalID != "" {
			o.ExternalID = aws.String(a.ExternalID)
		}
	}))
	return out
}

// Kube returns a client for the cluster from its kubeconfig context (the
// cluster's name when kubeContext is unset), the pod's own service account
// for inCluster, or for auth: eks the endpoint and CA from
// eks:DescribeCluster with tokens minted from awsCfg's credentials (one
// DescribeCluster call here; tokens are minted as requests need them).
func (r *Real) Kube(ctx context.Context, c config.Cluster, awsCfg aws.Config) (corev1client.CoreV1Interface, error) {
	var (
		rc  *rest.Config
		err error
	)
	switch {
	case c.InCluster:
		rc, err = rest.InClusterConfig()
	case c.Auth == "eks":
		rc, err = eksConfig(ctx, c, awsCfg)
	default:
		kctx := c.KubeContext
		if kctx == "" {
			kctx = c.Name
		}
		rules := clientcmd.NewDefaultClientConfigLoadingRules()
		rules.ExplicitPath = r.Kubeconfig
		rc, err = clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: kctx}).ClientConfig()
		if err != nil {
			err = fmt.Errorf("kubeconfig context %q: %w", kctx, err)
		}
	}
	if err != nil {
		return nil, err
	}
	rc.UserAgent = "irsa-sync"
	// Only the core/v1 client: irsa-sync reads and writes nothing else, and
	// kubernetes.NewForConfig would link the client of every API group.
	return corev1client.NewForConfig(rc)
}
