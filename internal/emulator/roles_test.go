package emulator

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
)

func TestCreateRoleErrors(t *testing.T) {
	v := newEnv(t, Options{})
	v.mustCreateRole(t, "Existing")
	v.emu.SetQuota(acctA, "AssumeRolePolicySizeQuota", 150)
	base := func(mod func(*iam.CreateRoleInput)) *iam.CreateRoleInput {
		in := &iam.CreateRoleInput{RoleName: aws.String("new"), AssumeRolePolicyDocument: aws.String(`{"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}`)}
		mod(in)
		return in
	}
	tests := []struct {
		name     string
		in       *iam.CreateRoleInput
		wantCode string
		wantMsg  string
	}{
		{"name with slash", base(func(in *iam.CreateRoleInput) { in.RoleName = aws.String("a/b") }), "ValidationError", "roleName"},
		{"name too long", base(func(in *iam.CreateRoleInput) { in.RoleName = aws.String(strings.Repeat("a", 65)) }), "ValidationError", "length"},
		{"path without trailing slash", base(func(in *iam.CreateRoleInput) { in.Path = aws.String("/team") }), "ValidationError", "path"},
		{"description too long", base(func(in *iam.CreateRoleInput) { in.Description = aws.String(strings.Repeat("d", 1001)) }), "ValidationError", "description"},
		{"session too short", base(func(in *iam.CreateRoleInput) { in.MaxSessionDuration = aws.Int32(3599) }), "ValidationError", "maxSessionDuration"},
		{"session too long", base(func(in *iam.CreateRoleInput) { in.MaxSessionDuration = aws.Int32(43201) }), "ValidationError", "maxSessionDuration"},
		{"invalid json", base(func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(`{"Statement":`) }), "MalformedPolicyDocument", "Syntax"},
		{"no statement", base(func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(`{"Version":"2012-10-17"}`) }), "MalformedPolicyDocument", "Statement"},
		{"no effect", base(func(in *iam.CreateRoleInput) {
			in.AssumeRolePolicyDocument = aws.String(`{"Statement":[{"Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`)
		}), "MalformedPolicyDocument", "Effect"},
		{"trust over quota", base(func(in *iam.CreateRoleInput) {
			in.AssumeRolePolicyDocument = aws.String(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole","Sid":"` + strings.Repeat("x", 200) + `"}]}`)
		}), "LimitExceeded", "ACLSizePerRole: 150"},
		{"duplicate name in other case", base(func(in *iam.CreateRoleInput) { in.RoleName = aws.String("existing") }), "EntityAlreadyExists", "existing"},
		{"unknown boundary", base(func(in *iam.CreateRoleInput) {
			in.PermissionsBoundary = aws.String("arn:aws:iam::111111111111:policy/missing")
		}), "NoSuchEntity", "missing"},
		{"too many tags", base(func(in *iam.CreateRoleInput) {
			for i := 0; i < 51; i++ {
				in.Tags = append(in.Tags, types.Tag{Key: aws.String("k" + strings.Repeat("x", i)), Value: aws.String("v")})
			}
		}), "ValidationError", "50"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.iam.CreateRole(ctx(), tt.in)
			if got := errorCode(err); got != tt.wantCode {
				t.Fatalf("code = %q, want %q (%v)", got, tt.wantCode, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("message %q does not mention %q", err, tt.wantMsg)
			}
		})
	}
	// The SDK maps the codes onto its typed errors.
	_, err := v.iam.CreateRole(ctx(), tests[10].in)
	var exists *types.EntityAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Errorf("duplicate: %T, want *types.EntityAlreadyExistsException", err)
	}
	_, err = v.iam.CreateRole(ctx(), tests[9].in)
	var limit *types.LimitExceededException
	if !errors.As(err, &limit) {
		t.Errorf("oversized trust: %T, want *types.LimitExceededException", err)
	}
	_, err = v.iam.CreateRole(ctx(), tests[6].in)
	var malformed *types.MalformedPolicyDocumentException
	if !errors.As(err, &malformed) {
		t.Errorf("invalid json: %T, want *types.MalformedPolicyDocumentException", err)
	}
}

func TestRoleLifecycle(t *testing.T) {
	v := newEnv(t, Options{})
	boundary := v.mustCreatePolicy(t, "boundary")
	out, err := v.iam.CreateRole(ctx(), &iam.CreateRoleInput{
		RoleName: aws.String("App"), Path: aws.String("/irsa/"), AssumeRolePolicyDocument: aws.String(trustDoc),
		Description: aws.String("app role"), MaxSessionDuration: aws.Int32(7200), PermissionsBoundary: aws.String(boundary),
		Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("irsa-sync")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(out.Role.Arn), "arn:aws:iam::111111111111:role/irsa/App"; got != want {
		t.Errorf("arn = %s, want %s", got, want)
	}
	got, err := v.iam.GetRole(ctx(), &iam.GetRoleInput{RoleName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	want := types.Role{
		Arn: aws.String("arn:aws:iam::111111111111:role/irsa/App"), Path: aws.String("/irsa/"), RoleName: aws.String("App"),
		RoleId: out.Role.RoleId, CreateDate: aws.Time(fixedNow), AssumeRolePolicyDocument: aws.String(rfc3986(trustDoc)),
		Description: aws.String("app role"), MaxSessionDuration: aws.Int32(7200),
		PermissionsBoundary: &types.AttachedPermissionsBoundary{PermissionsBoundaryArn: aws.String(boundary), PermissionsBoundaryType: types.PermissionsBoundaryAttachmentTypePolicy},
		Tags:                []types.Tag{{Key: aws.String("owner"), Value: aws.String("irsa-sync")}},
		RoleLastUsed:        &types.RoleLastUsed{},
	}
	if d := cmp.Diff(want, *got.Role, cmp.AllowUnexported(types.Role{}, types.Tag{}, types.AttachedPermissionsBoundary{}, types.RoleLastUsed{})); d != "" {
		t.Errorf("GetRole (-want +got):\n%s", d)
	}
	if !strings.HasPrefix(aws.ToString(out.Role.RoleId), "AROA") {
		t.Errorf("role id %s lacks AROA", aws.ToString(out.Role.RoleId))
	}

	steps := []struct {
		name string
		run  func() error
	}{
		{"UpdateRole", func() error {
			_, err := v.iam.UpdateRole(ctx(), &iam.UpdateRoleInput{RoleName: aws.String("App"), Description: aws.String("new"), MaxSessionDuration: aws.Int32(3600)})
			return err
		}},
		{"UpdateAssumeRolePolicy", func() error {
			_, err := v.iam.UpdateAssumeRolePolicy(ctx(), &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("App"), PolicyDocument: aws.String(strings.Replace(trustDoc, "default:app", "default:other", 1))})
			return err
		}},
		{"DeleteRolePermissionsBoundary", func() error {
			_, err := v.iam.DeleteRolePermissionsBoundary(ctx(), &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("App")})
			return err
		}},
		{"TagRole", func() error {
			_, err := v.iam.TagRole(ctx(), &iam.TagRoleInput{RoleName: aws.String("App"), Tags: []types.Tag{{Key: aws.String("OWNER"), Value: aws.String("me")}, {Key: aws.String("team"), Value: aws.String("x")}}})
			return err
		}},
		{"UntagRole", func() error {
			_, err := v.iam.UntagRole(ctx(), &iam.UntagRoleInput{RoleName: aws.String("App"), TagKeys: []string{"team"}})
			return err
		}},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	got, err = v.iam.GetRole(ctx(), &iam.GetRoleInput{RoleName: aws.String("App")})
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := url.QueryUnescape(aws.ToString(got.Role.AssumeRolePolicyDocument))
	if aws.ToString(got.Role.Description) != "new" || aws.ToInt32(got.Role.MaxSessionDuration) != 3600 || got.Role.PermissionsBoundary != nil || !strings.Contains(doc, "default:other") {
		t.Errorf("updates not applied: %+v, trust %s", got.Role, doc)
	}
	tags, err := v.iam.ListRoleTags(ctx(), &iam.ListRoleTagsInput{RoleName: aws.String("App")})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]types.Tag{{Key: aws.String("owner"), Value: aws.String("me")}}, tags.Tags, cmp.AllowUnexported(types.Tag{})); d != "" {
		t.Errorf("tags (-want +got):\n%s", d)
	}

	_, err = v.iam.DeleteRolePermissionsBoundary(ctx(), &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("App")})
	var nse *types.NoSuchEntityException
	if !errors.As(err, &nse) {
		t.Errorf("second DeleteRolePermissionsBoundary: %v, want NoSuchEntity", err)
	}
	if _, err := v.iam.PutRolePermissionsBoundary(ctx(), &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("App"), PermissionsBoundary: aws.String(boundary)}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.iam.DeleteRole(ctx(), &iam.DeleteRoleInput{RoleName: aws.String("App")}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.iam.GetRole(ctx(), &iam.GetRoleInput{RoleName: aws.String("App")}); !errors.As(err, &nse) {
		t.Errorf("GetRole after delete: %v, want NoSuchEntity", err)
	}
	if _, err := v.iam.DeleteRole(ctx(), &iam.DeleteRoleInput{RoleName: aws.String("App")}); !errors.As(err, &nse) {
		t.Errorf("DeleteRole twice: %v, want NoSuchEntity", err)
	}
}

func TestRolePolicies(t *testing.T) {
	v := newEnv(t, Options{})
	v.mustCreateRole(t, "app")
	custom := v.mustCreatePolicy(t, "custom")
	v.emu.SetQuota(acctA, "AttachedPoliciesPerRoleQuota", 2)
	role := aws.String("app")
	attach := func(arn string) error {
		_, err := v.iam.AttachRolePolicy(ctx(), &iam.AttachRolePolicyInput{RoleName: role, PolicyArn: aws.String(arn)})
		return err
	}
	tests := []struct{ arn, want string }{
		{custom, ""},
		{custom, ""}, // attaching again is a no-op
		{"arn:aws:iam::aws:policy/NotARealPolicy", "NoSuchEntity"},
		{"arn:aws:iam::222222222222:policy/custom", "NoSuchEntity"},
		{"arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy", ""},
		{"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "LimitExceeded"},
	}
	for _, tt := range tests {
		if got := errorCode(attach(tt.arn)); got != tt.want {
			t.Errorf("attach %s: %q, want %q", tt.arn, got, tt.want)
		}
	}
	var limit *types.LimitExceededException
	if err := attach("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"); !errors.As(err, &limit) || !strings.Contains(err.Error(), "PoliciesPerRole: 2") {
		t.Errorf("over quota: %v", err)
	}
	list, err := v.iam.ListAttachedRolePolicies(ctx(), &iam.ListAttachedRolePoliciesInput{RoleName: role})
	if err != nil {
		t.Fatal(err)
	}
	wantAttached := []types.AttachedPolicy{
		{PolicyArn: aws.String(custom), PolicyName: aws.String("custom")},
		{PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"), PolicyName: aws.String("AmazonEBSCSIDriverPolicy")},
	}
	if d := cmp.Diff(wantAttached, list.AttachedPolicies, cmp.AllowUnexported(types.AttachedPolicy{})); d != "" {
		t.Errorf("attached (-want +got):\n%s", d)
	}

	if _, err := v.iam.PutRolePolicy(ctx(), &iam.PutRolePolicyInput{RoleName: role, PolicyName: aws.String("inline"), PolicyDocument: aws.String(permDoc)}); err != nil {
		t.Fatal(err)
	}
	got, err := v.iam.GetRolePolicy(ctx(), &iam.GetRolePolicyInput{RoleName: role, PolicyName: aws.String("INLINE")})
	if err != nil {
		t.Fatal(err)
	}
	if doc := aws.ToString(got.PolicyDocument); doc != rfc3986(permDoc) || !strings.Contains(doc, "%20") || strings.Contains(doc, "+") {
		t.Errorf("inline document not RFC 3986 encoded: %s", doc)
	}
	names, err := v.iam.ListRolePolicies(ctx(), &iam.ListRolePoliciesInput{RoleName: role})
	if err != nil || !cmp.Equal(names.PolicyNames, []string{"inline"}) {
		t.Errorf("ListRolePolicies = %v, %v", names, err)
	}
	big := `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("b", 10200) + `"}]}`
	_, err = v.iam.PutRolePolicy(ctx(), &iam.PutRolePolicyInput{RoleName: role, PolicyName: aws.String("big"), PolicyDocument: aws.String(big)})
	if !errors.As(err, &limit) {
		t.Errorf("oversized inline: %v, want LimitExceeded", err)
	}
	_, err = v.iam.PutRolePolicy(ctx(), &iam.PutRolePolicyInput{RoleName: role, PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{"Statement":[{"Effect":"Allow","Action":"s3:*"}]}`)})
	var malformed *types.MalformedPolicyDocumentException
	if !errors.As(err, &malformed) {
		t.Errorf("inline without Resource: %v, want MalformedPolicyDocument", err)
	}

	var conflict *types.DeleteConflictException
	if _, err := v.iam.DeleteRole(ctx(), &iam.DeleteRoleInput{RoleName: role}); !errors.As(err, &conflict) {
		t.Errorf("DeleteRole with attachments: %v, want DeleteConflict", err)
	}
	for _, a := range wantAttached {
		if _, err := v.iam.DetachRolePolicy(ctx(), &iam.DetachRolePolicyInput{RoleName: role, PolicyArn: a.PolicyArn}); err != nil {
			t.Fatal(err)
		}
	}
	var nse *types.NoSuchEntityException
	if _, err := v.iam.DetachRolePolicy(ctx(), &iam.DetachRolePolicyInput{RoleName: role, PolicyArn: aws.String(custom)}); !errors.As(err, &nse) {
		t.Errorf("detach twice: %v, want NoSuchEntity", err)
	}
	if _, err := v.iam.DeleteRole(ctx(), &iam.DeleteRoleInput{RoleName: role}); !errors.As(err, &conflict) {
		t.Errorf("DeleteRole with inline policy: %v, want DeleteConflict", err)
	}
	if _, err := v.iam.DeleteRolePolicy(ctx(), &iam.DeleteRolePolicyInput{RoleName: role, PolicyName: aws.String("inline")}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.iam.DeleteRolePolicy(ctx(), &iam.DeleteRolePolicyInput{RoleName: role, PolicyName: aws.String("inline")}); !errors.As(err, &nse) {
		t.Errorf("DeleteRolePolicy twice: %v, want NoSuchEntity", err)
	}
	if _, err := v.iam.DeleteRole(ctx(), &iam.DeleteRoleInput{RoleName: role}); err != nil {
		t.Errorf("DeleteRole when empty: %v", err)
	}
}
