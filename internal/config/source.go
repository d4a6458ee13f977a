package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	yamlv3 "go.yaml.in/yaml/v3"
)

// Limits on the shape of the YAML, checked before the document is expanded
// into Go values. The YAML libraries guard themselves too (nesting over
// 10,000 levels, and a ratio of alias-made to written nodes that still lets
// a small file expand to about 400,000 nodes); these limits are far lower
// because no bindings file comes near them, and they fail with a message
// that says which rule was hit.
const (
	// MaxDepth is the deepest nesting of mappings and lists accepted. A
	// policy condition inside an inline policy is about 11 levels deep.
	MaxDepth = 40
	// MaxAliasNodes is how many nodes aliases (*name) may add to the file
	// when expanded.
	MaxAliasNodes = 100_000
)

// Source is the parsed text of a bindings file, kept with the File so that
// diagnostics found later can name their line.
type Source struct {
	name string
	root *yamlv3.Node
	// deferred holds problems the schema found that Validate reports with
	// more context; Validate adds the ones it did not report itself.
	deferred Diagnostics
	// merged is set, instead of name and root, on the source of a File
	// merged from several files: it maps a place in the merged File back
	// to its file and its place there (see Merge).
	merged *mergedSource
}

// Name is the file name the source was read from; for a File merged from
// several files, their names joined by ", ".
func (s *Source) Name() string {
	if s == nil {
		return "the bindings file"
	}
	if s.merged != nil {
		names := make([]string, len(s.merged.parts))
		for i, p := range s.merged.parts {
			names[i] = p.src.name
		}
		return strings.Join(names, ", ")
	}
	return s.name
}

// Equal reports whether two sources are the same file. It lets go-cmp
// compare Files without looking into the YAML node tree.
func (s *Source) Equal(o *Source) bool {
	if s == nil || o == nil {
		return s == o
	}
	return s.Name() == o.Name()
}

// yamlErrLine finds the line in the YAML libraries' errors: "yaml: line
// 3: ..." from the parser, "yaml: unmarshal errors:\n  line 3: ..." from
// strict decoding.
var yamlErrLine = regexp.MustCompile(`(?s)^yaml: (?:unmarshal errors:\s*)?line (\d+): (.*)$`)

// parseSource parses data into a node tree and checks what must hold before
// it is expanded: one YAML document, a mapping at the top, bounded depth and
// alias expansion, no duplicate keys.
func parseSource(data []byte, name string) (*Source, Diagnostics) {
	src := &Source{name: name}
	fail := func(line int, format string, args ...any) (*Source, Diagnostics) {
		return nil, Diagnostics{{File: name, Line: line, Message: fmt.Sprintf(format, args...)}}
	}
	dec := yamlv3.NewDecoder(bytes.NewReader(data))
	var doc yamlv3.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return fail(0, "the file is empty: start from examples/bindings.yaml")
		}
		line, msg := yamlError(err)
		return fail(line, "YAML syntax error: %s", msg)
	}
	var next yamlv3.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		return fail(next.Line, "the file holds more than one YAML document (a second one starts after ---): keep one bindings document per file")
	}
	if len(doc.Content) == 0 {
		return fail(0, "the file is empty: start from examples/bindings.yaml")
	}
	src.root = doc.Content[0]
	if src.root.Kind != yamlv3.MappingNode {
		return fail(src.root.Line, "the file must be a mapping of fields (apiVersion, kind, owner, accounts, ...), not %s", nodeKind(src.root))
	}
	w := &treeWalker{src: src, depth: map[*yamlv3.Node]int{}, count: map[*yamlv3.Node]int{}}
	size := w.walk(src.root, path{})
	if w.diags != nil {
		return nil, w.diags
	}
	if w.maxDepth > MaxDepth {
		return fail(w.deepLine, "the file nests %d levels deep, more than the %d a bindings file can need: flatten it (deep nesting is refused to keep parsing cheap)", w.maxDepth, MaxDepth)
	}
	if added := size - w.written; added > MaxAliasNodes {
		return fail(0, "aliases (*name) expand the file by more than %d values, a sign of an alias bomb; write the repeated parts out or use fewer aliases", MaxAliasNodes)
	}
	return src, nil
}

var alreadySetRE = regexp.MustCompile(`key "((?:[^"\\]|\\.)*)" already set in map`)

func plural(keys []string) string {
	if len(keys) == 1 {
		return "key " + keys[0] + " is"
	}
	return "keys " + strings.Join(keys, ", ") + " are each"
}

// yamlError splits a YAML library error into its line and message.
func yamlError(err error) (int, string) {
	msg := err.Error()
	if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		msg = m[2]
		if keys := alreadySetRE.FindAllStringSubmatch(msg, -1); keys != nil {
			// The key may come from the entry and a merge, or from two
			// merged anchors (<<: [*a, *b]): say both, not "explicitly".
			names := make([]string, len(keys))
			for i, k := range keys {
				names[i] = strconv.Quote(k[1])
			}
			msg = fmt.Sprintf("%s set twice in one mapping, by a merge (<<: *anchor) and the entry itself, or by two merged anchors; strict parsing refuses a key set twice, even by a merge: write the entry out in full (line %d is where the YAML library noticed)", plural(names), line)
		}
		return line, msg
	}
	return 0, strings.TrimPrefix(msg, "yaml: ")
}

func nodeKind(n *yamlv3.Node) string {
	switch n.Kind {
	case yamlv3.SequenceNode:
		return "a list"
	case yamlv3.MappingNode:
		return "a mapping"
	case yamlv3.AliasNode:
		return "an alias"
	}
	return fmt.Sprintf("the value %q", n.Value)
}

// treeWalker measures depth and alias expansion with one visit per node,
// so that an alias bomb costs time linear in the text, not in its
// expansion.
type treeWalker struct {
	src      *Source
	depth    map[*yamlv3.Node]int // -1 while the node is being visited
	count    map[*yamlv3.Node]int // nodes under a node with aliases expanded
	written  int
	maxDepth int
	deepLine int // where the nesting first passes MaxDepth, if it does
	diags    Diagnostics
}

// walk returns how many nodes n stands for once aliases are expanded,
// capped so that the sum cannot overflow.
func (w *treeWalker) walk(n *yamlv3.Node, p path) int {
	if n.Kind == yamlv3.AliasNode {
		if n.Alias == nil {
			return 1
		}
		if w.depth[n.Alias] == -1 {
			w.diags = append(w.diags, Diagnostic{File: w.src.name, Line: n.Line, Path: p.String(),
				Message: fmt.Sprintf("alias *%s refers to the value that contains it; YAML cannot expand that: remove the alias", n.Value)})
			w.depth[n.Alias] = 0
			return 1
		}
		if _, seen := w.depth[n.Alias]; !seen {
			w.walk(n.Alias, p)
		}
		return w.count[n.Alias]
	}
	if _, seen := w.depth[n]; seen {
		return w.count[n]
	}
	w.written++
	w.depth[n] = -1
	// The path is as long as the nesting above n: remember where the
	// limit is first crossed, for the message.
	if len(p) >= MaxDepth && w.deepLine == 0 {
		w.deepLine = n.Line
	}
	deepest, total := 0, 1
	visit := func(c *yamlv3.Node, cp path) {
		total = min(total+w.walk(c, cp), 2*MaxAliasNodes+w.written+1)
		d := w.depth[c]
		if c.Kind == yamlv3.AliasNode && c.Alias != nil {
			d = w.depth[c.Alias]
		}
		deepest = max(deepest, d)
	}
	switch n.Kind {
	case yamlv3.SequenceNode:
		for i, c := range n.Content {
			visit(c, p.with(i))
		}
	case yamlv3.MappingNode:
		w.checkKeys(n, p)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			visit(k, p)
			visit(v, p.with(k.Value))
		}
	}
	w.depth[n] = deepest + 1
	w.count[n] = total
	w.maxDepth = max(w.maxDepth, deepest+1)
	return total
}

// checkKeys refuses duplicate keys (YAML forbids them, and which one wins
// would depend on the library) and keys that are not plain scalars.
func (w *treeWalker) checkKeys(n *yamlv3.Node, p path) {
	first := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yamlv3.ScalarNode {
			w.diags = append(w.diags, Diagnostic{File: w.src.name, Line: k.Line, Path: p.String(),
				Message: fmt.Sprintf("a key must be a plain name, not %s", nodeKind(k))})
			continue
		}
		if k.Tag == "!!merge" {
			continue
		}
		if line, dup := first[k.Value]; dup {
			w.diags = append(w.diags, Diagnostic{File: w.src.name, Line: k.Line, Path: p.with(k.Value).String(),
				Message: fmt.Sprintf("duplicate key %q (first on line %d): YAML forbids repeating a key in one mapping; keep one", k.Value, line)})
			continue
		}
		first[k.Value] = k.Line
	}
}

// line returns the line of the value at p: the line of its key for a
// field, of the item for a list entry, or of the nearest enclosing value
// that exists when p names something absent (a missing required field).
func (s *Source) line(p path) int {
	if s == nil || s.root == nil {
		return 0
	}
	n, line := s.root, s.root.Line
	for _, e := range p {
		n = resolve(n)
		switch e := e.(type) {
		case int:
			if n.Kind != yamlv3.SequenceNode || e < 0 || e >= len(n.Content) {
				return line
			}
			n = n.Content[e]
			line = n.Line
		case string:
			k, v := lookup(n, e)
			if k == nil {
				return line
			}
			n, line = v, k.Line
		}
	}
	return line
}

// toPath converts a JSON pointer's tokens (as the schema validator reports
// them) into a path, deciding by the YAML tree whether a token indexes a
// list or names a key.
func (s *Source) toPath(tokens []string) path {
	var n *yamlv3.Node
	if s != nil {
		n = s.root
	}
	p := make(path, 0, len(tokens))
	for _, t := range tokens {
		if n != nil {
			n = resolve(n)
		}
		i, err := strconv.Atoi(t)
		isIndex := err == nil && (n == nil || n.Kind == yamlv3.SequenceNode)
		if isIndex {
			p = append(p, i)
			if n != nil && i >= 0 && i < len(n.Content) {
				n = n.Content[i]
			} else {
				n = nil
			}
			continue
		}
		p = append(p, t)
		if n != nil {
			_, n = lookup(n, t)
		}
	}
	return p
}

func resolve(n *yamlv3.Node) *yamlv3.Node {
	for n != nil && n.Kind == yamlv3.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// lookup finds key in mapping n, returning the key node and its value.
func lookup(n *yamlv3.Node, key string) (*yamlv3.Node, *yamlv3.Node) {
	if n == nil || n.Kind != yamlv3.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i], n.Content[i+1]
		}
	}
	return nil, nil
}
