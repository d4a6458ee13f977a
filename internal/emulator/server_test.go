package emulator

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"
)

func TestCallCounters(t *testing.T) {
	v := newEnv(t, Options{})
	v.mustCreateRole(t, "a")
	_, _ = v.iam.GetRole(ctx(), &iam.GetRoleInput{RoleName: aws.String("a")})
	_, _ = v.iam.GetRole(ctx(), &iam.GetRoleInput{RoleName: aws.String("missing")})
	_, _ = v.sts.GetCallerIdentity(ctx(), nil)
	if d := cmp.Diff(map[string]int{"iam:CreateRole": 1, "iam:GetRole": 2, "sts:GetCallerIdentity": 1}, v.emu.Calls()); d != "" {
		t.Errorf("Calls (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]int{"iam:CreateRole": 1}, v.emu.Writes()); d != "" {
		t.Errorf("Writes (-want +got):\n%s", d)
	}
	v.emu.ResetCalls()
	if len(v.emu.Calls()) != 0 || len(v.emu.Writes()) != 0 {
		t.Errorf("ResetCalls left %v %v", v.emu.Calls(), v.emu.Writes())
	}
}

func TestFault(t *testing.T) {
	v := newEnv(t, Options{})
	v.emu.SetFault(func(service, action string) error {
		switch action {
		case "ListRoles":
			return &APIError{Status: 400, Code: "Throttling", Message: "Rate exceeded"}
		case "GetRole":
			return errors.New("boom")
		}
		return nil
	})
	_, err := v.iam.ListRoles(ctx(), &iam.ListRolesInput{})
	if errorCode(err) != "Throttling" || !strings.Contains(err.Error(), "Rate exceeded") {
		t.Errorf("ListRoles: %v, want Throttling", err)
	}
	_, err = v.iam.GetRole(ctx(), &iam.GetRoleInput{RoleName: aws.String("x")})
	var sf *types.ServiceFailureException
	if !errors.As(err, &sf) {
		t.Errorf("GetRole: %v, want ServiceFailure", err)
	}
	if _, err := v.sts.GetCallerIdentity(ctx(), nil); err != nil {
		t.Errorf("unfaulted action failed: %v", err)
	}
	v.emu.SetFault(nil)
	if _, err := v.iam.ListRoles(ctx(), &iam.ListRolesInput{}); err != nil {
		t.Errorf("after clearing the fault: %v", err)
	}
}

// TestRawProtocol sends hand-signed requests to check what the SDK never
// sends: unknown actions and unsigned requests.
func TestRawProtocol(t *testing.T) {
	v := newEnv(t, Options{})
	creds := v.emu.EnsureAccount(acctA)
	send := func(body string, sign bool) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, v.url+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if sign {
			sum := sha256.Sum256([]byte(body))
			err := v4.NewSigner().SignHTTP(ctx(), aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey},
				req, hex.EncodeToString(sum[:]), "iam", "us-east-1", time.Now())
			if err != nil {
				t.Fatal(err)
			}
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	tests := []struct {
		name, body string
		sign       bool
		status     int
		contains   string
	}{
		{"unknown action", "Action=FlyToTheMoon&Version=2010-05-08", true, 400, "<Code>InvalidAction</Code>"},
		{"unsigned", "Action=ListRoles&Version=2010-05-08", false, 403, "<Code>MissingAuthenticationToken</Code>"},
		{"envelope", "Action=ListRoles&Version=2010-05-08", true, 200, "<ListRolesResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ListRolesResult>"},
		{"error envelope", "Action=GetRole&Version=2010-05-08&RoleName=x", true, 404, "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>NoSuchEntity</Code>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := send(tt.body, tt.sign)
			if status != tt.status || !strings.Contains(body, tt.contains) {
				t.Errorf("got %d %s, want %d containing %s", status, body, tt.status, tt.contains)
			}
		})
	}
}

func TestStateRoundTrip(t *testing.T) {
	v := newEnv(t, Options{})
	v.emu.EnsureCluster(acctA, "eu-west-1", "prod", issuer)
	v.emu.SetQuota(acctA, "RolesQuota", 5)
	v.mustCreateRole(t, "app")
	arn := v.mustCreatePolicy(t, "pol")
	if _, err := v.iam.AttachRolePolicy(ctx(), &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.iam.CreateOpenIDConnectProvider(ctx(), &iam.CreateOpenIDConnectProviderInput{Url: aws.String(issuer), ClientIDList: []string{"sts.amazonaws.com"}}); err != nil {
		t.Fatal(err)
	}
	saved, err := v.emu.MarshalState()
	if err != nil {
		t.Fatal(err)
	}
	again, _ := v.emu.MarshalState()
	if !bytes.Equal(saved, again) {
		t.Error("MarshalState is not deterministic")
	}

	restored := newEnv(t, Options{})
	if err := restored.emu.UnmarshalState(saved); err != nil {
		t.Fatal(err)
	}
	roundTrip, _ := restored.emu.MarshalState()
	if d := cmp.Diff(string(saved), string(roundTrip)); d != "" {
		t.Errorf("round trip (-saved +restored):\n%s", d)
	}
	// The same keys work against the restored emulator, and the objects answer.
	out, err := restored.iam.ListAttachedRolePolicies(ctx(), &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("app")})
	if err != nil || len(out.AttachedPolicies) != 1 {
		t.Errorf("restored attachments: %+v, %v", out, err)
	}
	sum, err := restored.iam.GetAccountSummary(ctx(), nil)
	if err != nil || sum.SummaryMap["RolesQuota"] != 5 {
		t.Errorf("restored quota: %v, %v", sum, err)
	}
	if err := restored.emu.UnmarshalState([]byte(`{"accounts":`)); err == nil {
		t.Error("truncated state accepted")
	}
}

func TestConcurrentUse(t *testing.T) {
	v := newEnv(t, Options{Latency: time.Millisecond})
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 0; i < 20; i++ {
		wg.Add(2)
		go func(i int) {
			defer wg.Done()
			_, err := v.iam.CreateRole(ctx(), &iam.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("r%d", i)), AssumeRolePolicyDocument: aws.String(trustDoc)})
			errs <- err
		}(i)
		go func() {
			defer wg.Done()
			_, err := v.sts.GetCallerIdentity(ctx(), &sts.GetCallerIdentityInput{})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := v.emu.Writes()["iam:CreateRole"]; got != 20 {
		t.Errorf("CreateRole writes = %d, want 20", got)
	}
}
