package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// crossAccount adds a role in account data, on path, bound via podIdentity
// to a service account of prod-use1 (account prod) through sourceRole.
func crossAccount(f *File, name, path, source string) {
	f.Roles = append(f.Roles, Role{Name: name, Account: "data", Path: path, SourceRole: source,
		ServiceAccounts: []ServiceAccount{{Cluster: "prod-use1", Namespace: "default", Name: name, Via: ViaPodIdentity}}})
}

// TestSourceRoleNames: a sourceRole is a role of the cluster's account, so
// IAM's rule that names are unique per account whatever their case and
// path applies to it, with the line of the sourceRole that breaks it.
func TestSourceRoleNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		mutate func(f *File)
		want   []string
	}{
		{"one source, two targets on one path", func(f *File) {
			crossAccount(f, "reader", "", "bridge")
			crossAccount(f, "writer", "", "bridge")
		}, nil},
		{"two sources", func(f *File) {
			crossAccount(f, "reader", "/a/", "bridge-a")
			crossAccount(f, "writer", "/b/", "bridge-b")
		}, nil},
		{"one source, two paths", func(f *File) {
			crossAccount(f, "reader", "/a/", "bridge")
			crossAccount(f, "writer", "/b/", "bridge")
		}, []string{"roles[2].sourceRole"}},
		{"one source, two spellings", func(f *File) {
			crossAccount(f, "reader", "", "bridge")
			crossAccount(f, "writer", "", "Bridge")
		}, []string{"roles[2].sourceRole"}},
		{"source is a declared role", func(f *File) { crossAccount(f, "reader", "", "app") }, []string{"roles[1].sourceRole"}},
		{"source is a declared role in another spelling and path", func(f *File) { crossAccount(f, "reader", "/x/", "APP") }, []string{"roles[1].sourceRole"}},
		{"a role of that name in the target's account is no collision", func(f *File) {
			f.Roles = append(f.Roles, Role{Name: "bridge", Account: "data", ServiceAccounts: []ServiceAccount{{Cluster: "prod-use1", Namespace: "default", Name: "b"}}})
			crossAccount(f, "reader", "", "bridge")
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := validFile()
			tc.mutate(f)
			if diff := cmp.Diff(tc.want, paths(Validate(f))); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s\n%v", diff, Validate(f))
			}
		})
	}
}
