package render

import (
	"bytes"
	"encoding/json"
)

// A JSON change read back from a file keeps its objects and values as the
// JSON text they were written as (json.RawMessage), not as generic maps:
// a map would sort a policy document's keys, and the document is kept as
// written everywhere else. Reading is strict, as a saved plan's reader is.

type changeText struct {
	Action        string          `json:"action"`
	Kind          string          `json:"kind"`
	Address       string          `json:"address"`
	Account       *string         `json:"account"`
	Cluster       *string         `json:"cluster"`
	Before        json.RawMessage `json:"before"`
	After         json.RawMessage `json:"after"`
	Fields        []JSONField     `json:"fields"`
	RetireVersion *string         `json:"retireVersion"`
	Adopt         bool            `json:"adopt"`
	Notes         []JSONNote      `json:"notes"`
}

// UnmarshalJSON reads a change, keeping before and after as written.
func (jc *JSONChange) UnmarshalJSON(b []byte) error {
	var t changeText
	if err := strictJSON(b, &t); err != nil {
		return err
	}
	*jc = JSONChange{Action: t.Action, Kind: t.Kind, Address: t.Address, Account: t.Account, Cluster: t.Cluster,
		Before: rawOrNil(t.Before), After: rawOrNil(t.After), Fields: t.Fields, RetireVersion: t.RetireVersion, Adopt: t.Adopt, Notes: t.Notes}
	return nil
}

type fieldText struct {
	Name    string          `json:"name"`
	Before  json.RawMessage `json:"before"`
	After   json.RawMessage `json:"after"`
	Added   []string        `json:"added"`
	Removed []string        `json:"removed"`
}

// UnmarshalJSON reads a field, keeping its values as written.
func (f *JSONField) UnmarshalJSON(b []byte) error {
	var t fieldText
	if err := strictJSON(b, &t); err != nil {
		return err
	}
	*f = JSONField{Name: t.Name, Before: rawOrNil(t.Before), After: rawOrNil(t.After), Added: t.Added, Removed: t.Removed}
	return nil
}

func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// rawOrNil is nil for an absent or null value, so that a read change
// compares with nil as a computed one does.
func rawOrNil(r json.RawMessage) any {
	if len(r) == 0 || string(bytes.TrimSpace(r)) == "null" {
		return nil
	}
	return r
}
