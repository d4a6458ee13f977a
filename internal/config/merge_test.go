package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const sharedFile = `apiVersion: irsa-sync/v1
kind: Bindings
owner: platform
accounts:
  - {name: prod, id: "111122223333"}
clusters:
  - {name: prod-use1, account: prod, region: us-east-1}
`

const teamA = `apiVersion: irsa-sync/v1
kind: Bindings
roles:
  - name: a-app
    account: prod
    serviceAccounts:
      - {cluster: prod-use1, namespace: team-a, name: app}
`

const teamB = `apiVersion: irsa-sync/v1
kind: Bindings
policies:
  - name: b-read
    account: prod
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: s3:GetObject, Resource: "*"}]}
roles:
  - name: b-app
    account: prod
    policies: [b-read]
    serviceAccounts:
      - {cluster: prod-use1, namespace: team-b, name: app}
`

// writeFiles writes name → content into a new directory and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// loadAndValidate is what the CLI does with -f arguments.
func loadAndValidate(paths ...string) (*File, Diagnostics) {
	f, err := LoadFiles(paths)
	if err != nil {
		return nil, err.(Diagnostics)
	}
	return f, Validate(f)
}

func TestLoadFilesMergesTeamFiles(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"00-shared.yaml": sharedFile, "team-a.yaml": teamA, "team-b.yaml": teamB, "notes.txt": "not read"})
	for _, args := range [][]string{
		{filepath.Join(dir, "00-shared.yaml"), filepath.Join(dir, "team-a.yaml"), filepath.Join(dir, "team-b.yaml")},
		{dir},
	} {
		f, diags := loadAndValidate(args...)
		if diags != nil {
			t.Fatalf("%v: %v", args, diags)
		}
		var roles []string
		for _, r := range f.Roles {
			roles = append(roles, r.Name)
		}
		got := struct {
			Owner    string
			Roles    []string
			Policies int
			Files    []string
		}{f.Owner, roles, len(f.Policies), nil}
		for _, part := range f.Files() {
			got.Files = append(got.Files, filepath.Base(part.Path))
		}
		want := struct {
			Owner    string
			Roles    []string
			Policies int
			Files    []string
		}{"platform", []string{"a-app", "b-app"}, 1, []string{"00-shared.yaml", "team-a.yaml", "team-b.yaml"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%v: merged file (-want +got):\n%s", args, diff)
		}
	}
}

func TestMergedDiagnosticsNameEachFile(t *testing.T) {
	t.Parallel()
	dupRole := strings.Replace(teamB, "name: b-app", "name: A-APP", 1)
	dupBinding := strings.Replace(teamB, "namespace: team-b", "namespace: team-a", 1)
	twoOwners := "owner: someone-else\n" + teamA
	badRef := strings.Replace(teamB, "cluster: prod-use1", "cluster: nowhere", 1)
	tests := []struct {
		name  string
		files map[string]string
		want  []string // the start of a diagnostic, the directory left out
	}{
		{"a role declared in two files", map[string]string{"0.yaml": sharedFile, "a.yaml": teamA, "b.yaml": dupRole},
			[]string{`b.yaml:8: roles[0].name: role "A-APP" is already declared in account "prod" as roles[0] in a.yaml:4 ("a-app")`}},
		{"a service account bound in two files", map[string]string{"0.yaml": sharedFile, "a.yaml": teamA, "b.yaml": dupBinding},
			[]string{`b.yaml:12: roles[0].serviceAccounts[0]: service account prod-use1/team-a/app is bound to two roles, "a-app" (roles[0].serviceAccounts[0] in a.yaml:7) and "b-app" (here)`}},
		{"owner in two files", map[string]string{"0.yaml": sharedFile, "a.yaml": twoOwners},
			[]string{`a.yaml:1: owner: owner is already set by 0.yaml:3`}},
		{"a reference keeps its file and line", map[string]string{"0.yaml": sharedFile, "b.yaml": badRef},
			[]string{`b.yaml:12: roles[0].serviceAccounts[0].cluster: no cluster named "nowhere"`}},
		{"no owner in any file", map[string]string{"a.yaml": strings.Replace(sharedFile, "owner: platform\n", "", 1), "b.yaml": teamA},
			[]string{`a.yaml: owner: owner is required`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeFiles(t, tt.files)
			_, diags := loadAndValidate(dir)
			var got []string
			for _, d := range diags {
				got = append(got, strings.ReplaceAll(d.String(), dir+string(filepath.Separator), ""))
			}
			for _, w := range tt.want {
				found := false
				for _, g := range got {
					found = found || strings.HasPrefix(g, w)
				}
				if !found {
					t.Errorf("no diagnostic %q in:\n%s", w, strings.Join(got, "\n"))
				}
			}
		})
	}
}

func TestExpandPaths(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"b.yaml": teamB, "a.yaml": teamA, "c.yml": "", "d.json": ""})
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sub", "z.yaml"), []byte(teamA), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ExpandPaths([]string{filepath.Join(dir, "b.yaml"), dir})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "b.yaml"), filepath.Join(dir, "a.yaml")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ExpandPaths (-want +got):\n%s", diff)
	}
	empty := t.TempDir()
	if _, err := ExpandPaths([]string{empty}); err == nil || !strings.Contains(err.Error(), "no *.yaml file") {
		t.Errorf("an empty directory: got %v, want an error saying it holds no *.yaml file", err)
	}
}
