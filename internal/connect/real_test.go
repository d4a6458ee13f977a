package connect

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/irsa-sync/irsa-sync/internal/config"
)

// TestRealSignsInTheAccountsPartition: an account of aws-cn or aws-us-gov
// (by its clusters' regions) is signed in a region of its partition when
// the environment names no region or one of another partition, and in the
// environment's region when that is in the right partition.
func TestRealSignsInTheAccountsPartition(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", empty)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", empty)
	t.Setenv("AWS_PROFILE", "")
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
