package access

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsArePure checks the design rule this package exists for: it
// reads documents only, so neither it nor anything it imports pulls in an
// AWS SDK or a Kubernetes client, and it imports nothing of irsa-sync but
// policy documents and trust rules.
func TestImportsArePure(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH")
	}
	const self = "github.com/irsa-sync/irsa-sync/internal/"
	direct := goList(t, "{{join .Imports \"\\n\"}}", ".")
	allowed := map[string]bool{self + "policy": true, self + "trust": true}
	for _, p := range direct {
		if strings.Contains(strings.SplitN(p, "/", 2)[0], ".") && !allowed[p] {
			t.Errorf("internal/access imports %s; it may import only the standard library, internal/policy and internal/trust", p)
		}
	}
	for _, p := range goList(t, "", "-deps", ".") {
		for _, banned := range []string{"github.com/aws/", "k8s.io/", "sigs.k8s.io/"} {
			if strings.HasPrefix(p, banned) {
				t.Errorf("internal/access depends on %s (through %s...): it must stay a pure package", p, banned)
			}
		}
	}
}

func goList(t *testing.T, format string, args ...string) []string {
	t.Helper()
	cmd := append([]string{"list"}, args...)
	if format != "" {
		cmd = append([]string{"list", "-f", format}, args...)
	}
	out, err := exec.Command("go", cmd...).Output()
	if err != nil {
		t.Fatalf("go %s: %v", strings.Join(cmd, " "), err)
	}
	return strings.Fields(string(out))
}
