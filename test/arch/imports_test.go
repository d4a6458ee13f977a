package arch

import (
	"os/exec"
	"strings"
	"testing"
)

// pure are the packages that must compute from plain data only. Every
// import of an SDK or client-go there would be I/O waiting to happen.
var pure = []string{
	"./internal/plan", "./internal/render", "./internal/state", "./internal/desired",
	"./internal/resource", "./internal/policy", "./internal/trust", "./internal/access",
	"./internal/docdiff", "./internal/saved", "./internal/partition", "./internal/importer",
}

// forbidden are the import path prefixes of the AWS SDK and client-go.
var forbidden = []string{"github.com/aws/aws-sdk-go-v2", "github.com/aws/smithy-go", "k8s.io/client-go", "k8s.io/api/", "k8s.io/apimachinery"}

func TestPurePackagesImportNoSDK(t *testing.T) {
	t.Parallel()
	for _, pkg := range pure {
		t.Run(pkg, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command("go", "list", "-deps", pkg)
			cmd.Dir = "../.."
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
			}
			for _, dep := range strings.Fields(string(out)) {
				for _, f := range forbidden {
					if strings.HasPrefix(dep, f) {
						t.Errorf("%s imports %s (through its dependencies): keep SDK and client-go calls in the readers and internal/apply", pkg, dep)
					}
				}
			}
		})
	}
}

// TestDetectorSeesTheReaders is the check's own check: the readers do
// import the SDK, and the test above would say so of them.
func TestDetectorSeesTheReaders(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("go", "list", "-deps", "./internal/live")
	cmd.Dir = "../.."
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps ./internal/live: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), forbidden[0]) {
		t.Errorf("internal/live does not import %s: the detector cannot be trusted", forbidden[0])
	}
}
