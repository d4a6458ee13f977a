package render

import (
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/plan"
)

// markdownRenderer writes the plan as a pull-request comment: the summary,
// the risks and who gains access first, readable in seconds, then each
// change's detail folded away in a <details> block.
type markdownRenderer struct {
	maxBytes   int
	verbose    bool
	fullPlanAt string
}

// A comment is built from blocks. Fixed blocks (title, banner, summary
// table, section headings, the access picture) are always kept; the others
// give way, from the end of the comment and in the order of their kinds,
// when it would not fit under the byte limit.
type blockKind int

const (
	fixedBlock  blockKind = iota
	changeBlock           // a change: full detail, then heading only, then left out
	itemBlock             // a problem or pattern: shown, then left out
	riskBlock             // a risk: left out only after every change and item
	accessBlock           // a role's access: left out last of all
)

type block struct {
	kind   blockKind
	full   string // as rendered when everything fits
	folded string // a change's one-line heading, without its detail
	state  int    // 0 full, 1 folded, 2 left out
}

func (b *block) text() string {
	switch b.state {
	case 0:
		return b.full
	case 1:
		return b.folded
	}
	return ""
}

// Render writes the comment, folding details from the end until it fits.
func (r markdownRenderer) Render(w io.Writer, p *plan.Plan) error {
	title, blocks := r.blocks(p)
	where := r.where()
	folded, omitted := fit(title, blocks, r.maxBytes, where)
	var b strings.Builder
	b.WriteString(title)
	if folded+omitted > 0 {
		b.WriteString(foldNote(folded, omitted, r.maxBytes, where))
	}
	for i := range blocks {
		b.WriteString(blocks[i].text())
	}
	b.WriteString(omittedNote(omitted, where))
	// Blocks that may follow a list start with a blank line, and may then
	// follow another blank line; collapsing them only shortens the comment,
	// so fit's sizes stay an upper bound.
	out := blankLines.ReplaceAllString(strings.TrimRight(b.String(), "\n"), "\n\n") + "\n"
	_, err := io.WriteString(w, out)
	return err
}

var blankLines = regexp.MustCompile(`\n{3,}`)

// fit folds change details from the end of the comment, then leaves out
// whole entries from the end, until the comment is at most max bytes. It
// returns how many details were folded and how many entries left out.
// Problems come first in the comment, so they are the last to go.
func fit(title string, blocks []block, max int, where string) (folded, omitted int) {
	size := len(title)
	for i := range blocks {
		size += len(blocks[i].full)
	}
	total := func() int {
		if folded+omitted == 0 {
			return size
		}
		return size + len(foldNote(folded, omitted, max, where)) + len(omittedNote(omitted, where))
	}
	for i := len(blocks) - 1; i >= 0 && total() > max; i-- {
		if blocks[i].kind == changeBlock {
			size += len(blocks[i].folded) - len(blocks[i].full)
			blocks[i].state = 1
			folded++
		}
	}
	for _, kind := range []blockKind{changeBlock, itemBlock, riskBlock, accessBlock} {
		for i := len(blocks) - 1; i >= 0 && total() > max; i-- {
			if blocks[i].kind == kind && blocks[i].state != 2 {
				size -= len(blocks[i].text())
				blocks[i].state = 2
				omitted++
			}
		}
	}
	return folded, omitted
}

// where says where the full plan is when the comment leaves parts out.
func (r markdownRenderer) where() string {
	if r.fullPlanAt != "" {
		return "the full plan is in " + r.fullPlanAt
	}
	return "run `irsa-sync plan` locally for the full plan"
}

func foldNote(folded, omitted, max int, where string) string {
	var what []string
	if folded > 0 {
		what = append(what, "the details of "+plural(folded, "change are", "changes are")+" folded")
	}
	if omitted > 0 {
		what = append(what, plural(omitted, "entry is", "entries are")+" left out")
	}
	return fmt.Sprintf("> [!NOTE]\n> This plan does not fit in one comment (%d bytes): %s. The summary and the access section come first; %s.\n\n",
		max, strings.Join(what, ", and "), where)
}

// omittedNote ends a comment whose last entries were left out, where a
// reader scrolling down would otherwise take the list for complete.
func omittedNote(omitted int, where string) string {
	if omitted == 0 {
		return ""
	}
	return "\n\n_" + plural(omitted, "more entry", "more entries") + " left out: " + where + "._\n"
}

// blocks lays the comment out: title, a banner when access widens or
// something is deleted, what blocks apply, the summary table, the risks,
// the access section, the warnings, the changes by account and cluster,
// the wildcard bindings, and what --prune would delete.
func (r markdownRenderer) blocks(p *plan.Plan) (string, []block) {
	title := "### irsa-sync plan for " + code(p.Owner) + ": "
	if p.Empty() {
		title += "no changes\n\n"
	} else {
		title += counts(p.Summary()) + "\n\n"
	}
	// The banner is part of the title: it comes before anything else,
	// a note that the comment was cut included.
	title += banner(p)
	v := newView(p, r.verbose)
	var bs []block
	fixed := func(s string) { bs = append(bs, block{kind: fixedBlock, full: s}) }
	if p.Blocked() {
		fixed(fmt.Sprintf("**Apply will not start**: %s and %s below must be resolved first.\n\n",
			plural(len(p.Conflicts), "conflict", "conflicts"), plural(len(p.Errors), "error", "errors")))
	}
	problems := func(title string, kind blockKind, ps []plan.Problem) {
		if len(ps) == 0 {
			return
		}
		heading := "\n**" + title + "**\n\n"
		if kind == riskBlock {
			// Risks give way before the access section; the count stays.
			heading = fmt.Sprintf("\n**%s** (%d)\n\n", title, len(ps))
		}
		fixed(heading)
		for _, pr := range ps {
			bs = append(bs, block{kind: kind, full: "- " + code(pr.Address) + ": " + escape(pr.Message) + "\n"})
		}
	}
	problems("Conflicts", itemBlock, p.Conflicts)
	problems("Errors", itemBlock, p.Errors)
	groups := groupChanges(p.Changes)
	if len(groups) > 0 {
		fixed("\n" + summaryTable(groups))
	}
	problems("Risks", riskBlock, riskProblems(p.Risks))
	bs = append(bs, accessBlocks(p.Access)...)
	problems("Warnings", itemBlock, p.Warnings)
	for _, g := range groups {
		fixed("\n#### " + escape(g.title()) + "\n\n")
		for _, c := range g.changes {
			bs = append(bs, changeBlocks(v, c))
		}
	}
	if showPatterns(p, r.verbose) {
		fixed("\n#### Trusted by pattern\n\nTrust only: there is no service account to annotate.\n\n")
		for _, pt := range p.Patterns {
			bs = append(bs, block{kind: itemBlock, full: "- " + code(pt.Namespace+"/"+pt.Name) + " in cluster " + code(pt.Cluster) + " → " + code(pt.Role) + "\n"})
		}
	}
	if len(p.Pruneable) > 0 {
		fixed("\n#### Not applied: `--prune` would delete\n\n")
		for _, c := range p.Pruneable {
			bs = append(bs, changeBlocks(v, c))
		}
	}
	return title, bs
}

// banner opens a comment whose plan widens access or deletes, so that the
// reviewer cannot miss it above the fold.
func banner(p *plan.Plan) string {
	var what []string
	if n := widenedRoles(p); n > 0 {
		what = append(what, "**access widens** for "+plural(n, "role", "roles")+" (see Access below)")
	}
	if n := p.Summary().Delete; n > 0 {
		what = append(what, "**"+plural(n, "object is", "objects are")+" deleted**")
	}
	if len(what) == 0 {
		return ""
	}
	return "> [!WARNING]\n> This plan needs a careful review: " + strings.Join(what, "; ") + ".\n\n"
}

func widenedRoles(p *plan.Plan) int {
	n := 0
	for _, a := range p.Access {
		if len(a.Widened) > 0 {
			n++
		}
	}
	return n
}

func summaryTable(groups []group) string {
	var b strings.Builder
	b.WriteString("| | create | update | delete |\n| :-- | --: | --: | --: |\n")
	for _, g := range groups {
		var add, change, del int
		for _, c := range g.changes {
			switch c.Action {
			case plan.Create:
				add++
			case plan.Update:
				change++
			case plan.Delete:
				del++
			}
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %d |\n", escape(g.title()), add, change, del)
	}
	b.WriteString("\n")
	return b.String()
}

// changeBlocks renders a change both ways: a <details> block whose summary
// is the heading and whose body is the detail as a diff, so GitHub colours
// additions and removals; and the heading alone, for when it must fold.
func changeBlocks(v view, c plan.Change) block {
	head := "<code>" + html.EscapeString(heading(c)) + "</code>"
	lines := v.details(c)
	folded := "- " + head + "\n"
	if len(lines) == 0 {
		return block{kind: changeBlock, full: folded, folded: folded}
	}
	var body strings.Builder
	for _, l := range lines {
		body.WriteString(strings.TrimRight(string(l.mark)+" "+strings.Repeat("  ", l.depth)+l.text, " "))
		body.WriteByte('\n')
	}
	fence := fenceFor(body.String())
	full := "\n<details><summary>" + head + "</summary>\n\n" + fence + "diff\n" + body.String() + fence + "\n\n</details>\n\n"
	return block{kind: changeBlock, full: full, folded: folded}
}

// fenceFor returns a code fence longer than any run of backticks in s, so
// that a policy condition holding ``` cannot end the block early.
func fenceFor(s string) string { return strings.Repeat("`", max(3, longestRun(s, '`')+1)) }

// code is s as an inline code span, with a delimiter that s's own
// backticks cannot close.
func code(s string) string {
	d := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return d + " " + s + " " + d
	}
	return d + s + d
}

func longestRun(s string, c byte) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

// escape keeps text from the plan (messages, names) from being read as
// Markdown or HTML, e.g. a "*" in a pattern or a "|" inside a table.
var escape = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "|", `\|`, "#", `\#`,
).Replace
