package saved

import (
	"fmt"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/render"
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

// Check compares a saved plan with the input and live state of now and
// returns the changes to apply: the fresh plan's own changes at the saved
// addresses, in its order. d is the digest of the bindings file as it is,
// fresh the plan computed from it and the live state just read, with the
// saved options. It returns a *StaleError, and no changes, when the file
// changed, when a change is listed twice, when any live object a saved
// change was computed from changed (or appeared, for a create), when a
// saved change differs in any field from what irsa-sync computes now (it
// was edited, or the world moved), or when the live state now holds
// conflicts or errors. Changes the fresh plan has beyond the saved ones do
// not make it stale: apply writes only what was reviewed, and Extra lists
// them so that the caller can say a new plan is due.
func Check(sp *Plan, d Digest, fresh *plan.Plan) (*plan.Plan, error) {
	moved := filesMoved(sp.File, d)
	moved = append(moved, documentsMoved(sp.File, d)...)
	if len(moved) > 0 {
		// A different file means a different desired state; comparing
		// objects would only add noise.
		return nil, &StaleError{Moved: moved}
	}
	now := map[string]int{}
	for i, c := range fresh.Changes {
		now[c.Address] = i
	}
	freshJSON := render.JSONChanges(fresh.Changes)
	problems := map[string][]string{}
	for _, p := range append(append([]plan.Problem{}, fresh.Conflicts...), fresh.Errors...) {
		problems[p.Address] = append(problems[p.Address], p.Message)
	}
	reported := map[string]bool{}
	seen := map[string]int{}
	selected := map[int]bool{}
	for i, sc := range sp.Changes {
		if j, dup := seen[sc.Address]; dup {
			moved = append(moved, fmt.Sprintf("changes[%d] repeats changes[%d] (%s): a saved plan lists each object once; it was edited", i, j, sc.Address))
			continue
		}
		seen[sc.Address] = i
		k, ok := now[sc.Address]
		if !ok {
			why := "it needs no such change any more: the live object changed since the plan was saved (was this plan applied already?)"
			if msgs := problems[sc.Address]; len(msgs) > 0 {
				why = "the live object changed since the plan was saved: " + strings.Join(msgs, "; ")
				reported[sc.Address] = true
			}
			moved = append(moved, fmt.Sprintf("%s (%s): %s", sc.Address, sc.Action, why))
			continue
		}
		fc := freshJSON[k]
		if fc.Action != sc.Action {
			moved = append(moved, fmt.Sprintf("%s: planned %s, now it needs %s: the live object changed since the plan was saved", sc.Address, sc.Action, fc.Action))
			continue
		}
		fp, err := Fingerprint(fc.Before)
		if err != nil {
			return nil, err
		}
		if fp != sc.LiveFingerprint {
			what := "was changed by someone else since the plan was saved"
			if sc.Action == string(plan.Create) {
				what = "was created by someone else since the plan was saved"
			}
			moved = append(moved, fmt.Sprintf("%s %s (live fingerprint %s, now %s)", sc.Address, what, short(sc.LiveFingerprint), short(fp)))
			continue
		}
		keys, err := differingKeys(sc.JSONChange, fc)
		if err != nil {
			return nil, err
		}
		if len(keys) > 0 {
			moved = append(moved, fmt.Sprintf("%s: %s not what irsa-sync computes now from the unchanged file and live state (the saved plan was edited, or a cluster's OIDC issuer changed)", sc.Address, strings.Join(keys, ", ")+plural(len(keys), " is", " are")))
			continue
		}
		selected[k] = true
	}
	for _, p := range append(append([]plan.Problem{}, fresh.Conflicts...), fresh.Errors...) {
		if !reported[p.Address] {
			moved = append(moved, fmt.Sprintf("%s: %s", p.Address, p.Message))
			reported[p.Address] = true
		}
	}
	if len(moved) > 0 {
		return nil, &StaleError{Moved: moved}
	}
	out := &plan.Plan{Owner: fresh.Owner, Changes: []plan.Change{}}
	for i, c := range fresh.Changes {
		if selected[i] {
			out.Changes = append(out.Changes, c)
		}
	}
	return out, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
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

// filesMoved says which bindings files differ from those the plan was
// computed from.
func filesMoved(was, now Digest) []string {
	if len(was.Files) != len(now.Files) {
		return []string{fmt.Sprintf("the plan was computed from %d bindings files (%s), and %d are read now (%s)", len(was.Files), was.Names(), len(now.Files), now.Names())}
	}
	var out []string
	for i, f := range now.Files {
		if w := was.Files[i]; w.SHA256 != f.SHA256 {
			out = append(out, fmt.Sprintf("%s changed since the plan was saved (sha256 %s, now %s)", f.Path, short(w.SHA256), short(f.SHA256)))
		}
	}
	return out
}

func documentsMoved(was, now Digest) []string {
	old := map[string]string{}
	for _, d := range was.Documents {
		old[d.key()] = d.SHA256
	}
	var out []string
	for _, d := range now.Documents {
		sum, ok := old[d.key()]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s now references policy document %s, which the saved plan did not read", d.File, d.Path))
		case sum != d.SHA256:
			out = append(out, fmt.Sprintf("policy document %s (of %s) changed since the plan was saved (sha256 %s, now %s)", d.Path, d.File, short(sum), short(d.SHA256)))
		}
		delete(old, d.key())
	}
	for _, key := range resource.SortedKeys(old) {
		file, path, _ := strings.Cut(key, ": ")
		out = append(out, fmt.Sprintf("%s no longer references policy document %s", file, path))
	}
	return out
}

// short is enough of a digest to tell two apart in a message.
func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}
