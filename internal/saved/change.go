package saved

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/render"
)

// Change is one saved change: a change of the JSON plan
// (schemas/plan.schema.json, render's vocabulary) plus the fingerprint of
// the live object it was computed from. It is a record of what was
// reviewed, never an instruction: apply recomputes every change and carries
// out its own computation, and only when it equals the saved one in every
// field.
type Change struct {
	render.JSONChange
	// LiveFingerprint is the SHA-256 of the canonical JSON of Before: of
	// the live object as the planner saw it, or of null when the change
	// creates the object, so that an object created since is noticed too.
	LiveFingerprint string `json:"liveFingerprint"`
}

func encodeChanges(cs []plan.Change) ([]Change, error) {
	out := make([]Change, 0, len(cs))
	for i, jc := range render.JSONChanges(cs) {
		fp, err := Fingerprint(jc.Before)
		if err != nil {
			return nil, fmt.Errorf("save change %s: %w", cs[i].Address, err)
		}
		out = append(out, Change{JSONChange: jc, LiveFingerprint: fp})
	}
	return out, nil
}

// differingKeys names the keys of a change whose canonical JSON differs
// between the saved and the fresh change. Notes are for people and may
// change between plan and apply (a pod started), so they are not compared.
func differingKeys(saved, fresh render.JSONChange) ([]string, error) {
	saved.Notes, fresh.Notes = nil, nil
	a, err := genericJSON(saved)
	if err != nil {
		return nil, err
	}
	b, err := genericJSON(fresh)
	if err != nil {
		return nil, err
	}
	var keys []string
	for k := range union(a, b) {
		x, _ := json.Marshal(a[k])
		y, _ := json.Marshal(b[k])
		if string(x) != string(y) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys, nil
}

// genericJSON is v's JSON decoded into generic values, so that a saved
// change (read back from a file) and a fresh one (encoded from the planner's
// types) compare alike: json.Marshal sorts the keys of generic maps.
func genericJSON(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	c, err := canonical(b)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(c, &m); err != nil {
		return nil, err
	}
	return m, nil
}

func union(a, b map[string]any) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// UnmarshalJSON reads a saved change: the JSON change (read strictly, its
// objects kept as written) and the fingerprint. Without it, the embedded
// JSONChange's method would be promoted and drop the fingerprint.
func (c *Change) UnmarshalJSON(b []byte) error {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return err
	}
	fp, ok := keys["liveFingerprint"]
	if !ok {
		return fmt.Errorf("change has no liveFingerprint")
	}
	if err := json.Unmarshal(fp, &c.LiveFingerprint); err != nil {
		return fmt.Errorf("liveFingerprint: %w", err)
	}
	delete(keys, "liveFingerprint")
	rest, err := json.Marshal(keys)
	if err != nil {
		return err
	}
	return json.Unmarshal(rest, &c.JSONChange)
}
