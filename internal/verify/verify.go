// Package verify proves that each exact binding of a bindings file works the
// way a pod would use it: it mints a short-lived token for the
// ServiceAccount with the Kubernetes TokenRequest API, with the binding's
// audience, and calls sts:AssumeRoleWithWebIdentity for the annotated role
// through the regional STS endpoint of the cluster's region, as the AWS SDK
// in a pod does with the webhook's projected token. When the file chains
// roles from the binding's role (assumedFrom), it then makes each hop as the
// pod's AWS config profile would: sts:AssumeRole on the target, signed with
// the web identity session's credentials, through the same regional
// endpoint (chain.go). A refusal is explained from the STS error and the
// live state the plan read.
//
// The token is never printed, logged or kept past the call; the session's
// credentials are kept in memory only for the binding's hops, and those the
// hops return are dropped at once: only the assumed-role ARNs are kept, as
// proof. Each hop is proven once per binding, not once per source role:
// it runs on that binding's own session, as each pod's does, so no
// credentials pass between bindings. AssumeRoleWithWebIdentity is an
// unsigned call and the hops are signed by the session, so verify needs no
// IAM permission of its own; it needs create on serviceaccounts/token in
// each cluster (examples/rbac/verify-clusterrole.yaml).
package verify

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	authenticationv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
)

// TokenSeconds is the lifetime asked of each token: ten minutes, the
// shortest the TokenRequest API grants.
const TokenSeconds = 600

// SessionName names the role sessions verify opens, so that CloudTrail
// tells them from a pod's.
const SessionName = "irsa-sync-verify"

// sessionSeconds is the shortest session STS grants (DurationSeconds,
// 900-43200): the credentials are dropped at once anyway.
const sessionSeconds = 900

// DefaultWait bounds the retries while IAM propagates a new role, provider
// or trust: AWS says a change can take a few seconds to be seen everywhere
// (IAM User Guide, "Troubleshoot IAM": "Changes that I make are not always
// immediately visible"), and a new role 10-30 s in practice.
const DefaultWait = 60 * time.Second

// WebIdentity is the one STS operation verify calls, with the SDK's
// signature; an sts.Client for the cluster's region, with anonymous
// credentials, satisfies it.
type WebIdentity interface {
	AssumeRoleWithWebIdentity(context.Context, *sts.AssumeRoleWithWebIdentityInput, ...func(*sts.Options)) (*sts.AssumeRoleWithWebIdentityOutput, error)
}

var _ WebIdentity = (*sts.Client)(nil)

// Clients reach each cluster's Kubernetes API and its region's STS.
type Clients struct {
	Kube map[string]corev1client.CoreV1Interface // by cluster name
	STS  map[string]WebIdentity                  // by cluster name, its region's endpoint
	// Chain, by cluster name, is an STS client of the cluster's regional
	// endpoint that signs with the credentials given: a web identity
	// session's, for the hops of a role chain, as the pod's AWS config
	// profile (source_profile) makes them.
	Chain map[string]func(aws.Credentials) RoleAssumer
}

// Options tune a run.
type Options struct {
	// Wait bounds the retries of one binding while IAM may be propagating
	// (DefaultWait when zero; negative: one attempt).
	Wait time.Duration
	// Parallelism is how many bindings are proven at once (8 when zero).
	Parallelism int
	// Now and Sleep are the backoff's clock, for tests; time.Now and a
	// timer when nil.
	Now   func() time.Time
	Sleep func(context.Context, time.Duration) error
}

func (o Options) withDefaults() Options {
	if o.Wait == 0 {
		o.Wait = DefaultWait
	}
	if o.Parallelism <= 0 {
		o.Parallelism = 8
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	return o
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run proves each target, at most opts.Parallelism at once, and returns one
// outcome per target in their order. have is the live state read for the
// plan, used to explain refusals.
func Run(ctx context.Context, targets []Target, have *state.Live, cl Clients, opts Options) []Outcome {
	opts = opts.withDefaults()
	out := make([]Outcome, len(targets))
	sem := make(chan struct{}, opts.Parallelism)
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i] = prove(ctx, t, have, cl, opts)
		}()
	}
	wg.Wait()
	return out
}

// prove runs one binding: its web identity step, then the hops of the
// chains from its role with the session's credentials. The credentials go
// no further than this call: they are handed to the hops and dropped.
func prove(ctx context.Context, t Target, have *state.Live, cl Clients, opts Options) Outcome {
	o, creds := proveWebIdentity(ctx, t, have, cl, opts)
	if !o.Proven {
		o.Hops = notTried(t)
		return o
	}
	o.Hops = proveHops(ctx, t, creds, have, cl, opts)
	return o
}

// proveWebIdentity runs the web identity step: annotation, token, then
// STS with backoff. When proven it returns the session's credentials too,
// for the hops only.
func proveWebIdentity(ctx context.Context, t Target, have *state.Live, cl Clients, opts Options) (Outcome, aws.Credentials) {
	o := Outcome{Cluster: t.Cluster, Namespace: t.Namespace, ServiceAccount: t.Name, Role: t.Role, Audience: t.Audience}
	if r, annotated := checkAnnotation(t, have); r != "" {
		o.Reason, o.Annotated = r, annotated
		return o, aws.Credentials{}
	}
	kube, wi := cl.Kube[t.Cluster], cl.STS[t.Cluster]
	if kube == nil || wi == nil {
		o.Reason, o.Error = STSError, "no client for cluster "+t.Cluster
		return o, aws.Credentials{}
	}
	start := opts.Now()
	delay := time.Second
	var token string
	var minted time.Time
	for {
		// A fresh token when the last is half-way through its life, so
		// a long --wait never sends an expired one.
		if token == "" || opts.Now().Sub(minted) > TokenSeconds*time.Second/2 {
			var err error
			if token, err = mint(ctx, kube, t); err != nil {
				o.Reason, o.Error = TokenRequestFailed, err.Error()
				if apierrors.IsNotFound(err) {
					o.Reason = ServiceAccountMissing
				}
				return o, aws.Credentials{}
			}
			minted = opts.Now()
		}
		o.Attempts++
		res, err := wi.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
			RoleArn: &t.Role, RoleSessionName: ptr(SessionName), WebIdentityToken: &token, DurationSeconds: ptr(int32(sessionSeconds)),
		})
		if err == nil {
			if res.AssumedRoleUser != nil && res.AssumedRoleUser.Arn != nil {
				o.AssumedRole = *res.AssumedRoleUser.Arn
			}
			o.Proven, o.Reason, o.Error = true, "", ""
			creds := sessionCredentials(res.Credentials)
			res.Credentials = nil
			return o, creds
		}
		d := diagnose(err, t, have)
		o.Reason, o.Error = d.reason, errorText(err)
		if !d.retry || ctx.Err() != nil {
			return o, aws.Credentials{}
		}
		if opts.Now().Add(delay).Sub(start) > opts.Wait {
			if d.looksRight {
				o.Reason = Propagating
			}
			return o, aws.Credentials{}
		}
		if err := opts.Sleep(ctx, delay); err != nil {
			return o, aws.Credentials{}
		}
		delay = min(delay*2, 10*time.Second)
	}
}

// checkAnnotation compares the live ServiceAccount's role-arn annotation
// with the file's role: the pod identity webhook would give a pod the
// annotated role, so another role there is a failure before any token.
func checkAnnotation(t Target, have *state.Live) (Reason, string) {
	c := have.Clusters[t.Cluster]
	if c == nil {
		return ServiceAccountMissing, ""
	}
	sa, ok := c.ServiceAccounts[t.Namespace+"/"+t.Name]
	if !ok {
		return ServiceAccountMissing, ""
	}
	got, ok := sa.Annotations[resource.AnnotationRoleARN]
	switch {
	case !ok || got == "":
		return AnnotationMissing, ""
	case got != t.Role:
		return AnnotationOtherRole, got
	}
	return "", ""
}

// mint asks the TokenRequest API for a token with the binding's audience.
// The token goes to STS only.
func mint(ctx context.Context, kube corev1client.CoreV1Interface, t Target) (string, error) {
	req := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{
		Audiences: []string{t.Audience}, ExpirationSeconds: ptr(int64(TokenSeconds)),
	}}
	res, err := kube.ServiceAccounts(t.Namespace).CreateToken(ctx, t.Name, req, metav1.CreateOptions{})
	if err != nil {
		return "", err
	}
	if res.Status.Token == "" {
		return "", errors.New("the TokenRequest API returned no token")
	}
	return res.Status.Token, nil
}

func ptr[T any](v T) *T { return &v }
