package docdiff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/policy"
)

// indent is one level of the pretty form.
const indent = "  "

// topOrder and statementOrder put the keys a reviewer looks for first at the
// top: who (Principal), may do what (Action), to what (Resource), when
// (Condition). Keys not listed follow, sorted.
var (
	topOrder       = []string{"Version", "Id", "Statement"}
	statementOrder = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
)

// document is a policy in its pretty form, cut where a diff pairs it with
// another: the lines before the statements, each statement, the lines after.
// Lines carry their indentation but no trailing comma; commas depend on the
// following line and are added only for display (see withCommas), so that a
// value appended to a list does not change the line above it.
type document struct {
	head       []string
	statements []statement
	tail       []string
}

// statement is one statement's lines, with its Sid when it has one.
type statement struct {
	sid   string
	lines []string
}

// lines returns the whole document, without commas.
func (d document) lines() []string {
	out := append([]string(nil), d.head...)
	for _, s := range d.statements {
		out = append(out, s.lines...)
	}
	return append(out, d.tail...)
}

// Pretty returns a policy document as the canonical pretty JSON that Lines
// diffs: normalised as policy.Parse does (every list a sorted list, so a new
// value is one new line), keys in reviewer order, two-space indent, one value
// per line, each line ending in a newline. Statements keep the author's
// order, without repeats. An empty input (or "null") is no document and
// gives "".
func Pretty(doc []byte) (string, error) {
	d, err := parse(doc)
	if err != nil {
		return "", err
	}
	return join(withCommas(d.lines())), nil
}

// parse reads and normalises a document (plain or URL-encoded JSON) into its
// pretty form. It validates with policy.Parse, so errors read as they do
// everywhere else in irsa-sync, then normalises each statement on its own to
// keep their order.
func parse(raw []byte) (document, error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || string(trimmed) == "null" {
		return document{}, nil
	}
	whole, err := policy.Parse(trimmed)
	if err != nil {
		return document{}, err
	}
	top, err := decode(whole.JSON())
	if err != nil {
		return document{}, err
	}
	text, err := policy.Decode(string(trimmed))
	if err != nil {
		return document{}, err
	}
	written, err := decode(text)
	if err != nil {
		return document{}, err
	}
	stmts, err := statementsInOrder(written["Statement"])
	if err != nil {
		return document{}, err
	}

	var d document
	d.head = []string{"{"}
	keys := orderedKeys(top, topOrder)
	i := 0
	for ; i < len(keys) && keys[i] != "Statement"; i++ {
		d.head = render(d.head, 1, member(keys[i]), top[keys[i]], nil)
	}
	if i < len(keys) {
		if len(stmts) == 0 {
			d.head = append(d.head, indent+`"Statement": []`)
		} else {
			d.head = append(d.head, indent+`"Statement": [`)
			d.tail = append(d.tail, indent+"]")
		}
		i++
	}
	for ; i < len(keys); i++ {
		d.tail = render(d.tail, 1, member(keys[i]), top[keys[i]], nil)
	}
	d.tail = append(d.tail, "}")
	for _, s := range stmts {
		sid, _ := s["Sid"].(string)
		d.statements = append(d.statements, statement{sid: sid, lines: render(nil, 2, "", s, statementOrder)})
	}
	return d, nil
}

// statementsInOrder normalises each statement as written, dropping repeats
// (IAM treats a repeated statement as one), in the author's order.
func statementsInOrder(v any) ([]map[string]any, error) {
	var list []any
	switch s := v.(type) {
	case nil:
		return nil, nil
	case []any:
		list = s
	default:
		list = []any{s}
	}
	seen := map[string]bool{}
	var out []map[string]any
	for i, item := range list {
		one, err := policy.FromMap(map[string]any{"Statement": []any{item}})
		if err != nil {
			return nil, fmt.Errorf("Statement[%d]: %w", i, err)
		}
		if seen[one.String()] {
			continue
		}
		seen[one.String()] = true
		m, err := decode(one.String())
		if err != nil {
			return nil, err
		}
		stmts, _ := m["Statement"].([]any)
		if len(stmts) != 1 {
			return nil, fmt.Errorf("Statement[%d]: normalised to %d statements, want 1", i, len(stmts))
		}
		s, ok := stmts[0].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("Statement[%d] must be an object", i)
		}
		out = append(out, s)
	}
	return out, nil
}

// decode reads a JSON object keeping numbers as written, so a condition on
// 1.50 is shown as 1.50.
func decode(text string) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("policy document is not valid JSON: %w", err)
	}
	return m, nil
}

// member is the start of an object member's line; list elements have none.
func member(key string) string { return scalar(key) + ": " }

// render appends the lines of one value at the given depth, after name
// (member(key) for an object member, "" for a list element). first lists the
// keys of an object that come before the others; nested objects sort all
// their keys.
func render(out []string, depth int, name string, v any, first []string) []string {
	prefix := strings.Repeat(indent, depth) + name
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 {
			return append(out, prefix+"{}")
		}
		out = append(out, prefix+"{")
		for _, k := range orderedKeys(t, first) {
			out = render(out, depth+1, member(k), t[k], nil)
		}
		return append(out, strings.Repeat(indent, depth)+"}")
	case []any:
		if len(t) == 0 {
			return append(out, prefix+"[]")
		}
		out = append(out, prefix+"[")
		for _, item := range t {
			out = render(out, depth+1, "", item, nil)
		}
		return append(out, strings.Repeat(indent, depth)+"]")
	default:
		return append(out, prefix+scalar(v))
	}
}

// scalar writes a JSON scalar; ARNs and conditions hold "&" and "<", which
// stay as they are for people.
func scalar(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only decoded JSON reaches here: strings, numbers, booleans, null.
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// orderedKeys returns the keys of m: those in first, in that order, then the
// rest sorted.
func orderedKeys(m map[string]any, first []string) []string {
	keys := make([]string, 0, len(m))
	listed := map[string]bool{}
	for _, k := range first {
		listed[k] = true
		if _, ok := m[k]; ok {
			keys = append(keys, k)
		}
	}
	var rest []string
	for k := range m {
		if !listed[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(keys, rest...)
}

// opens reports whether a pretty line starts an object or a list; it is then
// never followed by a comma.
func opens(line string) bool {
	return strings.HasSuffix(line, "{") || strings.HasSuffix(line, "[")
}

// closes reports whether a pretty line ends an object or a list; the line
// before it never has a comma. Other lines start with a quote, a digit, a
// minus sign or a literal.
func closes(line string) bool {
	t := strings.TrimLeft(line, " ")
	return strings.HasPrefix(t, "}") || strings.HasPrefix(t, "]")
}

// needsComma reports whether line, followed by next, takes a comma in JSON.
func needsComma(line, next string) bool {
	return !opens(line) && !closes(next)
}

// withCommas adds the commas JSON needs to comma-free pretty lines.
func withCommas(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l
		if i+1 < len(lines) && needsComma(l, lines[i+1]) {
			out[i] += ","
		}
	}
	return out
}

func join(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}
