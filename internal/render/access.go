package render

import (
	"fmt"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/access"
	"github.com/irsa-sync/irsa-sync/internal/plan"
)

// MaxPictureEdges is the most edges the Markdown access picture draws;
// past it a flowchart is a tangle nobody reads, and a sentence points at
// the table instead.
const MaxPictureEdges = 30

// accessBlocks are the Markdown access section: a heading, the Mermaid
// picture of the access that changes (or a sentence when it would be too
// big), and one table row per role, roles whose access widens first.
func accessBlocks(roles []plan.RoleAccess) []block {
	if len(roles) == 0 {
		return nil
	}
	var bs []block
	fixed := func(s string) { bs = append(bs, block{kind: fixedBlock, full: s}) }
	fixed("\n#### Access\n\nWho gains (+) or loses (−) the ability to assume each role, through IRSA, Pod Identity or role chaining.\n\n")
	edges := ChangedEdges(roles)
	if len(edges) <= MaxPictureEdges {
		chart := access.Mermaid("", edges)
		fence := fenceFor(chart)
		fixed(fence + "mermaid\n" + chart + fence + "\n\n")
	} else {
		fixed(fmt.Sprintf("_The access that changes has %d edges, too many to draw (more than %d): the table below lists them._\n\n", len(edges), MaxPictureEdges))
	}
	fixed("| role | gains | loses | widens |\n| :-- | :-- | :-- | :-- |\n")
	ordered := make([]plan.RoleAccess, 0, len(roles))
	for _, wide := range []bool{true, false} {
		for _, a := range roles {
			if (len(a.Widened) > 0) == wide {
				ordered = append(ordered, a)
			}
		}
	}
	for _, a := range ordered {
		var gains, loses, widens []string
		for _, it := range accessItems(a) {
			if it.mark == '+' {
				gains = append(gains, code(it.subject))
			} else {
				loses = append(loses, code(it.subject))
			}
			for _, w := range it.widens {
				widens = append(widens, "**"+w+"**: "+code(it.subject))
			}
		}
		row := fmt.Sprintf("| %s | %s | %s | %s |\n", code(a.Account+"/"+a.Role), cell(gains), cell(loses), cell(widens))
		bs = append(bs, block{kind: accessBlock, full: row})
	}
	// A table ends at a blank line; the notes after a cut table need it too.
	fixed("\n")
	return bs
}

// cell joins a table cell's items, escaping the table's own delimiter
// inside code spans, which GitHub reads before the spans.
func cell(items []string) string {
	if len(items) == 0 {
		return ""
	}
	return strings.ReplaceAll(strings.Join(items, "<br>"), "|", `\|`)
}

// ChangedEdges are the edges of the access picture of a plan: each gained
// subject an added edge into its role, each lost one a removed edge. Roles
// are named account/role, so roles of one name in two accounts stay apart.
func ChangedEdges(roles []plan.RoleAccess) []access.Edge {
	var out []access.Edge
	for _, a := range roles {
		to := a.Account + "/" + a.Role
		for _, s := range a.Gained {
			out = append(out, access.Edge{From: s, To: to, Change: access.Added})
		}
		for _, s := range a.Lost {
			out = append(out, access.Edge{From: s, To: to, Change: access.Removed})
		}
	}
	return out
}
