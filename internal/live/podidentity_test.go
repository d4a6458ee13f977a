package live

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/awsapi"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
)

const (
	fakeClusterARN = "arn:aws:eks:us-east-1:111122223333:cluster/c1"
	fakeAddonOwner = "arn:aws:eks:us-east-1:111122223333:addon/c1/aws-ebs-csi-driver/x"
)

// fakeEKS serves the EKS reads ReadPodIdentity makes from plain data, one
// page of pageSize associations at a time, and records the calls. The
// embedded interface is nil: a write panics, and the reader makes none.
type fakeEKS struct {
	awsapi.EKS
	notEKS, noAgent bool
	listErr         error
	describeErr     error
	pageSize        int
	assocs          []ekstypes.PodIdentityAssociation
	fargate         map[string][]string // profile -> namespaces

	mu    sync.Mutex
	calls []string
}

func (f *fakeEKS) call(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
}

func (f *fakeEKS) DescribeCluster(_ context.Context, in *eks.DescribeClusterInput, _ ...func(*eks.Options)) (*eks.DescribeClusterOutput, error) {
	f.call("DescribeCluster")
	if f.notEKS {
		return nil, &ekstypes.ResourceNotFoundException{Message: aws.String("No cluster found for name: " + aws.ToString(in.Name))}
	}
	return &eks.DescribeClusterOutput{Cluster: &ekstypes.Cluster{Arn: aws.String(fakeClusterARN)}}, nil
}

func (f *fakeEKS) DescribeAddon(_ context.Context, in *eks.DescribeAddonInput, _ ...func(*eks.Options)) (*eks.DescribeAddonOutput, error) {
	f.call("DescribeAddon " + aws.ToString(in.AddonName))
	if f.noAgent {
		return nil, &ekstypes.ResourceNotFoundException{Message: aws.String("No addon")}
	}
	return &eks.DescribeAddonOutput{Addon: &ekstypes.Addon{AddonName: in.AddonName}}, nil
}

// ListFargateProfiles returns one profile per page, to exercise paging.
func (f *fakeEKS) ListFargateProfiles(_ context.Context, in *eks.ListFargateProfilesInput, _ ...func(*eks.Options)) (*eks.ListFargateProfilesOutput, error) {
	f.call("ListFargateProfiles")
	names := resource.SortedKeys(f.fargate)
	i := 0
	if in.NextToken != nil {
		i = indexOf(names, aws.ToString(in.NextToken))
	}
	out := &eks.ListFargateProfilesOutput{}
	if i < len(names) {
		out.FargateProfileNames = []string{names[i]}
	}
	if i+1 < len(names) {
		out.NextToken = aws.String(names[i+1])
	}
	return out, nil
}

func (f *fakeEKS) DescribeFargateProfile(_ context.Context, in *eks.DescribeFargateProfileInput, _ ...func(*eks.Options)) (*eks.DescribeFargateProfileOutput, error) {
	f.call("DescribeFargateProfile " + aws.ToString(in.FargateProfileName))
	p := &ekstypes.FargateProfile{FargateProfileName: in.FargateProfileName}
	for _, ns := range f.fargate[aws.ToString(in.FargateProfileName)] {
		p.Selectors = append(p.Selectors, ekstypes.FargateProfileSelector{Namespace: aws.String(ns)})
	}
	return &eks.DescribeFargateProfileOutput{FargateProfile: p}, nil
}

func (f *fakeEKS) ListPodIdentityAssociations(_ context.Context, in *eks.ListPodIdentityAssociationsInput, _ ...func(*eks.Options)) (*eks.ListPodIdentityAssociationsOutput, error) {
	f.call("ListPodIdentityAssociations")
	if f.listErr != nil {
		return nil, f.listErr
	}
	start := 0
	if in.NextToken != nil {
		for i, a := range f.assocs {
			if aws.ToString(a.AssociationId) == aws.ToString(in.NextToken) {
				start = i
			}
		}
	}
	end := min(start+f.pageSize, len(f.assocs))
	out := &eks.ListPodIdentityAssociationsOutput{}
	for _, a := range f.assocs[start:end] {
		// The list returns summaries: no roleArn, targetRoleArn or tags.
		out.Associations = append(out.Associations, ekstypes.PodIdentityAssociationSummary{AssociationId: a.AssociationId,
			AssociationArn: a.AssociationArn, ClusterName: a.ClusterName, Namespace: a.Namespace, ServiceAccount: a.ServiceAccount, OwnerArn: a.OwnerArn})
	}
	if end < len(f.assocs) {
		out.NextToken = f.assocs[end].AssociationId
	}
	return out, nil
}

func (f *fakeEKS) DescribePodIdentityAssociation(_ context.Context, in *eks.DescribePodIdentityAssociationInput, _ ...func(*eks.Options)) (*eks.DescribePodIdentityAssociationOutput, error) {
	f.call("DescribePodIdentityAssociation " + aws.ToString(in.AssociationId))
	if f.describeErr != nil {
		return nil, f.describeErr
	}
	for _, a := range f.assocs {
		if aws.ToString(a.AssociationId) == aws.ToString(in.AssociationId) {
			return &eks.DescribePodIdentityAssociationOutput{Association: &a}, nil
		}
	}
	return nil, &ekstypes.ResourceNotFoundException{Message: aws.String("not found")}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return len(list)
}

func fakeAssoc(id, ns, name, role, owner string) ekstypes.PodIdentityAssociation {
	a := ekstypes.PodIdentityAssociation{AssociationId: aws.String(id), AssociationArn: aws.String("arn:aws:eks:us-east-1:111122223333:podidentityassociation/c1/" + id),
		ClusterName: aws.String("c1"), Namespace: aws.String(ns), ServiceAccount: aws.String(name), RoleArn: aws.String(role)}
	if owner != "" {
		a.Tags = map[string]string{resource.OwnerTag: owner}
	}
	return a
}

// summaryOf and describedOf are what the reader keeps of an association
// it only listed, and of one it described.
func summaryOf(a ekstypes.PodIdentityAssociation) state.Association {
	return state.Association{Association: resource.Association{Cluster: "c1", Namespace: aws.ToString(a.Namespace), ServiceAccount: aws.ToString(a.ServiceAccount),
		ID: aws.ToString(a.AssociationId), ARN: aws.ToString(a.AssociationArn), OwnerARN: aws.ToString(a.OwnerArn)}}
}

func describedOf(a ekstypes.PodIdentityAssociation) state.Association {
	s := summaryOf(a)
	s.RoleARN, s.TargetRoleARN, s.Tags, s.Described = aws.ToString(a.RoleArn), aws.ToString(a.TargetRoleArn), a.Tags, true
	return s
}

// TestReadPodIdentity pins what the reader reads and how often: the
// cluster's ARN (none for a cluster EKS does not know), the agent add-on
// and Fargate namespaces only for eligibility, every page of the list, and
// a describe only of touched associations not owned by an add-on (EKS API
// reference: ListPodIdentityAssociations returns summaries).
func TestReadPodIdentity(t *testing.T) {
	t.Parallel()
	const role = "arn:aws:iam::111122223333:role/app"
	mine := fakeAssoc("a-1", "default", "app", role, "team-a")
	mine.TargetRoleArn = aws.String("arn:aws:iam::444455556666:role/reader")
	other := fakeAssoc("a-2", "default", "other", role, "team-b")
	addon := fakeAssoc("a-3", "kube-system", "ebs-csi", role, "")
	addon.OwnerArn = aws.String(fakeAddonOwner)
	untouched := fakeAssoc("a-4", "jobs", "batch", role, "")
	all := []ekstypes.PodIdentityAssociation{mine, other, addon, untouched}
	touched := func(keys ...string) func(string) bool {
		return func(k string) bool { return indexOf(keys, k) < len(keys) }
	}
	tests := []struct {
		name  string
		fake  *fakeEKS
		opts  PodIdentityOptions
		want  *state.PodIdentity
		calls []string
	}{
		{name: "not an EKS cluster: only the ARN is missing, nothing else is read", fake: &fakeEKS{notEKS: true, pageSize: 100, assocs: all},
			opts:  PodIdentityOptions{Eligibility: true, DescribeAll: true},
			want:  &state.PodIdentity{Associations: map[string]state.Association{}},
			calls: []string{"DescribeCluster"}},
		{name: "ARN known, no eligibility: list pages, describe the touched ones", fake: &fakeEKS{pageSize: 1, assocs: all},
			opts: PodIdentityOptions{ARN: fakeClusterARN, Touched: touched("default/app", "kube-system/ebs-csi")},
			want: &state.PodIdentity{ARN: fakeClusterARN, Count: 4, Associations: map[string]state.Association{
				"default/app": describedOf(mine), "default/other": summaryOf(other), "kube-system/ebs-csi": summaryOf(addon), "jobs/batch": summaryOf(untouched)}},
			calls: []string{"DescribePodIdentityAssociation a-1", "ListPodIdentityAssociations", "ListPodIdentityAssociations", "ListPodIdentityAssociations", "ListPodIdentityAssociations"}},
		{name: "describe all (--prune): every association but the add-on's", fake: &fakeEKS{pageSize: 3, assocs: all},
			opts: PodIdentityOptions{ARN: fakeClusterARN, DescribeAll: true},
			want: &state.PodIdentity{ARN: fakeClusterARN, Count: 4, Associations: map[string]state.Association{
				"default/app": describedOf(mine), "default/other": describedOf(other), "kube-system/ebs-csi": summaryOf(addon), "jobs/batch": describedOf(untouched)}},
			calls: []string{"DescribePodIdentityAssociation a-1", "DescribePodIdentityAssociation a-2", "DescribePodIdentityAssociation a-4",
				"ListPodIdentityAssociations", "ListPodIdentityAssociations"}},
		{name: "eligibility: agent installed, Fargate profiles paged", fake: &fakeEKS{pageSize: 100, fargate: map[string][]string{"fp-a": {"default", "jobs"}, "fp-b": {"jobs"}}},
			opts: PodIdentityOptions{Eligibility: true},
			want: &state.PodIdentity{ARN: fakeClusterARN, Agent: true, Associations: map[string]state.Association{},
				FargateNamespaces: map[string][]string{"default": {"fp-a"}, "jobs": {"fp-a", "fp-b"}}},
			calls: []string{"DescribeAddon eks-pod-identity-agent", "DescribeCluster", "DescribeFargateProfile fp-a", "DescribeFargateProfile fp-b",
				"ListFargateProfiles", "ListFargateProfiles", "ListPodIdentityAssociations"}},
		{name: "eligibility: no agent add-on is not an error", fake: &fakeEKS{pageSize: 100, noAgent: true},
			opts:  PodIdentityOptions{Eligibility: true},
			want:  &state.PodIdentity{ARN: fakeClusterARN, Associations: map[string]state.Association{}},
			calls: []string{"DescribeAddon eks-pod-identity-agent", "DescribeCluster", "ListFargateProfiles", "ListPodIdentityAssociations"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadPodIdentity(context.Background(), tt.fake, "c1", tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("state (-want +got):\n%s", diff)
			}
			// Describes run concurrently: compare the calls as a set.
			sort.Strings(tt.fake.calls)
			if diff := cmp.Diff(tt.calls, tt.fake.calls); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReadPodIdentityErrors checks that an EKS error other than not-found
// fails the read, naming the cluster and the call.
func TestReadPodIdentityErrors(t *testing.T) {
	t.Parallel()
	denied := errors.New("AccessDeniedException: not authorized")
	_, err := ReadPodIdentity(context.Background(), &fakeEKS{pageSize: 100, listErr: denied}, "c1", PodIdentityOptions{ARN: fakeClusterARN})
	if err == nil || !errors.Is(err, denied) || !strings.HasPrefix(err.Error(), `cluster "c1": eks:ListPodIdentityAssociations: `) {
		t.Errorf("err = %v, want the list's error wrapped with the cluster and call", err)
	}
	_, err = ReadPodIdentity(context.Background(), &fakeEKS{pageSize: 100, describeErr: denied, assocs: []ekstypes.PodIdentityAssociation{fakeAssoc("a-1", "default", "app", "r", "")}},
		"c1", PodIdentityOptions{ARN: fakeClusterARN, DescribeAll: true})
	if err == nil || !errors.Is(err, denied) || !strings.HasPrefix(err.Error(), `cluster "c1": eks:DescribePodIdentityAssociation a-1 (default/app): `) {
		t.Errorf("err = %v, want the describe's error wrapped with the cluster, call and association", err)
	}
}
