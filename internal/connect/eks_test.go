package connect

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/irsa-sync/irsa-sync/internal/config"
)

const testAccessKey = "AKIDEXAMPLETOKENTEST"

func staticConfig(region string) aws.Config {
	return aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider(testAccessKey, "secret", "")}
}

// decodeToken returns the presigned URL inside a token, failing the test
// (without printing the token, a credential) when it is not one.
func decodeToken(t *testing.T, tok string) *url.URL {
	t.Helper()
	rest, ok := strings.CutPrefix(tok, "k8s-aws-v1.")
	if !ok {
		t.Fatalf("token does not start with k8s-aws-v1.")
	}
	if strings.ContainsAny(rest, "=+/") {
		t.Fatalf("token body is not base64url without padding")
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		t.Fatalf("token body does not decode as base64url: %v", err)
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		t.Fatalf("token body is not a URL: %v", err)
	}
	return u
}

func TestEKSTokenShape(t *testing.T) {
	presigner := sts.NewPresignClient(sts.NewFromConfig(staticConfig("eu-west-1")))
	tok, err := eksToken(context.Background(), presigner, "prod-euw1")
	if err != nil {
		t.Fatalf("eksToken: %v", err)
	}
	u := decodeToken(t, tok)
	q := u.Query()
	got := map[string]string{
		"scheme":  u.Scheme,
		"host":    u.Host,
		"path":    u.Path,
		"Action":  q.Get("Action"),
		"Version": q.Get("Version"),
		"Expires": q.Get("X-Amz-Expires"),
		"Algo":    q.Get("X-Amz-Algorithm"),
	}
	want := map[string]string{
		"scheme":  "https",
		"host":    "sts.eu-west-1.amazonaws.com",
		"path":    "/",
		"Action":  "GetCallerIdentity",
		"Version": "2011-06-15",
		"Expires": "60",
		"Algo":    "AWS4-HMAC-SHA256",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("presigned URL (-want +got):\n%s", diff)
	}
	signed := strings.Split(q.Get("X-Amz-SignedHeaders"), ";")
	if !slices.Contains(signed, "x-k8s-aws-id") || !slices.Contains(signed, "host") {
		t.Errorf("X-Amz-SignedHeaders = %v, want host and x-k8s-aws-id signed", signed)
	}
	if cred := q.Get("X-Amz-Credential"); !strings.HasPrefix(cred, testAccessKey+"/") || !strings.HasSuffix(cred, "/eu-west-1/sts/aws4_request") {
		t.Errorf("X-Amz-Credential does not name the access key and the sts service in eu-west-1")
	}
	if q.Get("X-Amz-Signature") == "" || q.Get("X-Amz-Date") == "" {
		t.Errorf("presigned URL has no signature or date")
	}
	// The cluster name is carried in a signed header, never in the URL,
	// which is what the EKS authenticator checks.
	if strings.Contains(u.RawQuery, "prod-euw1") {
		t.Errorf("the cluster name leaked into the query instead of the signed header")
	}

	other, err := eksToken(context.Background(), presigner, "prod-use1")
	if err != nil {
		t.Fatalf("eksToken: %v", err)
	}
	if decodeToken(t, other).Query().Get("X-Amz-Signature") == q.Get("X-Amz-Signature") {
		t.Errorf("tokens for two clusters carry the same signature: the cluster header is not signed")
	}
}

func TestEKSTokenNeedsCredentials(t *testing.T) {
	cfg := aws.Config{Region: "us-east-1", Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{}, errors.New("no credentials in the chain")
	})}
	_, err := eksToken(context.Background(), sts.NewPresignClient(sts.NewFromConfig(cfg)), "c")
	if err == nil || !strings.Contains(err.Error(), "no credentials in the chain") {
		t.Fatalf("eksToken without credentials: error %v, want the credential error", err)
	}
}

type fakeEKS struct {
	out *eks.DescribeClusterOutput
	err error
}

func (f fakeEKS) DescribeCluster(context.Context, *eks.DescribeClusterInput, ...func(*eks.Options)) (*eks.DescribeClusterOutput, error) {
	return f.out, f.err
}

func TestEKSRestConfigRefusesIncompleteClusters(t *testing.T) {
	caData := base64.StdEncoding.EncodeToString([]byte("-----BEGIN CERTIFICATE-----\n"))
	cluster := func(endpoint, ca string) *eks.DescribeClusterOutput {
		c := &ekstypes.Cluster{Status: ekstypes.ClusterStatusCreating}
		if endpoint != "" {
			c.Endpoint = aws.String(endpoint)
		}
		if ca != "" {
			c.CertificateAuthority = &ekstypes.Certificate{Data: aws.String(ca)}
		}
		return &eks.DescribeClusterOutput{Cluster: c}
	}
	tests := []struct {
		name string
		eks  fakeEKS
		want string
	}{
		{"describe fails", fakeEKS{err: errors.New("AccessDeniedException")}, `read the endpoint and CA of cluster "prod" (eks:DescribeCluster): AccessDeniedException`},
		{"no endpoint yet", fakeEKS{out: cluster("", caData)}, `gave no endpoint for cluster "prod" (status CREATING)`},
		{"plain http", fakeEKS{out: cluster("http://10.0.0.1", caData)}, `not an https URL`},
		{"no CA", fakeEKS{out: cluster("https://x.eks.amazonaws.com", "")}, `no certificate authority for cluster "prod"`},
		{"CA not base64", fakeEKS{out: cluster("https://x.eks.amazonaws.com", "%%%")}, `is not base64`},
		{"no cluster at all", fakeEKS{out: &eks.DescribeClusterOutput{}}, `(status unknown)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc, err := eksRestConfig(context.Background(), tt.eks, nil, "prod", nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("eksRestConfig: config %v, error %v; want an error containing %q", rc != nil, err, tt.want)
			}
		})
	}
}

// TestRealKubeWithEKSAuth runs Real.Kube with auth: eks against one TLS
// server that answers eks:DescribeCluster with its own address and CA and
// then serves the Kubernetes API, checking each request's bearer token.
func TestRealKubeWithEKSAuth(t *testing.T) {
	var (
		mu   sync.Mutex
		seen []string // action@host of each token the API was sent
	)
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/clusters/prod-euw1":
			if !strings.Contains(r.Header.Get("Authorization"), "/eu-west-1/eks/aws4_request") {
				http.Error(w, "eks:DescribeCluster not signed for eu-west-1", http.StatusForbidden)
				return
			}
			ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
			_ = json.NewEncoder(w).Encode(map[string]any{"cluster": map[string]any{
				"name": "prod-euw1", "status": "ACTIVE", "endpoint": srv.URL,
				"certificateAuthority": map[string]string{"data": base64.StdEncoding.EncodeToString(ca)},
			}})
		case "/api/v1/namespaces":
			tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok {
				http.Error(w, "no bearer token", http.StatusUnauthorized)
				return
			}
			u := decodeToken(t, tok)
			mu.Lock()
			seen = append(seen, u.Query().Get("Action")+"@"+u.Host)
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"kind":"NamespaceList","apiVersion":"v1","items":[{"metadata":{"name":"default"}}]}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	cfg := staticConfig("us-east-1")
	cfg.BaseEndpoint = aws.String(srv.URL)
	cfg.HTTPClient = srv.Client()
	kube, err := (&Real{}).Kube(context.Background(), config.Cluster{Name: "prod-euw1", Region: "eu-west-1", Auth: "eks"}, cfg)
	if err != nil {
		t.Fatalf("Real.Kube with auth: eks: %v", err)
	}
	for range 2 {
		nss, err := kube.Namespaces().List(context.Background(), metav1.ListOptions{})
		if err != nil {
			t.Fatalf("list namespaces through the EKS-token client: %v", err)
		}
		if len(nss.Items) != 1 {
			t.Fatalf("listed %d namespaces, want 1", len(nss.Items))
		}
	}
	host := strings.TrimPrefix(srv.URL, "https://")
	want := []string{"GetCallerIdentity@" + host, "GetCallerIdentity@" + host}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("tokens the API server received (-want +got):\n%s", diff)
	}
}
