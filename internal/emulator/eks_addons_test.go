package emulator

import (
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/google/go-cmp/cmp"
)

func TestAddonsAndFargate(t *testing.T) {
	t.Parallel()
	v := newEnv(t, Options{PageSize: 1})
	creds := v.emu.EnsureAccount(acctA)
	v.emu.EnsureCluster(acctA, podRegion, "default-setup", issuer)
	seeds := []ClusterSeed{
		{Account: acctA, Region: podRegion, Name: "no-agent", Issuer: issuer, WithoutPodIdentityAgent: true},
		{Account: acctA, Region: podRegion, Name: "fargate", Issuer: issuer, Addons: []string{"vpc-cni"},
			FargateProfiles: []FargateProfileSeed{
				{Name: "fp-jobs", Selectors: []FargateSelector{{Namespace: "jobs", Labels: map[string]string{"tier": "batch"}}, {Namespace: "cron"}}},
				{Name: "fp-web", Selectors: []FargateSelector{{Namespace: "web"}}},
			}},
	}
	for _, s := range seeds {
		if err := v.emu.SeedCluster(s); err != nil {
			t.Fatal(err)
		}
	}
	client := v.eks(podRegion, creds)
	tests := []struct {
		cluster     string
		wantAddons  []string
		wantFargate []string
		agent       bool
	}{
		{"default-setup", []string{PodIdentityAgent}, nil, true},
		{"no-agent", nil, nil, false},
		{"fargate", []string{PodIdentityAgent, "vpc-cni"}, []string{"fp-jobs", "fp-web"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.cluster, func(t *testing.T) {
			var addons, profiles []string
			for p := eks.NewListAddonsPaginator(client, &eks.ListAddonsInput{ClusterName: aws.String(tt.cluster)}); p.HasMorePages(); {
				out, err := p.NextPage(ctx())
				if err != nil {
					t.Fatal(err)
				}
				addons = append(addons, out.Addons...)
			}
			for p := eks.NewListFargateProfilesPaginator(client, &eks.ListFargateProfilesInput{ClusterName: aws.String(tt.cluster)}); p.HasMorePages(); {
				out, err := p.NextPage(ctx())
				if err != nil {
					t.Fatal(err)
				}
				profiles = append(profiles, out.FargateProfileNames...)
			}
			if d := cmp.Diff(tt.wantAddons, addons); d != "" {
				t.Errorf("addons (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.wantFargate, profiles); d != "" {
				t.Errorf("Fargate profiles (-want +got):\n%s", d)
			}
			out, err := client.DescribeAddon(ctx(), &eks.DescribeAddonInput{ClusterName: aws.String(tt.cluster), AddonName: aws.String(PodIdentityAgent)})
			if !tt.agent {
				var nf *ekstypes.ResourceNotFoundException
				if !asError(err, &nf) || aws.ToString(nf.AddonName) != PodIdentityAgent || aws.ToString(nf.ClusterName) != tt.cluster {
					t.Errorf("DescribeAddon of a missing agent: %v, want ResourceNotFoundException naming it", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			a := out.Addon
			if a.Status != ekstypes.AddonStatusActive || aws.ToString(a.ClusterName) != tt.cluster || aws.ToString(a.AddonVersion) == "" ||
				!regexp.MustCompile(`^arn:aws:eks:eu-west-1:111111111111:addon/`+tt.cluster+`/eks-pod-identity-agent/[0-9a-f-]{36}$`).MatchString(aws.ToString(a.AddonArn)) {
				t.Errorf("addon %+v", a)
			}
		})
	}
	out, err := client.DescribeFargateProfile(ctx(), &eks.DescribeFargateProfileInput{ClusterName: aws.String("fargate"), FargateProfileName: aws.String("fp-jobs")})
	if err != nil {
		t.Fatal(err)
	}
	var sels []FargateSelector
	for _, s := range out.FargateProfile.Selectors {
		sel := FargateSelector{Namespace: aws.ToString(s.Namespace)}
		if len(s.Labels) > 0 {
			sel.Labels = s.Labels
		}
		sels = append(sels, sel)
	}
	if d := cmp.Diff([]FargateSelector{{Namespace: "jobs", Labels: map[string]string{"tier": "batch"}}, {Namespace: "cron"}}, sels); d != "" {
		t.Errorf("selectors (-want +got):\n%s", d)
	}
	if out.FargateProfile.Status != ekstypes.FargateProfileStatusActive || aws.ToString(out.FargateProfile.PodExecutionRoleArn) != "arn:aws:iam::111111111111:role/AmazonEKSFargatePodExecutionRole" {
		t.Errorf("profile %+v", out.FargateProfile)
	}
	_, err = client.DescribeFargateProfile(ctx(), &eks.DescribeFargateProfileInput{ClusterName: aws.String("fargate"), FargateProfileName: aws.String("nope")})
	var nf *ekstypes.ResourceNotFoundException
	if !asError(err, &nf) || aws.ToString(nf.FargateProfileName) != "nope" {
		t.Errorf("unknown profile: %v", err)
	}
	if _, err := client.ListAddons(ctx(), &eks.ListAddonsInput{ClusterName: aws.String("missing")}); errorCode(err) != "ResourceNotFoundException" {
		t.Errorf("ListAddons of an unknown cluster: %v", err)
	}
}

func TestSeedClusterKeepsAssociations(t *testing.T) {
	t.Parallel()
	v, client := podEnv(t, Options{})
	id, err := v.emu.SeedPodIdentityAssociation(acctA, podRegion, "prod", AssociationSeed{Namespace: "kube-system", ServiceAccount: "ebs-csi",
		RoleArn: roleA("app"), OwnerArn: "arn:aws:eks:eu-west-1:111111111111:addon/prod/aws-ebs-csi-driver/x"})
	if err != nil {
		t.Fatal(err)
	}
	v.emu.EnsureCluster(acctA, podRegion, "prod", issuer)
	if err := v.emu.SeedCluster(ClusterSeed{Account: acctA, Region: podRegion, Name: "prod", Issuer: issuer, WithoutPodIdentityAgent: true}); err != nil {
		t.Fatal(err)
	}
	out, err := client.ListPodIdentityAssociations(ctx(), &eks.ListPodIdentityAssociationsInput{ClusterName: aws.String("prod")})
	if err != nil || len(out.Associations) != 1 || aws.ToString(out.Associations[0].AssociationId) != id || aws.ToString(out.Associations[0].OwnerArn) == "" {
		t.Fatalf("after reseeding: %v %+v", err, out)
	}
	if _, err := v.emu.SeedPodIdentityAssociation(acctA, podRegion, "prod", AssociationSeed{Namespace: "kube-system", ServiceAccount: "ebs-csi", RoleArn: roleA("app")}); err == nil {
		t.Error("a second seeded association of one service account was accepted")
	}
	bad := []ClusterSeed{
		{Account: acctA, Region: podRegion, Name: ""},
		{Account: acctA, Region: podRegion, Name: "x", FargateProfiles: []FargateProfileSeed{{Name: "fp"}}},
		{Account: acctA, Region: podRegion, Name: "x", FargateProfiles: []FargateProfileSeed{{Name: "fp", Selectors: []FargateSelector{{}}}}},
	}
	for i, s := range bad {
		if err := v.emu.SeedCluster(s); err == nil {
			t.Errorf("bad seed %d accepted", i)
		}
	}
}

// TestStateKeepsClusterSetup checks that a cluster without the agent stays
// without it through MarshalState, while an old state without the field
// reads as the default setup.
func TestStateKeepsClusterSetup(t *testing.T) {
	t.Parallel()
	v := newEnv(t, Options{})
	if err := v.emu.SeedCluster(ClusterSeed{Account: acctA, Region: podRegion, Name: "bare", Issuer: issuer, WithoutPodIdentityAgent: true}); err != nil {
		t.Fatal(err)
	}
	b, err := v.emu.MarshalState()
	if err != nil {
		t.Fatal(err)
	}
	w := newEnv(t, Options{})
	if err := w.emu.UnmarshalState(b); err != nil {
		t.Fatal(err)
	}
	_, err = w.eks(podRegion, w.emu.EnsureAccount(acctA)).DescribeAddon(ctx(), &eks.DescribeAddonInput{ClusterName: aws.String("bare"), AddonName: aws.String(PodIdentityAgent)})
	if errorCode(err) != "ResourceNotFoundException" {
		t.Errorf("agent after a state round trip: %v", err)
	}
	old := []byte(`{"accounts":{"111111111111":{"id":"111111111111","clusters":{"eu-west-1/old":{"name":"old","region":"eu-west-1","issuer":"` + issuer + `","createdAt":"2025-01-01T00:00:00Z"}}}}}`)
	if err := w.emu.UnmarshalState(old); err != nil {
		t.Fatal(err)
	}
	if _, err := w.eks(podRegion, w.emu.EnsureAccount(acctA)).DescribeAddon(ctx(), &eks.DescribeAddonInput{ClusterName: aws.String("old"), AddonName: aws.String(PodIdentityAgent)}); err != nil {
		t.Errorf("agent of a cluster from old state: %v", err)
	}
}
