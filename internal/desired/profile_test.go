package desired

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// TestProfileConfig pins the AWS config a chain's ConfigMap holds: the
// guide's two profiles with IRSA, one with the container provider for Pod
// Identity, profile names every SDK parses, and distinct names when the
// two roles share one.
func TestProfileConfig(t *testing.T) {
	t.Parallel()
	const target, source = "arn:aws:iam::444455556666:role/reader", "arn:aws:iam::111122223333:role/app"
	header := "# Written by irsa-sync for role chaining: the next apply rewrites any edit.\n"
	use := func(profile string) string {
		return "# Use it with AWS_CONFIG_FILE set to this file and the profile " + profile + " selected:\n" +
			"# AWS_PROFILE for the AWS CLI and Python; by name in code for Go (v2) and Java (2.x),\n" +
			"# whose default chains take the pod's own web identity first.\n"
	}
	for _, tc := range []struct {
		name, targetName, sourceName string
		irsa                         bool
		want                         string
	}{
		{"irsa", "reader", "app", true, header + use("reader") +
			"[profile reader]\nrole_arn = " + target + "\nsource_profile = app\n\n" +
			"[profile app]\nrole_arn = " + source + "\nweb_identity_token_file = " + resource.WebIdentityTokenFile + "\n"},
		{"pod identity", "reader", "app", false, header + use("reader") +
			"[profile reader]\nrole_arn = " + target + "\ncredential_source = EcsContainer\n"},
		{"same name", "app", "App", true, header + use("app") +
			"[profile app]\nrole_arn = " + target + "\nsource_profile = App-source\n\n" +
			"[profile App-source]\nrole_arn = " + source + "\nweb_identity_token_file = " + resource.WebIdentityTokenFile + "\n"},
		{"IAM's other characters", "data+reader@x", "a=b,c", true, header + use("data-reader-x") +
			"[profile data-reader-x]\nrole_arn = " + target + "\nsource_profile = a-b-c\n\n" +
			"[profile a-b-c]\nrole_arn = " + source + "\nweb_identity_token_file = " + resource.WebIdentityTokenFile + "\n"},
		{"names alike once mapped", "a+b", "a=b", true, header + use("a-b") +
			"[profile a-b]\nrole_arn = " + target + "\nsource_profile = a-b-source\n\n" +
			"[profile a-b-source]\nrole_arn = " + source + "\nweb_identity_token_file = " + resource.WebIdentityTokenFile + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := ProfileConfig(tc.targetName, target, tc.sourceName, source, tc.irsa)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ProfileConfig (-want +got):\n%s", diff)
			}
			if arns := resource.ProfileRoleARNs(got); arns[0] != target || (tc.irsa && (len(arns) != 2 || arns[1] != source)) {
				t.Errorf("role ARNs read back = %v", arns)
			}
			if strings.HasSuffix(got, "\n\n") {
				t.Error("the config ends in a blank line")
			}
		})
	}
}
