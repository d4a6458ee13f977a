// Package docdiff shows how an IAM policy document changes, line by line, as
// a reviewer of a plan needs to read it.
//
// Printing the old and the new statement whole leaves the reviewer to diff
// them by eye; Terraform shows the one added line inside the JSON, and so
// does this package. Both documents are normalised to one pretty JSON form
// (see Pretty), where every list is sorted with one value per line, so a
// reordering is no change and one added action is one added line. The
// statements of the two documents are paired (by Sid, then by content)
// before their lines are diffed, so an edit inside one statement never shows
// as a change of its neighbours. Commas are left out while comparing and put
// back for display, so a value appended to the end of a list does not also
// change the line above it.
//
// The package is pure: no clients, no clock, and the same inputs always give
// byte-identical output.
package docdiff

import "fmt"

// Op says whether a line is in both documents, only the new one or only the
// old one.
type Op int

const (
	// Equal lines are in both documents: context.
	Equal Op = iota
	// Insert lines are only in the new document.
	Insert
	// Delete lines are only in the old document.
	Delete
)

// String returns the name of the operation.
func (o Op) String() string {
	switch o {
	case Equal:
		return "equal"
	case Insert:
		return "insert"
	case Delete:
		return "delete"
	}
	return fmt.Sprintf("Op(%d)", int(o))
}

// Line is one line of a document diff. Text is the pretty JSON line with its
// indentation and, where JSON needs one, its comma: the comma of the new
// document for Equal and Insert lines, of the old one for Delete lines.
type Line struct {
	Op   Op
	Text string
}

// Lines diffs two IAM policy documents (trust, managed or inline), each
// given as JSON or URL-encoded JSON as IAM returns it. Either may be empty
// (or "null"): a document being created is all Insert lines, one being
// deleted all Delete lines.
//
// The Insert and Equal lines, in order, are exactly Pretty(after). The
// Delete and Equal lines are the old document, with its statements in the
// order they are shown: the new document's order, each removed statement
// after the one that preceded it in the old document.
func Lines(before, after []byte) ([]Line, error) {
	old, err := parse(before)
	if err != nil {
		return nil, fmt.Errorf("old policy document: %w", err)
	}
	neu, err := parse(after)
	if err != nil {
		return nil, fmt.Errorf("new policy document: %w", err)
	}
	var out []Line
	out = append(out, diffLines(old.head, neu.head)...)
	for _, p := range arrange(old.statements, neu.statements) {
		out = append(out, diffLines(p.before, p.after)...)
	}
	out = append(out, diffLines(old.tail, neu.tail)...)
	addCommas(out)
	return out, nil
}

// HasChanges reports whether a diff has any Insert or Delete line.
func HasChanges(lines []Line) bool {
	for _, l := range lines {
		if l.Op != Equal {
			return true
		}
	}
	return false
}

// addCommas gives each line the comma its own side needs: a line takes a
// comma when the next line of the same document does not close a list or
// object. Equal lines are shown as in the new document.
func addCommas(lines []Line) {
	// nextNew[i] and nextOld[i] are the indices of the next line in the new
	// and the old document after line i, or -1.
	nextNew, nextOld := make([]int, len(lines)), make([]int, len(lines))
	newAt, oldAt := -1, -1
	for i := len(lines) - 1; i >= 0; i-- {
		nextNew[i], nextOld[i] = newAt, oldAt
		if lines[i].Op != Delete {
			newAt = i
		}
		if lines[i].Op != Insert {
			oldAt = i
		}
	}
	texts := make([]string, len(lines))
	for i, l := range lines {
		texts[i] = l.Text
	}
	for i := range lines {
		next := nextNew[i]
		if lines[i].Op == Delete {
			next = nextOld[i]
		}
		if next >= 0 && needsComma(texts[i], texts[next]) {
			lines[i].Text += ","
		}
	}
}
