package emulator

import (
	"fmt"
	"regexp"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/google/go-cmp/cmp"
)

const podRegion = "eu-west-1"

// podTrust is the trust the EKS user guide gives a Pod Identity role,
// narrowed to one cluster.
func podTrust(actions, clusterArn string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":%s,"Condition":{"StringEquals":{"aws:SourceAccount":"111111111111"},"ArnEquals":{"aws:SourceArn":%q}}}]}`, actions, clusterArn)
}

const prodArn = "arn:aws:eks:eu-west-1:111111111111:cluster/prod"

// podEnv is an emulator with cluster "prod" in account A and the roles the
// association tests use.
func podEnv(t *testing.T, opts Options) (*env, *eks.Client) {
	t.Helper()
	v := newEnv(t, opts)
	v.emu.EnsureCluster(acctA, podRegion, "prod", issuer)
	roles := map[string]string{
		"app":         podTrust(`["sts:AssumeRole","sts:TagSession"]`, prodArn),
		"app2":        podTrust(`["sts:AssumeRole","sts:TagSession"]`, prodArn),
		"no-tags":     podTrust(`"sts:AssumeRole"`, prodArn),
		"wildcard":    podTrust(`"sts:*"`, prodArn),
		"other":       podTrust(`["sts:AssumeRole","sts:TagSession"]`, "arn:aws:eks:eu-west-1:111111111111:cluster/staging"),
		"irsa-only":   trustDoc,
		"deny-prod":   `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]},{"Effect":"Deny","Principal":"*","Action":"sts:*","Condition":{"StringEquals":{"aws:RequestTag/kubernetes-namespace":"prod"}}}]}`,
		"unnarrowed":  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`,
		"by-ns-tag":   `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"],"Condition":{"StringLike":{"aws:RequestTag/kubernetes-namespace":"team-*"}}}]}`,
		"target-role": deployerTrust,
	}
	for name, trust := range roles {
		if err := v.emu.EnsureRole(acctA, name, trust); err != nil {
			t.Fatal(err)
		}
	}
	v.emu.EnsureAccount(acctB)
	if err := v.emu.EnsureRole(acctB, "in-b", podTrust(`["sts:AssumeRole","sts:TagSession"]`, prodArn)); err != nil {
		t.Fatal(err)
	}
	return v, v.eks(podRegion, v.emu.EnsureAccount(acctA))
}

func roleA(name string) string { return "arn:aws:iam::111111111111:role/" + name }

func TestCreatePodIdentityAssociation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, cluster, ns, sa, role, target string
		disableTags                         bool
		want                                string
	}{
		{name: "narrowed trust", ns: "default", sa: "app", role: roleA("app")},
		{name: "sts wildcard action", ns: "default", sa: "app", role: roleA("wildcard")},
		{name: "no TagSession", ns: "default", sa: "app", role: roleA("no-tags"), want: "InvalidParameterException"},
		{name: "no TagSession, tags disabled", ns: "default", sa: "app", role: roleA("no-tags"), disableTags: true},
		{name: "trust of another cluster", ns: "default", sa: "app", role: roleA("other"), want: "InvalidParameterException"},
		{name: "IRSA-only trust", ns: "default", sa: "app", role: roleA("irsa-only"), want: "InvalidParameterException"},
		{name: "explicit deny on session tag", ns: "prod", sa: "app", role: roleA("deny-prod"), want: "InvalidParameterException"},
		{name: "deny does not apply", ns: "default", sa: "app", role: roleA("deny-prod")},
		{name: "session tag StringLike", ns: "team-a", sa: "app", role: roleA("by-ns-tag")},
		{name: "session tag StringLike miss", ns: "default", sa: "app", role: roleA("by-ns-tag"), want: "InvalidParameterException"},
		{name: "role in another account", ns: "default", sa: "app", role: "arn:aws:iam::222222222222:role/in-b", want: "InvalidParameterException"},
		{name: "role of another partition", ns: "default", sa: "app", role: "arn:aws-cn:iam::111111111111:role/app", want: "InvalidParameterException"},
		{name: "missing role", ns: "default", sa: "app", role: roleA("nope"), want: "InvalidParameterException"},
		{name: "cross-account target", ns: "default", sa: "app", role: roleA("app"), target: "arn:aws:iam::222222222222:role/in-b"},
		{name: "unknown cluster", cluster: "staging", ns: "default", sa: "app", role: roleA("app"), want: "ResourceNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, client := podEnv(t, Options{})
			in := &eks.CreatePodIdentityAssociationInput{ClusterName: aws.String("prod"), Namespace: aws.String(tt.ns),
				ServiceAccount: aws.String(tt.sa), RoleArn: aws.String(tt.role), DisableSessionTags: aws.Bool(tt.disableTags),
				Tags: map[string]string{"irsa-sync/owner": "team"}}
			if tt.cluster != "" {
				in.ClusterName = aws.String(tt.cluster)
			}
			if tt.target != "" {
				in.TargetRoleArn = aws.String(tt.target)
			}
			out, err := client.CreatePodIdentityAssociation(ctx(), in)
			if got := errorCode(err); got != tt.want {
				t.Fatalf("code = %q, want %q (%v)", got, tt.want, err)
			}
			if err != nil {
				return
			}
			a := out.Association
			if !regexp.MustCompile(`^a-[a-z0-9]{17}$`).MatchString(aws.ToString(a.AssociationId)) {
				t.Errorf("association id %q is not shaped like EKS's", aws.ToString(a.AssociationId))
			}
			got := []string{aws.ToString(a.AssociationArn), aws.ToString(a.ClusterName), aws.ToString(a.Namespace),
				aws.ToString(a.ServiceAccount), aws.ToString(a.RoleArn), aws.ToString(a.TargetRoleArn), aws.ToString(a.ExternalId), a.Tags["irsa-sync/owner"]}
			wantExt := ""
			if tt.target != "" {
				wantExt = "eu-west-1/111111111111/prod/" + tt.ns + "/" + tt.sa
			}
			want := []string{"arn:aws:eks:eu-west-1:111111111111:podidentityassociation/prod/" + aws.ToString(a.AssociationId),
				"prod", tt.ns, tt.sa, tt.role, tt.target, wantExt, "team"}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("association (-want +got):\n%s", d)
			}
			if !a.CreatedAt.Equal(fixedNow) || !a.ModifiedAt.Equal(fixedNow) || aws.ToBool(a.DisableSessionTags) != tt.disableTags {
				t.Errorf("createdAt %v modifiedAt %v disableSessionTags %v", a.CreatedAt, a.ModifiedAt, aws.ToBool(a.DisableSessionTags))
			}
		})
	}
}

func TestPodIdentityAssociationLifecycle(t *testing.T) {
	t.Parallel()
	now := fixedNow
	v, client := podEnv(t, Options{Now: func() time.Time { return now }})
	create := func(ns, sa, role string) (string, error) {
		out, err := client.CreatePodIdentityAssociation(ctx(), &eks.CreatePodIdentityAssociationInput{ClusterName: aws.String("prod"),
			Namespace: aws.String(ns), ServiceAccount: aws.String(sa), RoleArn: aws.String(role)})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.Association.AssociationId), nil
	}
	id, err := create("default", "app", roleA("app"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := create("default", "app", roleA("app2")); errorCode(err) != "ResourceInUseException" {
		t.Errorf("second association of one service account: %v, want ResourceInUseException", err)
	}

	now = fixedNow.Add(time.Minute)
	up, err := client.UpdatePodIdentityAssociation(ctx(), &eks.UpdatePodIdentityAssociationInput{ClusterName: aws.String("prod"),
		AssociationId: aws.String(id), RoleArn: aws.String(roleA("app2")), TargetRoleArn: aws.String("arn:aws:iam::222222222222:role/in-b")})
	if err != nil {
		t.Fatal(err)
	}
	d, err := client.DescribePodIdentityAssociation(ctx(), &eks.DescribePodIdentityAssociationInput{ClusterName: aws.String("prod"), AssociationId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	got := []any{aws.ToString(d.Association.RoleArn), aws.ToString(d.Association.TargetRoleArn), aws.ToString(d.Association.Namespace),
		d.Association.CreatedAt.Equal(fixedNow), d.Association.ModifiedAt.Equal(now), aws.ToString(up.Association.RoleArn)}
	if diff := cmp.Diff([]any{roleA("app2"), "arn:aws:iam::222222222222:role/in-b", "default", true, true, roleA("app2")}, got); diff != "" {
		t.Errorf("after update (-want +got):\n%s", diff)
	}
	if _, err := client.UpdatePodIdentityAssociation(ctx(), &eks.UpdatePodIdentityAssociationInput{ClusterName: aws.String("prod"),
		AssociationId: aws.String(id), RoleArn: aws.String(roleA("irsa-only"))}); errorCode(err) != "InvalidParameterException" {
		t.Errorf("update to a role EKS cannot assume: %v", err)
	}
	if d2, _ := client.DescribePodIdentityAssociation(ctx(), &eks.DescribePodIdentityAssociationInput{ClusterName: aws.String("prod"), AssociationId: aws.String(id)}); aws.ToString(d2.Association.RoleArn) != roleA("app2") {
		t.Errorf("a refused update changed the association: %+v", d2.Association)
	}

	arn := d.Association.AssociationArn
	if _, err := client.TagResource(ctx(), &eks.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"a": "1", "b": "2"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.UntagResource(ctx(), &eks.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := client.ListTagsForResource(ctx(), &eks.ListTagsForResourceInput{ResourceArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"b": "2"}, tags.Tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	if _, err := client.ListTagsForResource(ctx(), &eks.ListTagsForResourceInput{ResourceArn: aws.String(aws.ToString(arn) + "x")}); errorCode(err) != "NotFoundException" {
		t.Errorf("tags of an unknown association: %v", err)
	}

	del, err := client.DeletePodIdentityAssociation(ctx(), &eks.DeletePodIdentityAssociationInput{ClusterName: aws.String("prod"), AssociationId: aws.String(id)})
	if err != nil || aws.ToString(del.Association.AssociationId) != id {
		t.Fatalf("delete: %v %+v", err, del)
	}
	_, err = client.DescribePodIdentityAssociation(ctx(), &eks.DescribePodIdentityAssociationInput{ClusterName: aws.String("prod"), AssociationId: aws.String(id)})
	var nf *ekstypes.ResourceNotFoundException
	if !asError(err, &nf) {
		t.Errorf("describe after delete: %v, want ResourceNotFoundException", err)
	}
	if again, err := create("default", "app", roleA("app")); err != nil || again == id {
		t.Errorf("recreate after delete: id %q (old %q), %v", again, id, err)
	}
	_ = v
}

func TestListPodIdentityAssociations(t *testing.T) {
	t.Parallel()
	_, client := podEnv(t, Options{PageSize: 1})
	for _, b := range [][2]string{{"default", "app"}, {"default", "web"}, {"jobs", "app"}, {"jobs", "batch"}} {
		if _, err := client.CreatePodIdentityAssociation(ctx(), &eks.CreatePodIdentityAssociationInput{ClusterName: aws.String("prod"),
			Namespace: aws.String(b[0]), ServiceAccount: aws.String(b[1]), RoleArn: aws.String(roleA("unnarrowed"))}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, ns, sa string
		want         []string
	}{
		{"all", "", "", []string{"default/app", "default/web", "jobs/app", "jobs/batch"}},
		{"namespace", "jobs", "", []string{"jobs/app", "jobs/batch"}},
		{"service account", "", "app", []string{"default/app", "jobs/app"}},
		{"both", "default", "web", []string{"default/web"}},
		{"none", "kube-system", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &eks.ListPodIdentityAssociationsInput{ClusterName: aws.String("prod")}
			if tt.ns != "" {
				in.Namespace = aws.String(tt.ns)
			}
			if tt.sa != "" {
				in.ServiceAccount = aws.String(tt.sa)
			}
			var got []string
			pages := 0
			for p := eks.NewListPodIdentityAssociationsPaginator(client, in); p.HasMorePages(); {
				out, err := p.NextPage(ctx())
				if err != nil {
					t.Fatal(err)
				}
				pages++
				if len(out.Associations) > 1 {
					t.Errorf("page of %d at PageSize 1", len(out.Associations))
				}
				for _, a := range out.Associations {
					got = append(got, aws.ToString(a.Namespace)+"/"+aws.ToString(a.ServiceAccount))
					if aws.ToString(a.ClusterName) != "prod" || aws.ToString(a.AssociationArn) == "" || aws.ToString(a.OwnerArn) != "" {
						t.Errorf("summary %+v", a)
					}
				}
			}
			sort.Strings(got)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			if pages < len(tt.want) {
				t.Errorf("%d pages for %d items at PageSize 1", pages, len(tt.want))
			}
		})
	}
	if _, err := client.ListPodIdentityAssociations(ctx(), &eks.ListPodIdentityAssociationsInput{ClusterName: aws.String("prod"), MaxResults: aws.Int32(101)}); errorCode(err) != "InvalidParameterException" {
		t.Errorf("maxResults 101: %v", err)
	}
}

func TestPodIdentityAssociationQuota(t *testing.T) {
	t.Parallel()
	_, client := podEnv(t, Options{AssociationsPerCluster: 2})
	var codes []string
	for _, sa := range []string{"a", "b", "c"} {
		_, err := client.CreatePodIdentityAssociation(ctx(), &eks.CreatePodIdentityAssociationInput{ClusterName: aws.String("prod"),
			Namespace: aws.String("default"), ServiceAccount: aws.String(sa), RoleArn: aws.String(roleA("unnarrowed"))})
		codes = append(codes, errorCode(err))
	}
	if d := cmp.Diff([]string{"", "", "ResourceLimitExceededException"}, codes); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
