package render

import (
	"io"

	"github.com/irsa-sync/irsa-sync/internal/plan"
)

// FormatVersion is the version of the JSON plan format. It changes only when
// a field is renamed, removed or changes meaning; new fields keep it.
const FormatVersion = 1

// The JSON plan has its own types, rather than encoding plan.Plan, so that
// the format described by schemas/plan.schema.json does not move when the
// planner's internals do. Every key is always present (lists as [], absent
// values as null), so scripts index it without checks.
type jsonPlan struct {
	FormatVersion int           `json:"formatVersion"`
	Owner         string        `json:"owner"`
	Blocked       bool          `json:"blocked"`
	Summary       jsonSummary   `json:"summary"`
	Changes       []JSONChange  `json:"changes"`
	Conflicts     []jsonProblem `json:"conflicts"`
	Errors        []jsonProblem `json:"errors"`
	Warnings      []jsonProblem `json:"warnings"`
	Pruneable     []JSONChange  `json:"pruneable"`
	Patterns      []jsonPattern `json:"patterns"`
}

type jsonSummary struct {
	Add    int `json:"add"`
	Change int `json:"change"`
	Delete int `json:"delete"`
}

// JSONChange is one change as the JSON plan (schemas/plan.schema.json) and
// the saved plan show it: the one JSON vocabulary of a change.
type JSONChange struct {
	Action  string `json:"action"`
	Kind    string `json:"kind"`
	Address string `json:"address"`
	// Account or Cluster is set, the other null.
	Account *string `json:"account"`
	Cluster *string `json:"cluster"`
	// Before and After are the objects as the resource package encodes
	// them; null for a create's Before and a delete's After.
	Before        any         `json:"before"`
	After         any         `json:"after"`
	Fields        []JSONField `json:"fields"`
	RetireVersion *string     `json:"retireVersion"`
	Adopt         bool        `json:"adopt"`
	Notes         []string    `json:"notes"`
}

// JSONField is one changed field of a JSONChange.
type JSONField struct {
	Name    string   `json:"name"`
	Before  any      `json:"before"`
	After   any      `json:"after"`
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
}

type jsonProblem struct {
	Address string `json:"address"`
	Message string `json:"message"`
}

type jsonPattern struct {
	Cluster   string `json:"cluster"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Role      string `json:"role"`
}

// jsonRenderer writes the plan as one JSON object.
type jsonRenderer struct{}

// Render writes the object indented two spaces with a trailing newline, so
// that saved plans diff line by line.
func (jsonRenderer) Render(w io.Writer, p *plan.Plan) error {
	return writeJSON(w, planJSON(p))
}

func planJSON(p *plan.Plan) jsonPlan {
	s := p.Summary()
	out := jsonPlan{
		FormatVersion: FormatVersion,
		Owner:         p.Owner,
		Blocked:       p.Blocked(),
		Summary:       jsonSummary{Add: s.Add, Change: s.Change, Delete: s.Delete},
		Changes:       JSONChanges(p.Changes),
		Conflicts:     jsonProblems(p.Conflicts),
		Errors:        jsonProblems(p.Errors),
		Warnings:      jsonProblems(p.Warnings),
		Pruneable:     JSONChanges(p.Pruneable),
		Patterns:      []jsonPattern{},
	}
	for _, pt := range p.Patterns {
		out.Patterns = append(out.Patterns, jsonPattern{Cluster: pt.Cluster, Namespace: pt.Namespace, Name: pt.Name, Role: pt.Role})
	}
	return out
}

// JSONChanges returns the changes in the JSON plan's vocabulary.
func JSONChanges(cs []plan.Change) []JSONChange {
	out := make([]JSONChange, 0, len(cs))
	for _, c := range cs {
		before, after := c.Sides()
		jc := JSONChange{
			Action: string(c.Action), Kind: string(c.Kind), Address: c.Address,
			Account: orNull(c.Account), Cluster: orNull(c.Cluster),
			Before: before, After: after,
			Fields: make([]JSONField, 0, len(c.Fields)), RetireVersion: orNull(c.RetireVersion),
			Adopt: c.Adopt, Notes: NoteTexts(c.Notes),
		}
		for _, f := range c.Fields {
			jc.Fields = append(jc.Fields, JSONField{Name: f.Path(), Before: valueJSON(f.Before), After: valueJSON(f.After),
				Added: orEmpty(f.Added), Removed: orEmpty(f.Removed)})
		}
		out = append(out, jc)
	}
	return out
}

func jsonProblems(ps []plan.Problem) []jsonProblem {
	out := make([]jsonProblem, 0, len(ps))
	for _, p := range ps {
		out = append(out, jsonProblem{Address: p.Address, Message: p.Message})
	}
	return out
}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// valueJSON is a field value as the JSON plan shows it: a string, a number,
// a tag object or a policy document; nil is null.
func valueJSON(v plan.Value) any {
	switch v := v.(type) {
	case plan.Text:
		return string(v)
	case plan.Number:
		return int32(v)
	case plan.Tags:
		return map[string]string(v)
	case plan.Document:
		return v.Document
	}
	return nil
}
