package saved

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// Change is one saved change. It has the shape of a change in the JSON plan
// (schemas/plan.schema.json: every key present, absent values null) plus
// the fingerprint of the live object it was computed from.
type Change struct {
	Action        plan.Action     `json:"action"`
	Kind          resource.Kind   `json:"kind"`
	Address       string          `json:"address"`
	Account       *string         `json:"account"`
	Cluster       *string         `json:"cluster"`
	Before        json.RawMessage `json:"before"`
	After         json.RawMessage `json:"after"`
	Fields        []Field         `json:"fields"`
	RetireVersion *string         `json:"retireVersion"`
	Adopt         bool            `json:"adopt"`
	Notes         []string        `json:"notes"`
	// LiveFingerprint is the SHA-256 of the canonical JSON of Before: of
	// the live object as the planner saw it, or of null when the change
	// creates the object, so that an object created since is noticed too.
	LiveFingerprint string `json:"liveFingerprint"`
}

// Field is one field of an update, as in the JSON plan.
type Field struct {
	Name    string          `json:"name"`
	Before  json.RawMessage `json:"before"`
	After   json.RawMessage `json:"after"`
	Added   []string        `json:"added"`
	Removed []string        `json:"removed"`
}

func encodeChange(c plan.Change) (Change, error) {
	before, err := json.Marshal(c.Before)
	if err != nil {
		return Change{}, fmt.Errorf("save change %s: %w", c.Address, err)
	}
	after, err := json.Marshal(c.After)
	if err != nil {
		return Change{}, fmt.Errorf("save change %s: %w", c.Address, err)
	}
	fp, err := Fingerprint(c.Before)
	if err != nil {
		return Change{}, fmt.Errorf("save change %s: %w", c.Address, err)
	}
	sc := Change{Action: c.Action, Kind: c.Kind, Address: c.Address, Account: optional(c.Account), Cluster: optional(c.Cluster),
		Before: before, After: after, Fields: []Field{}, RetireVersion: optional(c.RetireVersion), Adopt: c.Adopt,
		Notes: append([]string{}, c.Notes...), LiveFingerprint: fp}
	for _, f := range c.Fields {
		b, err := json.Marshal(f.Before)
		if err != nil {
			return Change{}, fmt.Errorf("save change %s, field %s: %w", c.Address, f.Name, err)
		}
		a, err := json.Marshal(f.After)
		if err != nil {
			return Change{}, fmt.Errorf("save change %s, field %s: %w", c.Address, f.Name, err)
		}
		sc.Fields = append(sc.Fields, Field{Name: f.Name, Before: b, After: a,
			Added: append([]string{}, f.Added...), Removed: append([]string{}, f.Removed...)})
	}
	return sc, nil
}

// decode turns a saved change back into the planner's change, with Before
// and After of the resource type apply expects for the kind.
func (sc Change) decode() (plan.Change, error) {
	c := plan.Change{Action: sc.Action, Kind: sc.Kind, Address: sc.Address, Account: deref(sc.Account), Cluster: deref(sc.Cluster),
		RetireVersion: deref(sc.RetireVersion), Adopt: sc.Adopt}
	if len(sc.Notes) > 0 {
		c.Notes = sc.Notes
	}
	switch sc.Action {
	case plan.Create, plan.Update, plan.Delete:
	default:
		return c, fmt.Errorf("unknown action %q", sc.Action)
	}
	var err error
	if c.Before, err = decodeObject(sc.Kind, sc.Before); err != nil {
		return c, fmt.Errorf("before: %w", err)
	}
	if c.After, err = decodeObject(sc.Kind, sc.After); err != nil {
		return c, fmt.Errorf("after: %w", err)
	}
	// The action says which sides exist; apply type-asserts them.
	if (c.Before == nil) != (sc.Action == plan.Create) || (c.After == nil) != (sc.Action == plan.Delete) {
		return c, fmt.Errorf("a %s needs before %s and after %s", sc.Action, side(sc.Action != plan.Create), side(sc.Action != plan.Delete))
	}
	for _, f := range sc.Fields {
		pf := plan.Field{Name: f.Name}
		if len(f.Added) > 0 {
			pf.Added = f.Added
		}
		if len(f.Removed) > 0 {
			pf.Removed = f.Removed
		}
		if pf.Before, err = decodeFieldValue(f.Name, f.Before); err != nil {
			return c, fmt.Errorf("field %s: %w", f.Name, err)
		}
		if pf.After, err = decodeFieldValue(f.Name, f.After); err != nil {
			return c, fmt.Errorf("field %s: %w", f.Name, err)
		}
		c.Fields = append(c.Fields, pf)
	}
	return c, nil
}

// decodeObject decodes one side of a change into the type the planner
// produced for the kind; null is nil.
func decodeObject(kind resource.Kind, raw json.RawMessage) (any, error) {
	if isNull(raw) {
		return nil, nil
	}
	var v any
	switch kind {
	case resource.KindProvider:
		v = &resource.Provider{}
	case resource.KindPolicy:
		v = &resource.Policy{}
	case resource.KindRole:
		v = &resource.Role{}
	case resource.KindServiceAccount:
		v = &resource.ServiceAccount{}
	default:
		return nil, fmt.Errorf("unknown kind %q", kind)
	}
	if err := strictUnmarshal(raw, v); err != nil {
		return nil, err
	}
	return v, nil
}

// decodeFieldValue restores a field's Go type, which apply and the
// renderers type-assert: documents (trust, document, inlinePolicies.NAME),
// tags (a map), maxSessionDuration (int32), and strings for the rest.
func decodeFieldValue(name string, raw json.RawMessage) (any, error) {
	if isNull(raw) {
		return nil, nil
	}
	var err error
	if name == "trust" || name == "document" || strings.HasPrefix(name, "inlinePolicies.") {
		var d policy.Document
		err = d.UnmarshalJSON(raw)
		return d, err
	}
	switch name {
	case "tags":
		var m map[string]string
		err = strictUnmarshal(raw, &m)
		return m, err
	case "maxSessionDuration":
		var n int32
		err = strictUnmarshal(raw, &n)
		return n, err
	}
	var s string
	if strictUnmarshal(raw, &s) == nil {
		return s, nil
	}
	var v any
	err = strictUnmarshal(raw, &v)
	return v, err
}

func strictUnmarshal(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func side(present bool) string {
	if present {
		return "an object"
	}
	return "null"
}
