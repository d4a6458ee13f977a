package cli

import (
	"encoding/json"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// setStamp sets the -X stamped variables for one test. Tests that call it
// do not run in parallel: the variables are package-wide.
func setStamp(t *testing.T, version, commit string) {
	t.Helper()
	v, c := Version, Commit
	t.Cleanup(func() { Version, Commit = v, c })
	Version, Commit = version, commit
}

func TestCurrentVersion(t *testing.T) {
	vcs := &debug.BuildInfo{
		Main:     debug.Module{Path: "github.com/irsa-sync/irsa-sync", Version: "v0.1.1-0.20260101000000-abcdef123456"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abcdef1234567890"}},
	}
	tests := []struct {
		name           string
		stampV, stampC string
		info           *debug.BuildInfo
		haveInfo       bool
		wantV, wantC   string
	}{
		{"make build stamps both", "v0.1.0-3-g0123abc-dirty", "0123abc", vcs, true, "v0.1.0-3-g0123abc-dirty", "0123abc"},
		{"go install falls back to build info", "", "", vcs, true, vcs.Main.Version, "abcdef1234567890"},
		{"stamped version, commit from vcs", "v0.2.0", "", vcs, true, "v0.2.0", "abcdef1234567890"},
		{"nothing known", "", "", nil, false, "(devel)", "unknown"},
		{"build info without vcs", "", "", &debug.BuildInfo{}, true, "(devel)", "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setStamp(t, tt.stampV, tt.stampC)
			want := versionInfo{Version: tt.wantV, Commit: tt.wantC, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
			if diff := cmp.Diff(want, currentVersion(tt.info, tt.haveInfo)); diff != "" {
				t.Errorf("currentVersion (-want +got):\n%s", diff)
			}
		})
	}
}

func TestVersionOutputs(t *testing.T) {
	setStamp(t, "v0.1.0-2-gfeedbee", "feedbee")
	platform := runtime.GOOS + "/" + runtime.GOARCH

	code, out, stderr := run(t, "version")
	wantText := "irsa-sync v0.1.0-2-gfeedbee (commit feedbee, " + runtime.Version() + ", " + platform + ")\n"
	if code != ExitOK || out != wantText {
		t.Errorf("version: exit %d, stderr %q\n got %q\nwant %q", code, stderr, out, wantText)
	}

	code, out, stderr = run(t, "version", "--output", "json")
	if code != ExitOK {
		t.Fatalf("version --output json: exit %d, stderr %q", code, stderr)
	}
	var got map[string]string
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("version --output json is not one JSON object of strings: %v\n%s", err, out)
	}
	want := map[string]string{"version": "v0.1.0-2-gfeedbee", "commit": "feedbee", "goVersion": runtime.Version(), "platform": platform}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("version --output json (-want +got):\n%s", diff)
	}

	code, _, stderr = run(t, "version", "-o", "yaml")
	if code != ExitError || !strings.Contains(stderr, `unknown output format "yaml" for version: use text or json`) {
		t.Errorf("version -o yaml: exit %d, stderr %q; want exit 1 naming the formats", code, stderr)
	}
}
