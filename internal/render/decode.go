package render

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// DecodePlan reads a JSON plan back into the plan it was rendered from, so
// that a saved plan shows again exactly as it was printed when saved
// (`irsa-sync show`). It is for display only: apply never runs a decoded
// plan, it recomputes its own. A JSON plan that cannot be read back (an
// edited kind, a field of no known type) is an error naming the change.
func DecodePlan(jp JSONPlan) (*plan.Plan, error) {
	if jp.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("plan of format version %d; this irsa-sync reads version %d", jp.FormatVersion, FormatVersion)
	}
	p := &plan.Plan{Owner: jp.Owner, Names: jp.Names, Patterns: []desired.Pattern{}}
	var err error
	if p.Changes, err = decodeChanges(jp.Changes); err != nil {
		return nil, err
	}
	if p.Pruneable, err = decodeChanges(jp.Pruneable); err != nil {
		return nil, err
	}
	p.Conflicts, p.Errors, p.Warnings = decodeProblems(jp.Conflicts), decodeProblems(jp.Errors), decodeProblems(jp.Warnings)
	for _, r := range jp.Risks {
		p.Risks = append(p.Risks, plan.Risk{Kind: plan.RiskKind(r.Kind), Address: r.Address, AccountID: deref(r.AccountID),
			Widening: r.Widening, Trust: r.Trust, Policy: deref(r.Policy), Grants: deref(r.Grants)})
	}
	for _, a := range jp.Access {
		ra := plan.RoleAccess{Address: a.Address, Account: a.Account, Role: a.Role, Action: plan.Action(a.Action)}
		ra.Gained, ra.Lost, ra.Widened = a.Gained, a.Lost, a.Widened
		p.Access = append(p.Access, ra)
	}
	for _, r := range jp.Reach {
		rc := plan.Reach{Address: r.Address, Policy: r.Policy}
		for _, role := range r.Roles {
			rc.Roles = append(rc.Roles, plan.ReachRole{Account: role.Account, Role: role.Role, ARN: role.ARN, Subjects: role.Subjects})
		}
		p.Reach = append(p.Reach, rc)
	}
	for _, pt := range jp.Patterns {
		p.Patterns = append(p.Patterns, desired.Pattern{Cluster: pt.Cluster, Namespace: pt.Namespace, Name: pt.Name, Role: pt.Role})
	}
	return p, nil
}

func decodeProblems(ps []JSONProblem) []plan.Problem {
	out := make([]plan.Problem, 0, len(ps))
	for _, p := range ps {
		out = append(out, plan.Problem{Address: p.Address, Message: p.Message})
	}
	return out
}

func decodeChanges(jcs []JSONChange) ([]plan.Change, error) {
	out := make([]plan.Change, 0, len(jcs))
	for _, jc := range jcs {
		c, err := DecodeChange(jc)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// DecodeChange reads one JSON change back into the planner's typed change,
// the inverse of JSONChanges.
func DecodeChange(jc JSONChange) (plan.Change, error) {
	c := plan.Change{Action: plan.Action(jc.Action), Kind: resource.Kind(jc.Kind), Address: jc.Address,
		Account: deref(jc.Account), Cluster: deref(jc.Cluster), RetireVersion: deref(jc.RetireVersion), Adopt: jc.Adopt}
	fail := func(err error) (plan.Change, error) {
		return plan.Change{}, fmt.Errorf("change %s: %w", jc.Address, err)
	}
	var err error
	switch c.Kind {
	case resource.KindProvider:
		c.Provider, err = decodeDiff[resource.Provider](jc)
	case resource.KindPolicy:
		c.Policy, err = decodeDiff[resource.Policy](jc)
	case resource.KindRole:
		c.Role, err = decodeDiff[resource.Role](jc)
	case resource.KindServiceAccount:
		c.ServiceAccount, err = decodeDiff[resource.ServiceAccount](jc)
	case resource.KindAssociation:
		c.Association, err = decodeDiff[resource.Association](jc)
	case resource.KindConfigMap:
		c.ConfigMap, err = decodeDiff[resource.ConfigMap](jc)
	default:
		err = fmt.Errorf("unknown kind %q", jc.Kind)
	}
	if err != nil {
		return fail(err)
	}
	for _, jf := range jc.Fields {
		f, err := decodeField(jf)
		if err != nil {
			return fail(err)
		}
		c.Fields = append(c.Fields, f)
	}
	for _, n := range jc.Notes {
		c.Notes = append(c.Notes, plan.Note{Kind: plan.NoteKind(n.Kind), Count: n.Count, Names: nilIfEmpty(n.Names)})
	}
	if err := c.Check(); err != nil {
		return plan.Change{}, err
	}
	return c, nil
}

func decodeDiff[T any](jc JSONChange) (*plan.Diff[T], error) {
	before, err := decodeAs[T](jc.Before)
	if err != nil {
		return nil, fmt.Errorf("before: %w", err)
	}
	after, err := decodeAs[T](jc.After)
	if err != nil {
		return nil, fmt.Errorf("after: %w", err)
	}
	return &plan.Diff[T]{Before: before, After: after}, nil
}

// decodeAs reads v, a typed object or the generic JSON read from a file,
// as a *T; nil stays nil.
func decodeAs[T any](v any) (*T, error) {
	if v == nil {
		return nil, nil
	}
	if t, ok := v.(*T); ok {
		return t, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if string(b) == "null" {
		return nil, nil
	}
	var t T
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// decodeField reads a field's values by the type its name has.
func decodeField(jf JSONField) (plan.Field, error) {
	name, key, _ := strings.Cut(jf.Name, ".")
	f := plan.Field{Name: plan.FieldName(name), Key: key, Added: nilIfEmpty(jf.Added), Removed: nilIfEmpty(jf.Removed)}
	var read func(any) (plan.Value, error)
	switch f.Name {
	case plan.FieldDocument, plan.FieldTrust, plan.FieldInlinePolicy:
		read = func(v any) (plan.Value, error) {
			d, err := decodeAs[policy.Document](v)
			if err != nil || d == nil {
				return nil, err
			}
			return plan.Document{Document: *d}, nil
		}
	case plan.FieldTags:
		read = func(v any) (plan.Value, error) {
			t, err := decodeAs[map[string]string](v)
			if err != nil || t == nil {
				return nil, err
			}
			return plan.Tags(*t), nil
		}
	case plan.FieldMaxSessionDuration:
		read = func(v any) (plan.Value, error) {
			n, err := decodeAs[int32](v)
			if err != nil || n == nil {
				return nil, err
			}
			return plan.Number(*n), nil
		}
	case plan.FieldDescription, plan.FieldPermissionsBoundary, plan.FieldAnnotation, plan.FieldLabel, plan.FieldData:
		read = func(v any) (plan.Value, error) {
			s, err := decodeAs[string](v)
			if err != nil || s == nil {
				return nil, err
			}
			return plan.Text(*s), nil
		}
	case plan.FieldClientIDs, plan.FieldManagedPolicies:
		read = func(any) (plan.Value, error) { return nil, nil }
	default:
		return plan.Field{}, fmt.Errorf("field %q: no such field", jf.Name)
	}
	var err error
	if f.Before, err = read(jf.Before); err != nil {
		return plan.Field{}, fmt.Errorf("field %s before: %w", jf.Name, err)
	}
	if f.After, err = read(jf.After); err != nil {
		return plan.Field{}, fmt.Errorf("field %s after: %w", jf.Name, err)
	}
	return f, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}
