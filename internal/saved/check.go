package saved

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// StaleError says why a saved plan may no longer be applied: each entry
// names one thing that moved since the plan was saved.
type StaleError struct {
	Moved []string
}

func (e *StaleError) Error() string {
	return "the saved plan is stale:\n  - " + strings.Join(e.Moved, "\n  - ")
}

// Check compares a saved plan with the input and live state of now: d is
// the digest of the bindings file as it is, fresh the plan computed from it
// and the live state just read, with the saved options. It returns a
// *StaleError when the file changed, when any live object a saved change
// was computed from changed (or appeared, for a create), when a saved
// change would now write something else, or when the live state now holds
// conflicts or errors. Changes the fresh plan has beyond the saved ones do
// not make it stale: apply writes only what was reviewed, and Extra lists
// them so that the caller can say a new plan is due.
func Check(sp *Plan, d Digest, fresh *plan.Plan) error {
	var moved []string
	if d.SHA256 != sp.File.SHA256 {
		moved = append(moved, fmt.Sprintf("%s changed since the plan was saved (sha256 %s, now %s)", d.Path, short(sp.File.SHA256), short(d.SHA256)))
	}
	moved = append(moved, documentsMoved(sp.File, d)...)
	if len(moved) > 0 {
		// A different file means a different desired state; comparing
		// objects would only add noise.
		return &StaleError{Moved: moved}
	}
	now := map[string]plan.Change{}
	for _, c := range fresh.Changes {
		now[c.Address] = c
	}
	problems := map[string][]string{}
	for _, p := range append(append([]plan.Problem{}, fresh.Conflicts...), fresh.Errors...) {
		problems[p.Address] = append(problems[p.Address], p.Message)
	}
	reported := map[string]bool{}
	for _, sc := range sp.Changes {
		c, ok := now[sc.Address]
		if !ok {
			why := "it needs no such change any more: the live object changed since the plan was saved (was this plan applied already?)"
			if msgs := problems[sc.Address]; len(msgs) > 0 {
				why = "the live object changed since the plan was saved: " + strings.Join(msgs, "; ")
				reported[sc.Address] = true
			}
			moved = append(moved, fmt.Sprintf("%s (%s): %s", sc.Address, sc.Action, why))
			continue
		}
		if c.Action != sc.Action {
			moved = append(moved, fmt.Sprintf("%s: planned %s, now it needs %s: the live object changed since the plan was saved", sc.Address, sc.Action, c.Action))
			continue
		}
		fp, err := Fingerprint(c.Before)
		if err != nil {
			return err
		}
		if fp != sc.LiveFingerprint {
			what := "was changed by someone else since the plan was saved"
			if sc.Action == plan.Create {
				what = "was created by someone else since the plan was saved"
			}
			moved = append(moved, fmt.Sprintf("%s %s (live fingerprint %s, now %s)", sc.Address, what, short(sc.LiveFingerprint), short(fp)))
			continue
		}
		same, err := sameJSON(sc.After, c.After)
		if err != nil {
			return err
		}
		if !same {
			moved = append(moved, fmt.Sprintf("%s: the desired object is not the one saved, though the file is unchanged (a cluster's OIDC issuer may have changed)", sc.Address))
		}
	}
	for _, p := range append(append([]plan.Problem{}, fresh.Conflicts...), fresh.Errors...) {
		if !reported[p.Address] {
			moved = append(moved, fmt.Sprintf("%s: %s", p.Address, p.Message))
			reported[p.Address] = true
		}
	}
	if len(moved) > 0 {
		return &StaleError{Moved: moved}
	}
	return nil
}

// Extra lists the addresses the fresh plan would change that the saved plan
// does not: drift that happened since, which a new plan would include.
func Extra(sp *Plan, fresh *plan.Plan) []string {
	saved := map[string]bool{}
	for _, sc := range sp.Changes {
		saved[sc.Address] = true
	}
	var out []string
	for _, c := range fresh.Changes {
		if !saved[c.Address] {
			out = append(out, string(c.Action)+" "+c.Address)
		}
	}
	return out
}

func documentsMoved(was, now Digest) []string {
	old := map[string]string{}
	for _, d := range was.Documents {
		old[d.Path] = d.SHA256
	}
	var out []string
	for _, d := range now.Documents {
		sum, ok := old[d.Path]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s now references policy document %s, which the saved plan did not read", now.Path, d.Path))
		case sum != d.SHA256:
			out = append(out, fmt.Sprintf("policy document %s changed since the plan was saved (sha256 %s, now %s)", d.Path, short(sum), short(d.SHA256)))
		}
		delete(old, d.Path)
	}
	for _, path := range resource.SortedKeys(old) {
		out = append(out, fmt.Sprintf("%s no longer references policy document %s", now.Path, path))
	}
	return out
}

// sameJSON reports whether a saved object and a fresh one encode to the same
// canonical JSON.
func sameJSON(saved []byte, fresh any) (bool, error) {
	a, err := canonical(saved)
	if err != nil {
		return false, err
	}
	b, err := json.Marshal(fresh)
	if err != nil {
		return false, err
	}
	if b, err = canonical(b); err != nil {
		return false, err
	}
	return string(a) == string(b), nil
}

// short is enough of a digest to tell two apart in a message.
func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}
