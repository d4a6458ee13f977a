package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMarkdownAfterAChange is the pull-request comment for an edit of the
// example after it was applied: a policy statement added, a role's
// description changed, and a service account binding removed.
func TestMarkdownAfterAChange(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, ExitOK, "apply", "--sandbox", dir, "-f", example)
	file := editedExample(t,
		`- {Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::my-pod-secrets-bucket"}`,
		`- {Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::my-pod-secrets-bucket"}
        - {Effect: Allow, Action: s3:ListBucket, Resource: "arn:aws:s3:::my-pod-secrets-bucket"}`,
		"description: my-role-description", "description: reads the pod secrets bucket",
		"      - {cluster: prod-euw1, namespace: default, name: my-service-account}\n", "")
	md := mustRun(t, ExitChanges, "plan", "--sandbox", dir, "-f", file, "-o", "markdown", "--detailed-exitcode")
	golden(t, "example-plan-after-change.md", md)
}

// TestMarkdownFolds plans a generated file of many roles with a small byte
// bound: details fold, a note says what was left out, and the bound holds.
func TestMarkdownFolds(t *testing.T) {
	const max = 6000
	md := mustRun(t, ExitChanges, "plan", "--sandbox", t.TempDir(), "-f", manyRoles(t, 40), "-o", "markdown",
		"--markdown-max-bytes", fmt.Sprint(max), "--detailed-exitcode")
	if len(md) > max {
		t.Errorf("Markdown plan is %d bytes, over the bound of %d", len(md), max)
	}
	full := mustRun(t, ExitChanges, "plan", "--sandbox", t.TempDir(), "-f", manyRoles(t, 40), "-o", "markdown", "--detailed-exitcode")
	if len(full) <= max {
		t.Fatalf("the unbounded plan is %d bytes: too small to need folding", len(full))
	}
	golden(t, "many-roles-folded.md", md)
}

// manyRoles writes a bindings file of n roles, each bound to one service
// account in one cluster.
func manyRoles(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(`apiVersion: irsa-sync/v1
kind: Bindings
owner: platform-prod
accounts: [{name: prod, id: "111122223333"}]
clusters: [{name: prod-use1, account: prod, region: us-east-1}]
roles:
`)
	for i := range n {
		fmt.Fprintf(&b, `  - name: app-%02d
    account: prod
    policies: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]
    serviceAccounts: [{cluster: prod-use1, namespace: apps, name: app-%02d}]
`, i, i)
	}
	path := filepath.Join(t.TempDir(), "bindings.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
