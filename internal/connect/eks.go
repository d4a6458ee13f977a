package connect

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"k8s.io/client-go/rest"

	"github.com/irsa-sync/irsa-sync/internal/awsapi"
	"github.com/irsa-sync/irsa-sync/internal/config"
)

// The shape of an EKS bearer token, as `aws eks get-token` and
// aws-iam-authenticator make it: the EKS authenticator replays the presigned
// sts:GetCallerIdentity URL and maps the identity STS answers with.
const (
	eksTokenPrefix = "k8s-aws-v1."
	// clusterIDHeader is signed into the URL so a token minted for one
	// cluster cannot be replayed against another.
	clusterIDHeader = "x-k8s-aws-id"
	// presignExpirySeconds is what aws eks get-token asks for; the EKS
	// authenticator accepts a token for 15 minutes from its signing time
	// whatever this says.
	presignExpirySeconds = "60"
)

// callerIdentityPresigner is the one operation of sts.PresignClient a token
// needs, so tests can count the tokens minted.
type callerIdentityPresigner interface {
	PresignGetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.PresignOptions)) (*v4.PresignedHTTPRequest, error)
}

var _ callerIdentityPresigner = (*sts.PresignClient)(nil)

// eksToken mints a bearer token for cluster: a presigned
// sts:GetCallerIdentity URL carrying the cluster name in a signed header,
// base64url without padding, after the k8s-aws-v1. prefix.
func eksToken(ctx context.Context, p callerIdentityPresigner, cluster string) (string, error) {
	req, err := p.PresignGetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, func(o *sts.PresignOptions) {
		o.ClientOptions = append(o.ClientOptions, func(so *sts.Options) {
			// X-Amz-* headers are hoisted into the query by the presigner;
			// other headers stay headers and are signed.
			so.APIOptions = append(so.APIOptions,
				smithyhttp.SetHeaderValue(clusterIDHeader, cluster),
				smithyhttp.SetHeaderValue("X-Amz-Expires", presignExpirySeconds))
		})
	})
	if err != nil {
		return "", fmt.Errorf("presign sts:GetCallerIdentity: %w", err)
	}
	return eksTokenPrefix + base64.RawURLEncoding.EncodeToString([]byte(req.URL)), nil
}

// eksRestConfig returns a client configuration for an EKS cluster reached
// with `auth: eks`: endpoint and CA from eks:DescribeCluster, and a bearer
// token minted from the cluster account's credentials on each request that
// needs one, renewed before it expires.
func eksRestConfig(ctx context.Context, client awsapi.EKS, presigner callerIdentityPresigner, cluster string, now func() time.Time) (*rest.Config, error) {
	out, err := client.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(cluster)})
	if err != nil {
		return nil, fmt.Errorf("auth: eks: read the endpoint and CA of cluster %q (eks:DescribeCluster): %w", cluster, err)
	}
	if out.Cluster == nil || aws.ToString(out.Cluster.Endpoint) == "" {
		return nil, fmt.Errorf("auth: eks: eks:DescribeCluster gave no endpoint for cluster %q (status %s): wait until it is ACTIVE, or reach it with kubeContext", cluster, clusterStatus(out.Cluster))
	}
	endpoint := aws.ToString(out.Cluster.Endpoint)
	if u, err := url.Parse(endpoint); err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("auth: eks: cluster %q has endpoint %q, which is not an https URL: reach it with kubeContext instead", cluster, endpoint)
	}
	if out.Cluster.CertificateAuthority == nil || aws.ToString(out.Cluster.CertificateAuthority.Data) == "" {
		return nil, fmt.Errorf("auth: eks: eks:DescribeCluster gave no certificate authority for cluster %q: irsa-sync will not talk to an unverified endpoint; reach it with kubeContext instead", cluster)
	}
	ca, err := base64.StdEncoding.DecodeString(aws.ToString(out.Cluster.CertificateAuthority.Data))
	if err != nil {
		return nil, fmt.Errorf("auth: eks: the certificate authority eks:DescribeCluster gave for cluster %q is not base64: %w", cluster, err)
	}
	tokens := newTokenCache(func(ctx context.Context) (string, error) { return eksToken(ctx, presigner, cluster) }, now)
	return &rest.Config{
		Host:            endpoint,
		TLSClientConfig: rest.TLSClientConfig{CAData: ca},
		WrapTransport:   tokens.wrapTransport(cluster),
	}, nil
}

func clusterStatus(c *ekstypes.Cluster) string {
	if c == nil || c.Status == "" {
		return "unknown"
	}
	return string(c.Status)
}

// eksConfig is Kube's `auth: eks` branch: EKS and STS clients in the
// cluster's region with the credentials of its account.
func eksConfig(ctx context.Context, c config.Cluster, awsCfg aws.Config) (*rest.Config, error) {
	inRegion := func(region *string) {
		if c.Region != "" {
			*region = c.Region
		}
	}
	eksClient := eks.NewFromConfig(awsCfg, func(o *eks.Options) { inRegion(&o.Region) })
	// The cluster's regional STS endpoint, as aws eks get-token in that
	// region uses: the EKS authenticator accepts it.
	presigner := sts.NewPresignClient(sts.NewFromConfig(awsCfg, func(o *sts.Options) { inRegion(&o.Region) }))
	return eksRestConfig(ctx, eksClient, presigner, c.Name, time.Now)
}
