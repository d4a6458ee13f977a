package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// ApplyFormatVersion is the version of apply's JSON output
// (schemas/apply.schema.json). Like FormatVersion, it changes only when a
// field is renamed, removed or changes meaning; version 2 embeds plan
// format 2.
const ApplyFormatVersion = 2

// jsonApply is apply's JSON output: the plan it ran, in the plan format,
// and one result per change of that plan, in the same order.
type jsonApply struct {
	FormatVersion int          `json:"formatVersion"`
	Plan          JSONPlan     `json:"plan"`
	Results       []jsonResult `json:"results"`
	Summary       jsonOutcome  `json:"summary"`
	// Error is why the apply stopped or refused, null when it finished.
	Error *string `json:"error"`
}

type jsonResult struct {
	Address    string  `json:"address"`
	Action     string  `json:"action"`
	Kind       string  `json:"kind"`
	Account    *string `json:"account"`
	Cluster    *string `json:"cluster"`
	Status     string  `json:"status"`
	Writes     int     `json:"writes"`
	Retries    int     `json:"retries"`
	DurationMs int64   `json:"durationMs"`
	Error      *string `json:"error"`
	// WaitedOn is the address of the failed change a skipped one depended
	// on, null otherwise.
	WaitedOn *string `json:"waitedOn"`
}

type jsonOutcome struct {
	Applied int `json:"applied"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
}

// ApplyJSON writes the outcome of applying p as one JSON object:
// report holds a result per change of p, runErr is the error apply
// returned (nil when it finished).
func ApplyJSON(w io.Writer, p *plan.Plan, report *plan.Report, runErr error) error {
	out := jsonApply{FormatVersion: ApplyFormatVersion, Plan: PlanJSON(p), Results: []jsonResult{},
		Summary: jsonOutcome{Applied: report.Count(plan.Applied), Failed: report.Count(plan.Failed), Skipped: report.Count(plan.Skipped)}}
	where := map[string]plan.Change{}
	for _, c := range p.Changes {
		where[c.Address] = c
	}
	for _, r := range report.Results {
		c := where[r.Address]
		out.Results = append(out.Results, jsonResult{Address: r.Address, Action: string(r.Action), Kind: string(r.Kind),
			Account: orNull(c.Account), Cluster: orNull(c.Cluster), Status: string(r.Status), Writes: r.Writes,
			Retries: r.Retries, DurationMs: r.Duration.Milliseconds(), Error: orNull(r.Error), WaitedOn: orNull(r.WaitedOn)})
	}
	if runErr != nil {
		out.Error = orNull(runErr.Error())
	}
	return writeJSON(w, out)
}

func writeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	// ARNs and policy conditions hold "&", "<" and ">"; \u0026 is not what
	// anyone reading a plan expects.
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

// ResultLine is one finished change as apply's text output shows it while
// the run goes on: "  done    create account/a/role/x (3 writes, 120ms)",
// with the error on the next line.
func ResultLine(r plan.Result) string {
	mark := map[plan.Status]string{plan.Applied: "done", plan.Failed: "FAILED", plan.Skipped: "skipped"}[r.Status]
	s := fmt.Sprintf("  %-7s %s %s (%d writes, %s)\n", mark, r.Action, r.Address, r.Writes, r.Duration.Round(time.Millisecond))
	if r.Error != "" {
		s += fmt.Sprintf("          %s\n", r.Error)
	}
	if r.WaitedOn != "" {
		s += fmt.Sprintf("          waited on %s, which failed\n", r.WaitedOn)
	}
	return s
}

// ApplyDone is the text that closes a finished apply: the counts, retries,
// IAM's eventual consistency for new roles, and the running pods to restart.
func ApplyDone(p *plan.Plan, report *plan.Report) string {
	var b strings.Builder
	if p.Empty() {
		b.WriteString("\nNothing to apply.\n")
		return b.String()
	}
	s := p.Summary()
	fmt.Fprintf(&b, "\nApply complete: %d created, %d updated, %d deleted.\n", s.Create, s.Update, s.Delete)
	if n := report.Retries(); n > 0 {
		fmt.Fprintf(&b, "AWS throttled or failed %d calls on the way; the SDK retried each of them.\n", n)
	}
	for _, c := range p.Changes {
		if c.Action == plan.Create && c.Kind == resource.KindRole {
			b.WriteString("Note: a new role can take 10-30 seconds before pods can assume it (IAM is eventually consistent).\n")
			break
		}
	}
	// The webhook gives credentials only to new pods: say which running
	// pods still hold the old role. irsa-sync restarts nothing itself.
	header := false
	for _, r := range report.Results {
		if r.Kind != resource.KindServiceAccount || r.Status != plan.Applied {
			continue
		}
		for _, n := range r.Notes {
			if n.Kind != plan.NotePodsKeepRole {
				continue
			}
			if !header {
				b.WriteString("Restart these pods to pick up the new role:\n")
				header = true
			}
			fmt.Fprintf(&b, "  %s: %s\n", r.Address, NoteText(n))
		}
	}
	return b.String()
}

// ApplyFailures summarises a partial apply: what was done, what failed, and
// what was not started, so nobody has to reconstruct it from the log.
func ApplyFailures(report *plan.Report) string {
	var b strings.Builder
	b.WriteString("\nApply did not finish:\n")
	for _, st := range []plan.Status{plan.Applied, plan.Failed, plan.Skipped} {
		for _, r := range report.Results {
			if r.Status == st {
				line := fmt.Sprintf("  %-7s %s %s", st, r.Action, r.Address)
				if r.Error != "" {
					line += ": " + r.Error
				}
				if r.WaitedOn != "" {
					line += " (waited on " + r.WaitedOn + ", which failed)"
				}
				b.WriteString(line + "\n")
			}
		}
	}
	return b.String()
}
