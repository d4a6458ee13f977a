package faults

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/irsa-sync/irsa-sync/internal/config"
)

// TestTrustRulesBothWays checks each trust rule of validation on a file
// that breaks it (refused, with the risk explained) and on its nearest
// safe variant (accepted).
func TestTrustRulesBothWays(t *testing.T) {
	tests := []struct {
		rule string
		role string // extra role fields
		sa   string // the binding's namespace and name
		risk string // a fragment of the refusal; empty: accepted
	}{
		{"match everything: *:*", "", `namespace: "*", name: "*"`, "matches every service account"},
		{"named namespace, any name", "", `namespace: batch, name: "*"`, ""},
		{"wildcard namespace", "", `namespace: "team-*", name: app`, "has a wildcard: any namespace that matches, including ones created later"},
		{"wildcard namespace, allowed", "allowNamespaceWildcard: true", `namespace: "team-*", name: app`, ""},
		{"wildcard namespace and name, allowed", "allowNamespaceWildcard: true", `namespace: "*", name: "*"`, "matches every service account"},
		{"invalid namespace", "", `namespace: Team_A, name: app`, "is not a Kubernetes namespace name"},
		{"invalid name", "", `namespace: default, name: "App!"`, "is not a Kubernetes service account name"},
		{"namespace too long", "", `namespace: ` + strings.Repeat("a", 64) + `, name: app`, "no pod could ever present it"},
		{"valid names", "", `namespace: team-a, name: app.v2`, ""},
		{"no namespace (no sub)", "", `name: app`, "namespace is required"},
		{"no name (no sub)", "", `namespace: default`, "name is required"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			yaml := `apiVersion: irsa-sync/v1
kind: Bindings
owner: team-a
accounts: [{name: prod, id: "111122223333"}]
clusters: [{name: c1, account: prod, region: us-east-1}]
roles:
  - name: app
    account: prod
    ` + tt.role + `
    serviceAccounts:
      - {cluster: c1, ` + tt.sa + `}
`
			path := filepath.Join(t.TempDir(), "bindings.yaml")
			if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := config.Load(path)
			var msg string
			if err != nil {
				msg = err.Error()
			} else if ds := config.Validate(f); len(ds) > 0 {
				msg = ds.Error()
			}
			switch {
			case tt.risk == "" && msg != "":
				t.Errorf("a safe binding was refused: %s", msg)
			case tt.risk != "" && !strings.Contains(msg, tt.risk):
				t.Errorf("refusal %q does not explain %q", msg, tt.risk)
			case tt.risk != "" && !strings.Contains(msg, "bindings.yaml:11: roles[0].serviceAccounts[0]"):
				t.Errorf("refusal does not name the place: %s", msg)
			}
		})
	}
}
