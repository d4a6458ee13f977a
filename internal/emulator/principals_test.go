package emulator

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestRolePrincipals checks that a trust naming a missing role of an
// emulated account is refused as IAM refuses it, that it is accepted once the
// role exists, and that deleting the role leaves its unique id in the trust.
func TestRolePrincipals(t *testing.T) {
	v := newEnv(t, Options{})
	ctx := context.Background()
	trustOf := func(arn string) *string {
		return aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + arn + `"},"Action":"sts:AssumeRole"}]}`)
	}
	source := "arn:aws:iam::" + acctA + ":role/team/source"
	_, err := v.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("target"), AssumeRolePolicyDocument: trustOf(source)})
	if got := errorCode(err); got != "MalformedPolicyDocument" || !strings.Contains(err.Error(), "Invalid principal in policy") {
		t.Fatalf("trust naming a missing role: got %v, want MalformedPolicyDocument Invalid principal", err)
	}
	// Another account the emulator does not hold is not checked.
	if _, err := v.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("elsewhere"), AssumeRolePolicyDocument: trustOf("arn:aws:iam::999999999999:role/x")}); err != nil {
		t.Fatalf("trust naming a role of an unknown account: %v", err)
	}
	// A role of that name at another path is another ARN.
	v.mustCreateRole(t, "source")
	if _, err := v.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("target"), AssumeRolePolicyDocument: trustOf(source)}); errorCode(err) != "MalformedPolicyDocument" {
		t.Fatalf("trust naming a role at another path: got %v, want MalformedPolicyDocument", err)
	}
	if _, err := v.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("source")}); err != nil {
		t.Fatal(err)
	}
	out, err := v.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("source"), Path: aws.String("/team/"), AssumeRolePolicyDocument: trustOf("arn:aws:iam::" + acctA + ":root")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("target"), AssumeRolePolicyDocument: trustOf(source)}); err != nil {
		t.Fatalf("trust naming an existing role: %v", err)
	}
	if _, err := v.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("target"), PolicyDocument: trustOf(source + "-gone")}); errorCode(err) != "MalformedPolicyDocument" {
		t.Fatalf("update to a trust naming a missing role: got %v, want MalformedPolicyDocument", err)
	}
	if _, err := v.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("source")}); err != nil {
		t.Fatal(err)
	}
	got, err := v.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("target")})
	if err != nil {
		t.Fatal(err)
	}
	doc := aws.ToString(got.Role.AssumeRolePolicyDocument)
	if id := aws.ToString(out.Role.RoleId); !strings.Contains(doc, id) || strings.Contains(doc, "role%2Fteam%2Fsource") || strings.Contains(doc, "role/team/source") {
		t.Errorf("trust after the source was deleted = %s, want the unique id %s in place of the ARN", doc, id)
	}
}
