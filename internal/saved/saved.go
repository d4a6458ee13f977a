// Package saved writes and reads saved plans: what `plan --out FILE` stores
// and `apply FILE` carries out. A saved plan holds the changes as they were
// reviewed, a digest of the bindings file and of every policy document file
// it references, and a fingerprint of each live object a change was
// computed from. It is never trusted as instructions: apply recomputes the
// plan from the file and the live state, and carries out exactly the saved
// changes only when each equals its recomputation in every field, refusing
// otherwise, so an edited, stale or duplicated change writes nothing. The
// format is schemas/saved-plan.schema.json.
package saved

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/plan"
)

// FormatVersion is the version of the saved-plan format. A reader refuses
// any other: applying a plan it half understands is worse than replanning.
const FormatVersion = 2

// Kind marks a JSON file as a saved plan, so that a JSON plan from
// `plan --output json` passed to apply by mistake gets a clear error.
const Kind = "irsa-sync/saved-plan"

// Plan is a saved plan.
type Plan struct {
	Kind          string  `json:"kind"`
	FormatVersion int     `json:"formatVersion"`
	Owner         string  `json:"owner"`
	File          Digest  `json:"file"`
	Options       Options `json:"options"`
	// Changes are exactly what apply writes, in the order it writes them.
	Changes []Change `json:"changes"`
}

// Options are the plan options apply must use again to recompute the same
// plan when it checks for staleness.
type Options struct {
	Prune bool `json:"prune"`
}

// New saves p, computed from the file whose digest is d with opts.
func New(p *plan.Plan, d Digest, opts Options) (*Plan, error) {
	changes, err := encodeChanges(p.Changes)
	if err != nil {
		return nil, err
	}
	return &Plan{Kind: Kind, FormatVersion: FormatVersion, Owner: p.Owner, File: d, Options: opts, Changes: changes}, nil
}

// Marshal returns the saved plan as indented JSON with a trailing newline,
// so that two saved plans diff line by line.
func (sp *Plan) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(sp); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Write stores the saved plan at path, replacing any file there atomically:
// a run stopped half-way never leaves a truncated plan that apply would
// reject with a confusing error.
func (sp *Plan) Write(path string) error {
	b, err := sp.Marshal()
	if err != nil {
		return fmt.Errorf("save the plan: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".irsa-sync-plan-*")
	if err != nil {
		return fmt.Errorf("save the plan to %s: %w", path, err)
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		return errors.Join(fmt.Errorf("save the plan to %s: %w", path, err), os.Remove(tmp.Name()))
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return errors.Join(fmt.Errorf("save the plan to %s: %w", path, err), os.Remove(tmp.Name()))
	}
	return nil
}

// Read loads a saved plan. Unknown fields, another kind or another format
// version are errors naming the file and what to do.
func Read(path string) (*Plan, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read saved plan: %w", err)
	}
	defer f.Close()
	return Decode(f, path)
}

// Decode reads a saved plan from r; name is used in errors.
func Decode(r io.Reader, name string) (*Plan, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read saved plan %s: %w", name, err)
	}
	// The kind first, leniently, so that a JSON plan passed by mistake is
	// named as such rather than as a list of unknown fields.
	var probe struct {
		Kind string `json:"kind"`
	}
	if json.Unmarshal(b, &probe) == nil && probe.Kind != Kind {
		return nil, fmt.Errorf("%s is not a saved plan (kind %q, want %q): create one with `irsa-sync plan --out FILE`; the output of `plan --output json` cannot be applied", name, probe.Kind, Kind)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var sp Plan
	if err := dec.Decode(&sp); err != nil {
		return nil, fmt.Errorf("%s is not a saved plan of this irsa-sync (%v): create it again with `irsa-sync plan --out %s`", name, err, name)
	}
	switch {
	case sp.FormatVersion != FormatVersion:
		return nil, fmt.Errorf("%s is a saved plan of format version %d, and this irsa-sync reads version %d: plan again with this version", name, sp.FormatVersion, FormatVersion)
	case len(sp.File.Paths) == 0 || len(sp.File.Files) == 0:
		return nil, fmt.Errorf("%s: file.paths and file.files are required: plan again with `irsa-sync plan --out %s`", name, name)
	}
	return &sp, nil
}

// CheckOwner refuses a saved plan for another owner than the file's; the
// file digest catches this too, but this message says it plainly.
func (sp *Plan) CheckOwner(f *config.File) error {
	if sp.Owner != f.Owner {
		return fmt.Errorf("the saved plan is for owner %q and %s says %q", sp.Owner, sp.File.Names(), f.Owner)
	}
	return nil
}
