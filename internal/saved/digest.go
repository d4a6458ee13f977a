package saved

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/config"
)

// Digest identifies the input a plan was computed from: every bindings
// file (a desired state may be split into several, see config.Merge) and
// each policy document file they reference.
type Digest struct {
	// Paths are the -f arguments as given (files or directories); apply
	// reads them again from there unless -f names others.
	Paths []string `json:"paths"`
	// Files are the bindings files read, in the order they were merged.
	Files []FileDigest `json:"files"`
	// Documents are the documentFile entries, each by the bindings file
	// that names it and the path it gives (relative to that file's
	// directory), sorted.
	Documents []DocumentDigest `json:"documents"`
}

// FileDigest is the digest of one bindings file.
type FileDigest struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// DocumentDigest is the digest of one policy document file.
type DocumentDigest struct {
	// File is the bindings file that references the document.
	File   string `json:"file"`
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// key identifies a document across checkouts: the bindings file's name
// (not its directory) and the path as written.
func (d DocumentDigest) key() string { return filepath.Base(d.File) + ": " + d.Path }

// DigestFiles returns the digest of the bindings files f was loaded from
// (given on the command line as paths) and of the document files they
// reference. It reads the files again rather than trusting what was
// parsed, so that the bytes digested are the bytes on disk.
func DigestFiles(paths []string, f *config.File) (Digest, error) {
	d := Digest{Paths: paths, Files: []FileDigest{}, Documents: []DocumentDigest{}}
	for _, part := range f.Files() {
		sum, err := fileSHA256(part.Path)
		if err != nil {
			return Digest{}, err
		}
		d.Files = append(d.Files, FileDigest{Path: part.Path, SHA256: sum})
		seen := map[string]bool{}
		for _, p := range part.Policies {
			if p.DocumentFile == "" || seen[p.DocumentFile] {
				continue
			}
			seen[p.DocumentFile] = true
			sum, err := fileSHA256(filepath.Join(filepath.Dir(part.Path), filepath.FromSlash(p.DocumentFile)))
			if err != nil {
				return Digest{}, err
			}
			d.Documents = append(d.Documents, DocumentDigest{File: part.Path, Path: p.DocumentFile, SHA256: sum})
		}
	}
	sort.Slice(d.Documents, func(i, j int) bool { return d.Documents[i].key() < d.Documents[j].key() })
	return d, nil
}

// Equal reports whether two digests name the same content; the paths of
// the files may differ (a checkout elsewhere is the same input).
func (d Digest) Equal(o Digest) bool {
	if len(d.Files) != len(o.Files) || len(d.Documents) != len(o.Documents) {
		return false
	}
	for i := range d.Files {
		if d.Files[i].SHA256 != o.Files[i].SHA256 {
			return false
		}
	}
	for i := range d.Documents {
		if d.Documents[i].key() != o.Documents[i].key() || d.Documents[i].SHA256 != o.Documents[i].SHA256 {
			return false
		}
	}
	return true
}

// Names is how messages name the bindings files.
func (d Digest) Names() string {
	names := make([]string, len(d.Files))
	for i, f := range d.Files {
		names[i] = f.Path
	}
	return strings.Join(names, ", ")
}

func fileSHA256(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("digest %s: %w", path, err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// Fingerprint is the SHA-256 of v's canonical JSON: encoded, decoded into
// generic values and encoded again, which sorts every object's keys, so
// that equal objects have equal fingerprints whatever produced them. The
// fingerprint of nil (an object that does not exist) is that of null.
func Fingerprint(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	c, err := canonical(b)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(c)
	return hex.EncodeToString(sum[:]), nil
}

func canonical(b []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	// Numbers stay as written: float64 would round large integers.
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, err
	}
	return json.Marshal(generic)
}
