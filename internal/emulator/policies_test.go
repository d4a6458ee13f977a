package emulator

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestCreatePolicyErrors(t *testing.T) {
	v := newEnv(t, Options{})
	v.mustCreatePolicy(t, "Existing")
	oversized := `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("b", 6100) + `"}]}`
	// Whitespace is free: the same document padded with spaces is under quota.
	padded := `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}` + strings.Repeat(" \n", 5000)
	tests := []struct {
		name, policyName, doc, want string
	}{
		{"ok", "fresh", permDoc, ""},
		{"whitespace not counted", "padded", padded, ""},
		{"duplicate in other case", "EXISTING", permDoc, "EntityAlreadyExists"},
		{"invalid json", "x1", `{"Statement":[}`, "MalformedPolicyDocument"},
		{"missing statement", "x2", `{"Version":"2012-10-17"}`, "MalformedPolicyDocument"},
		{"missing effect", "x3", `{"Statement":[{"Action":"s3:*","Resource":"*"}]}`, "MalformedPolicyDocument"},
		{"bad version", "x4", `{"Version":"2020-01-01","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, "MalformedPolicyDocument"},
		{"principal in identity policy", "x5", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`, "MalformedPolicyDocument"},
		{"over PolicySizeQuota", "x6", oversized, "LimitExceeded"},
		{"bad name", "a b", permDoc, "ValidationError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.iam.CreatePolicy(ctx(), &iam.CreatePolicyInput{PolicyName: aws.String(tt.policyName), PolicyDocument: aws.String(tt.doc)})
			if got := errorCode(err); got != tt.want {
				t.Errorf("code = %q, want %q (%v)", got, tt.want, err)
			}
		})
	}
	_, err := v.iam.CreatePolicy(ctx(), &iam.CreatePolicyInput{PolicyName: aws.String("x7"), PolicyDocument: aws.String(oversized)})
	var limit *types.LimitExceededException
	if !errors.As(err, &limit) || !strings.Contains(err.Error(), "6144") {
		t.Errorf("oversized: %v, want LimitExceeded naming 6144", err)
	}
}

func TestPolicyVersions(t *testing.T) {
	v := newEnv(t, Options{})
	out, err := v.iam.CreatePolicy(ctx(), &iam.CreatePolicyInput{PolicyName: aws.String("app"), Path: aws.String("/irsa/"),
		Description: aws.String("d"), PolicyDocument: aws.String(permDoc), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.String("arn:aws:iam::111111111111:policy/irsa/app")
	if d := cmp.Diff(arn, out.Policy.Arn); d != "" {
		t.Fatalf("arn: %s", d)
	}
	var limit *types.LimitExceededException
	var conflict *types.DeleteConflictException
	var nse *types.NoSuchEntityException
	for i := 2; i <= 6; i++ {
		doc := strings.Replace(permDoc, "s3:GetObject", fmt.Sprintf("s3:Get%d", i), 1)
		_, err := v.iam.CreatePolicyVersion(ctx(), &iam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(doc), SetAsDefault: i == 3})
		if i <= 5 && err != nil {
			t.Fatalf("version %d: %v", i, err)
		}
		if i == 6 && !errors.As(err, &limit) {
			t.Fatalf("sixth version: %v, want LimitExceeded", err)
		}
	}
	pv, err := v.iam.GetPolicyVersion(ctx(), &iam.GetPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v3")})
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := url.QueryUnescape(aws.ToString(pv.PolicyVersion.Document))
	if !pv.PolicyVersion.IsDefaultVersion || !strings.Contains(doc, "s3:Get3") || strings.Contains(aws.ToString(pv.PolicyVersion.Document), " ") {
		t.Errorf("GetPolicyVersion v3: default=%v doc=%s", pv.PolicyVersion.IsDefaultVersion, aws.ToString(pv.PolicyVersion.Document))
	}
	if _, err := v.iam.DeletePolicyVersion(ctx(), &iam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v3")}); !errors.As(err, &conflict) {
		t.Errorf("delete default version: %v, want DeleteConflict", err)
	}
	if _, err := v.iam.DeletePolicyVersion(ctx(), &iam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v9")}); !errors.As(err, &nse) {
		t.Errorf("delete missing version: %v, want NoSuchEntity", err)
	}
	if _, err := v.iam.SetDefaultPolicyVersion(ctx(), &iam.SetDefaultPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v5")}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.iam.DeletePolicyVersion(ctx(), &iam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v1")}); err != nil {
		t.Fatal(err)
	}
	versions, err := v.iam.ListPolicyVersions(ctx(), &iam.ListPolicyVersionsInput{PolicyArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, pv := range versions.Versions {
		ids = append(ids, aws.ToString(pv.VersionId)+fmt.Sprint(pv.IsDefaultVersion))
	}
	if d := cmp.Diff([]string{"v5true", "v4false", "v3false", "v2false"}, ids); d != "" {
		t.Errorf("versions (-want +got):\n%s", d)
	}

	role := aws.String("r")
	v.mustCreateRole(t, "r")
	if _, err := v.iam.AttachRolePolicy(ctx(), &iam.AttachRolePolicyInput{RoleName: role, PolicyArn: arn}); err != nil {
		t.Fatal(err)
	}
	got, err := v.iam.GetPolicy(ctx(), &iam.GetPolicyInput{PolicyArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	want := types.Policy{PolicyName: aws.String("app"), Arn: arn, Path: aws.String("/irsa/"), PolicyId: out.Policy.PolicyId,
		DefaultVersionId: aws.String("v5"), AttachmentCount: aws.Int32(1), PermissionsBoundaryUsageCount: aws.Int32(0),
		IsAttachable: true, Description: aws.String("d"), CreateDate: aws.Time(fixedNow), UpdateDate: aws.Time(fixedNow),
		Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}
	if d := cmp.Diff(want, *got.Policy, cmpopts.IgnoreUnexported(types.Policy{}, types.Tag{})); d != "" {
		t.Errorf("GetPolicy (-want +got):\n%s", d)
	}
	if _, err := v.iam.DeletePolicy(ctx(), &iam.DeletePolicyInput{PolicyArn: arn}); !errors.As(err, &conflict) {
		t.Errorf("delete attached: %v, want DeleteConflict", err)
	}
	if _, err := v.iam.DetachRolePolicy(ctx(), &iam.DetachRolePolicyInput{RoleName: role, PolicyArn: arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.iam.DeletePolicy(ctx(), &iam.DeletePolicyInput{PolicyArn: arn}); !errors.As(err, &conflict) {
		t.Errorf("delete with versions: %v, want DeleteConflict", err)
	}
	for _, id := range []string{"v2", "v3", "v4"} {
		if _, err := v.iam.DeletePolicyVersion(ctx(), &iam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := v.iam.DeletePolicy(ctx(), &iam.DeletePolicyInput{PolicyArn: arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.iam.GetPolicy(ctx(), &iam.GetPolicyInput{PolicyArn: arn}); !errors.As(err, &nse) {
		t.Errorf("GetPolicy after delete: %v, want NoSuchEntity", err)
	}
}

func TestPolicyTagsAndManaged(t *testing.T) {
	v := newEnv(t, Options{PageSize: 1})
	arn := aws.String(v.mustCreatePolicy(t, "p"))
	if _, err := v.iam.TagPolicy(ctx(), &iam.TagPolicyInput{PolicyArn: arn, Tags: []types.Tag{
		{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}, {Key: aws.String("c"), Value: aws.String("3")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.iam.UntagPolicy(ctx(), &iam.UntagPolicyInput{PolicyArn: arn, TagKeys: []string{"B"}}); err != nil {
		t.Fatal(err)
	}
	var keys []string
	pager := iam.NewListPolicyTagsPaginator(v.iam, &iam.ListPolicyTagsInput{PolicyArn: arn})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx())
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Tags) > 1 {
			t.Errorf("page of %d tags with PageSize 1", len(page.Tags))
		}
		for _, tg := range page.Tags {
			keys = append(keys, aws.ToString(tg.Key))
		}
	}
	if d := cmp.Diff([]string{"a", "c"}, keys); d != "" {
		t.Errorf("tags (-want +got):\n%s", d)
	}

	s3 := aws.String("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
	got, err := v.iam.GetPolicy(ctx(), &iam.GetPolicyInput{PolicyArn: s3})
	if err != nil || aws.ToString(got.Policy.PolicyName) != "AmazonS3ReadOnlyAccess" {
		t.Fatalf("GetPolicy AWS-managed: %v %v", got, err)
	}
	pv, err := v.iam.GetPolicyVersion(ctx(), &iam.GetPolicyVersionInput{PolicyArn: s3, VersionId: got.Policy.DefaultVersionId})
	if err != nil {
		t.Fatal(err)
	}
	if doc, _ := url.QueryUnescape(aws.ToString(pv.PolicyVersion.Document)); !strings.Contains(doc, "s3:Get*") {
		t.Errorf("AWS-managed document: %s", doc)
	}
	if _, err := v.iam.CreatePolicyVersion(ctx(), &iam.CreatePolicyVersionInput{PolicyArn: s3, PolicyDocument: aws.String(permDoc)}); errorCode(err) != "AccessDenied" {
		t.Errorf("changing an AWS-managed policy: %v, want AccessDenied", err)
	}
	var nse *types.NoSuchEntityException
	if _, err := v.iam.GetPolicy(ctx(), &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/Nope")}); !errors.As(err, &nse) {
		t.Errorf("unknown AWS-managed: %v, want NoSuchEntity", err)
	}
}
