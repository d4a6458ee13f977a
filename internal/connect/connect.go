// Package connect builds the AWS and Kubernetes clients for each account and
// cluster of a bindings file: from the SDK's default chain and kubeconfig for
// real estates, or from the sandbox.
package connect

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/irsa-sync/irsa-sync/internal/awsapi"
	"github.com/irsa-sync/irsa-sync/internal/config"
)

// Connector supplies credentials and clients for accounts and clusters.
type Connector interface {
	// AWS returns the SDK configuration whose credentials reach account a.
	AWS(ctx context.Context, a config.Account) (aws.Config, error)
	// Kube returns a client for cluster c; awsCfg is the configuration of
	// the cluster's account, for clusters reached with an EKS token.
	Kube(ctx context.Context, c config.Cluster, awsCfg aws.Config) (corev1client.CoreV1Interface, error)
}

// Clients are every client one run needs.
type Clients struct {
	IAM  map[string]awsapi.IAM                   // by account id
	STS  map[string]awsapi.STS                   // by account id
	EKS  map[string]awsapi.EKS                   // by cluster name, in its region
	Kube map[string]corev1client.CoreV1Interface // by cluster name
}

// Open builds the clients for every account and cluster of f. Credentials
// are resolved on first use, so errors surface as the reads start, each
// naming its account or cluster. The only calls it makes are, for a cluster
// reached with auth: eks, one eks:DescribeCluster for its endpoint and CA.
func Open(ctx context.Context, f *config.File, conn Connector) (*Clients, error) {
	cl := &Clients{IAM: map[string]awsapi.IAM{}, STS: map[string]awsapi.STS{}, EKS: map[string]awsapi.EKS{}, Kube: map[string]corev1client.CoreV1Interface{}}
	cfgs := map[string]aws.Config{}
	for _, a := range f.Accounts {
		cfg, err := conn.AWS(ctx, a)
		if err != nil {
			return nil, fmt.Errorf("account %q: %w", a.Name, err)
		}
		cfgs[a.Name] = cfg
		cl.IAM[a.ID] = iam.NewFromConfig(cfg, awsapi.CountAttempts)
		cl.STS[a.ID] = sts.NewFromConfig(cfg)
	}
	for _, c := range f.Clusters {
		cfg := cfgs[c.Account]
		cl.EKS[c.Name] = eks.NewFromConfig(cfg, func(o *eks.Options) { o.Region = c.Region }, awsapi.CountEKSAttempts)
		kube, err := conn.Kube(ctx, c, cfg)
		if err != nil {
			return nil, fmt.Errorf("cluster %q: %w", c.Name, err)
		}
		cl.Kube[c.Name] = kube
	}
	return cl, nil
}
