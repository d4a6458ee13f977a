package render

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/access"
	"github.com/irsa-sync/irsa-sync/internal/docdiff"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
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

// view is what every format needs beyond a change to show it: the plan's
// names, the reach of policy changes, and whether to show the ids.
type view struct {
	names   plan.Names
	reach   map[string]plan.Reach
	verbose bool
}

func newView(p *plan.Plan, verbose bool) view {
	v := view{names: p.Names, reach: map[string]plan.Reach{}, verbose: verbose}
	for _, r := range p.Reach {
		v.reach[r.Address] = r
	}
	return v
}

// contextLines is how many unchanged lines a document diff keeps next to
// each change.
const contextLines = 3

// maxReach is how many roles, and bindings of one role, a policy's reach
// lists before it says how many more.
const maxReach = 10

// details lists what a change does, field by field.
func (v view) details(c plan.Change) []line {
	d := detail{view: v}
	before, after := c.Sides()
	switch c.Action {
	case plan.Create:
		d.created(after)
	case plan.Delete:
		d.deleted(before)
	default:
		for _, f := range c.Fields {
			d.field(c, f)
		}
	}
	if r, ok := v.reach[c.Address]; ok {
		d.reach(r)
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

type detail struct {
	view
	lines []line
}

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

// document adds the line diff of a policy document (docdiff): unchanged
// lines as context, one marked line per added or removed line, so one
// added action is one "+" line. A new document is all "+" lines.
func (d *detail) document(title string, before, after policy.Document) {
	lines, err := docdiff.Lines([]byte(before.JSON()), []byte(after.JSON()))
	if err != nil {
		// Both documents were parsed when read; say so rather than hide it.
		d.add(' ', 0, title+": (cannot show the difference: "+err.Error()+")")
		return
	}
	text := docdiff.Unified(lines, contextLines)
	if text == "" {
		return
	}
	d.add(' ', 0, title+":")
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		d.add(l[0], 1, l[2:])
	}
}

func (d *detail) tags(mark byte, tags map[string]string) {
	var items []string
	for _, k := range resource.SortedKeys(tags) {
		items = append(items, k+"="+tags[k])
	}
	d.list("tags", mark, items)
}

// subjects are who a trust admits, in the file's names; with verbose, the
// issuer of each IRSA subject follows it.
func (d *detail) subjects(subs []access.Subject) []string {
	out := make([]string, 0, len(subs))
	for _, s := range subs {
		out = append(out, d.subject(s))
	}
	return out
}

func (d *detail) subject(s access.Subject) string {
	w := s.String()
	if d.verbose && s.Path == access.IRSA {
		for _, issuer := range resource.SortedKeys(d.names.Clusters) {
			if d.names.Clusters[issuer] == s.Cluster {
				w += " (issuer " + issuer + ")"
				break
			}
		}
	}
	return w
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
		d.document("document", policy.Document{}, o.Document)
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
		subs, _ := access.Of(o.Trust, d.names.Resolver(o.ARN))
		d.list("trusted by", '+', d.subjects(subs))
		if d.verbose {
			d.document("trust", policy.Document{}, o.Trust)
		}
		d.list("managed policies", '+', o.ManagedPolicies)
		for _, name := range resource.SortedKeys(o.InlinePolicies) {
			d.document("inline policy "+name+" (new)", policy.Document{}, o.InlinePolicies[name])
		}
		d.tags('+', o.Tags)
	case *resource.ServiceAccount:
		d.annotations('+', o.Annotations)
	case *resource.Association:
		d.add('+', 0, "roleArn: "+o.RoleARN)
		if o.TargetRoleARN != "" {
			d.add('+', 0, "targetRoleArn: "+o.TargetRoleARN)
		}
		d.tags('+', o.Tags)
	case *resource.ConfigMap:
		d.labelled("labels", '+', o.Labels)
		d.annotations('+', o.Annotations)
		for _, k := range resource.SortedKeys(o.Data) {
			d.text("data "+k, "", o.Data[k])
		}
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
	case *resource.Association:
		d.add(' ', 0, "associationId: "+o.ID)
		d.add('-', 0, "roleArn: "+o.RoleARN)
	case *resource.ConfigMap:
		d.list("data", '-', resource.SortedKeys(o.Data))
	}
}

func (d *detail) labelled(title string, mark byte, m map[string]string) {
	var items []string
	for _, k := range resource.SortedKeys(m) {
		items = append(items, k+": "+m[k])
	}
	d.list(title, mark, items)
}

// text adds the line diff of a plain text value (a ConfigMap's AWS config
// file), or a one-line change for a one-line value.
func (d *detail) text(title, before, after string) {
	if !strings.Contains(before+after, "\n") {
		d.add(' ', 0, title+": "+scalar(orNil(plan.Text(before)))+" → "+scalar(orNil(plan.Text(after))))
		return
	}
	text := docdiff.Unified(docdiff.Text(before, after), contextLines)
	if text == "" {
		return
	}
	d.add(' ', 0, title+":")
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		d.add(l[0], 1, l[2:])
	}
}

func (d *detail) annotations(mark byte, ann map[string]string) {
	var items []string
	for _, k := range resource.SortedKeys(ann) {
		items = append(items, k+": "+ann[k])
	}
	d.list("annotations", mark, items)
}

func textOf(v plan.Value) string {
	if t, ok := v.(plan.Text); ok {
		return string(t)
	}
	return ""
}

// field shows one field of an update. The planner names fields after the
// bindings file's keys, so the names are shown as they are.
func (d *detail) field(c plan.Change, f plan.Field) {
	switch f.Name {
	case plan.FieldTrust:
		arn := ""
		if c.Role != nil && c.Role.After != nil {
			arn = c.Role.After.ARN
		}
		ch := access.Diff(document(f.Before), document(f.After), d.names.Resolver(arn))
		if !ch.IsZero() {
			d.add(' ', 0, "trusted by:")
			for _, s := range ch.Gained {
				d.add('+', 1, d.subject(s))
			}
			for _, s := range ch.Lost {
				d.add('-', 1, d.subject(s))
			}
		}
		// Same subjects, another statement (a provider or audience): the
		// document's changed lines are what the reviewer needs to find.
		if ch.IsZero() || d.verbose {
			d.document("trust", document(f.Before), document(f.After))
		}
	case plan.FieldDocument:
		d.document("document", document(f.Before), document(f.After))
	case plan.FieldInlinePolicy:
		title := "inline policy " + f.Key
		switch {
		case f.Before == nil:
			title += " (new)"
		case f.After == nil:
			title += " (deleted)"
		}
		d.document(title, document(f.Before), document(f.After))
	case plan.FieldManagedPolicies:
		d.setChange("managed policies", f)
	case plan.FieldClientIDs:
		d.setChange("client ids", f)
	case plan.FieldTags:
		d.setChange("tags", f)
	case plan.FieldAnnotation:
		d.add(' ', 0, "annotation "+f.Key+": "+scalar(f.Before)+" → "+scalar(f.After))
	case plan.FieldLabel:
		d.add(' ', 0, "label "+f.Key+": "+scalar(f.Before)+" → "+scalar(f.After))
	case plan.FieldData:
		d.text("data "+f.Key, textOf(f.Before), textOf(f.After))
	default:
		if len(f.Added)+len(f.Removed) > 0 {
			d.setChange(f.Path(), f)
			return
		}
		// An empty description or boundary is IAM's "not set".
		d.add(' ', 0, f.Path()+": "+scalar(orNil(f.Before))+" → "+scalar(orNil(f.After)))
	}
}

// reach lists who a changed policy reaches: each role attaching it and the
// bindings its trust admits, folded past maxReach.
func (d *detail) reach(r plan.Reach) {
	if len(r.Roles) == 0 {
		d.add(' ', 0, "reaches: no role attaches this policy")
		return
	}
	d.add(' ', 0, "reaches "+plural(len(r.Roles), "role", "roles")+":")
	for i, role := range r.Roles {
		if i == maxReach {
			d.add(' ', 1, fmt.Sprintf("… and %d more roles", len(r.Roles)-maxReach))
			break
		}
		subs := d.subjects(role.Subjects)
		if more := len(subs) - maxReach; more > 0 {
			subs = append(subs[:maxReach], fmt.Sprintf("and %d more", more))
		}
		who := "nobody: its trust admits no one"
		if len(subs) > 0 {
			who = strings.Join(subs, ", ")
		}
		d.add(' ', 1, role.Account+"/"+role.Role+": "+who)
	}
}

func orNil(v plan.Value) plan.Value {
	if v == plan.Text("") {
		return nil
	}
	return v
}

// setChange shows what a set field gains and loses, one member a line.
func (d *detail) setChange(title string, f plan.Field) {
	d.add(' ', 0, title+":")
	for _, s := range f.Added {
		d.add('+', 1, s)
	}
	for _, s := range f.Removed {
		d.add('-', 1, s)
	}
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
