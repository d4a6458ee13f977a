package gen

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/config"
)

// TestFileIsValid validates estates of several shapes, including the
// degenerate ones (one account, one cluster, one service account per role).
func TestFileIsValid(t *testing.T) {
	for _, p := range []Params{
		{Roles: 1},
		{Roles: 10, Changed: 1},
		{Roles: 1000},
		{Roles: 1000, Changed: 10},
		{Roles: 7, Accounts: 1, Clusters: 1, ServiceAccountsPerRole: 1, PoliciesPerAccount: 1},
		{Roles: 50, Accounts: 3, Clusters: 2, ServiceAccountsPerRole: 3},
	} {
		if diags := config.Validate(File(p)); diags != nil {
			t.Errorf("%+v: generated file is invalid:\n%v", p, diags)
		}
	}
}

// TestYAMLLoads writes the YAML form and loads it as the CLI would: same
// file as File, and valid.
func TestYAMLLoads(t *testing.T) {
	p := Params{Roles: 100, Changed: 4}
	text, err := YAML(p)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bindings.yaml")
	if err := os.WriteFile(path, text, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if diags := config.Validate(f); diags != nil {
		t.Fatalf("loaded file is invalid:\n%v", diags)
	}
	want := File(p)
	if diff := cmp.Diff(want.Roles, f.Roles); diff != "" {
		t.Errorf("roles differ after a YAML round trip (-File +Load):\n%s", diff)
	}
}

func TestDeterministic(t *testing.T) {
	p := Params{Roles: 200, Changed: 2}
	a, err := YAML(p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := YAML(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two YAML outputs of the same Params differ")
	}
}

// TestMix checks the counts the benchmarks' per-resource model relies on,
// for the 1,000-role estate.
func TestMix(t *testing.T) {
	f := File(Params{Roles: 1000})
	var exact, patterns, cross, inline int
	accountOf := map[string]string{}
	for _, c := range f.Clusters {
		accountOf[c.Name] = c.Account
	}
	for _, r := range f.Roles {
		inline += len(r.InlinePolicies)
		isCross := false
		for _, sa := range r.ServiceAccounts {
			if strings.ContainsAny(sa.Name, "*?") {
				patterns++
				continue
			}
			exact++
			isCross = isCross || accountOf[sa.Cluster] != r.Account
		}
		if isCross {
			cross++
		}
	}
	got := map[string]int{"accounts": len(f.Accounts), "clusters": len(f.Clusters), "policies": len(f.Policies),
		"roles": len(f.Roles), "exact": exact, "patterns": patterns, "cross-account roles": cross, "inline": inline}
	want := map[string]int{"accounts": 2, "clusters": 4, "policies": 20,
		"roles": 1000, "exact": 2000, "patterns": 100, "cross-account roles": 200, "inline": 333}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mix of the 1,000-role estate (-want +got):\n%s", diff)
	}
}

// TestChanges checks that exactly the listed roles differ from the base
// estate, each in its one field.
func TestChanges(t *testing.T) {
	p := Params{Roles: 1000, Changed: 10}
	changes := Changes(p)
	if len(changes) != 10 {
		t.Fatalf("%d changes, want 10", len(changes))
	}
	base, changed := File(Params{Roles: 1000}), File(p)
	kinds := map[ChangeKind]int{}
	listed := map[int]bool{}
	for _, c := range changes {
		listed[c.Index] = true
		kinds[c.Kind]++
	}
	for i := range base.Roles {
		differs := !cmp.Equal(base.Roles[i], changed.Roles[i])
		if differs != listed[i] {
			t.Errorf("role %d: differs %v, listed as changed %v", i, differs, listed[i])
		}
	}
	if diff := cmp.Diff(map[ChangeKind]int{ChangeDescription: 3, ChangeTag: 3, ChangeServiceAccount: 2, ChangeInlinePolicy: 2}, kinds); diff != "" {
		t.Errorf("kinds of change (-want +got):\n%s", diff)
	}
}
