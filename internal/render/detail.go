package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// line is one line of a change's field-level detail. The text and Markdown
// formats lay the same lines out differently (indented under the change, or
// in a diff block with the mark in the first column), so a reviewer sees
// the same detail in a terminal and in a pull request.
type line struct {
	mark  byte // '+' added, '-' removed, ' ' neither
	depth int  // nesting under the change, for items of a list
	text  string
}

// details lists what a change does, field by field.
func details(c plan.Change) []line {
	var d detail
	before, after := c.Sides()
	switch c.Action {
	case plan.Create:
		d.created(after)
	case plan.Delete:
		d.deleted(before)
	default:
		for _, f := range c.Fields {
			d.field(f)
		}
	}
	if c.RetireVersion != "" {
		d.add(' ', 0, "retire version: "+c.RetireVersion)
	}
	if c.Adopt {
		d.add(' ', 0, "adopt: irsa-sync did not create this object; the file takes it over")
	}
	for _, n := range c.Notes {
		d.add(' ', 0, "note: "+NoteText(n))
	}
	return d.lines
}

type detail struct{ lines []line }

func (d *detail) add(mark byte, depth int, text string) {
	d.lines = append(d.lines, line{mark, depth, text})
}

// list adds a titled list of items, each marked, and nothing when empty.
func (d *detail) list(title string, mark byte, items []string) {
	if len(items) == 0 {
		return
	}
	d.add(' ', 0, title+":")
	for _, it := range items {
		d.add(mark, 1, it)
	}
}

// statements adds policy statements pretty-printed, one marked line per
// line of JSON: statements are long, and a reviewer reads an action or a
// resource more easily on its own line.
func (d *detail) statements(mark byte, stmts []string) {
	for _, s := range stmts {
		var b bytes.Buffer
		if json.Indent(&b, []byte(s), "", "  ") != nil {
			d.add(mark, 1, s)
			continue
		}
		for _, l := range strings.Split(b.String(), "\n") {
			d.add(mark, 1, l)
		}
	}
}

func (d *detail) tags(mark byte, tags map[string]string) {
	var items []string
	for _, k := range resource.SortedKeys(tags) {
		items = append(items, k+"="+tags[k])
	}
	d.list("tags", mark, items)
}

// created shows the main fields of a new object, all marked as added.
func (d *detail) created(obj any) {
	switch o := obj.(type) {
	case *resource.Provider:
		d.add(' ', 0, "arn: "+o.ARN)
		d.add(' ', 0, "url: "+o.URL)
		d.list("client ids", '+', o.ClientIDs)
		d.tags('+', o.Tags)
	case *resource.Policy:
		d.add(' ', 0, "arn: "+o.ARN)
		d.add(' ', 0, "path: "+o.Path)
		if o.Description != "" {
			d.add(' ', 0, "description: "+strconv.Quote(o.Description))
		}
		if stmts := o.Document.Statements(); len(stmts) > 0 {
			d.add(' ', 0, "statements:")
			d.statements('+', stmts)
		}
		d.tags('+', o.Tags)
	case *resource.Role:
		d.add(' ', 0, "arn: "+o.ARN)
		d.add(' ', 0, "path: "+o.Path)
		if o.Description != "" {
			d.add(' ', 0, "description: "+strconv.Quote(o.Description))
		}
		d.add(' ', 0, fmt.Sprintf("maxSessionDuration: %d", o.MaxSessionDuration))
		if o.PermissionsBoundary != "" {
			d.add(' ', 0, "permissionsBoundary: "+o.PermissionsBoundary)
		}
		d.list("trust subjects", '+', trust.Subs(o.Trust))
		d.list("managed policies", '+', o.ManagedPolicies)
		d.list("inline policies", '+', resource.SortedKeys(o.InlinePolicies))
		d.tags('+', o.Tags)
	case *resource.ServiceAccount:
		d.annotations('+', o.Annotations)
	}
}

// deleted identifies the object a delete removes; its full contents are
// live state the reviewer can look up, and would bury the other changes.
func (d *detail) deleted(obj any) {
	switch o := obj.(type) {
	case *resource.Provider:
		d.add(' ', 0, "arn: "+o.ARN)
	case *resource.Policy:
		d.add(' ', 0, "arn: "+o.ARN)
	case *resource.Role:
		d.add(' ', 0, "arn: "+o.ARN)
	case *resource.ServiceAccount:
		d.annotations('-', o.Annotations)
	}
}

func (d *detail) annotations(mark byte, ann map[string]string) {
	var items []string
	for _, k := range resource.SortedKeys(ann) {
		items = append(items, k+": "+ann[k])
	}
	d.list("annotations", mark, items)
}

// field shows one field of an update. The planner names fields after the
// bindings file's keys, so the names are shown as they are.
func (d *detail) field(f plan.Field) {
	switch f.Name {
	case plan.FieldTrust:
		if len(f.Added)+len(f.Removed) == 0 {
			// Same subjects, other statement (a provider or audience):
			// show the statements that differ instead.
			documentChange(d, "trust", f)
			return
		}
		d.setChange("trust subjects", f)
	case plan.FieldDocument:
		d.setChange("statements", f)
	case plan.FieldInlinePolicy:
		title := "inline policy " + f.Key
		switch {
		case f.Before == nil:
			title += " (new)"
		case f.After == nil:
			title += " (deleted)"
		}
		d.add(' ', 0, title+":")
		d.statements('+', f.Added)
		d.statements('-', f.Removed)
	case plan.FieldManagedPolicies:
		d.setChange("managed policies", f)
	case plan.FieldClientIDs:
		d.setChange("client ids", f)
	case plan.FieldTags:
		d.setChange("tags", f)
	case plan.FieldAnnotation:
		d.add(' ', 0, "annotation "+f.Key+": "+scalar(f.Before)+" → "+scalar(f.After))
	default:
		if len(f.Added)+len(f.Removed) > 0 {
			d.setChange(f.Path(), f)
			return
		}
		// An empty description or boundary is IAM's "not set".
		d.add(' ', 0, f.Path()+": "+scalar(orNil(f.Before))+" → "+scalar(orNil(f.After)))
	}
}

func orNil(v plan.Value) plan.Value {
	if v == plan.Text("") {
		return nil
	}
	return v
}

// setChange shows what a set field gains and loses; statement JSON is
// pretty-printed, other members are one line each.
func (d *detail) setChange(title string, f plan.Field) {
	d.add(' ', 0, title+":")
	if title == "statements" {
		d.statements('+', f.Added)
		d.statements('-', f.Removed)
		return
	}
	for _, s := range f.Added {
		d.add('+', 1, s)
	}
	for _, s := range f.Removed {
		d.add('-', 1, s)
	}
}

// documentChange shows a changed document as a line diff of its pretty
// form: when the subjects stay and only a provider or an audience moves,
// the one changed line is what the reviewer needs to find.
func documentChange(d *detail, title string, f plan.Field) {
	d.add(' ', 0, title+":")
	before, after := document(f.Before).Pretty(), document(f.After).Pretty()
	for _, l := range lineDiff(splitLines(before), splitLines(after)) {
		d.add(l.mark, 1, l.text)
	}
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// lineDiff is the longest-common-subsequence diff of two line lists, with
// removals before additions at each change as diff(1) prints them.
// Documents are small (IAM caps a trust at a few kilobytes), so the
// quadratic table is cheap.
func lineDiff(a, b []string) []line {
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []line
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			out = append(out, line{' ', 0, a[i]})
			i, j = i+1, j+1
		case j == len(b) || (i < len(a) && lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, line{'-', 0, a[i]})
			i++
		default:
			out = append(out, line{'+', 0, b[j]})
			j++
		}
	}
	return out
}

func document(v plan.Value) policy.Document {
	if d, ok := v.(plan.Document); ok {
		return d.Document
	}
	return policy.Document{}
}

// scalar formats a field's value: strings quoted so that an empty or
// space-padded value is visible, absent as "(none)", anything else as JSON.
func scalar(v plan.Value) string {
	switch v := v.(type) {
	case nil:
		return "(none)"
	case plan.Text:
		return strconv.Quote(string(v))
	case plan.Number:
		return strconv.Itoa(int(v))
	case plan.Document:
		return v.JSON()
	}
	b, err := json.Marshal(valueJSON(v))
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
