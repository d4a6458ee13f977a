package plan

import (
	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/state"
)

// Options change what a plan includes.
type Options struct {
	// Prune turns the deletes of objects this owner holds and the file no
	// longer declares into changes; without it they are only listed.
	Prune bool
	// MaxTrustedNamespaces warns when a role is trusted from more namespaces
	// than this; 0 means 10.
	MaxTrustedNamespaces int
}

// Compute returns the plan that makes live match want.
func Compute(want *desired.State, have *state.Live, opts Options) *Plan {
	p := &Plan{Owner: want.Owner, Patterns: want.Patterns}
	c := computer{plan: p, want: want, have: have, opts: opts}
	c.providers()
	c.policies()
	c.roles()
	c.serviceAccounts()
	c.associations()
	c.configMaps()
	c.prune()
	c.chainWarnings()
	if opts.Prune {
		p.Changes = append(p.Changes, p.Pruneable...)
		p.Pruneable = nil
	}
	c.accountQuotas()
	c.sharedIssuers()
	sortChanges(p.Changes)
	sortChanges(p.Pruneable)
	sortProblems(p.Conflicts)
	sortProblems(p.Errors)
	sortProblems(p.Warnings)
	p.Names = c.names()
	p.Access = AccessChanges(p.Changes, p.Names)
	p.Risks = c.risks(p.Names)
	p.Reach = c.reach(p.Changes, p.Names)
	// Empty lists, not null, in JSON: consumers index them without checks.
	for _, l := range []*[]Problem{&p.Conflicts, &p.Errors, &p.Warnings} {
		if *l == nil {
			*l = []Problem{}
		}
	}
	if p.Changes == nil {
		p.Changes = []Change{}
	}
	if p.Pruneable == nil {
		p.Pruneable = []Change{}
	}
	if p.Patterns == nil {
		p.Patterns = []desired.Pattern{}
	}
	return p
}

// computer carries the inputs through the per-kind steps of Compute.
type computer struct {
	plan *Plan
	want *desired.State
	have *state.Live
	opts Options
}

func (c *computer) account(id string) *state.Account {
	if a := c.have.Accounts[id]; a != nil {
		return a
	}
	return &state.Account{ID: id, Quotas: state.DefaultQuotas}
}

func (c *computer) add(ch Change) { c.plan.Changes = append(c.plan.Changes, ch) }
func (c *computer) conflict(address, msg string) {
	c.plan.Conflicts = append(c.plan.Conflicts, Problem{address, msg})
}
func (c *computer) fail(address, msg string) {
	c.plan.Errors = append(c.plan.Errors, Problem{address, msg})
}
func (c *computer) warn(address, msg string) {
	c.plan.Warnings = append(c.plan.Warnings, Problem{address, msg})
}
func (c *computer) pruneable(ch Change) { c.plan.Pruneable = append(c.plan.Pruneable, ch) }
