package emulator

import (
	"fmt"
	"net/url"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
)

func TestGetAccountSummary(t *testing.T) {
	v := newEnv(t, Options{})
	v.mustCreateRole(t, "r1")
	v.mustCreateRole(t, "r2")
	v.mustCreatePolicy(t, "p1")
	v.emu.SetQuota(acctA, "AttachedPoliciesPerRoleQuota", 20)
	out, err := v.iam.GetAccountSummary(ctx(), &iam.GetAccountSummaryInput{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int32{"Roles": 2, "RolesQuota": 1000, "Policies": 1, "PoliciesQuota": 1500, "AttachedPoliciesPerRoleQuota": 20,
		"AssumeRolePolicySizeQuota": 2048, "PolicySizeQuota": 6144, "VersionsPerPolicyQuota": 5, "PolicyVersionsInUse": 1, "PolicyVersionsInUseQuota": 10000}
	got := map[string]int32{}
	for k := range want {
		got[k] = out.SummaryMap[k]
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("SummaryMap (-want +got):\n%s", d)
	}
}

// TestPagingSeesEveryItemOnce follows Marker at PageSize 1 through every
// paged list irsa-sync reads.
func TestPagingSeesEveryItemOnce(t *testing.T) {
	v := newEnv(t, Options{PageSize: 1})
	var roles []string
	for i := 0; i < 5; i++ {
		name := fmt.Sprintf("role-%d", i)
		roles = append(roles, name)
		v.mustCreateRole(t, name)
	}
	var policies []string
	for i := 0; i < 3; i++ {
		name := fmt.Sprintf("pol-%d", i)
		policies = append(policies, name)
		arn := v.mustCreatePolicy(t, name)
		if _, err := v.iam.AttachRolePolicy(ctx(), &iam.AttachRolePolicyInput{RoleName: aws.String("role-0"), PolicyArn: aws.String(arn)}); err != nil {
			t.Fatal(err)
		}
		if _, err := v.iam.PutRolePolicy(ctx(), &iam.PutRolePolicyInput{RoleName: aws.String("role-0"), PolicyName: aws.String(name), PolicyDocument: aws.String(permDoc)}); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("ListRoles", func(t *testing.T) {
		var got []string
		pages := 0
		p := iam.NewListRolesPaginator(v.iam, &iam.ListRolesInput{MaxItems: aws.Int32(100)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx())
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, r := range out.Roles {
				got = append(got, aws.ToString(r.RoleName))
				if r.Tags != nil || r.PermissionsBoundary != nil || r.MaxSessionDuration == nil {
					t.Errorf("ListRoles entry shape: %+v", r)
				}
			}
		}
		if d := cmp.Diff(roles, got); d != "" || pages != 5 {
			t.Errorf("pages=%d, roles (-want +got):\n%s", pages, d)
		}
	})
	t.Run("ListAttachedRolePolicies", func(t *testing.T) {
		var got []string
		p := iam.NewListAttachedRolePoliciesPaginator(v.iam, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("role-0")})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx())
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range out.AttachedPolicies {
				got = append(got, aws.ToString(a.PolicyName))
			}
		}
		if d := cmp.Diff(policies, got); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})
	t.Run("ListRolePolicies", func(t *testing.T) {
		var got []string
		p := iam.NewListRolePoliciesPaginator(v.iam, &iam.ListRolePoliciesInput{RoleName: aws.String("role-0")})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx())
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, out.PolicyNames...)
		}
		if d := cmp.Diff(policies, got); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})
	t.Run("GetAccountAuthorizationDetails", func(t *testing.T) {
		var gotRoles, gotPolicies []string
		p := iam.NewGetAccountAuthorizationDetailsPaginator(v.iam, &iam.GetAccountAuthorizationDetailsInput{
			Filter: []types.EntityType{types.EntityTypeRole, types.EntityTypeLocalManagedPolicy}})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx())
			if err != nil {
				t.Fatal(err)
			}
			if n := len(out.RoleDetailList) + len(out.Policies); n != 1 {
				t.Errorf("page with %d items at PageSize 1", n)
			}
			for _, r := range out.RoleDetailList {
				gotRoles = append(gotRoles, aws.ToString(r.RoleName))
				if r.RoleName != nil && *r.RoleName == "role-0" {
					if len(r.AttachedManagedPolicies) != 3 || len(r.RolePolicyList) != 3 {
						t.Errorf("role-0 detail: %d attached, %d inline", len(r.AttachedManagedPolicies), len(r.RolePolicyList))
					}
					if doc, _ := url.QueryUnescape(aws.ToString(r.RolePolicyList[0].PolicyDocument)); doc != permDoc {
						t.Errorf("inline document decodes to %s", doc)
					}
				}
				if doc, _ := url.QueryUnescape(aws.ToString(r.AssumeRolePolicyDocument)); doc != trustDoc {
					t.Errorf("trust decodes to %s", doc)
				}
			}
			for _, pol := range out.Policies {
				gotPolicies = append(gotPolicies, aws.ToString(pol.PolicyName))
				if aws.ToInt32(pol.AttachmentCount) != 1 || len(pol.PolicyVersionList) != 1 || !pol.PolicyVersionList[0].IsDefaultVersion {
					t.Errorf("policy detail %+v", pol)
				}
				if doc, _ := url.QueryUnescape(aws.ToString(pol.PolicyVersionList[0].Document)); doc != permDoc {
					t.Errorf("policy document decodes to %s", doc)
				}
			}
		}
		sort.Strings(gotPolicies)
		if d := cmp.Diff(roles, gotRoles); d != "" {
			t.Errorf("roles (-want +got):\n%s", d)
		}
		if d := cmp.Diff(policies, gotPolicies); d != "" {
			t.Errorf("policies (-want +got):\n%s", d)
		}
	})
	t.Run("marker survives a delete", func(t *testing.T) {
		first, err := v.iam.ListRoles(ctx(), &iam.ListRolesInput{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.iam.DeleteRole(ctx(), &iam.DeleteRoleInput{RoleName: aws.String("role-1")}); err != nil {
			t.Fatal(err)
		}
		next, err := v.iam.ListRoles(ctx(), &iam.ListRolesInput{Marker: first.Marker})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(next.Roles[0].RoleName); got != "role-2" {
			t.Errorf("after deleting role-1 the next page starts at %s, want role-2", got)
		}
	})
	t.Run("bad filter", func(t *testing.T) {
		_, err := v.iam.GetAccountAuthorizationDetails(ctx(), &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{"Nope"}})
		if errorCode(err) != "ValidationError" {
			t.Errorf("got %v, want ValidationError", err)
		}
	})
	t.Run("MaxItems out of range", func(t *testing.T) {
		_, err := v.iam.ListRoles(ctx(), &iam.ListRolesInput{MaxItems: aws.Int32(1001)})
		if errorCode(err) != "ValidationError" {
			t.Errorf("got %v, want ValidationError", err)
		}
	})
}

func TestListRolesPathPrefix(t *testing.T) {
	v := newEnv(t, Options{})
	for _, r := range []struct{ name, path string }{{"a", "/"}, {"b", "/irsa/"}, {"c", "/irsa/team/"}} {
		if _, err := v.iam.CreateRole(ctx(), &iam.CreateRoleInput{RoleName: aws.String(r.name), Path: aws.String(r.path), AssumeRolePolicyDocument: aws.String(trustDoc)}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := v.iam.ListRoles(ctx(), &iam.ListRolesInput{PathPrefix: aws.String("/irsa/")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range out.Roles {
		got = append(got, aws.ToString(r.RoleName))
	}
	if d := cmp.Diff([]string{"b", "c"}, got); d != "" || out.IsTruncated {
		t.Errorf("truncated=%v (-want +got):\n%s", out.IsTruncated, d)
	}
}
