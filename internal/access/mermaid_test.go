package access

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The Mermaid shapes Mermaid writes, as a small grammar: optional front
// matter with a YAML double-quoted title, "flowchart LR", then node
// declarations id["label"], edges in three arrow forms, and linkStyle lines.
var (
	idRE        = `[A-Za-z0-9_]+`
	nodeRE      = regexp.MustCompile(`^  (` + idRE + `)\["([^"\n]*)"\]$`)
	edgeRE      = regexp.MustCompile(`^  (` + idRE + `) (-->|==>\|added\||-\.->\|removed\|) (` + idRE + `)$`)
	linkStyleRE = regexp.MustCompile(`^  linkStyle ([0-9]+(?:,[0-9]+)*) stroke:#[0-9a-f]{6}(?:,stroke-width:[0-9]+px)?$`)
	titleRE     = regexp.MustCompile(`^title: "((?:[^"\\\x00-\x1f]|\\["\\])*)"$`)
	entityRE    = regexp.MustCompile(`#(?:quot|amp|lt|gt|[0-9]+);`)
)

// mermaidGraph is what the validator read: labels by node id, edges as
// "from arrow to" in order.
type mermaidGraph struct {
	title  string
	labels map[string]string
	edges  []string
}

// validateMermaid checks text against the grammar above and returns the
// graph with labels decoded, or an error naming the line that is wrong.
func validateMermaid(text string) (mermaidGraph, error) {
	g := mermaidGraph{labels: map[string]string{}}
	if !strings.HasSuffix(text, "\n") {
		return g, fmt.Errorf("text does not end in a newline")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) >= 3 && lines[0] == "---" {
		m := titleRE.FindStringSubmatch(lines[1])
		if m == nil || lines[2] != "---" {
			return g, fmt.Errorf("front matter is not ---/title: \"...\"/---: %q", lines[:3])
		}
		g.title = strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(m[1])
		lines = lines[3:]
	}
	if len(lines) == 0 || lines[0] != "flowchart LR" {
		return g, fmt.Errorf("first line is not flowchart LR")
	}
	var styles [][]string
	for n, l := range lines[1:] {
		if m := nodeRE.FindStringSubmatch(l); m != nil {
			label := m[2]
			if strings.ContainsAny(entityRE.ReplaceAllString(label, ""), "#<>`") {
				return g, fmt.Errorf("line %d: label has an unescaped # < > or `: %q", n+2, l)
			}
			if _, dup := g.labels[m[1]]; dup {
				return g, fmt.Errorf("line %d: node %s declared twice", n+2, m[1])
			}
			g.labels[m[1]] = decodeEntities(label)
			continue
		}
		if m := edgeRE.FindStringSubmatch(l); m != nil {
			for _, id := range []string{m[1], m[3]} {
				if _, ok := g.labels[id]; !ok {
					return g, fmt.Errorf("line %d: edge names undeclared node %s", n+2, id)
				}
			}
			g.edges = append(g.edges, m[1]+" "+m[2]+" "+m[3])
			continue
		}
		if m := linkStyleRE.FindStringSubmatch(l); m != nil {
			styles = append(styles, strings.Split(m[1], ","))
			continue
		}
		return g, fmt.Errorf("line %d is no node, edge or linkStyle: %q", n+2, l)
	}
	for _, s := range styles {
		for _, i := range s {
			if k, _ := strconv.Atoi(i); k >= len(g.edges) {
				return g, fmt.Errorf("linkStyle names edge %d of %d", k, len(g.edges))
			}
		}
	}
	return g, nil
}

func decodeEntities(s string) string {
	return entityRE.ReplaceAllStringFunc(s, func(e string) string {
		switch e {
		case "#quot;":
			return `"`
		case "#amp;":
			return "&"
		case "#lt;":
			return "<"
		case "#gt;":
			return ">"
		}
		n, _ := strconv.Atoi(e[1 : len(e)-1])
		return string(rune(n))
	})
}

func TestValidatorRejectsBadMermaid(t *testing.T) {
	t.Parallel()
	for name, text := range map[string]string{
		"no header":        "  a[\"x\"]\n",
		"raw quote":        "flowchart LR\n  a[\"x\"y\"]\n",
		"raw hash":         "flowchart LR\n  a[\"x#y\"]\n",
		"bad id":           "flowchart LR\n  a-b[\"x\"]\n",
		"undeclared":       "flowchart LR\n  a[\"x\"]\n  a --> b\n",
		"bad arrow":        "flowchart LR\n  a[\"x\"]\n  b[\"y\"]\n  a ->|x| b\n",
		"style past edges": "flowchart LR\n  a[\"x\"]\n  a --> a\n  linkStyle 1 stroke:#ffffff\n",
		"bad title":        "---\ntitle: \"a\"b\"\n---\nflowchart LR\n",
		"duplicate node":   "flowchart LR\n  a[\"x\"]\n  a[\"y\"]\n",
	} {
		if _, err := validateMermaid(text); err == nil {
			t.Errorf("%s: validator accepted %q", name, text)
		}
	}
}

func TestMermaidSmall(t *testing.T) {
	t.Parallel()
	app, api := sa("blue", "default", "app"), sa("blue", "web", "api")
	got := Mermaid("role reports", []Edge{
		{From: app, To: "reports", Change: Same},
		{From: api, To: "reports", Change: Added},
		{From: Subject{Path: Other, Principal: "arn:aws:iam::999988887777:root", Account: "999988887777"}, To: "reports", Change: Removed},
	})
	root := "account 999988887777 (any principal it permits)"
	want := "---\ntitle: \"role reports\"\n---\nflowchart LR\n" +
		fmt.Sprintf("  %s[\"%s\"]\n", nodeID("s", root), root) +
		fmt.Sprintf("  %s[\"blue/default/app\"]\n", nodeID("s", "blue/default/app")) +
		fmt.Sprintf("  %s[\"blue/web/api\"]\n", nodeID("s", "blue/web/api")) +
		fmt.Sprintf("  %s[\"reports\"]\n", nodeID("r", "reports")) +
		fmt.Sprintf("  %s -.->|removed| %s\n", nodeID("s", root), nodeID("r", "reports")) +
		fmt.Sprintf("  %s --> %s\n", nodeID("s", "blue/default/app"), nodeID("r", "reports")) +
		fmt.Sprintf("  %s ==>|added| %s\n", nodeID("s", "blue/web/api"), nodeID("r", "reports")) +
		"  linkStyle 2 stroke:#1a7f37,stroke-width:2px\n" +
		"  linkStyle 0 stroke:#cf222e\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Mermaid mismatch (-want +got):\n%s", diff)
	}
	if _, err := validateMermaid(got); err != nil {
		t.Errorf("invalid Mermaid: %v\n%s", err, got)
	}
}

func TestMermaidHostileNames(t *testing.T) {
	t.Parallel()
	hostile := []string{
		`a"b`, `x]y[`, `p|q`, `--> z`, `#quot;`, `<script>alert(1)</script>`, "`md`", `%%comment`,
		`end`, `a;b`, `&amp;`, `\"`, `{{x}}`, `(x)`, `ünïcødé ✓`, "line\nbreak", "tab\there", "nul\x00",
	}
	var edges []Edge
	for i, h := range hostile {
		from := Subject{Path: IRSA, Cluster: h, Namespace: h, ServiceAccount: h, Audience: defaultAudience}
		edges = append(edges, Edge{From: from, To: h, Change: EdgeChange(i % 3)})
	}
	title := `role "x" \ <y> ` + "\n" + `|z|`
	got := Mermaid(title, edges)
	g, err := validateMermaid(got)
	if err != nil {
		t.Fatalf("invalid Mermaid: %v\n%s", err, got)
	}
	if want := strings.ReplaceAll(title, "\n", " "); g.title != want {
		t.Errorf("title read back as %q, want %q", g.title, want)
	}
	labels := map[string]bool{}
	for _, l := range g.labels {
		labels[l] = true
	}
	for _, e := range edges {
		for _, want := range []string{e.From.String(), e.To} {
			want = strings.NewReplacer("\n", " ", "\t", " ", "\x00", "").Replace(want)
			if !labels[want] {
				t.Errorf("label %q missing from the picture", want)
			}
		}
	}
	if len(g.edges) != len(edges) {
		t.Errorf("picture has %d edges, want %d", len(g.edges), len(edges))
	}
}

func TestMermaidIsDeterministic(t *testing.T) {
	t.Parallel()
	var edges []Edge
	for i := range 20 {
		edges = append(edges, Edge{From: sa("blue", fmt.Sprint("ns", i%4), fmt.Sprint("sa", i)), To: fmt.Sprint("role", i%3), Change: EdgeChange(i % 3)})
	}
	edges = append(edges, edges[0]) // a repeat draws once
	want := Mermaid("t", edges)
	r := rand.New(rand.NewPCG(1, 2))
	for range 10 {
		shuffled := append([]Edge(nil), edges...)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if got := Mermaid("t", shuffled); got != want {
			t.Fatalf("Mermaid depends on edge order:\n%s\n---\n%s", want, got)
		}
	}
	if g, err := validateMermaid(want); err != nil || len(g.edges) != 20 {
		t.Errorf("picture invalid or repeats an edge (%d edges): %v", len(g.edges), err)
	}
}

func TestMermaidChainsThroughOneNode(t *testing.T) {
	t.Parallel()
	app := sa("blue", "default", "app")
	ci := Subject{Path: Chain, Principal: "arn:aws:iam::" + prodID + ":role/ci", Account: "prod", Name: "ci"}
	got := Mermaid("", []Edge{{From: app, To: "ci"}, {From: ci, To: "deploy", Change: Added}})
	g, err := validateMermaid(got)
	if err != nil {
		t.Fatalf("invalid Mermaid: %v\n%s", err, got)
	}
	ciID, appID, deployID := nodeID("r", "ci"), nodeID("s", app.String()), nodeID("r", "deploy")
	want := []string{appID + " --> " + ciID, ciID + " ==>|added| " + deployID}
	if diff := cmp.Diff(want, g.edges); diff != "" {
		t.Errorf("edges mismatch (-want +got):\n%s\n%s", diff, got)
	}
	if len(g.labels) != 3 {
		t.Errorf("chained role drawn as %d nodes, want 3:\n%s", len(g.labels), got)
	}
}

func TestEdges(t *testing.T) {
	t.Parallel()
	a, b, c := sa("blue", "a", "x"), sa("blue", "b", "y"), sa("blue", "c", "z")
	got := Edges("r", []Subject{a, b}, []Subject{b, c})
	want := []Edge{{From: b, To: "r", Change: Same}, {From: c, To: "r", Change: Added}, {From: a, To: "r", Change: Removed}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Edges mismatch (-want +got):\n%s", diff)
	}
	whole := Edges("r", []Subject{a, b}, []Subject{a, b})
	for _, e := range whole {
		if e.Change != Same {
			t.Errorf("whole access has a changed edge: %+v", e)
		}
	}
}
