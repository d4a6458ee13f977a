package render

import (
	"io"

	"github.com/irsa-sync/irsa-sync/internal/access"
	"github.com/irsa-sync/irsa-sync/internal/plan"
)

// FormatVersion is the version of the JSON plan format. It changes only when
// a field is renamed, removed or changes meaning; new fields keep it.
// Version 2: the summary counts create/update/delete (was add/change/
// delete), notes are objects with their kind, and risks, access, reach and
// names are new.
const FormatVersion = 2

// JSONPlan is the JSON plan. It has its own types, rather than encoding
// plan.Plan, so that the format described by schemas/plan.schema.json does
// not move when the planner's internals do. Every key is always present
// (lists as [], absent values as null), so scripts index it without checks.
type JSONPlan struct {
	FormatVersion int           `json:"formatVersion"`
	Owner         string        `json:"owner"`
	Blocked       bool          `json:"blocked"`
	Summary       plan.Summary  `json:"summary"`
	Changes       []JSONChange  `json:"changes"`
	Conflicts     []JSONProblem `json:"conflicts"`
	Errors        []JSONProblem `json:"errors"`
	Warnings      []JSONProblem `json:"warnings"`
	Risks         []JSONRisk    `json:"risks"`
	Access        []JSONAccess  `json:"access"`
	Reach         []JSONReach   `json:"reach"`
	Pruneable     []JSONChange  `json:"pruneable"`
	Patterns      []JSONPattern `json:"patterns"`
	Names         plan.Names    `json:"names"`
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
	Notes         []JSONNote  `json:"notes"`
}

// JSONField is one changed field of a JSONChange.
type JSONField struct {
	Name    string   `json:"name"`
	Before  any      `json:"before"`
	After   any      `json:"after"`
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
}

// JSONNote is a note of a change: its kind and details for scripts, its
// words for people.
type JSONNote struct {
	Kind  string   `json:"kind"`
	Count int      `json:"count"`
	Names []string `json:"names"`
	Text  string   `json:"text"`
}

// JSONProblem is a conflict, error or warning.
type JSONProblem struct {
	Address string `json:"address"`
	Message string `json:"message"`
}

// JSONRisk is a risk of the plan: its kind and typed details, and its words.
type JSONRisk struct {
	Kind      string           `json:"kind"`
	Address   string           `json:"address"`
	Message   string           `json:"message"`
	AccountID *string          `json:"accountId"`
	Widening  *access.Widening `json:"widening"`
	Trust     *access.Risk     `json:"trust"`
	Policy    *string          `json:"policy"`
	Grants    *string          `json:"grants"`
}

// JSONAccess is one role's access change.
type JSONAccess struct {
	Address string            `json:"address"`
	Account string            `json:"account"`
	Role    string            `json:"role"`
	Action  string            `json:"action"`
	Gained  []access.Subject  `json:"gained"`
	Lost    []access.Subject  `json:"lost"`
	Widened []access.Widening `json:"widened"`
}

// JSONReach is who a changed policy reaches.
type JSONReach struct {
	Address string          `json:"address"`
	Policy  string          `json:"policy"`
	Roles   []JSONReachRole `json:"roles"`
}

// JSONReachRole is one role attaching a changed policy.
type JSONReachRole struct {
	Account  string           `json:"account"`
	Role     string           `json:"role"`
	ARN      string           `json:"arn"`
	Subjects []access.Subject `json:"subjects"`
}

// JSONPattern is a wildcard binding.
type JSONPattern struct {
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
	return writeJSON(w, PlanJSON(p))
}

// PlanJSON is the plan in the JSON plan's vocabulary.
func PlanJSON(p *plan.Plan) JSONPlan {
	out := JSONPlan{
		FormatVersion: FormatVersion,
		Owner:         p.Owner,
		Blocked:       p.Blocked(),
		Summary:       p.Summary(),
		Changes:       JSONChanges(p.Changes),
		Conflicts:     jsonProblems(p.Conflicts),
		Errors:        jsonProblems(p.Errors),
		Warnings:      jsonProblems(p.Warnings),
		Risks:         make([]JSONRisk, 0, len(p.Risks)),
		Access:        make([]JSONAccess, 0, len(p.Access)),
		Reach:         make([]JSONReach, 0, len(p.Reach)),
		Pruneable:     JSONChanges(p.Pruneable),
		Patterns:      []JSONPattern{},
		Names:         plan.Names{Clusters: orEmptyMap(p.Names.Clusters), Accounts: orEmptyMap(p.Names.Accounts), Roles: orEmptyMap(p.Names.Roles)},
	}
	for _, r := range p.Risks {
		out.Risks = append(out.Risks, JSONRisk{Kind: string(r.Kind), Address: r.Address, Message: RiskText(r), AccountID: orNull(r.AccountID),
			Widening: r.Widening, Trust: r.Trust, Policy: orNull(r.Policy), Grants: orNull(r.Grants)})
	}
	for _, a := range p.Access {
		out.Access = append(out.Access, JSONAccess{Address: a.Address, Account: a.Account, Role: a.Role, Action: string(a.Action),
			Gained: orEmpty(a.Gained), Lost: orEmpty(a.Lost), Widened: orEmpty(a.Widened)})
	}
	for _, r := range p.Reach {
		jr := JSONReach{Address: r.Address, Policy: r.Policy, Roles: make([]JSONReachRole, 0, len(r.Roles))}
		for _, role := range r.Roles {
			jr.Roles = append(jr.Roles, JSONReachRole{Account: role.Account, Role: role.Role, ARN: role.ARN, Subjects: orEmpty(role.Subjects)})
		}
		out.Reach = append(out.Reach, jr)
	}
	for _, pt := range p.Patterns {
		out.Patterns = append(out.Patterns, JSONPattern{Cluster: pt.Cluster, Namespace: pt.Namespace, Name: pt.Name, Role: pt.Role})
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
			Adopt: c.Adopt, Notes: make([]JSONNote, 0, len(c.Notes)),
		}
		for _, f := range c.Fields {
			jc.Fields = append(jc.Fields, JSONField{Name: f.Path(), Before: valueJSON(f.Before), After: valueJSON(f.After),
				Added: orEmpty(f.Added), Removed: orEmpty(f.Removed)})
		}
		for _, n := range c.Notes {
			jc.Notes = append(jc.Notes, JSONNote{Kind: string(n.Kind), Count: n.Count, Names: orEmpty(n.Names), Text: NoteText(n)})
		}
		out = append(out, jc)
	}
	return out
}

func jsonProblems(ps []plan.Problem) []JSONProblem {
	out := make([]JSONProblem, 0, len(ps))
	for _, p := range ps {
		out = append(out, JSONProblem{Address: p.Address, Message: p.Message})
	}
	return out
}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func orEmptyMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
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
