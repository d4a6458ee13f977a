package verify

import (
	"fmt"

	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// The reasons a hop of a role chain fails; Propagating and STSError apply
// to hops too.
const (
	// ChainTargetMissing: the role chained to does not exist.
	ChainTargetMissing Reason = "chainTargetMissing"
	// ChainTrust: the target's trust does not allow sts:AssumeRole to the
	// source role.
	ChainTrust Reason = "chainTrust"
	// ChainPermission: no inline policy of the source role (irsa-sync
	// writes irsa-sync-chain) allows sts:AssumeRole on the target.
	ChainPermission Reason = "chainPermission"
	// HopNotTried: the binding's web identity step failed, so there was no
	// session to chain from.
	HopNotTried Reason = "notTried"
)

// Hop is what verify found for one hop of a role chain: the binding's
// session calling sts:AssumeRole on a role chained to from the binding's
// role. Like Outcome, it holds no credentials.
type Hop struct {
	// Role is the ARN of the role chained to.
	Role string `json:"role"`
	// Source is the ARN of the role whose session made the hop: the
	// binding's.
	Source string `json:"-"`
	Proven bool   `json:"proven"`
	// AssumedRole is the assumed-role ARN STS returned, when proven.
	AssumedRole string `json:"assumedRole,omitempty"`
	Reason      Reason `json:"reason,omitempty"`
	// Error is the last error STS returned, if any.
	Error    string `json:"error,omitempty"`
	Attempts int    `json:"attempts"`
}

// notTried lists a binding's hops as not tried: without a web identity
// session there is nothing to chain from.
func notTried(t Target) []Hop {
	var out []Hop
	for _, h := range t.Hops {
		out = append(out, Hop{Role: h, Source: t.Role, Reason: HopNotTried})
	}
	return out
}

// Words says why a hop failed, in terms of what to fix.
func (h Hop) Words() string {
	switch h.Reason {
	case ChainTargetMissing:
		return fmt.Sprintf("the role %s does not exist (yet): apply the file", h.Role)
	case ChainTrust:
		return fmt.Sprintf("the trust of %s does not allow sts:AssumeRole to %s", h.Role, h.Source)
	case ChainPermission:
		return fmt.Sprintf("no inline policy of %s allows sts:AssumeRole on %s (irsa-sync writes it as %s)", h.Source, h.Role, resource.ChainPolicyName)
	case HopNotTried:
		return "not tried: the binding's own web identity step failed"
	case Propagating:
		return fmt.Sprintf("still refused after %d attempts although the trust of %s and the inline policies of %s (%s) read right: IAM may still be propagating, try a longer --wait (else a permissions boundary or an SCP refuses it)",
			h.Attempts, h.Role, h.Source, resource.ChainPolicyName)
	case STSError:
		return "STS failed"
	}
	return string(h.Reason)
}

// Line is the line verify prints for a hop, under its binding's.
func (h Hop) Line() string {
	switch {
	case h.Proven:
		return "  proven  chain -> " + h.Role
	case h.Reason == HopNotTried:
		return "  skipped chain -> " + h.Role + ": " + h.Words()
	}
	s := "  failed  chain -> " + h.Role + ": " + h.Words()
	if h.Error != "" {
		s += " (" + h.Error + ")"
	}
	return s
}
