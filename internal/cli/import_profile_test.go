package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

// profileRoles chain to two roles of account data with a profile
// ConfigMap each: from app, whose pods use IRSA, and from pods-only, whose
// pods use EKS Pod Identity (the profile then takes the source's
// credentials from the container provider).
const profileRoles = `
roles:
  - name: app
    account: prod
    serviceAccounts:
      - {cluster: prod-use1, namespace: default, name: app}
  - name: pods-only
    account: prod
    path: /irsa/
    serviceAccounts:
      - {cluster: prod-use1, namespace: web, name: api, via: podIdentity}
  - name: warehouse-writer
    account: data
    assumedFrom:
      - {role: app, profileConfigMap: {cluster: prod-use1, namespace: default, name: warehouse-aws}}
  - name: tagger
    account: data
    assumedFrom:
      - {role: app, tagSession: true}
      - {role: pods-only, profileConfigMap: {cluster: prod-use1, namespace: web, name: tagger-aws}}
`

// The profileConfigMap entries an import of profileRoles writes, as YAML.
const (
	importedIRSAProfile = "      - role: app\n        account: prod\n        profileConfigMap:\n          cluster: prod-use1\n          namespace: default\n          name: warehouse-aws\n"
	importedPodProfile  = "      - role: pods-only\n        account: prod\n        profileConfigMap:\n          cluster: prod-use1\n          namespace: web\n          name: tagger-aws\n"
)

// appliedProfiles applies profileRoles on the example's accounts and
// clusters into a new sandbox; it returns the import input and the
// sandbox's directory.
func appliedProfiles(t *testing.T) (in, dir string) {
	t.Helper()
	in = importInput(t)
	estate := filepath.Join(t.TempDir(), "estate.yaml")
	if err := os.WriteFile(estate, []byte(readFile(t, in)+profileRoles), 0o644); err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(t.TempDir(), "sb")
	mustRun(t, 0, "apply", "-f", estate, "--sandbox", dir)
	return in, dir
}

// configMaps runs edit on prod-use1's ConfigMaps API in the sandbox.
func configMaps(t *testing.T, dir, in string, edit func(api func(ns string) corev1client.ConfigMapInterface)) {
	t.Helper()
	f, err := config.Load(in)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.Open(dir, f, sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	edit(sb.Cluster("prod-use1").CoreV1().ConfigMaps)
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestImportOfProfileConfigMaps: an estate irsa-sync applied with profile
// ConfigMaps (an IRSA source and a Pod Identity source) imports with both
// profileConfigMaps, nothing reported; its plan changes and prunes nothing
// (a ConfigMap left out would be pruneable); two imports are byte-identical.
func TestImportOfProfileConfigMaps(t *testing.T) {
	t.Parallel()
	in, dir := appliedProfiles(t)
	outA := filepath.Join(t.TempDir(), "a", "bindings.yaml")
	outB := filepath.Join(t.TempDir(), "b", "bindings.yaml")
	code, _, stderr := run(t, "import", "-f", in, "--sandbox", dir, "--out", outA)
	if code != 0 || stderr != "" {
		t.Fatalf("import: exit %d, reports:\n%s", code, stderr)
	}
	mustRun(t, 0, "import", "-f", in, "--sandbox", dir, "--out", outB)
	sameTree(t, filepath.Dir(outA), filepath.Dir(outB))
	text := readFile(t, outA)
	for _, want := range []string{importedIRSAProfile, importedPodProfile} {
		if !strings.Contains(text, want) {
			t.Errorf("imported file lacks\n%s\nin:\n%s", want, text)
		}
	}
	if strings.Contains(text, "adopt: true\n") {
		t.Errorf("imported file adopts what is this owner's:\n%s", text)
	}
	planClean(t, dir, outA)
}

// TestImportOfEditedProfileConfigMap: a profile edited by hand is still
// imported, and the report says what the next apply rewrites; the plan is
// exactly that rewrite.
func TestImportOfEditedProfileConfigMap(t *testing.T) {
	t.Parallel()
	in, dir := appliedProfiles(t)
	configMaps(t, dir, in, func(api func(string) corev1client.ConfigMapInterface) {
		cm, err := api("default").Get(context.Background(), "warehouse-aws", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cm.Data[resource.ProfileConfigKey] = strings.Replace(cm.Data[resource.ProfileConfigKey], "source_profile = app", "source_profile = default", 1)
		if _, err := api("default").Update(context.Background(), cm, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
			t.Fatal(err)
		}
	})
	file := filepath.Join(t.TempDir(), "bindings.yaml")
	code, _, stderr := run(t, "import", "-f", in, "--sandbox", dir, "--out", file)
	want := `import: changes: prod-use1/configmap default/warehouse-aws: apply rewrites data.config with the AWS config irsa-sync generates for this chain: its line 7 is "source_profile = default", where irsa-sync writes "source_profile = app"` + "\n"
	if code != 0 || stderr != want {
		t.Fatalf("import: exit %d, reports (-want +got):\n%s", code, cmp.Diff(want, stderr))
	}
	if text := readFile(t, file); !strings.Contains(text, importedIRSAProfile) {
		t.Errorf("imported file lacks\n%s\nin:\n%s", importedIRSAProfile, text)
	}
	if diff := cmp.Diff([]string{"update cluster/prod-use1/configmap/default/warehouse-aws [data.config]"}, planned(t, dir, file)); diff != "" {
		t.Errorf("plan of the imported file (-want +got):\n%s", diff)
	}
}

// TestImportOfAdoptedProfileConfigMap: a profile ConfigMap another owner
// holds imports with adopt: true, and the plan is only that adoption;
// apply, and the plan is clean.
func TestImportOfAdoptedProfileConfigMap(t *testing.T) {
	t.Parallel()
	in, dir := appliedProfiles(t)
	configMaps(t, dir, in, func(api func(string) corev1client.ConfigMapInterface) {
		// kubectl annotate --overwrite.
		patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{resource.OwnerAnnotation: "another-team"}}})
		if _, err := api("web").Patch(context.Background(), "tagger-aws", types.MergePatchType, patch, metav1.PatchOptions{FieldManager: "kubectl-annotate"}); err != nil {
			t.Fatal(err)
		}
	})
	file := filepath.Join(t.TempDir(), "bindings.yaml")
	code, _, stderr := run(t, "import", "-f", in, "--sandbox", dir, "--out", file)
	if code != 0 || stderr != "" {
		t.Fatalf("import: exit %d, reports:\n%s", code, stderr)
	}
	adopted := strings.Replace(importedPodProfile, "name: tagger-aws\n", "name: tagger-aws\n          adopt: true\n", 1)
	if text := readFile(t, file); !strings.Contains(text, adopted) || strings.Count(text, "adopt: true\n") != 1 {
		t.Errorf("imported file lacks\n%s\nor adopts more, in:\n%s", adopted, text)
	}
	if diff := cmp.Diff([]string{"cluster/prod-use1/configmap/web/tagger-aws"}, adoptionOnly(t, dir, file)); diff != "" {
		t.Errorf("adopted objects (-want +got):\n%s", diff)
	}
	mustRun(t, 0, "apply", "-f", file, "--sandbox", dir)
	planClean(t, dir, file)
}

// planned plans file against the sandbox in dir: each change and
// pruneable change as "ACTION ADDRESS [FIELD ...]", and no conflicts or
// errors.
func planned(t *testing.T, dir, file string) []string {
	t.Helper()
	p := sandboxPlan(t, dir, file)
	if len(p.Conflicts)+len(p.Errors) > 0 {
		t.Fatalf("plan has conflicts %v and errors %v", p.Conflicts, p.Errors)
	}
	var got []string
	for _, ch := range append(p.Changes, p.Pruneable...) {
		var fields []string
		for _, fl := range ch.Fields {
			fields = append(fields, string(fl.Name)+"."+fl.Key)
		}
		got = append(got, string(ch.Action)+" "+ch.Address+" ["+strings.Join(fields, " ")+"]")
	}
	return got
}
