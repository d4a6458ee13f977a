package emulator

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"
)

const (
	readOnlyDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}]}`
	scopedDoc   = `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:CreateRole","Resource":"arn:aws:iam::222222222222:role/irsa/*","Condition":{"StringEquals":{"iam:PermissionsBoundary":"arn:aws:iam::222222222222:policy/boundary"}}},
		{"Effect":"Allow","Action":["iam:GetRole","iam:TagRole"],"Resource":"arn:aws:iam::222222222222:role/irsa/*"},
		{"Effect":"Deny","Action":"iam:TagRole","Resource":"arn:aws:iam::222222222222:role/irsa/locked"}]}`
)

// sessionCreds assumes role name in account B, given the identity policy
// doc (none when empty), and returns the session's credentials.
func sessionCreds(t *testing.T, v *env, name, doc string) Credentials {
	t.Helper()
	v.emu.EnsureAccount(acctB)
	if err := v.emu.EnsureRole(acctB, name, deployerTrust); err != nil {
		t.Fatal(err)
	}
	if doc != "" {
		if err := v.emu.SeedRolePolicy(acctB, name, "permissions", doc); err != nil {
			t.Fatal(err)
		}
	}
	out, err := v.sts.AssumeRole(ctx(), &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:role/" + name), RoleSessionName: aws.String("test")})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	return Credentials{aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)}
}

func TestIdentityPoliciesOfSessions(t *testing.T) {
	t.Parallel()
	v := newEnv(t, Options{})
	iamOf := func(c Credentials) *iam.Client { return iam.NewFromConfig(awsConfig(v.url, "us-east-1", c)) }
	readOnlyCreds := sessionCreds(t, v, "reader", readOnlyDoc)
	readOnly := iamOf(readOnlyCreds)
	scoped := iamOf(sessionCreds(t, v, "applier", scopedDoc))
	admin := iamOf(sessionCreds(t, v, "no-policy", ""))
	create := func(c *iam.Client, name, path, boundary string) func() error {
		return func() error {
			in := &iam.CreateRoleInput{RoleName: aws.String(name), Path: aws.String(path), AssumeRolePolicyDocument: aws.String(deployerTrust)}
			if boundary != "" {
				in.PermissionsBoundary = aws.String(boundary)
			}
			_, err := c.CreateRole(ctx(), in)
			return err
		}
	}
	const boundary = "arn:aws:iam::222222222222:policy/boundary"
	// The boundary must exist for CreateRole to accept it.
	if _, err := admin.CreatePolicy(ctx(), &iam.CreatePolicyInput{PolicyName: aws.String("boundary"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		do   func() error
		want string // error code, "" for success
	}{
		{"read-only reads", func() error { _, err := readOnly.GetAccountAuthorizationDetails(ctx(), nil); return err }, ""},
		{"read-only may not create", create(readOnly, "x", "/", ""), "AccessDenied"},
		{"scoped creates under the path with the boundary", create(scoped, "app", "/irsa/", boundary), ""},
		{"scoped creates locked", create(scoped, "locked", "/irsa/", boundary), ""},
		{"scoped refused outside the path", create(scoped, "app2", "/", boundary), "AccessDenied"},
		{"scoped refused without the boundary", create(scoped, "app3", "/irsa/", ""), "AccessDenied"},
		{"scoped refused another boundary", create(scoped, "app4", "/irsa/", "arn:aws:iam::aws:policy/AdministratorAccess"), "AccessDenied"},
		{"scoped tags a role under the path (its path read from IAM)", func() error {
			_, err := scoped.TagRole(ctx(), &iam.TagRoleInput{RoleName: aws.String("app"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}, ""},
		{"an explicit deny wins", func() error {
			_, err := scoped.TagRole(ctx(), &iam.TagRoleInput{RoleName: aws.String("locked"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}, "AccessDenied"},
		{"a role without policies is not evaluated", create(admin, "free", "/", ""), ""},
		{"GetCallerIdentity needs no permission", func() error {
			_, err := sts.NewFromConfig(awsConfig(v.url, "us-east-1", readOnlyCreds)).GetCallerIdentity(ctx(), nil)
			return err
		}, ""},
	}
	var got, want []string
	for _, s := range steps {
		got = append(got, s.name+": "+errorCode(s.do()))
		want = append(want, s.name+": "+s.want)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("outcomes (-want +got):\n%s", d)
	}
}
