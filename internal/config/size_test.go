package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/irsa-sync/irsa-sync/internal/policy"
)

// documentOfSize returns a policy JSON text of exactly size characters as
// IAM counts them (white space not counted), written with single values as
// people write them, and padded with an object key of "é" so that bytes
// and characters differ.
func documentOfSize(t *testing.T, size int) string {
	t.Helper()
	doc := func(pad int) string {
		return fmt.Sprintf("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::bucket/%s\"}\n}\n", strings.Repeat("é", pad))
	}
	base := policy.Size(doc(0))
	text := doc(size - base)
	if got := policy.Size(text); got != size {
		t.Fatalf("built a document of %d characters, want %d", got, size)
	}
	return text
}

// TestPolicySizeAsIAMCountsIt checks the managed policy limit at its edge:
// a document of exactly 6,144 characters (IAM takes it) is accepted, one
// of 6,145 is refused by 1. Measured on the text sent, not after single
// values become lists.
func TestPolicySizeAsIAMCountsIt(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		size int
		want string
	}{
		{maxManagedPolicySize, ""},
		{maxManagedPolicySize + 1, "the policy document is 6145 characters (white space not counted), over IAM's limit of 6144 for a managed policy by 1"},
	} {
		t.Run(fmt.Sprint(tt.size), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "doc.json"), []byte(documentOfSize(t, tt.size)), 0o644); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, "bindings.yaml")
			if err := os.WriteFile(file, []byte(bindingsWithDocumentFile), 0o644); err != nil {
				t.Fatal(err)
			}
			ds := check(t, file)
			switch {
			case tt.want == "" && ds != nil:
				t.Errorf("want no diagnostics, got:\n%v", ds)
			case tt.want != "" && (len(ds) != 1 || !strings.Contains(ds[0].Message, tt.want)):
				t.Errorf("got:\n%v\nwant one diagnostic containing %q", ds, tt.want)
			}
		})
	}
}
