package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPartitionFilesRunClean runs a GovCloud and a China bindings file on
// the sandbox, whose accounts live in the partition the files' regions
// imply: plan, apply, plan "No changes.", and no ARN of the commercial
// partition anywhere in the JSON plan or in what was written.
func TestPartitionFilesRunClean(t *testing.T) {
	for _, tc := range []struct{ file, partition, domain string }{
		{"govcloud.yaml", "aws-us-gov", ".amazonaws.com/id/"},
		{"china.yaml", "aws-cn", ".amazonaws.com.cn/id/"},
	} {
		t.Run(tc.partition, func(t *testing.T) {
			t.Parallel()
			file := filepath.Join("testdata", "partitions", tc.file)
			dir := t.TempDir()
			js := mustRun(t, ExitOK, "plan", "--sandbox", dir, "-f", file, "--output", "json")
			checkPartition(t, "the JSON plan", js, tc.partition)
			for _, want := range []string{
				`"arn:` + tc.partition + `:iam::111122223333:role/irsa/`,
				`"arn:` + tc.partition + `:iam::111122223333:policy/`,
				`"arn:` + tc.partition + `:iam::444455556666:oidc-provider/oidc.eks.`,
				`"sts.amazonaws.com"`,
				tc.domain,
			} {
				if !strings.Contains(js, want) {
					t.Errorf("the JSON plan has no %s", want)
				}
			}
			out := mustRun(t, ExitOK, "apply", "--sandbox", dir, "-f", file)
			if !strings.Contains(out, "Apply complete: 9 added, 0 changed, 0 deleted.") {
				t.Errorf("apply:\n%s", out)
			}
			for _, name := range []string{"aws.json", "clusters"} {
				checkWritten(t, filepath.Join(dir, name), tc.partition)
			}
			out = mustRun(t, ExitOK, "plan", "--sandbox", dir, "-f", file, "--detailed-exitcode")
			if !strings.Contains(out, "No changes.") {
				t.Errorf("plan after apply is not clean:\n%s", out)
			}
			js = mustRun(t, ExitOK, "plan", "--sandbox", dir, "-f", file, "--output", "json")
			checkPartition(t, "the JSON plan after apply", js, tc.partition)
		})
	}
}

// checkPartition fails on any commercial-partition ARN in text.
func checkPartition(t *testing.T, what, text, partition string) {
	t.Helper()
	if i := strings.Index(text, "arn:aws:"); i >= 0 {
		end := min(len(text), i+80)
		t.Errorf("%s has an arn:aws: ARN in a %s run: %s", what, partition, text[i:end])
	}
}

// checkWritten scans the sandbox's saved state: what IAM and the clusters
// hold after apply.
func checkWritten(t *testing.T, path, partition string) {
	t.Helper()
	err := filepath.Walk(path, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		checkPartition(t, p, string(b), partition)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
