package kubeint

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"
	rbacv1 "k8s.io/api/rbac/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/irsa-sync/irsa-sync/internal/connect"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/reconcile"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
	"github.com/irsa-sync/irsa-sync/internal/verify"
	"github.com/irsa-sync/irsa-sync/test/testenv"
)

// bindVerifyRole creates examples/rbac/verify-clusterrole.yaml and binds it
// to user through the example binding's roleRef.
func bindVerifyRole(t *testing.T, env *testenv.Env, user string) {
	t.Helper()
	role := bindExample(t, env.Clientset(t), "verify-clusterrole.yaml", "verify-clusterrolebinding.yaml", user)
	want := []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"serviceaccounts/token"}, Verbs: []string{"create"}}}
	if diff := cmp.Diff(want, role.Rules); diff != "" {
		t.Errorf("rules of the verify ClusterRole (-want +got):\n%s", diff)
	}
}

// TestVerifyWithTokenRequest proves bindings with tokens a real
// kube-apiserver mints (TokenRequest), checked by the emulator's STS
// against the server's own service account signing key, registered as the
// JWKS of its issuer. An identity bound to exactly the verify ClusterRole
// mints them; one without it is refused; a file whose issuer is not the
// server's has its token refused.
func TestVerifyWithTokenRequest(t *testing.T) {
	// IAM provider URLs have no port, so the server gets an issuer of the
	// EKS shape rather than its own https://127.0.0.1:PORT.
	env := testenv.StartWithIssuer(t, "https://oidc.eks.us-east-1.amazonaws.com/id/KUBEINTVERIFY")
	issuer, key := env.ServiceAccountIssuer(t)
	if issuer != "https://oidc.eks.us-east-1.amazonaws.com/id/KUBEINTVERIFY" {
		t.Fatalf("the server's issuer is %q", issuer)
	}
	ns := env.Namespace(t)
	bindVerifyRole(t, env, "irsa-sync-verifier")
	verifier, err := corev1client.NewForConfig(env.AddUser(t, "irsa-sync-verifier", nil))
	if err != nil {
		t.Fatal(err)
	}
	nobody, err := corev1client.NewForConfig(env.AddUser(t, "irsa-sync-no-verify", nil))
	if err != nil {
		t.Fatal(err)
	}

	file := func(iss string) string {
		return fmt.Sprintf(`apiVersion: irsa-sync/v1
kind: Bindings
owner: verify-test
accounts:
  - {name: prod, id: %q}
clusters:
  - {name: c1, account: prod, region: us-east-1, oidcIssuer: %q}
roles:
%s%s`, accountID, iss,
			roleYAML("verify-web", fmt.Sprintf("{cluster: c1, namespace: %s, name: web}", ns)),
			roleYAML("verify-custom", fmt.Sprintf("{cluster: c1, namespace: %s, name: custom, audience: custom.example.com}", ns)))
	}
	tests := []struct {
		name   string
		issuer string
		kube   corev1client.CoreV1Interface
		want   map[string]verify.Reason // by service account; "" is proven
	}{
		{"the verify role mints, STS accepts", issuer, verifier, map[string]verify.Reason{"web": "", "custom": ""}},
		{"without the verify role", issuer, nobody, map[string]verify.Reason{"web": verify.TokenRequestFailed, "custom": verify.TokenRequestFailed}},
		{"the file names another issuer", "https://oidc.eks.us-east-1.amazonaws.com/id/NOTTHISSERVER", verifier,
			map[string]verify.Reason{"web": verify.TokenRefused, "custom": verify.TokenRefused}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parse(t, file(tt.issuer))
			sb, err := sandbox.Open("", f, sandbox.Options{KeepNamespaces: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = sb.Close() })
			if err := sb.Emulator.RegisterIssuerKeys(issuer, key); err != nil {
				t.Fatal(err)
			}
			clients, err := connect.Open(context.Background(), f, connector{aws: sb, kube: fromConfig(env.Config)})
			if err != nil {
				t.Fatal(err)
			}
			r := &rig{t: t, file: f, clients: clients}
			r.converge(plan.Options{})

			res, err := reconcile.Plan(context.Background(), f, clients, reconcile.Options{SkipPods: true})
			if err != nil {
				t.Fatal(err)
			}
			targets, err := verify.Targets(f, res.Desired, res.Live.Issuers(), verify.Filter{Namespace: ns})
			if err != nil {
				t.Fatal(err)
			}
			wi := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(sb.URL), Credentials: aws.AnonymousCredentials{}})
			out := verify.Run(context.Background(), targets, res.Live,
				verify.Clients{Kube: map[string]corev1client.CoreV1Interface{"c1": tt.kube}, STS: map[string]verify.WebIdentity{"c1": wi}},
				verify.Options{Wait: 5 * time.Second, Sleep: func(context.Context, time.Duration) error { return nil }})
			got := map[string]verify.Reason{}
			for _, o := range out {
				got[o.ServiceAccount] = o.Reason
				if o.Proven != (o.Reason == "") {
					t.Errorf("%s: proven %v with reason %q", o.Address(), o.Proven, o.Reason)
				}
				if o.Proven && !strings.Contains(o.AssumedRole, ":assumed-role/verify-") {
					t.Errorf("%s: assumed role %q", o.Address(), o.AssumedRole)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("outcomes by service account (-want +got):\n%s\n%+v", diff, out)
			}
		})
	}
}
