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

	"github.com/irsa-sync/irsa-sync/internal/config"
)

// Digest identifies the input a plan was computed from: the bindings file
// and each policy document file it references.
type Digest struct {
	// Path is the bindings file as given on the command line; apply reads
	// it again from there unless -f names another copy.
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	// Documents are the documentFile entries, by the path the file gives
	// (relative to its directory), sorted.
	Documents []DocumentDigest `json:"documents"`
}

// DocumentDigest is the digest of one policy document file.
type DocumentDigest struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// DigestFile returns the digest of the bindings file at path and of the
// document files f (loaded from it) references. It reads the files again
// rather than trusting what was parsed, so that the bytes digested are the
// bytes on disk.
func DigestFile(path string, f *config.File) (Digest, error) {
	sum, err := fileSHA256(path)
	if err != nil {
		return Digest{}, err
	}
	d := Digest{Path: path, SHA256: sum, Documents: []DocumentDigest{}}
	seen := map[string]bool{}
	for _, p := range f.Policies {
		if p.DocumentFile == "" || seen[p.DocumentFile] {
			continue
		}
		seen[p.DocumentFile] = true
		sum, err := fileSHA256(filepath.Join(filepath.Dir(path), filepath.FromSlash(p.DocumentFile)))
		if err != nil {
			return Digest{}, err
		}
		d.Documents = append(d.Documents, DocumentDigest{Path: p.DocumentFile, SHA256: sum})
	}
	sort.Slice(d.Documents, func(i, j int) bool { return d.Documents[i].Path < d.Documents[j].Path })
	return d, nil
}

// Equal reports whether two digests name the same content; the path of the
// bindings file may differ (a checkout elsewhere is the same input).
func (d Digest) Equal(o Digest) bool {
	if d.SHA256 != o.SHA256 || len(d.Documents) != len(o.Documents) {
		return false
	}
	for i := range d.Documents {
		if d.Documents[i] != o.Documents[i] {
			return false
		}
	}
	return true
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
