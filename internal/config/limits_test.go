package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// TestOversizedFile checks the input limit on Load (without reading the
// whole file) and on Parse. The file is made here: a corpus file over 1 MiB
// has no place in the repository.
func TestOversizedFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "bindings.yaml")
	data := []byte("# padding\n" + strings.Repeat("#", MaxFileSize))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	want := Diagnostics{{File: path, Message: errTooLarge.Error()}}
	_, err := Load(path)
	if diff := cmp.Diff(error(want), err); diff != "" {
		t.Errorf("Load (-want +got):\n%s", diff)
	}
	_, err = Parse(data, path)
	if diff := cmp.Diff(error(want), err); diff != "" {
		t.Errorf("Parse (-want +got):\n%s", diff)
	}
}

// bomb returns a billion-laughs document: levels of ten aliases each,
// after filler plain values (the library tolerates aliases only while
// they are under 99% of what it decodes).
func bomb(levels, filler int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "filler: [%s0]\n", strings.Repeat("0,", filler))
	b.WriteString(`a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]` + "\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [", i, i)
		for j := range 10 {
			if j > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	return b.String()
}

// TestAliasGuards measures what the YAML library guards by itself and
// shows that Parse refuses, quickly, what it lets through: a 4-level bomb
// (111,000 values from 5 KB) with 2% plain values passes sigs.k8s.io/yaml,
// which refuses a pure bomb only after expanding about 1,000 values.
// It does not run in parallel: its time limit must not measure other tests.
func TestAliasGuards(t *testing.T) {
	if _, err := yaml.YAMLToJSONStrict([]byte(bomb(4, 2500))); err != nil {
		t.Fatalf("the library refused a 4-level bomb with filler (%v); MaxAliasNodes can be revisited", err)
	}
	if _, err := yaml.YAMLToJSONStrict([]byte(bomb(8, 0))); err == nil {
		t.Fatal("the library no longer refuses a pure 8-level bomb")
	}
	for _, levels := range []int{4, 8, 30} {
		start := time.Now()
		_, err := Parse([]byte(bomb(levels, 2500)), "bomb.yaml")
		var ds Diagnostics
		if !errors.As(err, &ds) || !strings.Contains(ds.Error(), "alias bomb") {
			t.Errorf("%d levels: got %v, want the alias limit", levels, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%d levels took %v; the check must not expand the aliases", levels, d)
		}
	}
}

// TestDepthGuard shows the nesting limit is below the libraries' own
// (10,000) and that a legitimately deep policy passes.
func TestDepthGuard(t *testing.T) {
	t.Parallel()
	deep := "x: " + strings.Repeat("[", MaxDepth+5) + strings.Repeat("]", MaxDepth+5) + "\n"
	_, err := Parse([]byte(deep), "deep.yaml")
	if err == nil || !strings.Contains(err.Error(), "levels deep") {
		t.Errorf("got %v, want the depth limit", err)
	}
	huge := "x: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n"
	if _, err := Parse([]byte(huge), "huge.yaml"); err == nil {
		t.Error("20,000 levels accepted")
	}
}
