package config

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to Parse and, when they parse, to
// Validate: neither may panic, and a failure must always be Diagnostics
// that name the file. Seeds are the example, the valid files and part of
// the invalid corpus.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/valid/*.yaml")
	more, _ := filepath.Glob("testdata/invalid/*.yaml")
	seeds = append(append(seeds, "../../examples/bindings.yaml"), more...)
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data, "testdata/fuzz.yaml")
		if err != nil {
			ds, ok := err.(Diagnostics)
			if !ok || len(ds) == 0 {
				t.Fatalf("Parse failed with %T %v, want non-empty Diagnostics", err, err)
			}
			for _, d := range ds {
				if d.File != "testdata/fuzz.yaml" || d.Message == "" {
					t.Fatalf("diagnostic without file or message: %#v", d)
				}
			}
			return
		}
		for _, d := range Validate(file) {
			if d.Message == "" {
				t.Fatalf("diagnostic without a message: %#v", d)
			}
		}
	})
}
