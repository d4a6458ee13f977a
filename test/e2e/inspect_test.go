package e2e

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
)

// This file reads AWS and Kubernetes state back through the real SDK and
// client-go, independently of internal/live, so that a bug in the reader
// cannot hide a bug in the writer.

// awsRole is what the SDK reports of a role, one field per thing irsa-sync
// manages, in a shape tests compare with cmp.
type awsRole struct {
	ARN         string
	Path        string
	Description string
	MaxSession  int32
	Boundary    string
	Tags        map[string]string
	Attached    []string
	Inline      map[string]policy.Document
	Trust       policy.Document
}

// role reads a role with GetRole, ListAttachedRolePolicies, ListRolePolicies
// and GetRolePolicy; nil when it does not exist.
func (h *harness) role(account, name string) *awsRole {
	h.t.Helper()
	ctx := context.Background()
	c := h.iam(account)
	out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if isNoSuchEntity(err) {
		return nil
	}
	if err != nil {
		h.t.Fatalf("GetRole %s: %v", name, err)
	}
	r := out.Role
	got := &awsRole{
		ARN: aws.ToString(r.Arn), Path: aws.ToString(r.Path), Description: aws.ToString(r.Description),
		MaxSession: aws.ToInt32(r.MaxSessionDuration), Tags: tagsOf(r.Tags),
		Trust: h.parse(aws.ToString(r.AssumeRolePolicyDocument)),
	}
	if r.PermissionsBoundary != nil {
		got.Boundary = aws.ToString(r.PermissionsBoundary.PermissionsBoundaryArn)
	}
	att, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		h.t.Fatalf("ListAttachedRolePolicies %s: %v", name, err)
	}
	for _, p := range att.AttachedPolicies {
		got.Attached = append(got.Attached, aws.ToString(p.PolicyArn))
	}
	sort.Strings(got.Attached)
	names, err := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		h.t.Fatalf("ListRolePolicies %s: %v", name, err)
	}
	for _, n := range names.PolicyNames {
		doc, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(n)})
		if err != nil {
			h.t.Fatalf("GetRolePolicy %s %s: %v", name, n, err)
		}
		if got.Inline == nil {
			got.Inline = map[string]policy.Document{}
		}
		got.Inline[n] = h.parse(aws.ToString(doc.PolicyDocument))
	}
	return got
}

// awsPolicy is a customer-managed policy as the SDK reports it.
type awsPolicy struct {
	ARN      string
	Default  string
	Versions []string // ids, oldest first
	Document policy.Document
	Tags     map[string]string
}

// policyAt reads a customer-managed policy of the account by ARN; nil
// when it does not exist.
func (h *harness) policyAt(account, arn string) *awsPolicy {
	h.t.Helper()
	ctx := context.Background()
	c := h.iam(account)
	out, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if isNoSuchEntity(err) {
		return nil
	}
	if err != nil {
		h.t.Fatalf("GetPolicy %s: %v", arn, err)
	}
	got := &awsPolicy{ARN: arn, Default: aws.ToString(out.Policy.DefaultVersionId), Tags: tagsOf(out.Policy.Tags)}
	vs, err := c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	if err != nil {
		h.t.Fatalf("ListPolicyVersions %s: %v", arn, err)
	}
	for _, v := range vs.Versions {
		got.Versions = append(got.Versions, aws.ToString(v.VersionId))
	}
	sort.Slice(got.Versions, func(i, j int) bool { return versionLess(got.Versions[i], got.Versions[j]) })
	v, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: out.Policy.DefaultVersionId})
	if err != nil {
		h.t.Fatalf("GetPolicyVersion %s: %v", arn, err)
	}
	got.Document = h.parse(aws.ToString(v.PolicyVersion.Document))
	return got
}

// awsProvider is an OIDC provider as the SDK reports it.
type awsProvider struct {
	URL       string
	ClientIDs []string
	Tags      map[string]string
}

// providers reads every OIDC provider of the account, by ARN.
func (h *harness) providers(account string) map[string]awsProvider {
	h.t.Helper()
	ctx := context.Background()
	c := h.iam(account)
	list, err := c.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	if err != nil {
		h.t.Fatalf("ListOpenIDConnectProviders: %v", err)
	}
	out := map[string]awsProvider{}
	for _, p := range list.OpenIDConnectProviderList {
		got, err := c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: p.Arn})
		if err != nil {
			h.t.Fatalf("GetOpenIDConnectProvider %s: %v", aws.ToString(p.Arn), err)
		}
		ids := append([]string(nil), got.ClientIDList...)
		sort.Strings(ids)
		out[aws.ToString(p.Arn)] = awsProvider{URL: aws.ToString(got.Url), ClientIDs: ids, Tags: tagsOf(got.Tags)}
	}
	return out
}

// serviceAccount reads one ServiceAccount; nil when it does not exist.
func (h *harness) serviceAccount(cluster, namespace, name string) *corev1.ServiceAccount {
	h.t.Helper()
	sa, err := h.sb.Cluster(cluster).CoreV1().ServiceAccounts(namespace).Get(context.Background(), name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		h.t.Fatalf("get service account %s/%s in %s: %v", namespace, name, cluster, err)
	}
	return sa
}

// managers lists the field managers of an object, sorted.
func managers(obj metav1.Object) []string {
	seen := map[string]bool{}
	for _, mf := range obj.GetManagedFields() {
		seen[mf.Manager] = true
	}
	var out []string
	for m := range seen {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

func (h *harness) parse(doc string) policy.Document {
	h.t.Helper()
	d, err := policy.Parse([]byte(doc))
	if err != nil {
		h.t.Fatalf("parse document %q: %v", doc, err)
	}
	return d
}

func tagsOf(tags []iamtypes.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := map[string]string{}
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func isNoSuchEntity(err error) bool {
	var nse *iamtypes.NoSuchEntityException
	return errors.As(err, &nse)
}

func versionLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// cmpDocs compares policy documents semantically, the only way irsa-sync
// compares them.
var cmpDocs = cmp.Comparer(func(a, b policy.Document) bool { return a.Equal(b) })

// cmpLive compares live states, ignoring creation times (which differ from
// run to run).
// cmpLive compares live states as irsa-sync sees them, leaving out what the
// servers assign (version dates; association ids and ARNs, which EKS makes
// up at random on each create).
var cmpLive = cmp.Options{cmpDocs, cmpopts.IgnoreFields(state.PolicyVersion{}, "Created"),
	cmpopts.IgnoreFields(resource.Association{}, "ID", "ARN")}

// changeLines renders a plan's changes as "action address [fields]", which
// is what most tests assert.
func changeLines(cs []plan.Change) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c.Action) + " " + c.Address
		if len(c.Fields) > 0 {
			out[i] += " [" + fieldNames(c) + "]"
		}
	}
	return out
}

// problems renders conflicts or errors as "address: message".
func problems(ps []plan.Problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Address + ": " + p.Message
	}
	return out
}

// edit replaces each old string of pairs with its new one, failing when an
// old string is missing so that a fixture change cannot silently no-op.
func (h *harness) edit(yaml string, pairs ...string) string {
	h.t.Helper()
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(yaml, pairs[i]) {
			h.t.Fatalf("fixture has no %q", pairs[i])
		}
		yaml = strings.Replace(yaml, pairs[i], pairs[i+1], 1)
	}
	return yaml
}
