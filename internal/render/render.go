// Package render writes a plan for people and machines: a text plan for the
// terminal, one JSON object for scripts, and Markdown for pull-request
// comments. Every format shows the same plan in the same order, and the same
// plan always renders to the same bytes, so outputs can be diffed and stored
// as golden files.
package render

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/access"
	"github.com/irsa-sync/irsa-sync/internal/plan"
)

// Renderer writes a plan in one output format.
type Renderer interface {
	Render(w io.Writer, p *plan.Plan) error
}

// Options change how a plan is rendered.
type Options struct {
	// Color adds ANSI colour to the text format. The CLI sets it only when
	// stdout is a terminal and NO_COLOR is unset (see WantColor): escape codes
	// in a CI log or a piped file are noise.
	Color bool
	// MaxBytes bounds the Markdown format; 0 means DefaultMarkdownMaxBytes.
	// Details fold first, then entries are left out from the end; only a
	// limit smaller than the title, table and section headings is exceeded.
	MaxBytes int
	// Verbose shows what the names hide: each cluster's issuer, a new
	// role's trust document, a trust's line diff next to its subjects, and
	// the wildcard bindings also when nothing changes.
	Verbose bool
	// FullPlanAt says where the full plan is when a Markdown comment
	// leaves parts out, e.g. "the job summary"; empty says to run plan.
	FullPlanAt string
}

// DefaultMarkdownMaxBytes keeps a Markdown plan under GitHub's limit of
// 65,536 characters per comment, with room left for the header or hidden
// marker a workflow adds to find and update its sticky comment. Bytes are
// counted, never fewer than characters, so the bound holds for any text.
const DefaultMarkdownMaxBytes = 65536 - 1536

// Formats returns the output formats For accepts, the first the default.
func Formats() []string { return []string{"text", "json", "markdown"} }

// For returns the renderer of a format.
func For(format string, opts Options) (Renderer, error) {
	switch format {
	case "text":
		return textRenderer{color: opts.Color, verbose: opts.Verbose}, nil
	case "json":
		return jsonRenderer{}, nil
	case "markdown":
		max := opts.MaxBytes
		if max <= 0 {
			max = DefaultMarkdownMaxBytes
		}
		return markdownRenderer{maxBytes: max, verbose: opts.Verbose, fullPlanAt: opts.FullPlanAt}, nil
	}
	return nil, fmt.Errorf("unknown output format %q: use one of %s", format, strings.Join(Formats(), ", "))
}

// WantColor is the rule for Options.Color: colour only on a terminal, and
// never when NO_COLOR is set to anything but the empty string
// (https://no-color.org).
func WantColor(stdoutIsTerminal bool, getenv func(string) string) bool {
	return stdoutIsTerminal && getenv("NO_COLOR") == ""
}

// group is the changes of one account or one cluster, the unit people
// review: who owns that account or cluster reads only their part.
type group struct {
	cluster bool   // a cluster's group, else an account's
	name    string // the file's name of the account or cluster
	id      string // the account id, when a change's object names it
	changes []plan.Change
}

// title is the group's heading, e.g. "Account prod (111122223333)".
func (g group) title() string {
	switch {
	case g.cluster:
		return "Cluster " + g.name
	case g.id != "":
		return "Account " + g.name + " (" + g.id + ")"
	default:
		return "Account " + g.name
	}
}

// groupChanges splits changes by account, then by cluster, each sorted by
// name. Within a group the plan's order (apply's dependency order) is kept,
// since that is the order the writes happen in.
func groupChanges(changes []plan.Change) []group {
	index := map[string]int{}
	var groups []group
	for _, c := range changes {
		g := group{name: c.Account}
		if c.Account == "" {
			g = group{cluster: true, name: c.Cluster}
		}
		key := fmt.Sprint(g.cluster, "/", g.name)
		i, ok := index[key]
		if !ok {
			i = len(groups)
			index[key] = i
			groups = append(groups, g)
		}
		if groups[i].id == "" {
			groups[i].id = c.AccountID()
		}
		groups[i].changes = append(groups[i].changes, c)
	}
	sort.SliceStable(groups, func(i, j int) bool {
		if groups[i].cluster != groups[j].cluster {
			return !groups[i].cluster
		}
		return groups[i].name < groups[j].name
	})
	return groups
}

// heading is a change's one-line summary: "+ role account/prod/role/x".
func heading(c plan.Change) string {
	return Symbol(c.Action) + " " + string(c.Kind) + " " + c.Address
}

// summaryLine is the last line of a text plan, where Terraform puts it so
// that people and log searches find it where they expect, in the actions'
// own words (create, update, delete) as the JSON summary counts them.
func summaryLine(p *plan.Plan) string {
	if p.Empty() {
		return "No changes."
	}
	return "Plan: " + counts(p.Summary()) + "."
}

func counts(s plan.Summary) string {
	return fmt.Sprintf("%d to create, %d to update, %d to delete", s.Create, s.Update, s.Delete)
}

// showPatterns reports whether the wildcard bindings are shown: they are
// context for changes, and noise on a plan with none.
func showPatterns(p *plan.Plan, verbose bool) bool {
	return len(p.Patterns) > 0 && (verbose || !p.Empty() || len(p.Pruneable) > 0)
}

// accessItem is one line of the access section: a subject gained or lost,
// with the ways a gain widens access.
type accessItem struct {
	mark    byte
	subject string
	widens  []string
}

// accessItems lists one role's access change, gains first.
func accessItems(a plan.RoleAccess) []accessItem {
	why := map[string][]string{}
	for _, w := range a.Widened {
		k := w.Subject.String()
		why[k] = append(why[k], wideningWord(w.Why))
	}
	var out []accessItem
	for _, s := range a.Gained {
		out = append(out, accessItem{mark: '+', subject: s.String(), widens: why[s.String()]})
	}
	for _, s := range a.Lost {
		out = append(out, accessItem{mark: '-', subject: s.String()})
	}
	return out
}

// wideningWord is a widening kind in two or three words.
func wideningWord(k access.WideningKind) string {
	switch k {
	case access.NewPattern:
		return "new pattern"
	case access.BroaderPattern:
		return "broader pattern"
	case access.NamespaceWildcard:
		return "namespace wildcard"
	case access.NewCluster:
		return "new cluster"
	case access.NewAccount:
		return "new account"
	case access.NewPrincipal:
		return "new principal"
	}
	return k.String()
}

// plural returns "1 conflict", "2 conflicts".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
