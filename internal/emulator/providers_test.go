package emulator

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const issuer = "https://oidc.eks.us-east-1.amazonaws.com/id/ABC"

func TestCreateOIDCProviderErrors(t *testing.T) {
	v := newEnv(t, Options{})
	thumb := "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
	tests := []struct {
		name   string
		in     *iam.CreateOpenIDConnectProviderInput
		want   string
		asType any
	}{
		{"ok without thumbprints", &iam.CreateOpenIDConnectProviderInput{Url: aws.String(issuer), ClientIDList: []string{"sts.amazonaws.com"}}, "", nil},
		{"same url again", &iam.CreateOpenIDConnectProviderInput{Url: aws.String(issuer), ClientIDList: []string{"sts.amazonaws.com"}}, "EntityAlreadyExists", new(*types.EntityAlreadyExistsException)},
		{"http url", &iam.CreateOpenIDConnectProviderInput{Url: aws.String("http://example.com/x")}, "ValidationError", nil},
		{"six thumbprints", &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://example.com/a"), ThumbprintList: []string{thumb, thumb, thumb, thumb, thumb, thumb}}, "ValidationError", nil},
		{"short thumbprint", &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://example.com/b"), ThumbprintList: []string{"abc"}}, "ValidationError", nil},
		{"five thumbprints", &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://example.com/c"), ThumbprintList: []string{thumb, thumb, thumb, thumb, thumb}}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.iam.CreateOpenIDConnectProvider(ctx(), tt.in)
			if got := errorCode(err); got != tt.want {
				t.Fatalf("code = %q, want %q (%v)", got, tt.want, err)
			}
			if tt.asType != nil && !errors.As(err, tt.asType) {
				t.Errorf("%T is not %T", err, tt.asType)
			}
		})
	}
}

func TestOIDCProviderLifecycle(t *testing.T) {
	v := newEnv(t, Options{PageSize: 1})
	out, err := v.iam.CreateOpenIDConnectProvider(ctx(), &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String(issuer), ClientIDList: []string{"sts.amazonaws.com"},
		Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("irsa-sync")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := out.OpenIDConnectProviderArn
	if want := "arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"; aws.ToString(arn) != want {
		t.Errorf("arn = %s, want %s", aws.ToString(arn), want)
	}
	steps := []func() error{
		func() error {
			_, err := v.iam.AddClientIDToOpenIDConnectProvider(ctx(), &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, ClientID: aws.String("extra")})
			return err
		},
		func() error {
			_, err := v.iam.AddClientIDToOpenIDConnectProvider(ctx(), &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, ClientID: aws.String("other")})
			return err
		},
		func() error {
			_, err := v.iam.RemoveClientIDFromOpenIDConnectProvider(ctx(), &iam.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, ClientID: aws.String("other")})
			return err
		},
		func() error {
			_, err := v.iam.TagOpenIDConnectProvider(ctx(), &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, Tags: []types.Tag{{Key: aws.String("cluster"), Value: aws.String("a")}}})
			return err
		},
		func() error {
			_, err := v.iam.UntagOpenIDConnectProvider(ctx(), &iam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, TagKeys: []string{"owner"}})
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	got, err := v.iam.GetOpenIDConnectProvider(ctx(), &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	want := iam.GetOpenIDConnectProviderOutput{
		Url: aws.String("oidc.eks.us-east-1.amazonaws.com/id/ABC"), ClientIDList: []string{"sts.amazonaws.com", "extra"},
		CreateDate: aws.Time(fixedNow), Tags: []types.Tag{{Key: aws.String("cluster"), Value: aws.String("a")}},
	}
	if d := cmp.Diff(want, *got, cmpopts.IgnoreUnexported(iam.GetOpenIDConnectProviderOutput{}, types.Tag{}), cmpopts.IgnoreFields(iam.GetOpenIDConnectProviderOutput{}, "ResultMetadata"), cmpopts.EquateEmpty()); d != "" {
		t.Errorf("GetOpenIDConnectProvider (-want +got):\n%s", d)
	}
	tags, err := v.iam.ListOpenIDConnectProviderTags(ctx(), &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: arn})
	if err != nil || len(tags.Tags) != 1 || tags.IsTruncated {
		t.Errorf("ListOpenIDConnectProviderTags = %+v, %v", tags, err)
	}
	list, err := v.iam.ListOpenIDConnectProviders(ctx(), &iam.ListOpenIDConnectProvidersInput{})
	if err != nil || len(list.OpenIDConnectProviderList) != 1 || aws.ToString(list.OpenIDConnectProviderList[0].Arn) != aws.ToString(arn) {
		t.Errorf("ListOpenIDConnectProviders = %+v, %v", list, err)
	}
	if _, err := v.iam.DeleteOpenIDConnectProvider(ctx(), &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn}); err != nil {
		t.Fatal(err)
	}
	var nse *types.NoSuchEntityException
	if _, err := v.iam.GetOpenIDConnectProvider(ctx(), &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn}); !errors.As(err, &nse) {
		t.Errorf("Get after delete: %v, want NoSuchEntity", err)
	}
	if _, err := v.iam.DeleteOpenIDConnectProvider(ctx(), &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn}); !errors.As(err, &nse) {
		t.Errorf("Delete twice: %v, want NoSuchEntity", err)
	}
}
