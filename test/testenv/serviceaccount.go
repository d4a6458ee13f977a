package testenv

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// StartWithIssuer is Start for a server whose service account tokens carry
// issuer as their iss (--service-account-issuer), such as an EKS-shaped
// https URL with no port, which an IAM OIDC provider can name; the shared
// server's issuer is its own https://127.0.0.1:PORT, which IAM refuses.
func StartWithIssuer(t testing.TB, issuer string) *Env {
	t.Helper()
	e, err := start(func(api *envtest.APIServer) {
		api.Configure().Set("service-account-issuer", issuer)
	})
	if err != nil {
		skipOrFail(t, err)
	}
	t.Cleanup(func() {
		if err := e.stop(); err != nil {
			t.Errorf("testenv: stop: %v", err)
		}
	})
	return e
}

// ServiceAccountIssuer returns the issuer kube-apiserver writes in the
// service account tokens it mints (its --service-account-issuer, envtest's
// https URL of the server, without the trailing slash, as a bindings file
// writes issuers) and the public key that verifies them (the certificate of
// --service-account-key-file, which envtest generates next to the signing
// key): what an IAM OIDC provider would read from the issuer's discovery
// document and JWKS.
func (e *Env) ServiceAccountIssuer(t testing.TB) (string, crypto.PublicKey) {
	t.Helper()
	api := e.env.ControlPlane.APIServer
	issuer := api.SecureServing.URL("https", "/").String()
	if v := api.Configure().Get("service-account-issuer").Get(nil); len(v) > 0 {
		issuer = v[0]
	}
	path := filepath.Join(api.CertDir, "sa-signer.crt")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("testenv: the service account key: %v", err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		t.Fatalf("testenv: %s holds no PEM block", path)
	}
	key, err := publicKey(block)
	if err != nil {
		t.Fatalf("testenv: %s: %v", path, err)
	}
	return strings.TrimSuffix(issuer, "/"), key
}

func publicKey(block *pem.Block) (crypto.PublicKey, error) {
	switch block.Type {
	case "CERTIFICATE":
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		return cert.PublicKey, nil
	case "PUBLIC KEY":
		return x509.ParsePKIXPublicKey(block.Bytes)
	}
	return nil, fmt.Errorf("a PEM block of type %q, want a certificate or public key", block.Type)
}
