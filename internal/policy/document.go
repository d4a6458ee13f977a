// Package policy holds IAM policy documents in a normalised form, so that two
// documents that mean the same compare equal however IAM or a person wrote them.
//
// Reconcilers that compare policy JSON as strings loop forever: IAM returns
// documents URL-encoded, reorders nothing but keeps whatever shape it was
// given, and people write "Action": "s3:GetObject" where IAM tools write
// ["s3:GetObject"]. Every comparison of documents in irsa-sync goes through
// Document.Equal.
package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"unicode"
)

// Document is a parsed, normalised IAM policy document. The zero value is
// the empty document (no policy), which is Equal only to another zero value.
type Document struct {
	// canonical is the normalised document as compact JSON with sorted keys.
	canonical string
}

// Parse reads a policy document given as JSON, or URL-encoded JSON as IAM
// returns it from GetRole, GetPolicyVersion, GetRolePolicy and
// GetAccountAuthorizationDetails.
func Parse(raw []byte) (Document, error) {
	text, err := Decode(string(raw))
	if err != nil {
		return Document{}, err
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return Document{}, fmt.Errorf("policy document is not valid JSON: %w", err)
	}
	if dec.More() {
		return Document{}, fmt.Errorf("policy document has data after the JSON object")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return Document{}, fmt.Errorf("policy document must be a JSON object, not %s", jsonKind(v))
	}
	return FromMap(obj)
}

// MustParse is Parse for documents known to be valid, such as test fixtures;
// it panics on error.
func MustParse(raw string) Document {
	d, err := Parse([]byte(raw))
	if err != nil {
		panic(err)
	}
	return d
}

// FromMap normalises an already decoded JSON object.
func FromMap(obj map[string]any) (Document, error) {
	n, err := normaliseDocument(obj)
	if err != nil {
		return Document{}, err
	}
	return Document{canonical: marshalCanonical(n)}, nil
}

// Decode returns the JSON text of a document that may be URL-encoded. IAM
// encodes documents with RFC 3986 percent-encoding, and the Go SDK does not
// decode them; some IAM-compatible servers return them plain. Plain JSON
// always starts with "{" (after white space), encoded JSON with "%7B", so the
// first character tells the two apart without guessing from "%" or "+"
// inside the document.
func Decode(s string) (string, error) {
	trimmed := strings.TrimLeftFunc(s, unicode.IsSpace)
	if trimmed == "" || strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "[") {
		return s, nil
	}
	// Query semantics: "+" is a space, as in IAM's encoding of documents.
	out, err := url.QueryUnescape(s)
	if err != nil {
		return "", fmt.Errorf("policy document is neither JSON nor URL-encoded JSON: %w", err)
	}
	return out, nil
}

// IsZero reports whether d is the empty document.
func (d Document) IsZero() bool { return d.canonical == "" }

// Equal reports whether two documents mean the same policy.
func (d Document) Equal(o Document) bool { return d.canonical == o.canonical }

// JSON returns the normalised document as compact JSON, the form irsa-sync
// sends to IAM. It is stable: the same document always gives the same bytes.
func (d Document) JSON() string { return d.canonical }

// String returns the compact JSON form.
func (d Document) String() string { return d.canonical }

// Pretty returns the normalised document indented for people.
func (d Document) Pretty() string {
	if d.canonical == "" {
		return ""
	}
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(d.canonical), "", "  "); err != nil {
		return d.canonical
	}
	return b.String()
}

// Size is the document's length as IAM counts it against its quotas:
// characters, white space not counted.
func (d Document) Size() int {
	n := 0
	for _, r := range d.canonical {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// Statements returns each statement as compact canonical JSON, sorted, so
// that a plan can say which statements a change adds and removes.
func (d Document) Statements() []string {
	if d.canonical == "" {
		return nil
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(d.canonical), &doc); err != nil {
		return nil
	}
	list, _ := doc["Statement"].([]any)
	out := make([]string, 0, len(list))
	for _, s := range list {
		out = append(out, marshalCanonical(s))
	}
	return out
}

// Map returns a fresh decoded copy of the normalised document.
func (d Document) Map() map[string]any {
	if d.canonical == "" {
		return nil
	}
	var doc map[string]any
	_ = json.Unmarshal([]byte(d.canonical), &doc)
	return doc
}

// MarshalJSON writes the document as a JSON object (not a string), so plans
// in JSON show documents readably.
func (d Document) MarshalJSON() ([]byte, error) {
	if d.canonical == "" {
		return []byte("null"), nil
	}
	return []byte(d.canonical), nil
}

// UnmarshalJSON reads a document written by MarshalJSON (or any policy JSON).
func (d *Document) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		*d = Document{}
		return nil
	}
	parsed, err := Parse(b)
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}

func marshalCanonical(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	// Policies hold ARNs and conditions with "&" and "<"; keep them readable.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only values built by normalise reach here: strings, lists, maps.
		panic(fmt.Sprintf("policy: cannot marshal normalised document: %v", err))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "a list"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	default:
		return fmt.Sprintf("%T", v)
	}
}
