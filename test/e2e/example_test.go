package e2e

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

const (
	prodID = "111122223333"
	dataID = "444455556666"
	euw1   = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"
)

// TestExampleCreatesEveryObjectKind applies examples/bindings.yaml to an
// empty sandbox and reads every object back through the SDK and client-go.
func TestExampleCreatesEveryObjectKind(t *testing.T) {
	h := newHarness(t, sandbox.Options{}).useFile(example)
	p, _ := h.apply(plan.Options{})
	use1 := issuerHost(h, "prod-use1")
	owner := map[string]string{"irsa-sync/owner": "platform-prod"}
	myRole := "arn:aws:iam::" + prodID + ":role/irsa/my-role"
	reader := "arn:aws:iam::" + dataID + ":role/analytics-reader"

	t.Run("patterns", func(t *testing.T) {
		want := []desired.Pattern{{Cluster: "prod-use1", Namespace: "batch", Name: "*", Role: myRole}}
		if diff := cmp.Diff(want, p.Patterns); diff != "" {
			t.Errorf("plan patterns (-want +got):\n%s", diff)
		}
	})

	t.Run("oidc providers", func(t *testing.T) {
		// Pattern A: the data account gets its own provider for the
		// prod cluster's issuer, since the role there trusts it.
		for _, tc := range []struct {
			account string
			want    map[string]awsProvider
		}{
			{"prod", map[string]awsProvider{
				"arn:aws:iam::" + prodID + ":oidc-provider/" + use1: {URL: use1, ClientIDs: []string{"sts.amazonaws.com"}, Tags: owner},
				"arn:aws:iam::" + prodID + ":oidc-provider/" + euw1: {URL: euw1, ClientIDs: []string{"sts.amazonaws.com"}, Tags: owner},
			}},
			{"data", map[string]awsProvider{
				"arn:aws:iam::" + dataID + ":oidc-provider/" + use1: {URL: use1, ClientIDs: []string{"sts.amazonaws.com"}, Tags: owner},
			}},
		} {
			if diff := cmp.Diff(tc.want, h.providers(tc.account)); diff != "" {
				t.Errorf("providers in %s (-want +got):\n%s", tc.account, diff)
			}
		}
	})

	t.Run("policy", func(t *testing.T) {
		arn := "arn:aws:iam::" + prodID + ":policy/my-policy"
		want := &awsPolicy{ARN: arn, Default: "v1", Versions: []string{"v1"}, Tags: owner,
			Document: policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::my-pod-secrets-bucket"}]}`)}
		if diff := cmp.Diff(want, h.policyAt("prod", arn), cmpDocs); diff != "" {
			t.Errorf("my-policy (-want +got):\n%s", diff)
		}
	})

	t.Run("roles", func(t *testing.T) {
		for _, tc := range []struct {
			account, name string
			want          *awsRole
		}{
			{"prod", "my-role", &awsRole{
				ARN: myRole, Path: "/irsa/", Description: "my-role-description", MaxSession: 3600, Tags: owner,
				Attached: []string{"arn:aws:iam::" + prodID + ":policy/my-policy", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"},
				Trust:    myRoleTrust(use1),
			}},
			{"data", "analytics-reader", &awsRole{
				ARN: reader, Path: "/", MaxSession: 3600, Tags: owner,
				Attached: []string{"arn:aws:iam::aws:policy/AmazonAthenaFullAccess"},
				Trust:    analyticsReaderTrust(use1),
			}},
		} {
			if diff := cmp.Diff(tc.want, h.role(tc.account, tc.name), cmpDocs); diff != "" {
				t.Errorf("role %s (-want +got):\n%s", tc.name, diff)
			}
		}
	})

	t.Run("service accounts", func(t *testing.T) {
		for _, tc := range []struct {
			cluster, namespace, name string
			want                     map[string]string
		}{
			{"prod-use1", "default", "my-service-account", map[string]string{
				"eks.amazonaws.com/role-arn": myRole, "eks.amazonaws.com/sts-regional-endpoints": "true",
				"irsa-sync/owner": "platform-prod", "irsa-sync/created": "true",
			}},
			{"prod-euw1", "default", "my-service-account", map[string]string{
				"eks.amazonaws.com/role-arn": myRole,
				"irsa-sync/owner":            "platform-prod", "irsa-sync/created": "true",
			}},
			{"prod-use1", "analytics", "reader", map[string]string{
				"eks.amazonaws.com/role-arn": reader,
				"irsa-sync/owner":            "platform-prod", "irsa-sync/created": "true",
			}},
		} {
			sa := h.serviceAccount(tc.cluster, tc.namespace, tc.name)
			if sa == nil {
				t.Errorf("%s: service account %s/%s missing", tc.cluster, tc.namespace, tc.name)
				continue
			}
			if diff := cmp.Diff(tc.want, sa.Annotations); diff != "" {
				t.Errorf("%s: annotations of %s/%s (-want +got):\n%s", tc.cluster, tc.namespace, tc.name, diff)
			}
			if diff := cmp.Diff([]string{"irsa-sync"}, managers(sa)); diff != "" {
				t.Errorf("%s: field managers of %s/%s (-want +got):\n%s", tc.cluster, tc.namespace, tc.name, diff)
			}
		}
		// The wildcard binding shapes the trust only: nothing is created
		// in its namespace.
		list, err := h.sb.Cluster("prod-use1").CoreV1().ServiceAccounts("batch").List(context.Background(), metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Items) != 0 {
			t.Errorf("batch namespace has %d service accounts, want none (wildcard bindings create nothing)", len(list.Items))
		}
	})
}
