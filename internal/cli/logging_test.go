package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestJSONLogs applies the example in the sandbox with --log-format json:
// every stderr line is a JSON object, the read is logged per account and
// cluster, every change has its record, and no line holds a secret key or a
// session token of the sandbox's accounts.
func TestJSONLogs(t *testing.T) {
	runs := captureSandboxes(t)
	code, _, stderr := run(t, "apply", "--sandbox", t.TempDir(), "-f", example, "--log-format", "json")
	if code != ExitOK {
		t.Fatalf("apply: exit %d\n%s", code, stderr)
	}
	sb := last(t, runs).sb
	var secrets []string
	for _, id := range []string{"111122223333", "444455556666"} {
		c := sb.Emulator.EnsureAccount(id)
		secrets = append(secrets, c.SecretAccessKey)
		if c.SessionToken != "" {
			secrets = append(secrets, c.SessionToken)
		}
	}
	msgs := map[string]int{}
	for i, line := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("stderr line %d is not JSON: %v: %q", i+1, err, line)
			continue
		}
		msg, _ := rec["msg"].(string)
		msgs[msg]++
		if msg == "change" {
			for _, k := range []string{"address", "action", "result", "durationMs"} {
				if _, ok := rec[k]; !ok {
					t.Errorf("change record without %s: %s", k, line)
				}
			}
		}
		for _, s := range secrets {
			if strings.Contains(line, s) {
				t.Errorf("stderr line %d holds a credential: %s", i+1, line)
			}
		}
	}
	want := map[string]int{"read account": 2, "read cluster": 2, "read the live state": 1, "plan": 1, "change": 15, "apply finished": 1}
	for msg, n := range want {
		if msgs[msg] != n {
			t.Errorf("%d %q records, want %d (all: %v)", msgs[msg], msg, n, msgs)
		}
	}
	if len(secrets) < 2 {
		t.Fatalf("found %d secrets to look for; the test would prove nothing", len(secrets))
	}
}

func TestLogFlags(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"validate", "-f", example, "--log-format", "yaml"}, ExitError, `unknown log format "yaml"`},
		{[]string{"validate", "-f", example, "--log-level", "loud"}, ExitError, `unknown log level "loud"`},
	}
	for _, tt := range tests {
		code, _, stderr := run(t, tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", tt.args, code, stderr, tt.code, tt.want)
		}
	}
	// Text logs are key=value lines.
	code, _, stderr := run(t, "plan", "--sandbox", t.TempDir(), "-f", example)
	if code != ExitOK || !strings.Contains(stderr, `level=INFO msg="read account" account=prod id=111122223333`) {
		t.Errorf("text logs: exit %d, stderr:\n%s", code, stderr)
	}
}
