package verify

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	authenticationv1 "k8s.io/api/authentication/v1"
	"k8s.io/apimachinery/pkg/runtime"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	fakecorev1 "k8s.io/client-go/kubernetes/typed/core/v1/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
)

const (
	roleARN = "arn:aws:iam::111122223333:role/web"
	issuer  = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
	provARN = "arn:aws:iam::111122223333:oidc-provider/" + issuer
)

var target = Target{Cluster: "c1", Region: "us-east-1", Namespace: "apps", Name: "web", Role: roleARN, Audience: "sts.amazonaws.com", Issuer: issuer}

// liveWith is a live state in which the binding reads right: annotation,
// provider with the client id, and a trust admitting sub and aud.
func liveWith(t *testing.T, trustJSON string, clientIDs ...string) *state.Live {
	t.Helper()
	doc, err := policy.Parse([]byte(trustJSON))
	if err != nil {
		t.Fatal(err)
	}
	return &state.Live{
		Accounts: map[string]*state.Account{"111122223333": {
			ID:        "111122223333",
			Roles:     map[string]resource.Role{"web": {Name: "web", ARN: roleARN, Trust: doc}},
			Providers: map[string]resource.Provider{provARN: {ARN: provARN, URL: issuer, ClientIDs: clientIDs}},
		}},
		Clusters: map[string]*state.Cluster{"c1": {Name: "c1", ServiceAccounts: map[string]state.ServiceAccount{
			"apps/web": {ServiceAccount: resource.ServiceAccount{Cluster: "c1", Namespace: "apps", Name: "web",
				Annotations: map[string]string{resource.AnnotationRoleARN: roleARN}}},
		}}},
	}
}

const goodTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provARN + `"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"` + issuer + `:sub":"system:serviceaccount:apps:web","` + issuer + `:aud":"sts.amazonaws.com"}}}]}`

// fakeSTS answers with errs in turn, then success.
type fakeSTS struct {
	mu     sync.Mutex
	errs   []error
	calls  int
	tokens []string
}

func (f *fakeSTS) AssumeRoleWithWebIdentity(_ context.Context, in *sts.AssumeRoleWithWebIdentityInput, _ ...func(*sts.Options)) (*sts.AssumeRoleWithWebIdentityOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.tokens = append(f.tokens, *in.WebIdentityToken)
	if len(f.errs) > 0 {
		err := f.errs[0]
		f.errs = f.errs[1:]
		return nil, err
	}
	return &sts.AssumeRoleWithWebIdentityOutput{
		AssumedRoleUser: &ststypes.AssumedRoleUser{Arn: ptr("arn:aws:sts::111122223333:assumed-role/web/" + SessionName)},
		Credentials:     &ststypes.Credentials{AccessKeyId: ptr("AKIA"), SecretAccessKey: ptr("secret"), SessionToken: ptr("session")},
	}, nil
}

// kubeMinting is a core/v1 client whose TokenRequest answers token-N.
func kubeMinting(t *testing.T) (corev1client.CoreV1Interface, *int) {
	t.Helper()
	f := &k8stesting.Fake{}
	n := 0
	f.AddReactor("create", "serviceaccounts", func(a k8stesting.Action) (bool, runtime.Object, error) {
		req := a.(k8stesting.CreateActionImpl).Object.(*authenticationv1.TokenRequest)
		if got := req.Spec.Audiences; len(got) != 1 || got[0] != target.Audience || *req.Spec.ExpirationSeconds != TokenSeconds {
			t.Errorf("TokenRequest audiences %v, expiry %d; want [%s], %d", got, *req.Spec.ExpirationSeconds, target.Audience, TokenSeconds)
		}
		n++
		return true, &authenticationv1.TokenRequest{Status: authenticationv1.TokenRequestStatus{Token: "token-" + string(rune('0'+n))}}, nil
	})
	return &fakecorev1.FakeCoreV1{Fake: f}, &n
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }
func (c *clock) sleep(_ context.Context, d time.Duration) error {
	c.t = c.t.Add(d)
	return nil
}

func apiErr(code, msg string) error { return &smithy.GenericAPIError{Code: code, Message: msg} }

func TestBackoff(t *testing.T) {
	t.Parallel()
	denied := apiErr("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
	tests := []struct {
		name         string
		errs         []error
		wait         time.Duration
		want         Outcome
		wantMints    int
		wantElapsedS int
	}{
		{"proven at once", nil, time.Minute,
			Outcome{Proven: true, AssumedRole: "arn:aws:sts::111122223333:assumed-role/web/irsa-sync-verify", Attempts: 1}, 1, 0},
		{"proven once IAM has propagated", []error{denied, denied, denied}, time.Minute,
			Outcome{Proven: true, AssumedRole: "arn:aws:sts::111122223333:assumed-role/web/irsa-sync-verify", Attempts: 4}, 1, 7},
		// 1+2+4+8+10+10+10+10 = 55 s of sleeps; the next 10 s would pass 60 s.
		{"still refused after the wait", []error{denied, denied, denied, denied, denied, denied, denied, denied, denied, denied}, time.Minute,
			Outcome{Reason: Propagating, Error: "AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity", Attempts: 9}, 1, 55},
		{"one attempt with a negative wait", []error{denied}, -1,
			Outcome{Reason: Propagating, Error: "AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity", Attempts: 1}, 1, 0},
		// Past half a token's life (300 s) a new token is minted.
		{"a long wait mints a new token", repeat(denied, 40), 10 * time.Minute,
			Outcome{Proven: true, AssumedRole: "arn:aws:sts::111122223333:assumed-role/web/irsa-sync-verify", Attempts: 41}, 2, 375},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &clock{t: time.Unix(1000, 0)}
			fs := &fakeSTS{errs: tt.errs}
			kube, mints := kubeMinting(t)
			got := Run(context.Background(), []Target{target}, liveWith(t, goodTrust, "sts.amazonaws.com"),
				Clients{Kube: map[string]corev1client.CoreV1Interface{"c1": kube}, STS: map[string]WebIdentity{"c1": fs}},
				Options{Wait: tt.wait, Now: c.now, Sleep: c.sleep})
			want := tt.want
			want.Cluster, want.Namespace, want.ServiceAccount, want.Role, want.Audience = "c1", "apps", "web", roleARN, "sts.amazonaws.com"
			if diff := cmp.Diff([]Outcome{want}, got); diff != "" {
				t.Errorf("outcome (-want +got):\n%s", diff)
			}
			if *mints != tt.wantMints {
				t.Errorf("%d tokens minted, want %d", *mints, tt.wantMints)
			}
			if s := int(c.t.Sub(time.Unix(1000, 0)).Seconds()); s != tt.wantElapsedS {
				t.Errorf("slept %d s, want %d", s, tt.wantElapsedS)
			}
		})
	}
}

func repeat(err error, n int) []error {
	out := make([]error, n)
	for i := range out {
		out[i] = err
	}
	return out
}

func TestDiagnose(t *testing.T) {
	t.Parallel()
	otherSub := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provARN + `"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"` + issuer + `:sub":"system:serviceaccount:apps:other","` + issuer + `:aud":"sts.amazonaws.com"}}}]}`
	otherAud := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provARN + `"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"` + issuer + `:sub":"system:serviceaccount:apps:web","` + issuer + `:aud":"other"}}}]}`
	pattern := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provARN + `"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"` + issuer + `:sub":"system:serviceaccount:apps:*"},"StringEquals":{"` + issuer + `:aud":"sts.amazonaws.com"}}}]}`
	otherProvider := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/elsewhere"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"elsewhere:sub":"system:serviceaccount:apps:web"}}}]}`
	tests := []struct {
		name      string
		err       error
		trust     string
		clientIDs []string
		noProv    bool
		want      diagnosis
	}{
		{"denied, trust names another subject", apiErr("AccessDenied", "x"), otherSub, []string{"sts.amazonaws.com"}, false, diagnosis{reason: TrustSubject}},
		{"denied, trust names another audience", apiErr("AccessDenied", "x"), otherAud, []string{"sts.amazonaws.com"}, false, diagnosis{reason: TrustAudience}},
		{"denied, trust names another provider", apiErr("AccessDenied", "x"), otherProvider, []string{"sts.amazonaws.com"}, false, diagnosis{reason: TrustSubject}},
		{"denied, pattern admits: propagating", apiErr("AccessDenied", "x"), pattern, []string{"sts.amazonaws.com"}, false, diagnosis{reason: Propagating, retry: true, looksRight: true}},
		{"denied, trust reads right: propagating", apiErr("AccessDenied", "x"), goodTrust, []string{"sts.amazonaws.com"}, false, diagnosis{reason: Propagating, retry: true, looksRight: true}},
		{"no provider, none read", apiErr("InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://"+issuer), goodTrust, nil, true, diagnosis{reason: ProviderMissing}},
		{"no provider for the token's other issuer", apiErr("InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://127.0.0.1:6443/"), goodTrust, []string{"sts.amazonaws.com"}, false, diagnosis{reason: TokenRefused}},
		{"no provider, one read: just created", apiErr("InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://"+issuer), goodTrust, []string{"sts.amazonaws.com"}, false, diagnosis{reason: ProviderMissing, retry: true, looksRight: true}},
		{"audience not a client id", apiErr("InvalidIdentityToken", "Incorrect token audience"), goodTrust, []string{"other"}, false, diagnosis{reason: ProviderClientID}},
		{"audience listed: just added", apiErr("InvalidIdentityToken", "Incorrect token audience"), goodTrust, []string{"sts.amazonaws.com"}, false, diagnosis{reason: ProviderClientID, retry: true, looksRight: true}},
		{"bad signature", apiErr("InvalidIdentityToken", "The web identity token that was passed could not be validated by AWS."), goodTrust, nil, false, diagnosis{reason: TokenRefused}},
		{"keys unreachable: retried", apiErr("IDPCommunicationError", "Couldn't retrieve verification key"), goodTrust, nil, false, diagnosis{reason: TokenRefused, retry: true}},
		{"expired", apiErr("ExpiredTokenException", "Token expired"), goodTrust, nil, false, diagnosis{reason: TokenRefused}},
		{"not an AWS error", errors.New("dial tcp: refused"), goodTrust, nil, false, diagnosis{reason: STSError}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			have := liveWith(t, tt.trust, tt.clientIDs...)
			if tt.noProv {
				have.Accounts["111122223333"].Providers = nil
			}
			if diff := cmp.Diff(tt.want, diagnose(tt.err, target, have), cmp.AllowUnexported(diagnosis{})); diff != "" {
				t.Errorf("diagnosis (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAnnotationFirst: a ServiceAccount annotated with another role, or
// none, fails before any token is minted or STS called.
func TestAnnotationFirst(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		annotation map[string]string
		missing    bool
		want       Outcome
	}{
		{"another role", map[string]string{resource.AnnotationRoleARN: "arn:aws:iam::111122223333:role/other"}, false,
			Outcome{Reason: AnnotationOtherRole, Annotated: "arn:aws:iam::111122223333:role/other"}},
		{"no annotation", map[string]string{}, false, Outcome{Reason: AnnotationMissing}},
		{"no ServiceAccount", nil, true, Outcome{Reason: ServiceAccountMissing}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			have := liveWith(t, goodTrust, "sts.amazonaws.com")
			sa := have.Clusters["c1"].ServiceAccounts["apps/web"]
			sa.Annotations = tt.annotation
			have.Clusters["c1"].ServiceAccounts["apps/web"] = sa
			if tt.missing {
				delete(have.Clusters["c1"].ServiceAccounts, "apps/web")
			}
			fs := &fakeSTS{}
			kube, mints := kubeMinting(t)
			got := Run(context.Background(), []Target{target}, have,
				Clients{Kube: map[string]corev1client.CoreV1Interface{"c1": kube}, STS: map[string]WebIdentity{"c1": fs}}, Options{})
			want := tt.want
			want.Cluster, want.Namespace, want.ServiceAccount, want.Role, want.Audience = "c1", "apps", "web", roleARN, "sts.amazonaws.com"
			if diff := cmp.Diff([]Outcome{want}, got); diff != "" {
				t.Errorf("outcome (-want +got):\n%s", diff)
			}
			if *mints != 0 || fs.calls != 0 {
				t.Errorf("%d tokens minted and %d STS calls, want none", *mints, fs.calls)
			}
		})
	}
}
