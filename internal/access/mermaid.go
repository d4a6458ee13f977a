package access

import (
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
)

// EdgeChange says whether an edge of the access picture is added, removed
// or unchanged by a plan.
type EdgeChange int

// The edge changes.
const (
	Same EdgeChange = iota
	Added
	Removed
)

// Edge is one arrow of the access picture: a subject that can assume a role
// (by the role's name in the file).
type Edge struct {
	From   Subject
	To     string
	Change EdgeChange
}

// Edges returns the edges into one role for the subjects before and after a
// change: gained ones added, lost ones removed, the rest unchanged. Give
// the same list twice to draw a role's whole access.
func Edges(role string, before, after []Subject) []Edge {
	c := DiffSubjects(before, after)
	lost := keyed(c.Lost)
	gained := keyed(c.Gained)
	var out []Edge
	for _, s := range after {
		ch := Same
		if _, ok := gained[s.String()]; ok {
			ch = Added
		}
		out = append(out, Edge{From: s, To: role, Change: ch})
	}
	for _, s := range before {
		if _, ok := lost[s.String()]; ok {
			out = append(out, Edge{From: s, To: role, Change: Removed})
		}
	}
	return out
}

// Colours of added and removed edges, GitHub's green and red, so the picture
// tells them apart also where arrow shapes are hard to see.
const (
	addedStyle   = "stroke:#1a7f37,stroke-width:2px"
	removedStyle = "stroke:#cf222e"
)

// Mermaid draws edges as a Mermaid flowchart, left to right: subjects on the
// left, roles on the right, a chained role drawn once as both. Added edges
// are thick (==>) and green, removed ones dotted (-.->) and red, each also
// labelled, unchanged ones plain. Node ids are hashes of the node's words,
// so they are stable and always [A-Za-z0-9_]; labels are quoted with
// Mermaid's entity codes for the characters that would end or change them
// (https://mermaid.js.org/syntax/flowchart.html#entity-codes-to-escape-characters).
// The output is the same for the same edges in any order.
func Mermaid(title string, edges []Edge) string {
	type line struct {
		from, to string
		change   EdgeChange
	}
	labels := map[string]string{}
	seen := map[line]bool{}
	var lines []line
	for _, e := range edges {
		from, fromLabel := subjectNode(e.From)
		to, toLabel := roleNode(e.To)
		labels[from], labels[to] = fromLabel, toLabel
		l := line{from, to, e.Change}
		if !seen[l] {
			seen[l] = true
			lines = append(lines, l)
		}
	}
	sort.Slice(lines, func(i, j int) bool {
		a, b := lines[i], lines[j]
		if a.to != b.to {
			return labels[a.to]+a.to < labels[b.to]+b.to
		}
		if a.from != b.from {
			return labels[a.from]+a.from < labels[b.from]+b.from
		}
		return a.change < b.change
	})
	ids := make([]string, 0, len(labels))
	for id := range labels {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return labels[ids[i]]+ids[i] < labels[ids[j]]+ids[j] })

	var b strings.Builder
	if title != "" {
		fmt.Fprintf(&b, "---\ntitle: %s\n---\n", yamlQuote(title))
	}
	b.WriteString("flowchart LR\n")
	for _, id := range ids {
		fmt.Fprintf(&b, "  %s[\"%s\"]\n", id, mermaidEscape(labels[id]))
	}
	var added, removed []string
	for i, l := range lines {
		switch l.change {
		case Added:
			fmt.Fprintf(&b, "  %s ==>|added| %s\n", l.from, l.to)
			added = append(added, fmt.Sprint(i))
		case Removed:
			fmt.Fprintf(&b, "  %s -.->|removed| %s\n", l.from, l.to)
			removed = append(removed, fmt.Sprint(i))
		default:
			fmt.Fprintf(&b, "  %s --> %s\n", l.from, l.to)
		}
	}
	if len(added) > 0 {
		fmt.Fprintf(&b, "  linkStyle %s %s\n", strings.Join(added, ","), addedStyle)
	}
	if len(removed) > 0 {
		fmt.Fprintf(&b, "  linkStyle %s %s\n", strings.Join(removed, ","), removedStyle)
	}
	return b.String()
}

// subjectNode is the node of a subject. A chained role the file names is
// the same node as that role, so chains draw as one path.
func subjectNode(s Subject) (id, label string) {
	if s.Path == Chain && s.Name != "" {
		return roleNode(s.Name)
	}
	return nodeID("s", s.String()), s.String()
}

func roleNode(name string) (id, label string) { return nodeID("r", name), name }

func nodeID(prefix, words string) string {
	h := fnv.New64a()
	h.Write([]byte(prefix + "\x00" + words))
	return fmt.Sprintf("%s_%016x", prefix, h.Sum64())
}

// mermaidEscape writes a label for a quoted node: quotes, "#" (which starts
// an entity code), angle brackets (HTML labels), backticks (Markdown
// labels) as entity codes; line breaks as spaces, as one line reads best.
func mermaidEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString("#quot;")
		case '#':
			b.WriteString("#35;")
		case '<':
			b.WriteString("#lt;")
		case '>':
			b.WriteString("#gt;")
		case '&':
			b.WriteString("#amp;")
		case '`':
			b.WriteString("#96;")
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			if r < 0x20 || r == 0x7f {
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// yamlQuote writes s as a YAML double-quoted scalar for the front matter's
// title: backslash and quote escaped, control characters dropped.
func yamlQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '\\' || r == '"':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
