package emulator

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"
)

const deployerTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`

func TestAssumeRoleAcrossAccounts(t *testing.T) {
	now := fixedNow
	clock := func() time.Time { return now }
	v := newEnv(t, Options{Now: func() time.Time { return clock() }})
	v.emu.EnsureAccount(acctB)
	if err := v.emu.EnsureRole(acctB, "deployer", deployerTrust); err != nil {
		t.Fatal(err)
	}
	out, err := v.sts.AssumeRole(ctx(), &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:role/deployer"), RoleSessionName: aws.String("irsa-sync")})
	if err != nil {
		t.Fatal(err)
	}
	creds := Credentials{aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken)}
	if creds.AccessKeyID[:4] != "ASIA" || creds.SessionToken == "" || !out.Credentials.Expiration.Equal(fixedNow.Add(time.Hour)) {
		t.Errorf("credentials %+v expiring %v", creds, out.Credentials.Expiration)
	}
	cfgB := awsConfig(v.url, "us-east-1", creds)
	id, err := sts.NewFromConfig(cfgB).GetCallerIdentity(ctx(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	got := []string{aws.ToString(id.Account), aws.ToString(id.Arn), aws.ToString(id.UserId)[:4]}
	if d := cmp.Diff([]string{acctB, "arn:aws:sts::222222222222:assumed-role/deployer/irsa-sync", "AROA"}, got); d != "" {
		t.Errorf("GetCallerIdentity (-want +got):\n%s", d)
	}
	// Writes with the session land in account B, not A.
	iamB := iam.NewFromConfig(cfgB)
	if _, err := iamB.CreateRole(ctx(), &iam.CreateRoleInput{RoleName: aws.String("in-b"), AssumeRolePolicyDocument: aws.String(trustDoc)}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.iam.GetRole(ctx(), &iam.GetRoleInput{RoleName: aws.String("in-b")}); errorCode(err) != "NoSuchEntity" {
		t.Errorf("role created in B visible in A: %v", err)
	}
	if _, err := iamB.GetRole(ctx(), &iam.GetRoleInput{RoleName: aws.String("in-b")}); err != nil {
		t.Errorf("role not in B: %v", err)
	}

	// The session token is checked, and so is expiry.
	forged := creds
	forged.SessionToken = "forged"
	if _, err := sts.NewFromConfig(awsConfig(v.url, "us-east-1", forged)).GetCallerIdentity(ctx(), nil); errorCode(err) != "InvalidClientTokenId" {
		t.Errorf("forged token: %v, want InvalidClientTokenId", err)
	}
	now = fixedNow.Add(2 * time.Hour)
	if _, err := sts.NewFromConfig(cfgB).GetCallerIdentity(ctx(), nil); errorCode(err) != "ExpiredToken" {
		t.Errorf("expired session: %v, want ExpiredToken", err)
	}
}

func TestAssumeRoleErrors(t *testing.T) {
	v := newEnv(t, Options{})
	v.emu.EnsureAccount(acctB)
	if err := v.emu.EnsureRole(acctB, "deployer", deployerTrust); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, arn string
		duration  int32
		want      string
	}{
		{"missing role", "arn:aws:iam::222222222222:role/nope", 0, "AccessDenied"},
		{"unknown account", "arn:aws:iam::333333333333:role/deployer", 0, "AccessDenied"},
		{"wrong path", "arn:aws:iam::222222222222:role/x/deployer", 0, "AccessDenied"},
		{"over max session", "arn:aws:iam::222222222222:role/deployer", 7200, "ValidationError"},
		{"under 15 minutes", "arn:aws:iam::222222222222:role/deployer", 600, "ValidationError"},
		{"ok", "arn:aws:iam::222222222222:role/deployer", 900, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &sts.AssumeRoleInput{RoleArn: aws.String(tt.arn), RoleSessionName: aws.String("s1")}
			if tt.duration != 0 {
				in.DurationSeconds = aws.Int32(tt.duration)
			}
			_, err := v.sts.AssumeRole(ctx(), in)
			if got := errorCode(err); got != tt.want {
				t.Errorf("code = %q, want %q (%v)", got, tt.want, err)
			}
		})
	}
}

func TestAuthentication(t *testing.T) {
	v := newEnv(t, Options{})
	good := v.emu.EnsureAccount(acctA)
	if again := v.emu.EnsureAccount(acctA); again != good {
		t.Errorf("EnsureAccount not idempotent: %+v then %+v", good, again)
	}
	tests := []struct {
		name  string
		creds Credentials
		want  string
	}{
		{"admin keys", good, ""},
		{"unknown key", Credentials{AccessKeyID: "AKIAUNKNOWNUNKNOWN00", SecretAccessKey: "x"}, "InvalidClientTokenId"},
		{"wrong secret", Credentials{AccessKeyID: good.AccessKeyID, SecretAccessKey: "wrong"}, "SignatureDoesNotMatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sts.NewFromConfig(awsConfig(v.url, "eu-west-1", tt.creds)).GetCallerIdentity(ctx(), nil)
			if got := errorCode(err); got != tt.want {
				t.Errorf("code = %q, want %q (%v)", got, tt.want, err)
			}
		})
	}
}
