package verify

import (
	"encoding/json"
	"fmt"
	"io"
)

// FormatVersion is the version of verify's JSON output
// (schemas/verify.schema.json); it changes only when a field is renamed,
// removed or changes meaning.
const FormatVersion = 1

// jsonOutcome is one binding in the JSON output: every key present, with
// null for what does not apply, and the reason in words beside its kind.
type jsonOutcome struct {
	Address        string  `json:"address"`
	Cluster        string  `json:"cluster"`
	Namespace      string  `json:"namespace"`
	ServiceAccount string  `json:"serviceAccount"`
	Role           string  `json:"role"`
	Audience       string  `json:"audience"`
	Proven         bool    `json:"proven"`
	AssumedRole    *string `json:"assumedRole"`
	Reason         *Reason `json:"reason"`
	Message        *string `json:"message"`
	AnnotatedRole  *string `json:"annotatedRole"`
	Error          *string `json:"error"`
	Attempts       int     `json:"attempts"`
}

// WriteText prints one line per binding and the summary.
func WriteText(w io.Writer, out []Outcome) error {
	for _, o := range out {
		if _, err := fmt.Fprintln(w, o.Line()); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintln(w, "\n"+Summarize(out).Words())
	return err
}

// WriteJSON writes the outcomes as one JSON document.
func WriteJSON(w io.Writer, out []Outcome) error {
	doc := struct {
		FormatVersion int           `json:"formatVersion"`
		Bindings      []jsonOutcome `json:"bindings"`
		Summary       Summary       `json:"summary"`
	}{FormatVersion: FormatVersion, Bindings: []jsonOutcome{}, Summary: Summarize(out)}
	for _, o := range out {
		j := jsonOutcome{Address: o.Address(), Cluster: o.Cluster, Namespace: o.Namespace, ServiceAccount: o.ServiceAccount,
			Role: o.Role, Audience: o.Audience, Proven: o.Proven, AssumedRole: orNull(o.AssumedRole),
			AnnotatedRole: orNull(o.Annotated), Error: orNull(o.Error), Attempts: o.Attempts}
		if !o.Proven {
			r, words := o.Reason, o.Words()
			j.Reason, j.Message = &r, &words
		}
		doc.Bindings = append(doc.Bindings, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
