package emulator

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"
)

const (
	wiIssuer   = "https://oidc.eks.us-east-1.amazonaws.com/id/ABC"
	wiProvider = "arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"
	wiKey      = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
)

func wiTrust(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func wiAllow(action, cond string) string {
	return fmt.Sprintf(`{"Effect":"Allow","Principal":{"Federated":%q},"Action":%s,"Condition":%s}`, wiProvider, action, cond)
}

// wiEnv has the cluster's OIDC provider in account A (client id
// sts.amazonaws.com and "other"), a key registered for the issuer, and
// roles with the trusts the cases need.
func wiEnv(t *testing.T, now func() time.Time) (*env, crypto.Signer) {
	t.Helper()
	v := newEnv(t, Options{Now: now})
	if _, err := v.iam.CreateOpenIDConnectProvider(ctx(), &iam.CreateOpenIDConnectProviderInput{Url: aws.String(wiIssuer),
		ClientIDList: []string{"sts.amazonaws.com", "other"}}); err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.emu.RegisterIssuerKeys(wiIssuer, key.Public()); err != nil {
		t.Fatal(err)
	}
	exact := fmt.Sprintf(`{"StringEquals":{"%s:sub":"system:serviceaccount:default:app","%s:aud":"sts.amazonaws.com"}}`, wiKey, wiKey)
	roles := map[string]string{
		"exact":          wiTrust(wiAllow(`"sts:AssumeRoleWithWebIdentity"`, exact)),
		"like":           wiTrust(wiAllow(`["sts:AssumeRoleWith*"]`, fmt.Sprintf(`{"StringLike":{"%s:sub":"system:serviceaccount:jobs:*"},"StringEquals":{"%s:aud":"sts.amazonaws.com"}}`, wiKey, wiKey))),
		"multi":          wiTrust(wiAllow(`"sts:AssumeRoleWithWebIdentity"`, fmt.Sprintf(`{"StringEquals":{"%s:sub":["system:serviceaccount:a:x","system:serviceaccount:default:app"]}}`, strings.ToUpper(wiKey[:4])+wiKey[4:]))),
		"not-kube":       wiTrust(wiAllow(`"sts:AssumeRoleWithWebIdentity"`, fmt.Sprintf(`{"StringNotEquals":{"%s:sub":"system:serviceaccount:kube-system:app"}}`, wiKey))),
		"denied":         wiTrust(wiAllow(`"sts:AssumeRoleWithWebIdentity"`, exact), fmt.Sprintf(`{"Effect":"Deny","Principal":"*","Action":"sts:*","Condition":{"StringLike":{"%s:sub":"*:default:*"}}}`, wiKey)),
		"other-provider": wiTrust(`{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/XYZ"},"Action":"sts:AssumeRoleWithWebIdentity"}`),
		"assume-only":    wiTrust(wiAllow(`"sts:AssumeRole"`, exact)),
	}
	for name, trust := range roles {
		if err := v.emu.EnsureRole(acctA, name, trust); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	return v, key
}

func mint(t *testing.T, key crypto.Signer, iss, sub string, aud []string, exp time.Time) string {
	t.Helper()
	tok, err := SignToken(key, "k1", TokenClaims{Issuer: iss, Subject: sub, Audience: aud, Expiry: exp, IssuedAt: exp.Add(-2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestAssumeRoleWithWebIdentity(t *testing.T) {
	t.Parallel()
	v, key := wiEnv(t, func() time.Time { return fixedNow })
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	valid := fixedNow.Add(10 * time.Minute)
	tests := []struct {
		name, role, iss, sub string
		aud                  []string
		exp                  time.Time
		signer               crypto.Signer
		want                 string
	}{
		{name: "exact subject", role: "exact", sub: "system:serviceaccount:default:app"},
		{name: "other subject", role: "exact", sub: "system:serviceaccount:default:web", want: "AccessDenied"},
		{name: "StringLike subject", role: "like", sub: "system:serviceaccount:jobs:batch"},
		{name: "StringLike miss", role: "like", sub: "system:serviceaccount:web:batch", want: "AccessDenied"},
		{name: "any of several values, key case-insensitive", role: "multi", sub: "system:serviceaccount:default:app"},
		{name: "StringNotEquals passes", role: "not-kube", sub: "system:serviceaccount:default:app"},
		{name: "StringNotEquals refuses", role: "not-kube", sub: "system:serviceaccount:kube-system:app", want: "AccessDenied"},
		{name: "explicit deny wins", role: "denied", sub: "system:serviceaccount:default:app", want: "AccessDenied"},
		{name: "other provider in trust", role: "other-provider", sub: "system:serviceaccount:default:app", want: "AccessDenied"},
		{name: "action not allowed", role: "assume-only", sub: "system:serviceaccount:default:app", want: "AccessDenied"},
		{name: "missing role", role: "nope", sub: "system:serviceaccount:default:app", want: "AccessDenied"},
		{name: "audience the trust does not take", role: "exact", sub: "system:serviceaccount:default:app", aud: []string{"other"}, want: "AccessDenied"},
		{name: "audience not a client id", role: "exact", sub: "system:serviceaccount:default:app", aud: []string{"vault"}, want: "InvalidIdentityToken"},
		{name: "one of several audiences", role: "exact", sub: "system:serviceaccount:default:app", aud: []string{"vault", "sts.amazonaws.com"}},
		{name: "issuer without provider", role: "exact", iss: "https://oidc.eks.us-east-1.amazonaws.com/id/XYZ", sub: "system:serviceaccount:default:app", want: "InvalidIdentityToken"},
		{name: "expired", role: "exact", sub: "system:serviceaccount:default:app", exp: fixedNow, want: "ExpiredTokenException"},
		{name: "signed by another key", role: "exact", sub: "system:serviceaccount:default:app", signer: otherKey, want: "InvalidIdentityToken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss, aud, exp, signer := wiIssuer, []string{"sts.amazonaws.com"}, valid, crypto.Signer(key)
			if tt.iss != "" {
				iss = tt.iss
			}
			if tt.aud != nil {
				aud = tt.aud
			}
			if !tt.exp.IsZero() {
				exp = tt.exp
			}
			if tt.signer != nil {
				signer = tt.signer
			}
			out, err := v.sts.AssumeRoleWithWebIdentity(ctx(), &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(roleA(tt.role)),
				RoleSessionName: aws.String("verify"), WebIdentityToken: aws.String(mint(t, signer, iss, tt.sub, aud, exp))})
			if got := errorCode(err); got != tt.want {
				t.Fatalf("code = %q, want %q (%v)", got, tt.want, err)
			}
			if err != nil {
				if tt.want == "AccessDenied" && !strings.Contains(err.Error(), "Not authorized to perform sts:AssumeRoleWithWebIdentity") {
					t.Errorf("message %v", err)
				}
				return
			}
			got := []string{aws.ToString(out.AssumedRoleUser.Arn), aws.ToString(out.SubjectFromWebIdentityToken), aws.ToString(out.Audience), aws.ToString(out.Credentials.AccessKeyId)[:4]}
			if d := cmp.Diff([]string{"arn:aws:sts::111111111111:assumed-role/" + tt.role + "/verify", tt.sub, "sts.amazonaws.com", "ASIA"}, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			if !out.Credentials.Expiration.Equal(fixedNow.Add(time.Hour)) {
				t.Errorf("expiration %v", out.Credentials.Expiration)
			}
		})
	}
}

func TestWebIdentityNeedsIssuerKeys(t *testing.T) {
	t.Parallel()
	v := newEnv(t, Options{})
	if _, err := v.iam.CreateOpenIDConnectProvider(ctx(), &iam.CreateOpenIDConnectProviderInput{Url: aws.String(wiIssuer), ClientIDList: []string{"sts.amazonaws.com"}}); err != nil {
		t.Fatal(err)
	}
	if err := v.emu.EnsureRole(acctA, "r", wiTrust(wiAllow(`"sts:AssumeRoleWithWebIdentity"`, `{}`))); err != nil {
		t.Fatal(err)
	}
	// RS256, as kube-apiserver signs service account tokens by default.
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tok := mint(t, key, wiIssuer, "system:serviceaccount:default:app", []string{"sts.amazonaws.com"}, fixedNow.Add(time.Hour))
	in := &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(roleA("r")), RoleSessionName: aws.String("s1"), WebIdentityToken: aws.String(tok)}
	if _, err := v.sts.AssumeRoleWithWebIdentity(ctx(), in); errorCode(err) != "IDPCommunicationError" {
		t.Errorf("issuer without keys: %v, want IDPCommunicationError", err)
	}
	if err := v.emu.RegisterIssuerKeys(wiIssuer+"/", key.Public()); err != nil {
		t.Fatal(err)
	}
	if _, err := v.sts.AssumeRoleWithWebIdentity(ctx(), in); err != nil {
		t.Errorf("after registering the key: %v", err)
	}
	if err := v.emu.RegisterIssuerKeys(wiIssuer, "not a key"); err == nil {
		t.Error("a string was accepted as a key")
	}
	in.WebIdentityToken = aws.String("not.a.jwt")
	if _, err := v.sts.AssumeRoleWithWebIdentity(ctx(), in); errorCode(err) != "InvalidIdentityToken" {
		t.Errorf("garbage token: %v", err)
	}
}

// TestRoleChaining is the guide's pattern B: a pod's web identity session
// in A assumes a role in B whose trust names A's role.
func TestRoleChaining(t *testing.T) {
	t.Parallel()
	v, key := wiEnv(t, func() time.Time { return fixedNow })
	v.emu.EnsureAccount(acctB)
	trusts := map[string]string{
		"trusts-exact": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/exact"},"Action":"sts:AssumeRole"}]}`,
		"trusts-other": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/like"},"Action":"sts:AssumeRole"}]}`,
		"trusts-acct":  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"}]}`,
		"trusts-c":     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::333333333333:root"},"Action":"sts:AssumeRole"}]}`,
	}
	for n, doc := range trusts {
		if err := v.emu.EnsureRole(acctB, n, doc); err != nil {
			t.Fatal(err)
		}
	}
	out, err := v.sts.AssumeRoleWithWebIdentity(ctx(), &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(roleA("exact")), RoleSessionName: aws.String("pod"),
		WebIdentityToken: aws.String(mint(t, key, wiIssuer, "system:serviceaccount:default:app", []string{"sts.amazonaws.com"}, fixedNow.Add(time.Hour)))})
	if err != nil {
		t.Fatal(err)
	}
	pod := sts.NewFromConfig(awsConfig(v.url, "us-east-1", Credentials{aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken)}))
	var got []string
	for _, n := range []string{"trusts-acct", "trusts-c", "trusts-exact", "trusts-other"} {
		_, err := pod.AssumeRole(ctx(), &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:role/" + n), RoleSessionName: aws.String("chain")})
		got = append(got, n+"="+errorCode(err))
	}
	if d := cmp.Diff([]string{"trusts-acct=", "trusts-c=AccessDenied", "trusts-exact=", "trusts-other=AccessDenied"}, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
