package connect

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/config"
)

// TestRealSignsInTheAccountsPartition: an account of aws-cn or aws-us-gov
// (by its clusters' regions) is signed in a region of its partition when
// the environment names no region or one of another partition, and in the
// environment's region when that is in the right partition.
func TestRealSignsInTheAccountsPartition(t *testing.T) {
	isolateAWS(t, "")
	f := &config.File{
		Accounts: []config.Account{{Name: "gov", ID: "111122223333"}, {Name: "cn", ID: "444455556666"}, {Name: "com", ID: "777788889999"}, {Name: "bare", ID: "123412341234"}},
		Clusters: []config.Cluster{
			{Name: "g", Account: "gov", Region: "us-gov-east-1"},
			{Name: "c", Account: "cn", Region: "cn-northwest-1"},
			{Name: "e", Account: "com", Region: "eu-west-1"},
		},
	}
	for _, tc := range []struct {
		env  string
		want map[string]string
	}{
		{"", map[string]string{"gov": "us-gov-east-1", "cn": "cn-northwest-1", "com": DefaultRegion, "bare": DefaultRegion}},
		{"us-gov-west-1", map[string]string{"gov": "us-gov-west-1", "cn": "cn-northwest-1", "com": "eu-west-1", "bare": "us-gov-west-1"}},
		{"eu-central-1", map[string]string{"gov": "us-gov-east-1", "cn": "cn-northwest-1", "com": "eu-central-1", "bare": "eu-central-1"}},
	} {
		t.Setenv("AWS_REGION", tc.env)
		t.Setenv("AWS_DEFAULT_REGION", "")
		r := &Real{Regions: AccountRegions(f)}
		for _, a := range f.Accounts {
			cfg, err := r.AWS(context.Background(), a)
			if err != nil {
				t.Fatalf("AWS_REGION=%q, account %s: %v", tc.env, a.Name, err)
			}
			if cfg.Region != tc.want[a.Name] {
				t.Errorf("AWS_REGION=%q, account %s: region %q, want %q", tc.env, a.Name, cfg.Region, tc.want[a.Name])
			}
		}
	}
}

// isolateAWS points the SDK's shared files at a temporary config holding
// sharedConfig (and an empty credentials file) and clears every variable
// that would let ~/.aws or the caller's environment decide credentials,
// region or endpoints.
func isolateAWS(t *testing.T, sharedConfig string) {
	t.Helper()
	dir := t.TempDir()
	cfgFile, credFile := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	if err := os.WriteFile(cfgFile, []byte(sharedConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(credFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", cfgFile)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credFile)
	for _, v := range []string{
		"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_IAM", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
	} {
		t.Setenv(v, "")
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// Roles of the shared config file of TestRealResolvesCredentialsInThePartition.
const (
	defaultRole = "arn:aws-us-gov:iam::111122223333:role/default"
	profileRole = "arn:aws-us-gov:iam::111122223333:role/x"
	accountRole = "arn:aws-us-gov:iam::111122223333:role/irsa-sync-plan"
)

// TestRealResolvesCredentialsInThePartition: the credentials of a GovCloud
// account are fetched from STS in a region of its partition (the one its
// clusters imply, unless the environment or profile names another region
// of that partition), whether they come from a profile's role_arn, the
// default profile's, or the account's assumeRoleArn on top: GovCloud roles
// cannot be assumed through a commercial STS endpoint.
func TestRealResolvesCredentialsInThePartition(t *testing.T) {
	f := &config.File{
		Accounts: []config.Account{{Name: "gov", ID: "111122223333"}},
		Clusters: []config.Cluster{{Name: "g", Account: "gov", Region: "us-gov-east-1"}},
	}
	for _, tc := range []struct {
		name    string
		account config.Account
		roles   []string          // the AssumeRole calls, in order
		want    map[string]string // signing region by AWS_REGION
	}{
		{
			name:    "profile role_arn",
			account: config.Account{Name: "gov", ID: "111122223333", Profile: "gov"},
			roles:   []string{profileRole},
			want:    map[string]string{"": "us-gov-east-1", "eu-west-1": "us-gov-east-1", "us-gov-west-1": "us-gov-west-1"},
		},
		{
			name:    "profile with a region of the partition",
			account: config.Account{Name: "gov", ID: "111122223333", Profile: "govwest"},
			roles:   []string{profileRole},
			want:    map[string]string{"": "us-gov-west-1", "eu-west-1": "us-gov-east-1", "us-gov-west-1": "us-gov-west-1"},
		},
		{
			name:    "default profile then assumeRoleArn",
			account: config.Account{Name: "gov", ID: "111122223333", AssumeRoleArn: accountRole},
			roles:   []string{defaultRole, accountRole},
			want:    map[string]string{"": "us-gov-east-1", "eu-west-1": "us-gov-east-1", "us-gov-west-1": "us-gov-west-1"},
		},
		{
			name:    "profile role_arn then assumeRoleArn",
			account: config.Account{Name: "gov", ID: "111122223333", Profile: "gov", AssumeRoleArn: accountRole},
			roles:   []string{profileRole, accountRole},
			want:    map[string]string{"": "us-gov-east-1", "eu-west-1": "us-gov-east-1", "us-gov-west-1": "us-gov-west-1"},
		},
	} {
		for _, env := range []string{"", "eu-west-1", "us-gov-west-1"} {
			t.Run(tc.name+"/AWS_REGION="+env, func(t *testing.T) {
				isolateAWS(t, "[default]\nrole_arn = "+defaultRole+"\nsource_profile = base\n\n"+
					"[profile gov]\nrole_arn = "+profileRole+"\nsource_profile = base\n\n"+
					"[profile govwest]\nregion = us-gov-west-1\nrole_arn = "+profileRole+"\nsource_profile = base\n\n"+
					"[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = secret\n")
				sts := &fakeSTS{t: t}
				srv := httptest.NewServer(sts)
				t.Cleanup(srv.Close)
				t.Setenv("AWS_ENDPOINT_URL_STS", srv.URL)
				t.Setenv("AWS_REGION", env)
				r := &Real{Regions: AccountRegions(f)}
				cfg, err := r.AWS(context.Background(), tc.account)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := cfg.Credentials.Retrieve(context.Background()); err != nil {
					t.Fatalf("retrieve credentials: %v", err)
				}
				var want []stsCall
				for _, role := range tc.roles {
					want = append(want, stsCall{Role: role, Region: tc.want[env]})
				}
				if diff := cmp.Diff(want, sts.calls); diff != "" {
					t.Errorf("AssumeRole calls (-want +got):\n%s", diff)
				}
				if cfg.Region != tc.want[env] {
					t.Errorf("region %q, want %q", cfg.Region, tc.want[env])
				}
			})
		}
	}
}

// stsCall is one AssumeRole request: the role and the region of the
// SigV4 credential scope it was signed for.
type stsCall struct{ Role, Region string }

// fakeSTS answers AssumeRole as STS does (the Query protocol's XML) and
// records each call.
type fakeSTS struct {
	t     *testing.T
	mu    sync.Mutex
	calls []stsCall
}

func (s *fakeSTS) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if err := req.ParseForm(); err != nil || req.PostForm.Get("Action") != "AssumeRole" {
		s.t.Errorf("unexpected STS request %s %v (%v)", req.Method, req.PostForm, err)
		http.Error(w, "unexpected request", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.calls = append(s.calls, stsCall{Role: req.PostForm.Get("RoleArn"), Region: scopeRegion(req.Header.Get("Authorization"))})
	s.mu.Unlock()
	// The shape of
	// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html#API_AssumeRole_Examples
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>ASIAFAKE</AccessKeyId>
      <SecretAccessKey>secret</SecretAccessKey>
      <SessionToken>token</SessionToken>
      <Expiration>%s</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <Arn>%s/irsa-sync</Arn>
      <AssumedRoleId>AROAFAKE:irsa-sync</AssumedRoleId>
    </AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</AssumeRoleResponse>`, time.Now().Add(time.Hour).UTC().Format(time.RFC3339), req.PostForm.Get("RoleArn"))
}

// scopeRegion returns the region of a SigV4 Authorization header's
// credential scope (Credential=KEY/DATE/REGION/SERVICE/aws4_request), or
// "" when there is none.
func scopeRegion(auth string) string {
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	cred, _, _ = strings.Cut(cred, ",")
	if parts := strings.Split(cred, "/"); len(parts) == 5 {
		return parts[2]
	}
	return ""
}

// TestRealLoadsEachConfigurationOnce: accounts asking at once for the same
// profile in the same partition share one loaded configuration, so its
// credentials are fetched once, and the loads are safe to race (run with
// -race).
func TestRealLoadsEachConfigurationOnce(t *testing.T) {
	isolateAWS(t, "[profile gov]\nrole_arn = "+profileRole+"\nsource_profile = base\n\n"+
		"[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = secret\n")
	sts := &fakeSTS{t: t}
	srv := httptest.NewServer(sts)
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ENDPOINT_URL_STS", srv.URL)
	accounts := []config.Account{{Name: "a", ID: "111122223333", Profile: "gov"}, {Name: "b", ID: "111122223334", Profile: "gov"}}
	r := &Real{Regions: map[string]string{"a": "us-gov-east-1", "b": "us-gov-east-1"}}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg, err := r.AWS(context.Background(), accounts[i%len(accounts)])
			if err == nil {
				_, err = cfg.Credentials.Retrieve(context.Background())
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("call %d: %v", i, err)
		}
	}
	if diff := cmp.Diff([]stsCall{{Role: profileRole, Region: "us-gov-east-1"}}, sts.calls); diff != "" {
		t.Errorf("AssumeRole calls (-want +got):\n%s", diff)
	}
}
