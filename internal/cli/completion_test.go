package cli

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCompletion asks cobra's hidden __complete command, as the shells do.
func TestCompletion(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"plan", "--output", ""}, []string{"text", "json", "markdown"}},
		{[]string{"apply", "-o", ""}, []string{"text", "json"}},
		{[]string{"explain", "x", "--output", ""}, []string{"text", "mermaid"}},
		{[]string{"plan", "--log-format", ""}, []string{"text", "json"}},
		{[]string{"validate", "--log-level", ""}, []string{"debug", "info", "warn", "error"}},
		{[]string{"explain", "-f", example, ""}, []string{"analytics-reader", "my-role", "web-frontend"}},
		{[]string{"explain", "-f", "no-such-file.yaml", ""}, nil},
	}
	for _, tt := range tests {
		code, out, stderr := run(t, append([]string{"__complete"}, tt.args...)...)
		if code != ExitOK {
			t.Fatalf("__complete %v: exit %d: %s", tt.args, code, stderr)
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			if l != "" && !strings.HasPrefix(l, ":") {
				got = append(got, l)
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("__complete %v (-want +got):\n%s", tt.args, diff)
		}
	}
}
