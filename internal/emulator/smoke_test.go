package emulator

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestSmoke(t *testing.T) {
	v := newEnv(t, Options{})
	id, err := v.sts.GetCallerIdentity(ctx(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s %s %s", *id.Account, *id.Arn, *id.UserId)
	v.mustCreateRole(t, "app")
	out, err := v.iam.GetRole(ctx(), &iam.GetRoleInput{RoleName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v %s", *out.Role.Arn, *out.Role.AssumeRolePolicyDocument)
	_, err = v.iam.GetRole(ctx(), &iam.GetRoleInput{RoleName: aws.String("nope")})
	t.Logf("%v", err)
}
