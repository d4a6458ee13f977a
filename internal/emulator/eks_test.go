package emulator

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/google/go-cmp/cmp"
)

func TestDescribeCluster(t *testing.T) {
	v := newEnv(t, Options{})
	creds := v.emu.EnsureAccount(acctA)
	v.emu.EnsureCluster(acctA, "eu-west-1", "prod", issuer)
	tests := []struct {
		name, region, cluster string
		wantErr               bool
	}{
		{"found", "eu-west-1", "prod", false},
		{"other region", "us-east-1", "prod", true},
		{"unknown name", "eu-west-1", "staging", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := v.eks(tt.region, creds).DescribeCluster(ctx(), &eks.DescribeClusterInput{Name: aws.String(tt.cluster)})
			if tt.wantErr {
				var nf *ekstypes.ResourceNotFoundException
				if !errors.As(err, &nf) {
					t.Fatalf("err = %v, want ResourceNotFoundException", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c := out.Cluster
			got := []string{aws.ToString(c.Name), aws.ToString(c.Arn), aws.ToString(c.Identity.Oidc.Issuer), string(c.Status)}
			want := []string{"prod", "arn:aws:eks:eu-west-1:111111111111:cluster/prod", issuer, "ACTIVE"}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			if aws.ToString(c.Version) == "" || aws.ToString(c.Endpoint) == "" || aws.ToString(c.CertificateAuthority.Data) == "" || !c.CreatedAt.Equal(fixedNow) {
				t.Errorf("placeholders missing: %+v", c)
			}
		})
	}
	_, err := v.eks("eu-west-1", Credentials{AccessKeyID: "AKIANOBODY", SecretAccessKey: "x"}).DescribeCluster(ctx(), &eks.DescribeClusterInput{Name: aws.String("prod")})
	if errorCode(err) != "UnrecognizedClientException" {
		t.Errorf("unknown key: %v", err)
	}
}
