package e2e

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/access"
	"github.com/irsa-sync/irsa-sync/internal/emulator"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

// podIdentityFile binds role app in every via, plus a second cluster c2 in
// the same account, and a role of another account through a source role.
const podIdentityFile = `apiVersion: irsa-sync/v1
kind: Bindings
owner: team-a
accounts:
  - {name: prod, id: "111111111111"}
  - {name: data, id: "222222222222", assumeRoleArn: "arn:aws:iam::222222222222:role/irsa-sync"}
clusters:
  - {name: c1, account: prod, region: us-east-1}
  - {name: c2, account: prod, region: us-east-1}
roles:
  - name: app
    account: prod
    serviceAccounts:
      - {cluster: c1, namespace: default, name: irsa-sa}
      - {cluster: c1, namespace: web, name: pod-sa, via: podIdentity}
      - {cluster: c1, namespace: jobs, name: both-sa, via: both}
      - {cluster: c2, namespace: default, name: keep}
  - name: reader
    account: data
    sourceRole: reader-source
    serviceAccounts:
      - {cluster: c1, namespace: analytics, name: reader, via: podIdentity}
`

// associations reads a cluster's associations through the SDK, described,
// by "namespace/name".
func (h *harness) associations(cluster string) map[string]ekstypes.PodIdentityAssociation {
	h.t.Helper()
	ctx := context.Background()
	c := h.cl.EKS[cluster].(*eks.Client)
	out := map[string]ekstypes.PodIdentityAssociation{}
	p := eks.NewListPodIdentityAssociationsPaginator(c, &eks.ListPodIdentityAssociationsInput{ClusterName: aws.String(cluster)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			h.t.Fatalf("list associations of %s: %v", cluster, err)
		}
		for _, s := range page.Associations {
			d, err := c.DescribePodIdentityAssociation(ctx, &eks.DescribePodIdentityAssociationInput{ClusterName: aws.String(cluster), AssociationId: s.AssociationId})
			if err != nil {
				h.t.Fatal(err)
			}
			out[aws.ToString(s.Namespace)+"/"+aws.ToString(s.ServiceAccount)] = *d.Association
		}
	}
	return out
}

func roleOf(a ekstypes.PodIdentityAssociation) string {
	return aws.ToString(a.RoleArn) + " -> " + aws.ToString(a.TargetRoleArn)
}

func roleARNs(as map[string]ekstypes.PodIdentityAssociation) map[string]string {
	out := map[string]string{}
	for k, a := range as {
		out[k] = roleOf(a)
	}
	return out
}

func TestPodIdentityEveryViaFromEmpty(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sandbox.Options{}).use(podIdentityFile)
	p, _ := h.apply(plan.Options{})
	if len(p.Errors)+len(p.Conflicts) > 0 {
		t.Fatalf("plan problems: %v %v", problems(p.Errors), problems(p.Conflicts))
	}
	const app, source, reader = "arn:aws:iam::111111111111:role/app", "arn:aws:iam::111111111111:role/reader-source", "arn:aws:iam::222222222222:role/reader"
	want := map[string]string{"web/pod-sa": app + " -> ", "jobs/both-sa": app + " -> ", "analytics/reader": source + " -> " + reader}
	if d := cmp.Diff(want, roleARNs(h.associations("c1"))); d != "" {
		t.Errorf("associations of c1 (-want +got):\n%s", d)
	}
	for k, a := range h.associations("c1") {
		if a.Tags[resource.OwnerTag] != "team-a" {
			t.Errorf("association %s has tags %v, want the owner tag", k, a.Tags)
		}
	}
	// irsa and both are annotated; podIdentity is not, but carries the mark.
	for _, tc := range []struct{ ns, name, roleARN, mark string }{
		{"default", "irsa-sa", app, ""}, {"jobs", "both-sa", app, "true"}, {"web", "pod-sa", "", "true"},
	} {
		sa := h.serviceAccount("c1", tc.ns, tc.name)
		if got := sa.Annotations[resource.AnnotationRoleARN]; got != tc.roleARN {
			t.Errorf("%s/%s role-arn annotation %q, want %q", tc.ns, tc.name, got, tc.roleARN)
		}
		if got := sa.Annotations[resource.PodIdentityAnnotation]; got != tc.mark {
			t.Errorf("%s/%s pod identity mark %q, want %q", tc.ns, tc.name, got, tc.mark)
		}
	}
	// The cross-account target trusts the source role; the source may
	// assume and tag sessions of exactly the target.
	if tr := h.role("data", "reader").Trust.JSON(); !strings.Contains(tr, source) || strings.Contains(tr, "pods.eks.amazonaws.com") {
		t.Errorf("target role trust does not name only the source role: %s", tr)
	}
	if doc := h.role("prod", "reader-source").Inline[resource.ChainPolicyName].JSON(); !strings.Contains(doc, reader) || !strings.Contains(doc, "sts:TagSession") {
		t.Errorf("source role chain policy: %s", doc)
	}

	h.resetCalls()
	p, _ = h.apply(plan.Options{})
	if len(p.Changes) != 0 {
		t.Errorf("second plan has changes: %v", changeLines(p.Changes))
	}
	if w := h.writes(); len(w) != 0 {
		t.Errorf("second apply wrote %v", w)
	}
}

// TestPodIdentityTrustAdmitsOnlyDeclaredClusters lets EKS itself judge the
// trust: an association for app in c2, whose bindings are IRSA only, is
// refused by the trust irsa-sync generated, while c1's were accepted.
func TestPodIdentityTrustAdmitsOnlyDeclaredClusters(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sandbox.Options{}).use(podIdentityFile)
	h.apply(plan.Options{})
	// The project's own reasoning, as explain uses it, on the live trust.
	r := access.Resolver{ClusterARNs: map[string]string{
		"arn:aws:eks:us-east-1:111111111111:cluster/c1": "c1", "arn:aws:eks:us-east-1:111111111111:cluster/c2": "c2"},
		Accounts: map[string]string{"111111111111": "prod"}}
	subjects, risks := access.Of(h.role("prod", "app").Trust, r)
	var pods []string
	for _, s := range subjects {
		if s.Path == access.PodIdentity {
			pods = append(pods, s.String())
		}
	}
	if d := cmp.Diff([]string{"c1/jobs/both-sa via Pod Identity", "c1/web/pod-sa via Pod Identity"}, sorted(pods)); d != "" {
		t.Errorf("who can assume app through Pod Identity (-want +got):\n%s", d)
	}
	for _, k := range risks {
		if k.Kind == access.RiskPodIdentityAnyAccount || k.Kind == access.RiskPodIdentityAnyCluster {
			t.Errorf("risk on the generated trust: %s", k.Words())
		}
	}
	_, err := h.cl.EKS["c2"].(*eks.Client).CreatePodIdentityAssociation(context.Background(), &eks.CreatePodIdentityAssociationInput{
		ClusterName: aws.String("c2"), Namespace: aws.String("web"), ServiceAccount: aws.String("pod-sa"), RoleArn: aws.String("arn:aws:iam::111111111111:role/app")})
	var ip *ekstypes.InvalidParameterException
	if !errors.As(err, &ip) {
		t.Errorf("an association in the undeclared cluster c2: %v, want InvalidParameterException", err)
	}
	// Another service account of the declared cluster is refused too.
	_, err = h.cl.EKS["c1"].(*eks.Client).CreatePodIdentityAssociation(context.Background(), &eks.CreatePodIdentityAssociationInput{
		ClusterName: aws.String("c1"), Namespace: aws.String("web"), ServiceAccount: aws.String("intruder"), RoleArn: aws.String("arn:aws:iam::111111111111:role/app")})
	if !errors.As(err, &ip) {
		t.Errorf("an association for an undeclared service account: %v, want InvalidParameterException", err)
	}
}

const moverFile = `apiVersion: irsa-sync/v1
kind: Bindings
owner: team-a
accounts:
  - {name: prod, id: "111111111111"}
clusters:
  - {name: c1, account: prod, region: us-east-1}
  - {name: c2, account: prod, region: us-east-1}
roles:
  - name: mover
    account: prod
    serviceAccounts:
      - {cluster: c1, namespace: default, name: m}
      - {cluster: c2, namespace: default, name: keep}
      - {cluster: c1, namespace: default, name: stay}
`

// TestPodIdentityMoveAndBack walks one binding irsa → both → podIdentity →
// irsa: each plan names exactly its changes, each apply makes them, and the
// role's other bindings keep their subjects and annotations throughout.
func TestPodIdentityMoveAndBack(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sandbox.Options{}).use(moverFile)
	h.apply(plan.Options{})
	const (
		m    = "{cluster: c1, namespace: default, name: m}"
		role = "update account/prod/role/mover [trust]"
		sa   = "cluster/c1/serviceaccount/default/m"
		asc  = "cluster/c1/pod-identity-association/default/m"
	)
	issuer1 := resource.IssuerHost(sandbox.Issuer("111111111111", "us-east-1", "c1"))
	clusterARN := "arn:aws:eks:us-east-1:111111111111:cluster/c1"
	steps := []struct {
		via           string
		changes       []string
		added, remove []string
		association   bool
		annotated     bool
	}{
		{"both", []string{"create " + asc, role, "update " + sa + " [annotations." + resource.PodIdentityAnnotation + "]"},
			[]string{"system:serviceaccount:default:m @ pod-identity " + clusterARN}, nil, true, true},
		{"podIdentity", []string{role, "update " + sa + " [annotations.eks.amazonaws.com/role-arn]"},
			nil, []string{"system:serviceaccount:default:m @ " + issuer1}, true, false},
		{"irsa", []string{"delete " + asc, role, "update " + sa + " [annotations.eks.amazonaws.com/role-arn,annotations." + resource.PodIdentityAnnotation + "]"},
			[]string{"system:serviceaccount:default:m @ " + issuer1}, []string{"system:serviceaccount:default:m @ pod-identity " + clusterARN}, false, true},
	}
	for _, st := range steps {
		h.use(h.edit(moverFile, m, "{cluster: c1, namespace: default, name: m, via: "+st.via+"}"))
		p := h.plan(plan.Options{})
		if len(p.Errors)+len(p.Conflicts) > 0 {
			t.Fatalf("%s: plan problems: %v %v", st.via, problems(p.Errors), problems(p.Conflicts))
		}
		if d := cmp.Diff(sorted(st.changes), sorted(changeLines(p.Changes))); d != "" {
			t.Errorf("%s: changes (-want +got):\n%s", st.via, d)
		}
		for _, c := range p.Changes {
			if f, ok := c.Field(plan.FieldTrust); ok {
				if d := cmp.Diff(st.added, f.Added); d != "" {
					t.Errorf("%s: trust subjects added (-want +got):\n%s", st.via, d)
				}
				if d := cmp.Diff(st.remove, f.Removed); d != "" {
					t.Errorf("%s: trust subjects removed (-want +got):\n%s", st.via, d)
				}
			}
			if c.Kind == resource.KindAssociation && st.via == "both" && !c.HasNote(plan.NoteBothCredentials) {
				t.Errorf("both: association change lacks the credential-precedence note: %+v", c.Notes)
			}
		}
		if _, err := h.run(p); err != nil {
			t.Fatalf("%s: apply: %v", st.via, err)
		}
		if _, ok := h.associations("c1")["default/m"]; ok != st.association {
			t.Errorf("%s: association exists %v, want %v", st.via, ok, st.association)
		}
		if got := h.serviceAccount("c1", "default", "m").Annotations[resource.AnnotationRoleARN] != ""; got != st.annotated {
			t.Errorf("%s: annotated %v, want %v", st.via, got, st.annotated)
		}
		subs := h.role("prod", "mover").Trust.JSON()
		for _, o := range []string{"system:serviceaccount:default:keep", "system:serviceaccount:default:stay"} {
			if !strings.Contains(subs, o) {
				t.Errorf("%s: another binding's subject %s is gone: %s", st.via, o, subs)
			}
		}
		if again := h.plan(plan.Options{}); len(again.Changes) != 0 {
			t.Errorf("%s: not settled, plan again: %v", st.via, changeLines(again.Changes))
		}
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

const eligibleFile = `apiVersion: irsa-sync/v1
kind: Bindings
owner: team-a
accounts:
  - {name: prod, id: "111111111111"}
clusters:
  - {name: c1, account: prod, region: us-east-1}
  - {name: onprem, account: prod, region: us-east-1, oidcIssuer: "https://oidc.example.com/onprem"}
roles:
  - name: app
    account: prod
    serviceAccounts:
      - {cluster: c1, namespace: web, name: pod-sa, via: podIdentity}
      - {cluster: c1, namespace: batch, name: job, via: both}
`

// TestPodIdentityEligibility: each reason Pod Identity cannot work is a
// plan error naming it, and apply writes nothing.
func TestPodIdentityEligibility(t *testing.T) {
	t.Parallel()
	onprem := "      - {cluster: onprem, namespace: web, name: pod-sa, via: podIdentity}\n"
	tests := []struct {
		name  string
		yaml  string
		opts  sandbox.Options
		seed  func(t *testing.T, e *emulator.Emulator)
		error string
	}{
		{"no agent add-on", eligibleFile, sandbox.Options{}, func(t *testing.T, e *emulator.Emulator) {
			seed(t, e, emulator.ClusterSeed{WithoutPodIdentityAgent: true})
		}, "cluster/c1: 2 service accounts are bound via Pod Identity, but the cluster lacks the eks-pod-identity-agent add-on"},
		{"fargate namespace", eligibleFile, sandbox.Options{}, func(t *testing.T, e *emulator.Emulator) {
			seed(t, e, emulator.ClusterSeed{FargateProfiles: []emulator.FargateProfileSeed{{Name: "batch-fargate", Selectors: []emulator.FargateSelector{{Namespace: "batch"}}}}})
		}, `cluster/c1/pod-identity-association/batch/job: namespace "batch" is selected by the Fargate profile batch-fargate`},
		{"not EKS", eligibleFile + onprem, sandbox.Options{SelfManaged: []string{"onprem"}}, nil,
			`cluster/onprem: 1 service accounts are bound via Pod Identity, but eks:DescribeCluster does not know cluster "onprem"`},
		{"quota", eligibleFile, sandbox.Options{}, func(t *testing.T, e *emulator.Emulator) {
			for i := range plan.AssociationsPerCluster - 1 {
				if _, err := e.SeedPodIdentityAssociation("111111111111", "us-east-1", "c1", emulator.AssociationSeed{Namespace: "other", ServiceAccount: "sa-" + itoa(i), RoleArn: "arn:aws:iam::111111111111:role/other"}); err != nil {
					t.Fatal(err)
				}
			}
		}, "cluster/c1: the plan would create 2 Pod Identity associations in a cluster that has 4999, 1 over EKS's quota of 5000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tt.opts).use(tt.yaml)
			if tt.seed != nil {
				tt.seed(t, h.sb.Emulator)
			}
			h.resetCalls()
			p := h.plan(plan.Options{})
			found := false
			for _, e := range problems(p.Errors) {
				found = found || strings.HasPrefix(e, tt.error)
			}
			if !found {
				t.Errorf("plan errors %v, want one starting %q", problems(p.Errors), tt.error)
			}
			if _, err := h.run(p); err == nil {
				t.Error("apply of a plan with errors succeeded")
			}
			if w := h.writes(); len(w) != 0 {
				t.Errorf("writes after a refused plan: %v", w)
			}
		})
	}
}

func seed(t *testing.T, e *emulator.Emulator, s emulator.ClusterSeed) {
	t.Helper()
	s.Account, s.Region, s.Name, s.Issuer = "111111111111", "us-east-1", "c1", sandbox.Issuer("111111111111", "us-east-1", "c1")
	if err := e.SeedCluster(s); err != nil {
		t.Fatal(err)
	}
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// TestPodIdentityPruneAndConflicts: --prune deletes only this owner's
// associations; another owner's on a declared service account is a
// conflict; an add-on's is left alone.
func TestPodIdentityPruneAndConflicts(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sandbox.Options{}).use(eligibleFile)
	h.apply(plan.Options{})
	e := h.sb.Emulator
	for _, s := range []emulator.AssociationSeed{
		{Namespace: "theirs", ServiceAccount: "sa", RoleArn: "arn:aws:iam::111111111111:role/x", Tags: map[string]string{resource.OwnerTag: "team-b"}},
		{Namespace: "kube-system", ServiceAccount: "ebs-csi", RoleArn: "arn:aws:iam::111111111111:role/ebs", OwnerArn: "arn:aws:eks:us-east-1:111111111111:addon/c1/aws-ebs-csi-driver/x"},
	} {
		if _, err := e.SeedPodIdentityAssociation("111111111111", "us-east-1", "c1", s); err != nil {
			t.Fatal(err)
		}
	}
	// Drop batch/job from the file: its association is this owner's, and
	// its IRSA half was the last use of c1's OIDC provider, which goes
	// only with --prune, as nothing trusts it any more.
	h.use(h.edit(eligibleFile, "      - {cluster: c1, namespace: batch, name: job, via: both}\n", ""))
	p := h.plan(plan.Options{})
	provider := "delete account/prod/oidc-provider/" + resource.IssuerHost(sandbox.Issuer("111111111111", "us-east-1", "c1"))
	if d := cmp.Diff(sorted([]string{provider, "delete cluster/c1/pod-identity-association/batch/job", "delete cluster/c1/serviceaccount/batch/job"}), sorted(changeLines(p.Pruneable))); d != "" {
		t.Errorf("pruneable without --prune (-want +got):\n%s", d)
	}
	h.apply(plan.Options{Prune: true})
	got := map[string]bool{}
	for k := range h.associations("c1") {
		got[k] = true
	}
	if d := cmp.Diff(map[string]bool{"web/pod-sa": true, "theirs/sa": true, "kube-system/ebs-csi": true}, got); d != "" {
		t.Errorf("associations after prune (-want +got):\n%s", d)
	}

	// Someone else's association on a declared service account.
	h.use(h.edit(eligibleFile, "      - {cluster: c1, namespace: batch, name: job, via: both}\n", "      - {cluster: c1, namespace: theirs, name: sa, via: podIdentity}\n"))
	p = h.plan(plan.Options{})
	if len(p.Conflicts) != 1 || !strings.HasPrefix(problems(p.Conflicts)[0], "cluster/c1/pod-identity-association/theirs/sa: association") {
		t.Errorf("conflicts %v, want one on theirs/sa", problems(p.Conflicts))
	}
}
