package config

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Diagnostic is one problem found in a bindings file.
type Diagnostic struct {
	// File is the bindings file the problem is in, as it was named to Load
	// or Parse; empty for a File built in memory.
	File string
	// Path is the place in the file, such as
	// roles[1].serviceAccounts[0].namespace; empty for the file as a whole.
	Path string
	// Line is the 1-based line in File, or 0 when unknown.
	Line int
	// Message says what is wrong and how to fix it.
	Message string
}

// String renders d as "file:line: path: message", leaving out the parts
// that are unknown, so editors and CI logs can jump to the line.
func (d Diagnostic) String() string {
	var b strings.Builder
	switch {
	case d.File != "" && d.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", d.File, d.Line)
	case d.File != "":
		b.WriteString(d.File + ": ")
	case d.Line > 0:
		fmt.Fprintf(&b, "line %d: ", d.Line)
	}
	if d.Path != "" {
		b.WriteString(d.Path + ": ")
	}
	b.WriteString(d.Message)
	return b.String()
}

// Diagnostics is every problem found in a file. As an error it prints one
// diagnostic per line.
type Diagnostics []Diagnostic

// Error implements error.
func (ds Diagnostics) Error() string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// Sort orders ds by file, line, path and message, so that output does not
// depend on the order in which checks ran. Paths compare their indexes as
// numbers (roles[2] before roles[10]), which matters for in-memory files
// where every line is 0.
func (ds Diagnostics) Sort() {
	slices.SortStableFunc(ds, func(a, b Diagnostic) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		if c := naturalCompare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
}

// naturalCompare compares strings treating runs of digits as numbers.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digitPrefix(a), digitPrefix(b)
		if da != "" && db != "" {
			na, _ := strconv.Atoi(da)
			nb, _ := strconv.Atoi(db)
			if na != nb {
				return na - nb
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func digitPrefix(s string) string {
	i := 0
	for i < len(s) && i < 9 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// path is a place in the file: a list of field names and map keys
// (strings) and list indexes (ints).
type path []any

// at builds a path from its elements.
func at(elems ...any) path { return path(elems) }

// with returns a new path with elems appended; p itself is never shared,
// so paths built in loops do not overwrite each other.
func (p path) with(elems ...any) path {
	out := make(path, 0, len(p)+len(elems))
	return append(append(out, p...), elems...)
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// String renders p as roles[1].tags["team/name"]: identifiers after a dot,
// indexes and other keys in brackets.
func (p path) String() string {
	var b strings.Builder
	for _, e := range p {
		switch e := e.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", e)
		case string:
			if !identifier.MatchString(e) {
				b.WriteString("[" + strconv.Quote(e) + "]")
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(e)
		}
	}
	return b.String()
}

// collector gathers diagnostics, placing each on its line in the source.
type collector struct {
	src   *Source
	diags Diagnostics
}

func (c *collector) add(p path, format string, args ...any) {
	d := Diagnostic{Path: p.String(), Message: fmt.Sprintf(format, args...)}
	if c.src != nil {
		var local path
		d.File, local, d.Line = c.src.place(p)
		d.Path = local.String()
	}
	c.diags = append(c.diags, d)
}

// covers reports whether a diagnostic at path p is already said by one at
// q: the same place, or one containing the other.
func covers(p, q string) bool {
	if p == q {
		return true
	}
	inside := func(long, short string) bool {
		return short != "" && strings.HasPrefix(long, short) &&
			(long[len(short)] == '.' || long[len(short)] == '[')
	}
	if len(p) > len(q) {
		return inside(p, q)
	}
	return inside(q, p)
}

// ref names the entry at p for a message about another entry: its path,
// and for a File merged from several files, the file and line it is on,
// so that a duplicate across files names both places.
func (c *collector) ref(p path) string {
	if c.src == nil || c.src.merged == nil {
		return p.String()
	}
	name, local, line := c.src.place(p)
	return fmt.Sprintf("%s in %s:%d", local, name, line)
}
