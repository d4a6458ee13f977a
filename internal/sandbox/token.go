package sandbox

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"sync"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stesting "k8s.io/client-go/testing"

	"github.com/irsa-sync/irsa-sync/internal/emulator"
)

// minExpirationSeconds is the shortest token the TokenRequest API issues
// (TokenRequestSpec.expirationSeconds: "The server may return a token with
// a longer or shorter expiration"; kube-apiserver refuses less than 10
// minutes, ValidateTokenRequest).
const minExpirationSeconds = 600

// defaultExpirationSeconds is TokenRequestSpec's default, one hour.
const defaultExpirationSeconds = 3600

// tokens mints service account tokens for one cluster as kube-apiserver's
// TokenRequest API does: a JWT whose iss is the cluster's issuer, sub
// system:serviceaccount:NS:NAME and aud the requested audiences, signed by
// the cluster's own key, whose public half the emulator's STS knows.
type tokens struct {
	issuer string
	key    crypto.Signer
	keyID  string
	now    func() time.Time

	mu     sync.Mutex
	issued []string
}

// enableTokens gives kube a TokenRequest API for issuer, signing with a
// new P-256 key registered with em; a key lasts one sandbox run, as the
// emulator keeps issuer keys in memory only.
func enableTokens(kube *Cluster, em *emulator.Emulator, issuer string, now func() time.Time) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("service account signing key: %w", err)
	}
	if err := em.RegisterIssuerKeys(issuer, key.Public()); err != nil {
		return err
	}
	if now == nil {
		now = time.Now
	}
	kube.tokens = &tokens{issuer: issuer, key: key, keyID: "sandbox", now: now}
	kube.PrependReactor("create", "serviceaccounts", kube.tokens.react(kube))
	return nil
}

// react answers a create of the serviceaccounts/token subresource; other
// creates go on to the tracker.
func (t *tokens) react(kube *Cluster) k8stesting.ReactionFunc {
	return func(action k8stesting.Action) (bool, runtime.Object, error) {
		a, ok := action.(k8stesting.CreateActionImpl)
		if !ok || a.GetSubresource() != "token" {
			return false, nil, nil
		}
		req, ok := a.Object.(*authenticationv1.TokenRequest)
		if !ok {
			return true, nil, apierrors.NewBadRequest(fmt.Sprintf("serviceaccounts/token takes a TokenRequest, not %T", a.Object))
		}
		sa, err := kube.tracker.Get(corev1.SchemeGroupVersion.WithResource("serviceaccounts"), a.Namespace, a.Name)
		if err != nil {
			return true, nil, err
		}
		if len(a.CreateOptions.DryRun) > 0 {
			return true, req, nil
		}
		return t.mint(sa.(*corev1.ServiceAccount), req)
	}
}

func (t *tokens) mint(sa *corev1.ServiceAccount, req *authenticationv1.TokenRequest) (bool, runtime.Object, error) {
	seconds := int64(defaultExpirationSeconds)
	if req.Spec.ExpirationSeconds != nil {
		seconds = *req.Spec.ExpirationSeconds
	}
	if seconds < minExpirationSeconds {
		return true, nil, apierrors.NewInvalid(schema.GroupKind{Group: "authentication.k8s.io", Kind: "TokenRequest"}, sa.Name, nil)
	}
	audiences := req.Spec.Audiences
	if len(audiences) == 0 {
		// kube-apiserver's default audience is its issuer (--api-audiences).
		audiences = []string{t.issuer}
	}
	now := t.now()
	exp := now.Add(time.Duration(seconds) * time.Second)
	tok, err := emulator.SignToken(t.key, t.keyID, emulator.TokenClaims{
		Issuer: t.issuer, Subject: "system:serviceaccount:" + sa.Namespace + ":" + sa.Name,
		Audience: audiences, Expiry: exp, IssuedAt: now,
	})
	if err != nil {
		return true, nil, apierrors.NewInternalError(err)
	}
	t.mu.Lock()
	t.issued = append(t.issued, tok)
	t.mu.Unlock()
	out := req.DeepCopy()
	out.Name, out.Namespace = sa.Name, sa.Namespace
	out.Spec.Audiences = audiences
	out.Spec.ExpirationSeconds = &seconds
	out.Status = authenticationv1.TokenRequestStatus{Token: tok, ExpirationTimestamp: metav1.NewTime(exp)}
	return true, out, nil
}

// IssuedTokens returns every token the cluster minted, for tests to check
// that none of them ever appears in output or logs.
func (c *Cluster) IssuedTokens() []string {
	if c.tokens == nil {
		return nil
	}
	c.tokens.mu.Lock()
	defer c.tokens.mu.Unlock()
	return append([]string(nil), c.tokens.issued...)
}
