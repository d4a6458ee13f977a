package config

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const bindingsWithDefaults = `apiVersion: irsa-sync/v1
kind: Bindings
owner: platform
accounts:
  - {name: prod, id: "111122223333", assumeRoleArn: "arn:aws:iam::111122223333:role/irsa-sync"}
  - {name: data, id: "444455556666", profile: data}
clusters:
  - {name: prod-use1, account: prod, region: us-east-1, kubeContext: prod}
  - {name: prod-euw1, account: prod, region: eu-west-1}
roles:
  - name: app
    account: prod
    serviceAccounts:
      - {cluster: prod-use1, namespace: default, name: app}
`

const connectionsFile = `apiVersion: irsa-sync/v1
kind: Connections
accounts:
  prod:
    plan: {assumeRoleArn: "arn:aws:iam::111122223333:role/irsa/irsa-sync-plan"}
    apply: {assumeRoleArn: "arn:aws:iam::111122223333:role/irsa/irsa-sync-apply", externalId: ci-apply}
clusters:
  prod-use1:
    apply: {inCluster: true}
  prod-euw1:
    auth: eks
`

func TestResolveConnectionsByMode(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"bindings.yaml": bindingsWithDefaults, "connections.yaml": connectionsFile})
	f, diags := loadAndValidate(filepath.Join(dir, "bindings.yaml"))
	if diags != nil {
		t.Fatal(diags)
	}
	conns, err := LoadConnections(filepath.Join(dir, "connections.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if diags := ValidateConnections(conns, f); diags != nil {
		t.Fatal(diags)
	}
	report := func(m Mode) []string {
		rf, origins := Resolve(f, conns, m)
		out := []string{"prod assumes " + rf.Accounts[0].AssumeRoleArn + " externalId=" + rf.Accounts[0].ExternalID}
		for _, o := range origins {
			out = append(out, strings.ReplaceAll(o.String(), dir+string(filepath.Separator), ""))
		}
		return out
	}
	tests := []struct {
		mode Mode
		want []string
	}{
		{ModePlan, []string{
			"prod assumes arn:aws:iam::111122223333:role/irsa/irsa-sync-plan externalId=",
			"account prod: assume role arn:aws:iam::111122223333:role/irsa/irsa-sync-plan (connections.yaml:5 (accounts.prod.plan))",
			"account data: profile data (bindings.yaml:6 (accounts[1]))",
			"cluster prod-use1: kubeconfig context prod (bindings.yaml:8 (clusters[0]))",
			"cluster prod-euw1: EKS token (auth: eks) (connections.yaml:10 (clusters[\"prod-euw1\"]))",
		}},
		{ModeApply, []string{
			"prod assumes arn:aws:iam::111122223333:role/irsa/irsa-sync-apply externalId=ci-apply",
			"account prod: assume role arn:aws:iam::111122223333:role/irsa/irsa-sync-apply (with an external id) (connections.yaml:6 (accounts.prod.apply))",
			"account data: profile data (bindings.yaml:6 (accounts[1]))",
			"cluster prod-use1: in-cluster service account (connections.yaml:9 (clusters[\"prod-use1\"].apply))",
			"cluster prod-euw1: EKS token (auth: eks) (connections.yaml:10 (clusters[\"prod-euw1\"]))",
		}},
	}
	for _, tt := range tests {
		if d := cmp.Diff(tt.want, report(tt.mode)); d != "" {
			t.Errorf("%s (-want +got):\n%s", tt.mode, d)
		}
	}
	if f.Accounts[0].AssumeRoleArn != "arn:aws:iam::111122223333:role/irsa-sync" {
		t.Errorf("Resolve modified the bindings file: %s", f.Accounts[0].AssumeRoleArn)
	}
}

func TestConnectionsDiagnosticsNameTheirLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
		want       []string
	}{
		{"unknown key", strings.Replace(connectionsFile, "apply: {inCluster: true}", "aply: {inCluster: true}", 1),
			[]string{`connections.yaml:9: clusters["prod-use1"].aply: unknown field "aply"`}},
		{"unknown account", strings.Replace(connectionsFile, "  prod:\n", "  prd:\n", 1),
			[]string{`connections.yaml:4: accounts.prd: no account named "prd" in`}},
		{"role of another account", strings.Replace(connectionsFile, "111122223333:role/irsa/irsa-sync-plan", "999999999999:role/irsa-sync-plan", 1),
			[]string{`connections.yaml:5: accounts.prod.plan.assumeRoleArn: role "arn:aws:iam::999999999999:role/irsa-sync-plan" is in account 999999999999`}},
		{"two ways to a cluster", strings.Replace(connectionsFile, "auth: eks", "auth: eks\n    kubeContext: x", 1),
			[]string{`connections.yaml:10: clusters["prod-euw1"]: kubeContext and auth are set`}},
		{"wrong kind", strings.Replace(connectionsFile, "kind: Connections", "kind: Bindings", 1),
			[]string{`connections.yaml:2: kind: kind is "Bindings"; a connections file has kind: Connections`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeFiles(t, map[string]string{"bindings.yaml": bindingsWithDefaults, "connections.yaml": tt.text})
			f, diags := loadAndValidate(filepath.Join(dir, "bindings.yaml"))
			if diags != nil {
				t.Fatal(diags)
			}
			conns, err := LoadConnections(filepath.Join(dir, "connections.yaml"))
			if err == nil {
				err = ValidateConnections(conns, f)
				if err.(Diagnostics) == nil {
					err = nil
				}
			}
			if err == nil {
				t.Fatalf("no diagnostics, want %v", tt.want)
			}
			got := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("no diagnostic %q in:\n%s", w, got)
				}
			}
		})
	}
}
