package render

import (
	"fmt"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/plan"
)

// Symbol is the one-character mark of an action in text plans and in
// Markdown diff blocks.
func Symbol(a plan.Action) string {
	switch a {
	case plan.Create:
		return "+"
	case plan.Delete:
		return "-"
	default:
		return "~"
	}
}

// NoteText is a note in words. The planner carries notes as typed kinds so
// that code (apply's summary, tests) reads the kind, never the sentence.
func NoteText(n plan.Note) string {
	switch n.Kind {
	case plan.NoteRestart:
		return "pods already running with this service account keep their old role until restarted"
	case plan.NotePodsKeepRole:
		listed := strings.Join(n.Names, ", ")
		if more := n.Count - len(n.Names); more > 0 {
			listed += fmt.Sprintf(" and %d more", more)
		}
		if n.Count == 1 {
			return "1 running pod uses this service account and keeps its old role until restarted: " + listed
		}
		return fmt.Sprintf("%d running pods use this service account and keep their old role until restarted: %s", n.Count, listed)
	case plan.NoteForClusters:
		return "for cluster " + strings.Join(n.Names, ", ")
	case plan.NoteRetireVersion:
		version := ""
		if len(n.Names) > 0 {
			version = n.Names[0]
		}
		return fmt.Sprintf("policy holds %d versions, IAM's maximum: version %s, the oldest not in use, is deleted first", n.Count, version)
	case plan.NoteDetachesPolicies:
		return fmt.Sprintf("detaches %s first", plural(n.Count, "managed policy", "managed policies"))
	case plan.NoteDeletesInline:
		return fmt.Sprintf("deletes %s first", plural(n.Count, "inline policy", "inline policies"))
	case plan.NoteSharedServiceAccount:
		return "other managers own fields of this service account: only irsa-sync's annotations are removed"
	case plan.NoteBothCredentials:
		// https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html:
		// the chain stops at the first source found, and web identity
		// comes before the container provider Pod Identity uses.
		return "bound via both: the AWS SDKs' default credential chain takes web identity (IRSA, the role-arn annotation) before container credentials (Pod Identity), so pods keep IRSA credentials until the binding moves to podIdentity and they are restarted"
	case plan.NotePodIdentityRestart:
		return "pods get Pod Identity credentials only when created, and the agent caches them (up to 6 hours): running pods keep what they have until restarted"
	}
	return string(n.Kind)
}

// NoteTexts is every note of a change in words, in order.
func NoteTexts(notes []plan.Note) []string {
	out := make([]string, 0, len(notes))
	for _, n := range notes {
		out = append(out, NoteText(n))
	}
	return out
}
