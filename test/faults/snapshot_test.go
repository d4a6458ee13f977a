package faults

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// snapshot dumps everything irsa-sync manages in the sandbox, read through
// the SDK (IAM) and the in-memory clusters, one sorted line per object,
// without ids and dates: two runs that end in the same state give the same
// lines, and a duplicate object or policy version gives another line.
func (r *rig) snapshot() []string {
	r.t.Helper()
	ctx := context.Background()
	cl := r.clients()
	var out []string
	for _, a := range r.file.Accounts {
		client := cl.IAM[a.ID]
		pg := iam.NewGetAccountAuthorizationDetailsPaginator(client, &iam.GetAccountAuthorizationDetailsInput{
			Filter: []iamtypes.EntityType{iamtypes.EntityTypeRole, iamtypes.EntityTypeLocalManagedPolicy},
		})
		for pg.HasMorePages() {
			page, err := pg.NextPage(ctx)
			if err != nil {
				r.t.Fatalf("snapshot of account %s: %v", a.ID, err)
			}
			for _, role := range page.RoleDetailList {
				out = append(out, roleLine(r.t, a.ID, role))
			}
			for _, p := range page.Policies {
				out = append(out, policyLine(r.t, a.ID, p))
			}
		}
		provs, err := client.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
		if err != nil {
			r.t.Fatal(err)
		}
		for _, p := range provs.OpenIDConnectProviderList {
			got, err := client.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: p.Arn})
			if err != nil {
				r.t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("provider %s clients=%v tags=%s", aws.ToString(p.Arn), got.ClientIDList, tagString(got.Tags)))
		}
	}
	for _, c := range r.file.Clusters {
		sas, err := r.sb.Cluster(c.Name).CoreV1().ServiceAccounts("").List(ctx, metav1.ListOptions{})
		if err != nil {
			r.t.Fatal(err)
		}
		for _, sa := range sas.Items {
			out = append(out, fmt.Sprintf("serviceaccount %s/%s/%s annotations=%v labels=%v", c.Name, sa.Namespace, sa.Name, sa.Annotations, sa.Labels))
		}
	}
	sort.Strings(out)
	return out
}

func roleLine(t *testing.T, account string, r iamtypes.RoleDetail) string {
	var inline []string
	for _, p := range r.RolePolicyList {
		inline = append(inline, aws.ToString(p.PolicyName)+"="+normal(t, aws.ToString(p.PolicyDocument)))
	}
	sort.Strings(inline)
	var attached []string
	for _, p := range r.AttachedManagedPolicies {
		attached = append(attached, aws.ToString(p.PolicyArn))
	}
	sort.Strings(attached)
	boundary := ""
	if r.PermissionsBoundary != nil {
		boundary = aws.ToString(r.PermissionsBoundary.PermissionsBoundaryArn)
	}
	return fmt.Sprintf("role %s%s%s tags=%s boundary=%q attached=%v inline=%v trust=%s",
		account, aws.ToString(r.Path), aws.ToString(r.RoleName), tagString(r.Tags), boundary, attached, inline, normal(t, aws.ToString(r.AssumeRolePolicyDocument)))
}

func policyLine(t *testing.T, account string, p iamtypes.ManagedPolicyDetail) string {
	var versions []string
	for _, v := range p.PolicyVersionList {
		versions = append(versions, fmt.Sprintf("%s(default=%v)=%s", aws.ToString(v.VersionId), v.IsDefaultVersion, normal(t, aws.ToString(v.Document))))
	}
	sort.Strings(versions)
	return fmt.Sprintf("policy %s%s%s attachments=%d versions=%v", account, aws.ToString(p.Path), aws.ToString(p.PolicyName), aws.ToInt32(p.AttachmentCount), versions)
}

// normal is a document in its normalised JSON, so that encoding does not
// make two equal documents look different.
func normal(t *testing.T, doc string) string {
	d, err := policy.Parse([]byte(doc))
	if err != nil {
		t.Fatalf("parse %q: %v", doc, err)
	}
	return d.JSON()
}

func tagString(tags []iamtypes.Tag) string {
	m := map[string]string{}
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	var parts []string
	for _, k := range resource.SortedKeys(m) {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, ",")
}
