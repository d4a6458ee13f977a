package emulator

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

const (
	acctA = "111111111111"
	acctB = "222222222222"
)

var fixedNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// env is one started emulator with SDK clients for account A's admin.
type env struct {
	emu *Emulator
	url string
	iam *iam.Client
	sts *sts.Client
}

func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return fixedNow }
	}
	emu := New(opts)
	url, err := emu.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	creds := emu.EnsureAccount(acctA)
	return &env{emu: emu, url: url, iam: iam.NewFromConfig(awsConfig(url, "us-east-1", creds)), sts: sts.NewFromConfig(awsConfig(url, "us-east-1", creds))}
}

// awsConfig is how irsa-sync points the real SDK at the emulator. Retries are
// off so that every injected error reaches the test.
func awsConfig(url, region string, c Credentials) aws.Config {
	return aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken),
		BaseEndpoint: aws.String(url),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}

func (v *env) eks(region string, c Credentials) *eks.Client {
	return eks.NewFromConfig(awsConfig(v.url, region, c))
}

func ctx() context.Context { return context.Background() }

// errorCode is the AWS error code of err, "" for nil.
func errorCode(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "not an API error: " + err.Error()
}

const trustDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"oidc.eks.us-east-1.amazonaws.com/id/ABC:sub":"system:serviceaccount:default:app"}}}]}`

const permDoc = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}`

func (v *env) mustCreateRole(t *testing.T, name string) {
	t.Helper()
	if _, err := v.iam.CreateRole(ctx(), &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trustDoc)}); err != nil {
		t.Fatalf("CreateRole %s: %v", name, err)
	}
}

func (v *env) mustCreatePolicy(t *testing.T, name string) string {
	t.Helper()
	out, err := v.iam.CreatePolicy(ctx(), &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(permDoc)})
	if err != nil {
		t.Fatalf("CreatePolicy %s: %v", name, err)
	}
	return aws.ToString(out.Policy.Arn)
}

// asError is errors.As, for brevity in table tests.
func asError(err error, target any) bool { return errors.As(err, target) }
