package docdiff

import "strings"

// Unified renders a diff for people: each line prefixed "+ ", "- " or "  ",
// as a unified diff and a Markdown ```diff block both show them. Runs of
// unchanged lines keep context lines next to each change and fold the rest
// into one "..." line, indented as the shallowest line it hides, so a change
// in a long policy stays easy to find. A negative context counts as 0. A
// diff with no changes renders as "": there is nothing to review. Policy
// strings may hold backticks; a Markdown renderer should fence the text with
// more backticks than its longest run.
func Unified(lines []Line, context int) string {
	if !HasChanges(lines) {
		return ""
	}
	context = max(context, 0)
	var b strings.Builder
	for i := 0; i < len(lines); {
		if lines[i].Op != Equal {
			writeLine(&b, lines[i])
			i++
			continue
		}
		j := i
		for j < len(lines) && lines[j].Op == Equal {
			j++
		}
		keepHead, keepTail := context, context
		if i == 0 {
			keepHead = 0
		}
		if j == len(lines) {
			keepTail = 0
		}
		// Folding a single line would hide it behind a line as long.
		if j-i-keepHead-keepTail < 2 {
			keepHead, keepTail = j-i, 0
		}
		for _, l := range lines[i : i+keepHead] {
			writeLine(&b, l)
		}
		if hidden := lines[i+keepHead : j-keepTail]; len(hidden) > 0 {
			b.WriteString("  " + shallowestIndent(hidden) + "...\n")
		}
		for _, l := range lines[j-keepTail : j] {
			writeLine(&b, l)
		}
		i = j
	}
	return b.String()
}

func writeLine(b *strings.Builder, l Line) {
	switch l.Op {
	case Insert:
		b.WriteString("+ ")
	case Delete:
		b.WriteString("- ")
	default:
		b.WriteString("  ")
	}
	b.WriteString(l.Text)
	b.WriteByte('\n')
}

// shallowestIndent is the leading white space of the least indented line.
func shallowestIndent(lines []Line) string {
	best := ""
	for n, l := range lines {
		ind := l.Text[:len(l.Text)-len(strings.TrimLeft(l.Text, " "))]
		if n == 0 || len(ind) < len(best) {
			best = ind
		}
	}
	return best
}
