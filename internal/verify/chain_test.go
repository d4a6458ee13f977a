package verify

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/google/go-cmp/cmp"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

const (
	targetARN = "arn:aws:iam::444455556666:role/reader"
	// The web identity session's credentials the fake STS hands out:
	// distinctive, so that a leak into any output is found.
	sessionKey    = "ASIAFAKESESSIONKEY01"
	sessionSecret = "fake/secret+of-the-web-identity-session"
	sessionToken  = "FwoGZXIvYXdzEFAKESESSIONTOKENxyz"
	targetSecret  = "fake/secret+of-the-target-session"
)

var chainTarget = func() Target { t := target; t.Hops = []string{targetARN}; return t }()

// chainTrustOf is a target trust naming principal for sts:AssumeRole.
func chainTrustOf(effect, principal, action string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"` + effect + `","Principal":{"AWS":"` + principal + `"},"Action":"` + action + `"}]}`
}

// chainLive is liveWith plus the data account holding the target with the
// trust given, and the source's inline policies given (nil: none).
func chainLive(t *testing.T, targetTrust string, inline map[string]string) *state.Live {
	t.Helper()
	have := liveWith(t, goodTrust, "sts.amazonaws.com")
	web := have.Accounts["111122223333"].Roles["web"]
	web.InlinePolicies = map[string]policy.Document{}
	for name, doc := range inline {
		web.InlinePolicies[name] = policy.MustParse(doc)
	}
	have.Accounts["111122223333"].Roles["web"] = web
	have.Accounts["444455556666"] = &state.Account{ID: "444455556666", Roles: map[string]resource.Role{}}
	if targetTrust != "" {
		have.Accounts["444455556666"].Roles["reader"] = resource.Role{Name: "reader", ARN: targetARN, Trust: policy.MustParse(targetTrust)}
	}
	return have
}

var chainPolicy = trust.ChainPermission([]trust.Chain{{Role: targetARN}}).JSON()

// fakeHop answers AssumeRole with errs in turn, then success, and records
// what it was asked and with which credentials it was made.
type fakeHop struct {
	mu    sync.Mutex
	errs  []error
	ins   []sts.AssumeRoleInput
	creds []aws.Credentials
}

func (f *fakeHop) client(creds aws.Credentials) RoleAssumer {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.creds = append(f.creds, creds)
	return f
}

func (f *fakeHop) AssumeRole(_ context.Context, in *sts.AssumeRoleInput, _ ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ins = append(f.ins, *in)
	if len(f.errs) > 0 {
		err := f.errs[0]
		f.errs = f.errs[1:]
		return nil, err
	}
	return &sts.AssumeRoleOutput{
		AssumedRoleUser: &ststypes.AssumedRoleUser{Arn: ptr("arn:aws:sts::444455556666:assumed-role/reader/" + SessionName)},
		Credentials:     &ststypes.Credentials{AccessKeyId: ptr("ASIATARGET"), SecretAccessKey: ptr(targetSecret), SessionToken: ptr("target-token")},
	}, nil
}

// sessionSTS is a web identity STS answering with the session's
// credentials, after errs.
type sessionSTS struct{ fakeSTS }

func (f *sessionSTS) AssumeRoleWithWebIdentity(ctx context.Context, in *sts.AssumeRoleWithWebIdentityInput, opts ...func(*sts.Options)) (*sts.AssumeRoleWithWebIdentityOutput, error) {
	res, err := f.fakeSTS.AssumeRoleWithWebIdentity(ctx, in, opts...)
	if err == nil {
		res.Credentials = &ststypes.Credentials{AccessKeyId: ptr(sessionKey), SecretAccessKey: ptr(sessionSecret), SessionToken: ptr(sessionToken),
			Expiration: ptr(time.Unix(2000, 0))}
	}
	return res, err
}

func TestHops(t *testing.T) {
	t.Parallel()
	denied := apiErr("AccessDenied", "User: arn:aws:sts::111122223333:assumed-role/web/irsa-sync-verify is not authorized to perform: sts:AssumeRole on resource: "+targetARN)
	deniedText := "AccessDenied: User: arn:aws:sts::111122223333:assumed-role/web/irsa-sync-verify is not authorized to perform: sts:AssumeRole on resource: " + targetARN
	good := chainTrustOf("Allow", roleARN, "sts:AssumeRole")
	withChain := map[string]string{resource.ChainPolicyName: chainPolicy}
	assumed := "arn:aws:sts::444455556666:assumed-role/reader/irsa-sync-verify"
	tests := []struct {
		name      string
		wiErrs    []error
		hopErrs   []error
		trust     string // "" the target does not exist
		inline    map[string]string
		want      []Hop
		wantCalls int
	}{
		{name: "proven at once", trust: good, inline: withChain,
			want: []Hop{{Proven: true, AssumedRole: assumed, Attempts: 1}}, wantCalls: 1},
		{name: "proven once IAM has propagated", hopErrs: []error{denied, denied}, trust: good, inline: withChain,
			want: []Hop{{Proven: true, AssumedRole: assumed, Attempts: 3}}, wantCalls: 3},
		// 1+2+4+8+10+10+10+10 = 55 s; the next 10 s would pass the minute.
		{name: "still refused after the wait", hopErrs: repeat(denied, 20), trust: good, inline: withChain,
			want: []Hop{{Reason: Propagating, Error: deniedText, Attempts: 9}}, wantCalls: 9},
		{name: "target missing", hopErrs: []error{denied}, inline: withChain,
			want: []Hop{{Reason: ChainTargetMissing, Error: deniedText, Attempts: 1}}, wantCalls: 1},
		{name: "trust names another role", hopErrs: []error{denied}, trust: chainTrustOf("Allow", "arn:aws:iam::111122223333:role/other", "sts:AssumeRole"), inline: withChain,
			want: []Hop{{Reason: ChainTrust, Error: deniedText, Attempts: 1}}, wantCalls: 1},
		{name: "chain policy deleted", hopErrs: []error{denied}, trust: good,
			want: []Hop{{Reason: ChainPermission, Error: deniedText, Attempts: 1}}, wantCalls: 1},
		{name: "chain policy allows another target", hopErrs: []error{denied}, trust: good,
			inline: map[string]string{resource.ChainPolicyName: trust.ChainPermission([]trust.Chain{{Role: "arn:aws:iam::444455556666:role/writer"}}).JSON()},
			want:   []Hop{{Reason: ChainPermission, Error: deniedText, Attempts: 1}}, wantCalls: 1},
		{name: "other STS error is final", hopErrs: []error{apiErr("RegionDisabledException", "STS is not activated in this region")}, trust: good, inline: withChain,
			want: []Hop{{Reason: STSError, Error: "RegionDisabledException: STS is not activated in this region", Attempts: 1}}, wantCalls: 1},
		{name: "web identity refused: hop not tried", wiErrs: []error{apiErr("ExpiredTokenException", "Token expired")}, trust: good, inline: withChain,
			want: []Hop{{Reason: HopNotTried}}, wantCalls: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &clock{t: time.Unix(1000, 0)}
			wi := &sessionSTS{fakeSTS{errs: tt.wiErrs}}
			hop := &fakeHop{errs: tt.hopErrs}
			kube, _ := kubeMinting(t)
			got := Run(context.Background(), []Target{chainTarget}, chainLive(t, tt.trust, tt.inline),
				Clients{Kube: map[string]corev1client.CoreV1Interface{"c1": kube}, STS: map[string]WebIdentity{"c1": wi},
					Chain: map[string]func(aws.Credentials) RoleAssumer{"c1": hop.client}},
				Options{Wait: time.Minute, Now: c.now, Sleep: c.sleep})
			want := tt.want
			for i := range want {
				want[i].Role, want[i].Source = targetARN, roleARN
			}
			if diff := cmp.Diff(want, got[0].Hops); diff != "" {
				t.Errorf("hops (-want +got):\n%s", diff)
			}
			if len(hop.ins) != tt.wantCalls {
				t.Fatalf("%d AssumeRole calls, want %d", len(hop.ins), tt.wantCalls)
			}
			for _, in := range hop.ins {
				// As a pod's profile chains: the session's name, the
				// shortest session, no tags even where the chain allows
				// sts:TagSession.
				if *in.RoleArn != targetARN || *in.RoleSessionName != SessionName || *in.DurationSeconds != 900 || len(in.Tags) != 0 || len(in.TransitiveTagKeys) != 0 {
					t.Errorf("AssumeRole input %+v, want RoleArn %s, session %s, 900 s, no tags", in, targetARN, SessionName)
				}
			}
			if tt.wantCalls > 0 {
				wantCreds := []aws.Credentials{{AccessKeyID: sessionKey, SecretAccessKey: sessionSecret, SessionToken: sessionToken,
					Source: SessionName, CanExpire: true, Expires: time.Unix(2000, 0)}}
				if diff := cmp.Diff(wantCreds, hop.creds); diff != "" {
					t.Errorf("the hop client was made with (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// TestHopOutputHoldsNoCredentials: neither the session's credentials nor
// the target's reach the text or the JSON output, proven or refused.
func TestHopOutputHoldsNoCredentials(t *testing.T) {
	t.Parallel()
	for _, hopErrs := range [][]error{nil, {apiErr("AccessDenied", "x")}} {
		wi := &sessionSTS{}
		hop := &fakeHop{errs: hopErrs}
		kube, _ := kubeMinting(t)
		out := Run(context.Background(), []Target{chainTarget}, chainLive(t, chainTrustOf("Allow", roleARN, "sts:AssumeRole"), nil),
			Clients{Kube: map[string]corev1client.CoreV1Interface{"c1": kube}, STS: map[string]WebIdentity{"c1": wi},
				Chain: map[string]func(aws.Credentials) RoleAssumer{"c1": hop.client}}, Options{Wait: -1})
		var text, js bytes.Buffer
		if err := WriteText(&text, out); err != nil {
			t.Fatal(err)
		}
		if err := WriteJSON(&js, out); err != nil {
			t.Fatal(err)
		}
		if len(hop.creds) != 1 {
			t.Fatalf("the hop client was made %d times, want once: a leak test with no credentials proves nothing", len(hop.creds))
		}
		for _, secret := range []string{sessionKey, sessionSecret, sessionToken, targetSecret, "ASIATARGET", "target-token"} {
			if strings.Contains(text.String(), secret) || strings.Contains(js.String(), secret) {
				t.Errorf("output holds the credential %q:\n%s\n%s", secret, text.String(), js.String())
			}
		}
	}
}

func TestTrustAdmits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, trust string
		want        bool
	}{
		{"the source's ARN", chainTrustOf("Allow", roleARN, "sts:AssumeRole"), true},
		{"the source's account root", chainTrustOf("Allow", "arn:aws:iam::111122223333:root", "sts:AssumeRole"), true},
		{"the source's account id", chainTrustOf("Allow", "111122223333", "sts:AssumeRole"), true},
		{"anyone", chainTrustOf("Allow", "*", "sts:AssumeRole"), true},
		{"a wildcard action", chainTrustOf("Allow", roleARN, "sts:Assume*"), true},
		{"another role", chainTrustOf("Allow", "arn:aws:iam::111122223333:role/other", "sts:AssumeRole"), false},
		{"the unique id of a deleted source", chainTrustOf("Allow", "AROAEXAMPLEUNIQUEID", "sts:AssumeRole"), false},
		{"only TagSession", chainTrustOf("Allow", roleARN, "sts:TagSession"), false},
		{"denied", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + roleARN + `"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:*"}]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := trustAdmits(policy.MustParse(tt.trust), roleARN); got != tt.want {
				t.Errorf("trustAdmits = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestTargetsWithChains: a binding of a chain's source role carries its
// hops; --role naming a target keeps only the bindings that reach it, and
// only that hop.
func TestTargetsWithChains(t *testing.T) {
	t.Parallel()
	writer := "arn:aws:iam::444455556666:role/writer"
	f := &config.File{Path: "bindings.yaml", Clusters: []config.Cluster{{Name: "c1", Region: "us-east-1"}}}
	sa := func(name, role string) desired.ServiceAccount {
		return desired.ServiceAccount{ServiceAccount: resource.ServiceAccount{Cluster: "c1", Namespace: "apps", Name: name,
			Annotations: map[string]string{resource.AnnotationRoleARN: role}}, Role: role}
	}
	other := "arn:aws:iam::111122223333:role/other"
	want := &desired.State{
		Roles: []desired.Role{
			{Role: resource.Role{Name: "web", ARN: roleARN}},
			{Role: resource.Role{Name: "reader", ARN: targetARN}, AssumedFrom: []desired.Chain{{Chain: trust.Chain{Role: roleARN}}}},
			{Role: resource.Role{Name: "writer", ARN: writer}, AssumedFrom: []desired.Chain{{Chain: trust.Chain{Role: roleARN, TagSession: true}}}},
		},
		ServiceAccounts: []desired.ServiceAccount{sa("web", roleARN), sa("other", other)},
	}
	issuers := map[string]string{"c1": "https://" + issuer}
	tests := []struct {
		filter Filter
		want   map[string][]string // by ServiceAccount name
	}{
		{Filter{}, map[string][]string{"web": {targetARN, writer}, "other": nil}},
		{Filter{Role: "web"}, map[string][]string{"web": {targetARN, writer}}},
		{Filter{Role: "writer"}, map[string][]string{"web": {writer}}},
		{Filter{Role: targetARN}, map[string][]string{"web": {targetARN}}},
	}
	for _, tt := range tests {
		got, err := Targets(f, want, issuers, tt.filter)
		if err != nil {
			t.Fatalf("Targets(%+v): %v", tt.filter, err)
		}
		hops := map[string][]string{}
		for _, tg := range got {
			hops[tg.Name] = tg.Hops
		}
		if diff := cmp.Diff(tt.want, hops); diff != "" {
			t.Errorf("Targets(%+v) hops (-want +got):\n%s", tt.filter, diff)
		}
	}
}

func TestSummaryWords(t *testing.T) {
	t.Parallel()
	proven, refused, skipped := Hop{Proven: true}, Hop{Reason: ChainTrust}, Hop{Reason: HopNotTried}
	tests := []struct {
		out    []Outcome
		want   string
		wantOK bool
	}{
		{[]Outcome{{Proven: true}, {Proven: true}}, "Verify: 2 of 2 bindings proven.", true},
		{[]Outcome{{Proven: true, Hops: []Hop{proven, proven}}}, "Verify: 1 of 1 bindings proven; 2 of 2 chain hops proven.", true},
		{[]Outcome{{Proven: true, Hops: []Hop{proven, refused}}}, "Verify: 1 of 1 bindings proven; 1 of 2 chain hops proven, 1 failed.", false},
		{[]Outcome{{Proven: true}, {Hops: []Hop{skipped}}}, "Verify: 1 of 2 bindings proven, 1 failed; 0 of 1 chain hops proven, 1 not tried.", false},
	}
	for _, tt := range tests {
		s := Summarize(tt.out)
		if got := s.Words(); got != tt.want || s.OK() != tt.wantOK {
			t.Errorf("summary %q, OK %v; want %q, %v", got, s.OK(), tt.want, tt.wantOK)
		}
	}
}
