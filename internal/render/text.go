package render

import (
	"io"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/plan"
)

// ANSI escape codes of the text format's colours.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

// textRenderer writes the plan for a terminal or a CI log.
type textRenderer struct{ color, verbose bool }

// textWriter builds the text plan in memory, so that a plan is written
// with one Write and a failing writer leaves no half plan behind.
type textWriter struct {
	b     strings.Builder
	color bool
	view  view
}

func (t *textWriter) paint(code, s string) string {
	if !t.color || s == "" {
		return s
	}
	return code + s + ansiReset
}

func (t *textWriter) println(s string) {
	t.b.WriteString(s)
	t.b.WriteByte('\n')
}

// Render writes, in the order a reviewer needs them: what blocks apply,
// warnings, the changes by account and cluster, the wildcard bindings, what
// --prune would delete, and the summary line last, where a log ends.
func (r textRenderer) Render(w io.Writer, p *plan.Plan) error {
	t := &textWriter{color: r.color, view: newView(p, r.verbose)}
	t.problems("Conflicts: apply will not start until each is resolved.", ansiRed, p.Conflicts)
	t.problems("Errors: apply will not start until each is fixed.", ansiRed, p.Errors)
	t.problems("Risks: read each before approving.", ansiYellow, riskProblems(p.Risks))
	t.problems("Warnings:", ansiYellow, p.Warnings)
	t.access(p.Access)
	for _, g := range groupChanges(p.Changes) {
		t.println(t.paint(ansiBold, g.title()))
		t.changes(g.changes)
	}
	if showPatterns(p, r.verbose) {
		t.println(t.paint(ansiBold, "Trusted by pattern (trust only, nothing to annotate):"))
		for _, pt := range p.Patterns {
			t.println("  " + pt.Namespace + "/" + pt.Name + " in cluster " + pt.Cluster + " → " + pt.Role)
		}
		t.println("")
	}
	if len(p.Pruneable) > 0 {
		t.println(t.paint(ansiBold, "--prune would delete (not applied without --prune):"))
		t.changes(p.Pruneable)
	}
	t.println(t.paint(ansiBold, summaryLine(p)))
	_, err := io.WriteString(w, t.b.String())
	return err
}

func (t *textWriter) problems(title, code string, ps []plan.Problem) {
	if len(ps) == 0 {
		return
	}
	t.println(t.paint(code+ansiBold, title))
	for _, pr := range ps {
		t.println("  " + pr.Address + ": " + pr.Message)
	}
	t.println("")
}

// access writes who gains and loses the ability to assume each role, a
// widening said after its subject.
func (t *textWriter) access(roles []plan.RoleAccess) {
	if len(roles) == 0 {
		return
	}
	t.println(t.paint(ansiBold, "Access: who gains (+) or loses (-) the ability to assume each role"))
	for _, a := range roles {
		t.println("  " + a.Address)
		for _, it := range accessItems(a) {
			text := string(it.mark) + " " + it.subject
			code := ansiRed
			if it.mark == '+' {
				code = ansiGreen
			}
			if len(it.widens) > 0 {
				t.println("      " + t.paint(code, text) + "  " + t.paint(ansiYellow, "! widens: "+strings.Join(it.widens, ", ")))
				continue
			}
			t.println("      " + t.paint(code, text))
		}
	}
	t.println("")
}

// riskProblems are the risks as the problem lists show them.
func riskProblems(risks []plan.Risk) []plan.Problem {
	out := make([]plan.Problem, 0, len(risks))
	for _, r := range risks {
		out = append(out, plan.Problem{Address: r.Address, Message: RiskText(r)})
	}
	return out
}

// changes writes each change's heading and its detail, a blank line after
// each so that one change's fields are not read as the next one's.
func (t *textWriter) changes(cs []plan.Change) {
	for _, c := range cs {
		t.println("  " + t.paint(actionColor(c.Action), heading(c)))
		for _, l := range t.view.details(c) {
			indent := "      " + strings.Repeat("  ", l.depth)
			switch l.mark {
			// No line ends in white space, even the blank line of a text
			// diff (an AWS config's between its profiles).
			case '+':
				t.println(indent + t.paint(ansiGreen, strings.TrimRight("+ "+l.text, " ")))
			case '-':
				t.println(indent + t.paint(ansiRed, strings.TrimRight("- "+l.text, " ")))
			default:
				if l.depth > 0 {
					// Unchanged lines of a diff, aligned with the changed ones.
					indent += "  "
				}
				t.println(strings.TrimRight(indent+l.text, " "))
			}
		}
		t.println("")
	}
}

func actionColor(a plan.Action) string {
	switch a {
	case plan.Create:
		return ansiGreen
	case plan.Delete:
		return ansiRed
	default:
		return ansiYellow
	}
}
