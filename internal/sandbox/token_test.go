package sandbox

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/irsa-sync/irsa-sync/internal/config"
)

// TestTokenRequest: a sandbox cluster mints tokens as kube-apiserver does,
// iss its issuer, sub the ServiceAccount, aud as asked; refuses a missing
// ServiceAccount and an expiry under 10 minutes.
func TestTokenRequest(t *testing.T) {
	t.Parallel()
	f := &config.File{
		Accounts: []config.Account{{Name: "prod", ID: "111122223333"}},
		Clusters: []config.Cluster{{Name: "c1", Account: "prod", Region: "us-east-1"}},
	}
	sb, err := Open("", f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	ctx := context.Background()
	api := sb.Cluster("c1").CoreV1().ServiceAccounts("apps")
	if _, err := sb.Cluster("c1").CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "apps"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "apps"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	req := func(seconds int64) *authenticationv1.TokenRequest {
		return &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{Audiences: []string{"sts.amazonaws.com"}, ExpirationSeconds: &seconds}}
	}
	res, err := api.CreateToken(ctx, "web", req(600), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(res.Status.Token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts, want 3", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		Iss string   `json:"iss"`
		Sub string   `json:"sub"`
		Aud []string `json:"aud"`
		Exp int64    `json:"exp"`
		Iat int64    `json:"iat"`
	}
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	want := []any{Issuer("111122223333", "us-east-1", "c1"), "system:serviceaccount:apps:web", []string{"sts.amazonaws.com"}, int64(600)}
	got := []any{claims.Iss, claims.Sub, claims.Aud, claims.Exp - claims.Iat}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("claims iss, sub, aud, lifetime (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{res.Status.Token}, sb.Cluster("c1").IssuedTokens()); diff != "" {
		t.Errorf("issued tokens (-want +got):\n%s", diff)
	}
	if _, err := api.CreateToken(ctx, "missing", req(600), metav1.CreateOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("token for a missing ServiceAccount: %v, want NotFound", err)
	}
	if _, err := api.CreateToken(ctx, "web", req(599), metav1.CreateOptions{}); !apierrors.IsInvalid(err) {
		t.Errorf("token of 599 s: %v, want Invalid", err)
	}
}
