package config

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// validFile returns a small valid in-memory File for the table tests to
// break one rule at a time.
func validFile() *File {
	return &File{
		APIVersion: APIVersion, Kind: Kind, Owner: "team-a",
		Accounts: []Account{{Name: "prod", ID: "111122223333"}, {Name: "data", ID: "444455556666"}},
		Clusters: []Cluster{{Name: "prod-use1", Account: "prod", Region: "us-east-1"}},
		Policies: []Policy{{Name: "read", Account: "prod",
			Document: json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)}},
		Roles: []Role{{Name: "app", Account: "prod", Policies: []string{"read"},
			ServiceAccounts: []ServiceAccount{{Cluster: "prod-use1", Namespace: "default", Name: "app"}}}},
	}
}

// chainTo adds a role reader in account data chained from app, writing
// its profile into cm.
func chainTo(f *File, cm ProfileConfigMap) {
	f.Roles = append(f.Roles, Role{Name: "reader", Account: "data",
		AssumedFrom: []ChainSource{{Role: "app", ProfileConfigMap: &cm}}})
}

// paths returns where each diagnostic is, which is what the table tests
// compare; messages are covered by the golden corpus.
func paths(ds Diagnostics) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Path)
	}
	return out
}

func TestValidateRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(f *File)
		want   []string
	}{
		{"valid", func(f *File) {}, nil},
		{"role under the required path", func(f *File) {
			f.Settings.RequiredRolePath = "/irsa/"
			f.Roles[0].Path = "/irsa/team-a/"
		}, nil},
		{"role outside the required path", func(f *File) { f.Settings.RequiredRolePath = "/irsa/" }, []string{"roles[0].path"}},
		{"required path must be below the root", func(f *File) { f.Settings.RequiredRolePath = "/" }, []string{"settings.requiredRolePath"}},
		{"role with the required boundary", func(f *File) {
			f.Settings.RequiredPermissionsBoundary = "irsa-sync-boundary"
			f.Roles[0].PermissionsBoundary = "arn:aws:iam::111122223333:policy/irsa-sync-boundary"
		}, nil},
		{"role without the required boundary", func(f *File) { f.Settings.RequiredPermissionsBoundary = "irsa-sync-boundary" }, []string{"roles[0].permissionsBoundary"}},
		{"role with another boundary", func(f *File) {
			f.Settings.RequiredPermissionsBoundary = "irsa-sync-boundary"
			f.Roles[0].PermissionsBoundary = "arn:aws:iam::111122223333:policy/admin-boundary"
		}, []string{"roles[0].permissionsBoundary"}},
		{"role with the boundary of another account", func(f *File) {
			f.Settings.RequiredPermissionsBoundary = "irsa-sync-boundary"
			f.Roles[0].PermissionsBoundary = "arn:aws:iam::444455556666:policy/irsa-sync-boundary"
		}, []string{"roles[0].permissionsBoundary"}},
		{"required boundary as an ARN", func(f *File) {
			f.Settings.RequiredPermissionsBoundary = "arn:aws:iam::111122223333:policy/b"
		}, []string{"settings.requiredPermissionsBoundary"}},
		{"role in data may attach an AWS managed policy", func(f *File) {
			f.Roles[0].Account = "data"
			f.Roles[0].Policies = []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::444455556666:policy/x"}
		}, nil},
		{"cross-account policy by name", func(f *File) { f.Roles[0].Account = "data" }, []string{"roles[0].policies[0]"}},
		{"policy names are case-insensitive per account", func(f *File) {
			f.Policies = append(f.Policies, Policy{Name: "READ", Account: "prod", Document: f.Policies[0].Document})
		}, []string{"policies[1].name"}},
		{"same policy name in two accounts is fine", func(f *File) {
			f.Policies = append(f.Policies, Policy{Name: "read", Account: "data", Document: f.Policies[0].Document})
		}, nil},
		{"assumeRoleArn and profile", func(f *File) {
			f.Accounts[1].AssumeRoleArn = "arn:aws:iam::444455556666:role/x"
			f.Accounts[1].Profile = "p"
		}, []string{"accounts[1].profile"}},
		{"wildcard namespace refused", func(f *File) { f.Roles[0].ServiceAccounts[0].Namespace = "team-*" },
			[]string{"roles[0].serviceAccounts[0].namespace"}},
		{"wildcard namespace allowed by opt-in", func(f *File) {
			f.Roles[0].ServiceAccounts[0].Namespace = "team-*"
			f.Roles[0].AllowNamespaceWildcard = true
		}, nil},
		{"name * in a fixed namespace is fine", func(f *File) { f.Roles[0].ServiceAccounts[0].Name = "*" }, nil},
		{"* in both refused even with opt-in", func(f *File) {
			f.Roles[0].ServiceAccounts[0].Namespace, f.Roles[0].ServiceAccounts[0].Name = "*", "*"
			f.Roles[0].AllowNamespaceWildcard = true
		}, []string{"roles[0].serviceAccounts[0]"}},
		{"pattern with tokenExpiration", func(f *File) {
			f.Roles[0].ServiceAccounts[0].Name = "app-*"
			f.Roles[0].ServiceAccounts[0].TokenExpiration = 3600
		}, []string{"roles[0].serviceAccounts[0].tokenExpiration"}},
		{"one service account, two roles", func(f *File) {
			f.Roles = append(f.Roles, Role{Name: "other", Account: "data", ServiceAccounts: f.Roles[0].ServiceAccounts})
		}, []string{"roles[1].serviceAccounts[0]"}},
		{"two roles may share a pattern", func(f *File) {
			f.Roles[0].ServiceAccounts[0].Name = "app-*"
			f.Roles = append(f.Roles, Role{Name: "other", Account: "data", ServiceAccounts: f.Roles[0].ServiceAccounts})
		}, nil},
		{"both document and documentFile", func(f *File) { f.Policies[0].DocumentFile = "p.json" }, []string{"policies[0]"}},
		{"documentFile read by Load is not both", func(f *File) {
			f.Policies[0].DocumentFile, f.Policies[0].DocumentSource = "p.json", "dir/p.json"
		}, nil},
		{"documentFile problems name the file", func(f *File) {
			f.Policies[0].DocumentFile, f.Policies[0].DocumentSource = "p.json", "dir/p.json"
			f.Policies[0].Document = json.RawMessage(`{"Statement":{"Effect":"Allow","Action":"s3:x"}}`)
		}, []string{"policies[0].documentFile"}},
		{"session and token ranges", func(f *File) {
			f.Roles[0].MaxSessionDuration = 43201
			f.Roles[0].ServiceAccounts[0].TokenExpiration = 599
		}, []string{"roles[0].maxSessionDuration", "roles[0].serviceAccounts[0].tokenExpiration"}},
		{"profile ConfigMap in the source's namespace", func(f *File) {
			chainTo(f, ProfileConfigMap{Cluster: "prod-use1", Namespace: "default", Name: "reader-aws"})
		}, nil},
		{"profile ConfigMap without cluster, namespace or name", func(f *File) { chainTo(f, ProfileConfigMap{}) },
			[]string{"roles[1].assumedFrom[0].profileConfigMap.cluster", "roles[1].assumedFrom[0].profileConfigMap.name", "roles[1].assumedFrom[0].profileConfigMap.namespace"}},
		{"profile ConfigMap named as the cluster's CA bundle", func(f *File) {
			chainTo(f, ProfileConfigMap{Cluster: "prod-use1", Namespace: "default", Name: "kube-root-ca.crt", Adopt: true})
		}, []string{"roles[1].assumedFrom[0].profileConfigMap.name"}},
		{"profile ConfigMap named aws-auth in kube-system", func(f *File) {
			f.Roles[0].ServiceAccounts[0].Namespace = "kube-system"
			chainTo(f, ProfileConfigMap{Cluster: "prod-use1", Namespace: "kube-system", Name: "aws-auth", Adopt: true})
		}, []string{"roles[1].assumedFrom[0].profileConfigMap.name"}},
		{"profile ConfigMap named aws-auth elsewhere is allowed", func(f *File) {
			chainTo(f, ProfileConfigMap{Cluster: "prod-use1", Namespace: "default", Name: "aws-auth"})
		}, nil},
		{"profile ConfigMap in an unknown cluster", func(f *File) {
			chainTo(f, ProfileConfigMap{Cluster: "nope", Namespace: "default", Name: "reader-aws"})
		}, []string{"roles[1].assumedFrom[0].profileConfigMap.cluster"}},
		{"profile ConfigMap with a bad namespace and name", func(f *File) {
			chainTo(f, ProfileConfigMap{Cluster: "prod-use1", Namespace: "team-*", Name: "-reader"})
		}, []string{"roles[1].assumedFrom[0].profileConfigMap.name", "roles[1].assumedFrom[0].profileConfigMap.namespace"}},
		{"profile ConfigMap where the source has no service account", func(f *File) {
			chainTo(f, ProfileConfigMap{Cluster: "prod-use1", Namespace: "web", Name: "reader-aws"})
		}, []string{"roles[1].assumedFrom[0].profileConfigMap.namespace"}},
		{"profile ConfigMap in a namespace the source's pattern matches", func(f *File) {
			f.Roles[0].ServiceAccounts[0].Namespace, f.Roles[0].AllowNamespaceWildcard = "team-*", true
			chainTo(f, ProfileConfigMap{Cluster: "prod-use1", Namespace: "team-a", Name: "reader-aws"})
		}, nil},
		{"profile ConfigMap in a namespace the source's pattern does not match", func(f *File) {
			f.Roles[0].ServiceAccounts[0].Namespace, f.Roles[0].AllowNamespaceWildcard = "team-*", true
			chainTo(f, ProfileConfigMap{Cluster: "prod-use1", Namespace: "team", Name: "reader-aws"})
		}, []string{"roles[1].assumedFrom[0].profileConfigMap.namespace"}},
		{"one profile ConfigMap for two chains", func(f *File) {
			cm := ProfileConfigMap{Cluster: "prod-use1", Namespace: "default", Name: "aws"}
			chainTo(f, cm)
			f.Roles = append(f.Roles, Role{Name: "writer", Account: "data",
				AssumedFrom: []ChainSource{{Role: "app", ProfileConfigMap: &cm}}})
		}, []string{"roles[2].assumedFrom[0].profileConfigMap.name"}},
		{"every problem at once", func(f *File) {
			f.Owner = ""
			f.Accounts[0].ID = "1"
			f.Clusters[0].Region = "mars"
			f.Roles[0].ServiceAccounts[0].Cluster = "nope"
		}, []string{"accounts[0].id", "clusters[0].region", "owner", "roles[0].serviceAccounts[0].cluster"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := validFile()
			tt.mutate(f)
			if diff := cmp.Diff(tt.want, paths(Validate(f))); diff != "" {
				t.Errorf("diagnostic paths (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDiagnosticsFormatAndOrder(t *testing.T) {
	t.Parallel()
	ds := Diagnostics{
		{File: "b.yaml", Path: "roles[10].name", Message: "m"},
		{File: "b.yaml", Path: "roles[2].name", Message: "m"},
		{File: "b.yaml", Line: 12, Path: "roles[1].serviceAccounts[0].namespace", Message: "bad"},
		{File: "b.yaml", Line: 3, Message: "syntax"},
	}
	ds.Sort()
	want := strings.Join([]string{
		"b.yaml: roles[2].name: m",
		"b.yaml: roles[10].name: m",
		"b.yaml:3: syntax",
		"b.yaml:12: roles[1].serviceAccounts[0].namespace: bad",
	}, "\n")
	if diff := cmp.Diff(want, ds.Error()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestPathString(t *testing.T) {
	t.Parallel()
	got := []string{
		at("roles", 1, "serviceAccounts", 0, "namespace").String(),
		at("roles", 0, "tags", "aws:team").String(),
		at("roles", 0, "inlinePolicies", "s3_read", "Statement").String(),
		at().String(),
	}
	want := []string{`roles[1].serviceAccounts[0].namespace`, `roles[0].tags["aws:team"]`, `roles[0].inlinePolicies.s3_read.Statement`, ``}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestLinesFollowAliases checks that a problem inside an aliased value is
// placed on the line of the alias's use, where the reader sees it.
func TestLinesFollowAliases(t *testing.T) {
	t.Parallel()
	src := `apiVersion: irsa-sync/v1
kind: Bindings
owner: team-a
accounts: [{name: prod, id: "111122223333"}]
clusters: [{name: c1, account: prod, region: us-east-1}]
roles:
  - name: a
    account: prod
    serviceAccounts: &sas
      - {cluster: c2, namespace: default, name: a}
`
	f, err := Parse([]byte(src), "b.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got := Validate(f)
	want := Diagnostics{{File: "b.yaml", Line: 10, Path: "roles[0].serviceAccounts[0].cluster",
		Message: `no cluster named "c2": declare it under clusters, or use one of "c1"`}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
