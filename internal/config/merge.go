package config

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// A desired state may be split into several files, one per team, so that
// CODEOWNERS can give each team its own file. The rules of the split:
//
//   - every file is a bindings document of its own: apiVersion and kind in
//     each, so that editors and the schema check each file;
//   - owner and settings are set by exactly one file (the shared one): two
//     files setting them would let a team file change what every other
//     file's objects are stamped with, or relax a rule for all;
//   - accounts, clusters, policies and roles concatenate in the order the
//     files are named (a directory's files in name order), and every rule
//     of Validate applies to the whole, so a name declared in two files is
//     a duplicate naming both places, and a team file may refer to the
//     accounts and clusters of the shared file.

// mergedSource maps a place in a merged File back to its file.
type mergedSource struct {
	parts []mergedPart
	// header maps a top-level field set by one file only (owner,
	// settings) to the index of the part that sets it.
	header map[string]int
}

// mergedPart is one file of a merged File and where its entries start in
// each list of the merged File.
type mergedPart struct {
	src   *Source
	first map[string]int
	count map[string]int
}

// mergedLists are the top-level lists that concatenate.
var mergedLists = []string{"accounts", "clusters", "policies", "roles"}

// Where names a place of the file, as diagnostics do: "team-a.yaml:42:
// roles[1].permissionsBoundary" (the file and path local to the team file
// it came from when files were merged). The planner takes these as text,
// for its problems to point at the line to fix.
func (f *File) Where(elems ...any) string {
	if f == nil || f.Source == nil {
		return path(elems).String()
	}
	name, local, line := f.Source.place(path(elems))
	return fmt.Sprintf("%s:%d: %s", name, line, local)
}

// place returns the file, the path within that file and the line of the
// place p of the File s was made for.
func (s *Source) place(p path) (string, path, int) {
	m := s.merged
	if m == nil {
		return s.name, p, s.line(p)
	}
	if len(p) > 0 {
		field, _ := p[0].(string)
		if len(p) > 1 && slices.Contains(mergedLists, field) {
			if i, ok := p[1].(int); ok {
				for _, part := range m.parts {
					if i >= part.first[field] && i < part.first[field]+part.count[field] {
						local := p.with()
						local[1] = i - part.first[field]
						return part.src.name, local, part.src.line(local)
					}
				}
			}
		}
		if k, ok := m.header[field]; ok {
			src := m.parts[k].src
			return src.name, p, src.line(p)
		}
	}
	// The whole set (no accounts at all, no owner): the first file is where
	// a reader starts.
	src := m.parts[0].src
	return src.name, p, 0
}

// LoadFiles reads the bindings files that paths name and merges them into
// one File (see Merge). A path that is a directory stands for every *.yaml
// file directly in it, in name order. One path naming one file is Load.
func LoadFiles(paths []string) (*File, error) {
	names, err := ExpandPaths(paths)
	if err != nil {
		return nil, err
	}
	if len(names) == 1 {
		return Load(names[0])
	}
	var (
		files []*File
		diags Diagnostics
	)
	for _, name := range names {
		f, err := Load(name)
		if err != nil {
			if ds, ok := err.(Diagnostics); ok {
				diags = append(diags, ds...)
				continue
			}
			return nil, err
		}
		files = append(files, f)
	}
	if len(diags) > 0 {
		diags.Sort()
		return nil, diags
	}
	return Merge(files)
}

// ExpandPaths turns the -f arguments into the files they name: a file as
// it is, a directory as each *.yaml file directly in it, sorted by name
// (subdirectories are not entered, so that policy documents and other
// material can live below). A file named twice is read once.
func ExpandPaths(paths []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(name string) {
		key := filepath.Clean(name)
		if !seen[key] {
			seen[key] = true
			out = append(out, name)
		}
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil || !info.IsDir() {
			// Load reports a missing or irregular file with its name.
			add(p)
			continue
		}
		matches, err := filepath.Glob(filepath.Join(p, "*.yaml"))
		if err != nil {
			return nil, Diagnostics{{File: p, Message: "cannot list the directory: " + err.Error()}}
		}
		var files []string
		for _, m := range matches {
			if fi, err := os.Stat(m); err == nil && fi.Mode().IsRegular() {
				files = append(files, m)
			}
		}
		if len(files) == 0 {
			return nil, Diagnostics{{File: p, Message: "the directory holds no *.yaml file: name a bindings file, or a directory of them"}}
		}
		slices.Sort(files)
		for _, m := range files {
			add(m)
		}
	}
	if len(out) == 0 {
		return nil, Diagnostics{{Message: "no bindings file named: give -f FILE or -f DIR"}}
	}
	return out, nil
}

// Merge joins several parsed files into one File, keeping each file's
// name and lines for diagnostics. It refuses, naming both places, owner or
// settings set in two files; everything else (duplicates of an account,
// cluster, policy, role or binding across files among them) is Validate's.
func Merge(files []*File) (*File, error) {
	if len(files) == 1 {
		return files[0], nil
	}
	out := &File{APIVersion: APIVersion, Kind: Kind, Parts: files}
	m := &mergedSource{header: map[string]int{}}
	var diags Diagnostics
	setBy := func(field string, k int, set bool) {
		if !set {
			return
		}
		if j, dup := m.header[field]; dup {
			first := files[j]
			diags = append(diags, Diagnostic{File: files[k].Path, Path: field, Line: files[k].Source.line(at(field)),
				Message: fmt.Sprintf("%s is already set by %s:%d: set it in one file only (the shared one), so that no team file changes it for the others", field, first.Path, first.Source.line(at(field)))})
			return
		}
		m.header[field] = k
	}
	for k, f := range files {
		src := f.Source
		if src == nil {
			src = &Source{name: f.Path}
		}
		part := mergedPart{src: src, first: map[string]int{}, count: map[string]int{}}
		for _, h := range []struct{ field, got, want string }{{"apiVersion", f.APIVersion, APIVersion}, {"kind", f.Kind, Kind}} {
			if h.got != h.want {
				diags = append(diags, Diagnostic{File: f.Path, Path: h.field, Line: src.line(at(h.field)),
					Message: fmt.Sprintf("%s is %q: every file of the set is a bindings file of its own; set apiVersion: %s and kind: %s", h.field, h.got, APIVersion, Kind)})
			}
		}
		setBy("owner", k, f.Owner != "")
		setBy("settings", k, f.Settings != (Settings{}))
		part.first["accounts"], part.count["accounts"] = len(out.Accounts), len(f.Accounts)
		part.first["clusters"], part.count["clusters"] = len(out.Clusters), len(f.Clusters)
		part.first["policies"], part.count["policies"] = len(out.Policies), len(f.Policies)
		part.first["roles"], part.count["roles"] = len(out.Roles), len(f.Roles)
		out.Accounts = append(out.Accounts, f.Accounts...)
		out.Clusters = append(out.Clusters, f.Clusters...)
		out.Policies = append(out.Policies, f.Policies...)
		out.Roles = append(out.Roles, f.Roles...)
		m.parts = append(m.parts, part)
	}
	if len(diags) > 0 {
		diags.Sort()
		return nil, diags
	}
	if k, ok := m.header["owner"]; ok {
		out.Owner = files[k].Owner
	}
	if k, ok := m.header["settings"]; ok {
		out.Settings = files[k].Settings
	}
	out.Path = files[0].Path
	out.Source = &Source{merged: m}
	for _, f := range files {
		if f.Source != nil {
			out.Source.deferred = append(out.Source.deferred, f.Source.deferred...)
		}
	}
	return out, nil
}

// Files returns the files f was read from: its parts when it was merged
// from several, else f itself.
func (f *File) Files() []*File {
	if len(f.Parts) > 0 {
		return f.Parts
	}
	return []*File{f}
}
