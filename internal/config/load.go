package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"
)

// MaxFileSize is the largest bindings file (and policy documentFile) read.
// A file describing hundreds of roles is well under 100 KiB; the limit keeps
// a wrong path (a log, a binary) from being parsed at all.
const MaxFileSize = 1 << 20

// Load reads and parses the bindings file at path; see Parse.
func Load(path string) (*File, error) {
	data, err := readLimited(path)
	if err != nil {
		return nil, Diagnostics{{File: path, Message: err.Error()}}
	}
	return Parse(data, path)
}

// readLimited reads at most MaxFileSize bytes of path, refusing larger
// files without reading them whole.
func readLimited(path string) ([]byte, error) {
	// Stat follows symbolic links, so a link to a FIFO is refused too.
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the file: %w", err)
	}
	if err := regularFile(info); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the file: %w", err)
	}
	defer f.Close()
	// The path may have been replaced between Stat and Open.
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		return nil, errors.New("the file changed while it was opened: it is not a regular file now; name a bindings file")
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read the file: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, errTooLarge
	}
	return data, nil
}

// regularFile refuses anything but a regular file before it is opened:
// opening a FIFO blocks until a writer comes (for ever, deaf to --timeout
// and signals), and a device such as /dev/zero never ends.
func regularFile(info os.FileInfo) error {
	m := info.Mode()
	if m.IsRegular() {
		return nil
	}
	kind := "not a regular file"
	switch {
	case m.IsDir():
		kind = "a directory"
	case m&os.ModeNamedPipe != 0:
		kind = "a named pipe (FIFO)"
	case m&os.ModeSocket != 0:
		kind = "a socket"
	case m&os.ModeDevice != 0:
		kind = "a device"
	}
	return fmt.Errorf("%s is %s, not a regular file: irsa-sync reads only regular files; name the file itself", info.Name(), kind)
}

var errTooLarge = fmt.Errorf("the file is larger than %d bytes (1 MiB), far more than a bindings file needs: check the path, or split the file", MaxFileSize)

// Parse reads a bindings file from data; path names it in diagnostics and
// is the directory documentFile entries are resolved against.
//
// Parse checks the syntax and shape of the file: YAML syntax, size, depth,
// aliases, duplicate keys, unknown fields and value types, and reads each
// documentFile. It fails with Diagnostics only when the file cannot be
// turned into a File. Every other rule, including those the schema checks,
// is reported by Validate, which the caller must run next: that way one run
// lists every problem of the file.
func Parse(data []byte, path string) (*File, error) {
	if len(data) > MaxFileSize {
		return nil, Diagnostics{{File: path, Message: errTooLarge.Error()}}
	}
	src, diags := parseSource(data, path)
	if diags != nil {
		diags.Sort()
		return nil, diags
	}
	// YAMLToJSONStrict refuses duplicate keys as well; parseSource has
	// already reported those with their lines, so an error here is rare.
	js, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		line, msg := yamlError(err)
		return nil, Diagnostics{{File: path, Line: line, Message: "cannot convert the YAML to JSON: " + msg}}
	}
	fatal, deferred := checkSchema(js, src)
	if len(fatal) > 0 {
		all := append(fatal, deferred...)
		all.Sort()
		return nil, all
	}
	var f File
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		var te *json.UnmarshalTypeError
		extra := Diagnostics{{File: path, Message: "cannot decode the file: " + err.Error()}}
		if errors.As(err, &te) {
			extra = typeErrorDiagnostics(te, js, src, deferred)
		}
		all := append(deferred, extra...)
		all.Sort()
		return nil, all
	}
	f.Path = path
	f.Source = src
	src.deferred = append(deferred, readDocumentFiles(&f, src)...)
	return &f, nil
}

// readDocumentFiles fills Document of each policy that names a
// documentFile. The file must lie inside the bindings file's directory: the
// documents are part of what reviewers approve, so they live in the same
// repository, and a file that can pull in /etc or ../../secrets would
// make the review incomplete. Symbolic links leaving the directory are
// refused the same way.
func readDocumentFiles(f *File, src *Source) Diagnostics {
	c := &collector{src: src}
	dir := filepath.Dir(f.Path)
	var root *os.Root
	for i := range f.Policies {
		p := &f.Policies[i]
		if p.DocumentFile == "" {
			continue
		}
		at := at("policies", i, "documentFile")
		rel := filepath.FromSlash(p.DocumentFile)
		if filepath.IsAbs(rel) || !filepath.IsLocal(rel) {
			c.add(at, "%q is outside the directory of this file; policy documents must live next to the bindings file (in it or below it) so they are reviewed with it: move the document there and name it by a relative path", p.DocumentFile)
			continue
		}
		if root == nil {
			var err error
			if root, err = os.OpenRoot(dir); err != nil {
				c.add(at, "cannot open the directory %q to read %q: %v", dir, p.DocumentFile, err)
				continue
			}
			defer root.Close()
		}
		data, err := readDocument(root, rel)
		if err != nil {
			c.add(at, "cannot use %q: %v", p.DocumentFile, err)
			continue
		}
		p.Document = data
		p.DocumentSource = filepath.Join(dir, rel)
	}
	return c.diags
}

// readDocument reads one policy JSON file through root, which refuses any
// path, or link, that leads out of the bindings file's directory.
func readDocument(root *os.Root, rel string) (json.RawMessage, error) {
	info, err := root.Stat(rel)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, errors.New("no such file (the path is relative to the bindings file's directory)")
		}
		return nil, err
	}
	if err := regularFile(info); err != nil {
		return nil, err
	}
	fh, err := root.Open(rel)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	if info, err := fh.Stat(); err != nil || !info.Mode().IsRegular() {
		return nil, errors.New("the file changed while it was opened: it is not a regular file now")
	}
	data, err := io.ReadAll(io.LimitReader(fh, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, errors.New("the file is larger than 1 MiB; a policy document is at most 6,144 characters")
	}
	// Unmarshal, unlike Compact, reports where the syntax error is.
	var probe any
	if err := json.Unmarshal(data, &probe); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + strings.Count(string(data[:se.Offset]), "\n")
			return nil, fmt.Errorf("not valid JSON at line %d: %v", line, se)
		}
		return nil, fmt.Errorf("not valid JSON: %v", err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		return nil, fmt.Errorf("not valid JSON: %v", err)
	}
	return json.RawMessage(buf.Bytes()), nil
}
