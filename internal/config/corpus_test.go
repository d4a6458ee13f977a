package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/irsa-sync/irsa-sync/test/golden"
)

// check loads and validates a file the way `irsa-sync validate` does and
// returns its diagnostics, or nil.
func check(t *testing.T, path string) Diagnostics {
	t.Helper()
	f, err := Load(path)
	if err != nil {
		var ds Diagnostics
		if !errors.As(err, &ds) {
			t.Fatalf("Load(%s) returned %T, want Diagnostics: %v", path, err, err)
		}
		return ds
	}
	return Validate(f)
}

// TestInvalidCorpus checks that every file of testdata/invalid produces
// exactly the diagnostics of its golden file, each naming its place.
func TestInvalidCorpus(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 40 {
		t.Fatalf("only %d invalid files; the corpus needs at least 40", len(files))
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml"), func(t *testing.T) {
			t.Parallel()
			ds := check(t, file)
			if len(ds) == 0 {
				t.Fatal("no diagnostics for an invalid file")
			}
			for _, d := range ds {
				if d.File != file {
					t.Errorf("diagnostic names file %q, want %q: %s", d.File, file, d)
				}
			}
			got := ds.Error() + "\n"
			goldenFile := strings.TrimSuffix(file, ".yaml") + ".err"
			golden.Check(t, goldenFile, got)
		})
	}
}

// TestValidCorpus checks that the valid files, and the example the README
// runs, produce no diagnostics at all.
func TestValidCorpus(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/valid/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "../../examples/bindings.yaml")
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			if ds := check(t, file); ds != nil {
				t.Errorf("want no diagnostics, got:\n%v", ds)
			}
		})
	}
}

// TestSchemaFindingsAreValidated keeps the schema's value rules and
// Validate's in step: every problem the schema finds in the corpus must
// also be found by Validate's own checks at the same place, so that the
// schema's generic messages never reach users in place of specific ones.
func TestSchemaFindingsAreValidated(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("testdata/*/*.yaml")
	for _, file := range files {
		f, err := Load(file)
		if err != nil {
			continue
		}
		own := (&validator{collector: collector{src: f.Source}, f: f}).run()
		for _, d := range f.Source.deferred {
			said := false
			for _, o := range own {
				said = said || covers(o.Path, d.Path)
			}
			// An empty string the file sets explicitly reads as unset in
			// Go, so only the schema can refuse it.
			emptyString := strings.Contains(d.Message, "must not be empty")
			if !said && !emptyString && !strings.Contains(d.Path, "documentFile") {
				t.Errorf("%s: the schema found a problem Validate does not check:\n%s", file, d)
			}
		}
	}
}
