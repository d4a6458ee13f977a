package emulator

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"
)

// TestPartitions runs one account per partition through every API that
// returns an ARN, and checks each ARN is in the account's partition.
func TestPartitions(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		partition, region, domain string
		pinned                    bool
	}{
		{"aws", "us-east-1", "amazonaws.com", false},
		{"aws-us-gov", "us-gov-west-1", "amazonaws.com", true},
		{"aws-cn", "cn-north-1", "amazonaws.com.cn", false},
		{"aws-cn", "cn-northwest-1", "amazonaws.com.cn", true},
	} {
		t.Run(fmt.Sprintf("%s/%s", tt.partition, tt.region), func(t *testing.T) {
			t.Parallel()
			emu := New(Options{Now: func() time.Time { return fixedNow }})
			url, err := emu.Start()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = emu.Close() })
			creds := emu.EnsureAccount(acctA)
			if tt.pinned {
				if creds, err = emu.EnsureAccountInPartition(acctA, tt.partition); err != nil {
					t.Fatal(err)
				}
			}
			cfg := awsConfig(url, tt.region, creds)
			iamc, stsc, eksc := iam.NewFromConfig(cfg), sts.NewFromConfig(cfg), eks.NewFromConfig(cfg)
			p := tt.partition
			issuerURL := "https://oidc.eks." + tt.region + "." + tt.domain + "/id/ABC"
			host := strings.TrimPrefix(issuerURL, "https://")
			emu.EnsureCluster(acctA, tt.region, "prod", issuerURL)
			var got []string
			note := func(s *string, err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, aws.ToString(s))
			}
			id, err := stsc.GetCallerIdentity(ctx(), nil)
			note(id.Arn, err)
			podTrust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"],"Condition":{"ArnEquals":{"aws:SourceArn":"arn:%s:eks:%s:%s:cluster/prod"}}},{"Effect":"Allow","Principal":{"Federated":"arn:%s:iam::%s:oidc-provider/%s"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"%s:sub":"system:serviceaccount:default:app"}}},{"Effect":"Allow","Principal":{"AWS":"arn:%s:iam::%s:root"},"Action":"sts:AssumeRole"}]}`,
				p, tt.region, acctA, p, acctA, host, host, p, acctA)
			role, err := iamc.CreateRole(ctx(), &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(podTrust)})
			note(role.Role.Arn, err)
			pol, err := iamc.CreatePolicy(ctx(), &iam.CreatePolicyInput{PolicyName: aws.String("read"), PolicyDocument: aws.String(fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:%s:s3:::bucket/*"}]}`, p))})
			note(pol.Policy.Arn, err)
			prov, err := iamc.CreateOpenIDConnectProvider(ctx(), &iam.CreateOpenIDConnectProviderInput{Url: aws.String(issuerURL), ClientIDList: []string{"sts.amazonaws.com"}})
			note(prov.OpenIDConnectProviderArn, err)
			managed := "arn:" + p + ":iam::aws:policy/ReadOnlyAccess"
			if _, err := iamc.AttachRolePolicy(ctx(), &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(managed)}); err != nil {
				t.Fatal(err)
			}
			att, err := iamc.ListAttachedRolePolicies(ctx(), &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("app")})
			note(att.AttachedPolicies[0].PolicyArn, err)
			cl, err := eksc.DescribeCluster(ctx(), &eks.DescribeClusterInput{Name: aws.String("prod")})
			note(cl.Cluster.Arn, err)
			as, err := eksc.CreatePodIdentityAssociation(ctx(), &eks.CreatePodIdentityAssociationInput{ClusterName: aws.String("prod"),
				Namespace: aws.String("default"), ServiceAccount: aws.String("app"), RoleArn: role.Role.Arn})
			note(as.Association.AssociationArn, err)
			ar, err := stsc.AssumeRole(ctx(), &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("s1")})
			note(ar.AssumedRoleUser.Arn, err)
			key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if err := emu.RegisterIssuerKeys(issuerURL, key.Public()); err != nil {
				t.Fatal(err)
			}
			tok, err := SignToken(key, "k", TokenClaims{Issuer: issuerURL, Subject: "system:serviceaccount:default:app", Audience: []string{"sts.amazonaws.com"},
				Expiry: fixedNow.Add(time.Hour), IssuedAt: fixedNow.Add(-time.Minute)})
			if err != nil {
				t.Fatal(err)
			}
			wi, err := stsc.AssumeRoleWithWebIdentity(ctx(), &sts.AssumeRoleWithWebIdentityInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("pod"), WebIdentityToken: aws.String(tok)})
			note(wi.AssumedRoleUser.Arn, err)

			want := []string{
				"arn:" + p + ":iam::111111111111:user/sandbox-admin",
				"arn:" + p + ":iam::111111111111:role/app",
				"arn:" + p + ":iam::111111111111:policy/read",
				"arn:" + p + ":iam::111111111111:oidc-provider/" + host,
				managed,
				"arn:" + p + ":eks:" + tt.region + ":111111111111:cluster/prod",
				"arn:" + p + ":eks:" + tt.region + ":111111111111:podidentityassociation/prod/" + aws.ToString(as.Association.AssociationId),
				"arn:" + p + ":sts::111111111111:assumed-role/app/s1",
				"arn:" + p + ":sts::111111111111:assumed-role/app/pod",
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("ARNs (-want +got):\n%s", d)
			}
			if ep := aws.ToString(cl.Cluster.Endpoint); !strings.HasSuffix(ep, ".eks."+tt.domain) {
				t.Errorf("endpoint %s is not in %s", ep, tt.domain)
			}

			other := "aws-us-gov"
			if p == "aws-us-gov" {
				other = "aws"
			}
			var codes []string
			_, err = iamc.AttachRolePolicy(ctx(), &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String("arn:" + other + ":iam::aws:policy/AdministratorAccess")})
			codes = append(codes, errorCode(err))
			_, err = iamc.PutRolePolicy(ctx(), &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("x"),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:` + other + `:s3:::b"}]}`)})
			codes = append(codes, errorCode(err))
			_, err = iamc.UpdateAssumeRolePolicy(ctx(), &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("app"),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:` + other + `:iam::222222222222:root"},"Action":"sts:AssumeRole"}]}`)})
			codes = append(codes, errorCode(err))
			_, err = iamc.GetOpenIDConnectProvider(ctx(), &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String("arn:" + other + ":iam::111111111111:oidc-provider/" + host)})
			codes = append(codes, errorCode(err))
			_, err = stsc.AssumeRole(ctx(), &sts.AssumeRoleInput{RoleArn: aws.String("arn:" + other + ":iam::111111111111:role/app"), RoleSessionName: aws.String("s1")})
			codes = append(codes, errorCode(err))
			if d := cmp.Diff([]string{"ValidationError", "MalformedPolicyDocument", "MalformedPolicyDocument", "ValidationError", "ValidationError"}, codes); d != "" {
				t.Errorf("ARNs of partition %s (-want +got):\n%s", other, d)
			}
			if tt.pinned {
				_, err := sts.NewFromConfig(awsConfig(url, "eu-west-1", creds)).GetCallerIdentity(ctx(), nil)
				if errorCode(err) != "InvalidClientTokenId" {
					t.Errorf("keys of %s signed for eu-west-1: %v", p, err)
				}
			}
		})
	}
}

func TestEnsureAccountInPartition(t *testing.T) {
	t.Parallel()
	emu := New(Options{})
	if _, err := emu.EnsureAccountInPartition(acctA, "aws-iso"); err == nil {
		t.Error("unknown partition accepted")
	}
	if _, err := emu.EnsureAccountInPartition(acctA, "aws-cn"); err != nil {
		t.Fatal(err)
	}
	if _, err := emu.EnsureAccountInPartition(acctA, "aws"); err == nil {
		t.Error("an account moved partitions")
	}
	if _, err := emu.EnsureAccountInPartition(acctA, "aws-cn"); err != nil {
		t.Errorf("pinning again to the same partition: %v", err)
	}
}
