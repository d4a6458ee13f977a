package emulator

import (
	"fmt"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
)

// TestSummaryMapKeys checks GetAccountSummary against the SummaryKeyType
// enum of the IAM API: every key it documents, and no other.
func TestSummaryMapKeys(t *testing.T) {
	t.Parallel()
	v := newEnv(t, Options{})
	out, err := v.iam.GetAccountSummary(ctx(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var want, got []string
	for _, k := range types.SummaryKeyType("").Values() {
		want = append(want, string(k))
	}
	for k := range out.SummaryMap {
		got = append(got, k)
	}
	sort.Strings(want)
	sort.Strings(got)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("SummaryMap keys (-IAM's +emulator's):\n%s", d)
	}
	defaults := map[string]int32{"RolesQuota": 1000, "AttachedPoliciesPerRoleQuota": 10, "PolicySizeQuota": 6144,
		"AssumeRolePolicySizeQuota": 2048, "VersionsPerPolicyQuota": 5, "RolePolicySizeQuota": 10240}
	for k, d := range defaults {
		if out.SummaryMap[k] != d {
			t.Errorf("%s = %d, want the default %d", k, out.SummaryMap[k], d)
		}
	}
}

// TestQuotasEnforced creates one object past each lowered quota.
func TestQuotasEnforced(t *testing.T) {
	t.Parallel()
	tests := []struct {
		quota  string
		create func(v *env, i int) error
		msg    string
	}{
		{"RolesQuota", func(v *env, i int) error {
			_, err := v.iam.CreateRole(ctx(), &iam.CreateRoleInput{RoleName: aws.String(fmt.Sprint("r", i)), AssumeRolePolicyDocument: aws.String(trustDoc)})
			return err
		}, "Cannot exceed quota for RolesPerAccount: 2"},
		{"OpenIdConnectProvidersQuota", func(v *env, i int) error {
			_, err := v.iam.CreateOpenIDConnectProvider(ctx(), &iam.CreateOpenIDConnectProviderInput{Url: aws.String(fmt.Sprintf("https://oidc.eks.us-east-1.amazonaws.com/id/%d", i)), ClientIDList: []string{"sts.amazonaws.com"}})
			return err
		}, "Cannot exceed quota for OpenIdConnectProvidersPerAccount: 2"},
		{"AttachedPoliciesPerRoleQuota", func(v *env, i int) error {
			if i == 0 {
				v.mustCreateRole(t, "holder")
			}
			arn := v.mustCreatePolicy(t, fmt.Sprint("p", i))
			_, err := v.iam.AttachRolePolicy(ctx(), &iam.AttachRolePolicyInput{RoleName: aws.String("holder"), PolicyArn: aws.String(arn)})
			return err
		}, "Cannot exceed quota for PoliciesPerRole: 2"},
	}
	for _, tt := range tests {
		t.Run(tt.quota, func(t *testing.T) {
			t.Parallel()
			v := newEnv(t, Options{})
			v.emu.SetQuota(acctA, tt.quota, 2)
			var codes []string
			var last error
			for i := 0; i < 3; i++ {
				last = tt.create(v, i)
				codes = append(codes, errorCode(last))
			}
			if d := cmp.Diff([]string{"", "", "LimitExceeded"}, codes); d != "" {
				t.Fatalf("(-want +got):\n%s", d)
			}
			var le *types.LimitExceededException
			if !asError(last, &le) || aws.ToString(le.Message) != tt.msg {
				t.Errorf("error %v, want message %q", last, tt.msg)
			}
		})
	}
}
