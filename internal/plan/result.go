package plan

import (
	"time"

	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// Status is the outcome of applying one change.
type Status string

// Outcomes of a change.
const (
	Applied Status = "applied"
	Failed  Status = "failed"
	// Skipped changes were not started: a change they depend on failed
	// (Result.WaitedOn names it) or the run was interrupted. A rerun
	// applies them.
	Skipped Status = "skipped"
)

// Result is what happened to one change when it was applied. It lives here,
// beside the Change it reports on, as plain data: internal/apply fills it,
// render shows it.
type Result struct {
	Address string
	Action  Action
	Kind    resource.Kind
	Status  Status
	Error   string
	Writes  int
	// Retries are the attempts the SDK's retryer repeated (throttling,
	// server errors, dropped connections) within this change's IAM calls.
	Retries  int
	Duration time.Duration
	Notes    []Note
	// WaitedOn is, for a change skipped because a change it depends on
	// failed, the address of that failed change; "" otherwise.
	WaitedOn string
}

// Report is the outcome of a whole apply: one result per change, in plan
// order.
type Report struct {
	Results []Result
}

// Count returns how many changes ended with the status.
func (r *Report) Count(s Status) int {
	n := 0
	for _, res := range r.Results {
		if res.Status == s {
			n++
		}
	}
	return n
}

// Retries returns the retries of all changes together.
func (r *Report) Retries() int {
	n := 0
	for _, res := range r.Results {
		n += res.Retries
	}
	return n
}
