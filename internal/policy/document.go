// Package policy holds IAM policy documents: the text a person or IAM wrote,
// which is what irsa-sync sends back to IAM, and a semantic key that makes
// two documents that mean the same to IAM compare equal however they were
// written.
//
// Reconcilers that compare policy JSON as strings loop forever: IAM returns
// documents URL-encoded and keeps whatever shape it was given, and people
// write "Action": "s3:GetObject" where IAM tools write ["s3:GetObject"].
// Reconcilers that write a normalised form instead of the user's text change
// what the user reviewed (and its size against IAM's quotas). Every
// comparison of documents in irsa-sync goes through Document.Equal; every
// write sends Document.JSON.
package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"unicode"
)

// Document is a parsed IAM policy document. The zero value is the empty
// document (no policy), which is Equal only to another zero value.
type Document struct {
	// raw is the document as written (URL-decoded), compacted: the text
	// irsa-sync sends to IAM.
	raw string
	// display is the document with lists sorted, single values made lists
	// and keys sorted, but every value spelt as written: what a reviewer
	// reads and what a plan diffs by statement.
	display string
	// keys is the semantic form (see semantic.go) for each partition of
	// partitions, in that order; equal keys mean IAM treats the documents
	// as one policy in that partition.
	keys [len(partitions)]string
}

// Parse reads a policy document given as JSON, or URL-encoded JSON as IAM
// returns it from GetRole, GetPolicyVersion, GetRolePolicy and
// GetAccountAuthorizationDetails. A key repeated within one object is
// refused, with its path.
func Parse(raw []byte) (Document, error) {
	text, err := Decode(string(raw))
	if err != nil {
		return Document{}, err
	}
	if err := checkDuplicateKeys(text); err != nil {
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
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(text)); err != nil {
		return Document{}, fmt.Errorf("policy document is not valid JSON: %w", err)
	}
	return build(obj, compact.String())
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

// FromMap makes a document of an already decoded JSON object, such as one
// irsa-sync generates; its text is the object's JSON with sorted keys.
func FromMap(obj map[string]any) (Document, error) {
	return build(obj, marshalCanonical(obj))
}

func build(obj map[string]any, raw string) (Document, error) {
	n, err := normaliseDocument(obj)
	if err != nil {
		return Document{}, err
	}
	d := Document{raw: raw, display: marshalCanonical(n)}
	for i, p := range partitions {
		if i > 0 && !namesAccounts(n) {
			// Only a bare account id principal reads differently per
			// partition; without one, every partition's key is the
			// first's (this halves the planner's CPU at 1,000 roles).
			d.keys[i] = d.keys[0]
			continue
		}
		d.keys[i] = marshalCanonical(semanticDocument(n, p))
	}
	return d, nil
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
func (d Document) IsZero() bool { return d.raw == "" }

// Equal reports whether two documents mean the same policy to IAM in some
// partition. A document does not know the partition it will live in, and
// the only partition-dependent rule (a bare account id principal is that
// account's root ARN in the partition of the policy, see semantic.go) can
// only match a root ARN of the partition IAM itself wrote; so matching any
// partition never equates two documents that one real account would hold
// differently. Use EqualIn when the partition is known.
func (d Document) Equal(o Document) bool {
	for i := range partitions {
		if d.keys[i] == o.keys[i] {
			return true
		}
	}
	return false
}

// EqualIn reports whether two documents mean the same policy to IAM in the
// given partition (aws, aws-cn, aws-us-gov). An unknown partition compares
// as Equal does.
func (d Document) EqualIn(o Document, partition string) bool {
	i, ok := partitionIndex(partition)
	if !ok {
		return d.Equal(o)
	}
	return d.keys[i] == o.keys[i]
}

// JSON returns the document as written, compact: the text irsa-sync sends to
// IAM. A document built by FromMap gives its JSON with sorted keys.
func (d Document) JSON() string { return d.raw }

// Raw is JSON under the name that says what it is: the user's text.
func (d Document) Raw() string { return d.raw }

// String returns the compact form a reviewer reads (see Pretty).
func (d Document) String() string { return d.display }

// Key returns the semantic form of the document in a partition, for tests
// and diagnostics: two documents with equal keys are one policy there. An
// unknown partition gives the key of "aws".
func (d Document) Key(partition string) string {
	i, _ := partitionIndex(partition)
	return d.keys[i]
}

// Pretty returns the document indented for people, with its lists and keys
// sorted so that two versions of it diff line by line; values are spelt as
// written.
func (d Document) Pretty() string {
	if d.display == "" {
		return ""
	}
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(d.display), "", "  "); err != nil {
		return d.display
	}
	return b.String()
}

// Size is the document's length as IAM counts it against its quotas, of
// the text irsa-sync sends (JSON): characters, not bytes, white space not
// counted. IAM quotas page ("IAM and AWS STS quotas"): "IAM doesn't count
// white space when calculating the size of a policy against these quotas."
func (d Document) Size() int {
	return Size(d.raw)
}

// Size is the length of a policy text as IAM counts it: characters (runes),
// white space not counted.
func Size(text string) int {
	n := 0
	for _, r := range text {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// Statements returns each statement in the form a reviewer reads (values
// as written, lists sorted), sorted, so that a plan can say which
// statements a change adds and removes. See ChangedStatements for a diff
// that follows IAM's semantics.
func (d Document) Statements() []string {
	out, _ := d.statements()
	return out
}

// ChangedStatements returns the statements of d that o does not have
// (added) and those of o that d does not have (removed), compared with
// IAM's semantics, each in the form Statements gives.
func (d Document) ChangedStatements(o Document) (added, removed []string) {
	return diffStatements(d, o), diffStatements(o, d)
}

func diffStatements(d, o Document) []string {
	shown, keys := d.statements()
	_, otherKeys := o.statements()
	have := map[string]bool{}
	for _, k := range otherKeys {
		have[k] = true
	}
	var out []string
	for i, k := range keys {
		if !have[k] {
			out = append(out, shown[i])
		}
	}
	return out
}

// statements returns the display form and the semantic key (for any
// partition) of each statement, in display order.
func (d Document) statements() (shown, keys []string) {
	if d.display == "" {
		return nil, nil
	}
	var doc map[string]any
	dec := json.NewDecoder(strings.NewReader(d.display))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, nil
	}
	list, _ := doc["Statement"].([]any)
	for _, s := range list {
		st, _ := s.(map[string]any)
		shown = append(shown, marshalCanonical(s))
		keys = append(keys, marshalCanonical(semanticStatement(st, anyPartition)))
	}
	return shown, keys
}

// Map returns a fresh decoded copy of the document in the form Pretty
// shows: Statement a list, Action, Resource and condition values lists.
func (d Document) Map() map[string]any {
	if d.display == "" {
		return nil
	}
	var doc map[string]any
	_ = json.Unmarshal([]byte(d.display), &doc)
	return doc
}

// MarshalJSON writes the document as written, as a JSON object (not a
// string), so that a saved plan carries exactly the text apply sends.
func (d Document) MarshalJSON() ([]byte, error) {
	if d.raw == "" {
		return []byte("null"), nil
	}
	return []byte(d.raw), nil
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
		// Only decoded JSON values reach here: strings, numbers, lists, maps.
		panic(fmt.Sprintf("policy: cannot marshal document: %v", err))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
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
