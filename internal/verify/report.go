package verify

import (
	"encoding/json"
	"fmt"
	"io"
)

// FormatVersion is the version of verify's JSON output
// (schemas/verify.schema.json); it changes only when a field is renamed,
// removed or changes meaning. Version 2 adds each binding's chain hops and
// their counts, which the exit code now depends on too.
const FormatVersion = 2

// jsonOutcome is one binding in the JSON output: every key present, with
// null for what does not apply, and the reason in words beside its kind.
type jsonOutcome struct {
	Address        string    `json:"address"`
	Cluster        string    `json:"cluster"`
	Namespace      string    `json:"namespace"`
	ServiceAccount string    `json:"serviceAccount"`
	Role           string    `json:"role"`
	Audience       string    `json:"audience"`
	Proven         bool      `json:"proven"`
	AssumedRole    *string   `json:"assumedRole"`
	Reason         *Reason   `json:"reason"`
	Message        *string   `json:"message"`
	AnnotatedRole  *string   `json:"annotatedRole"`
	Error          *string   `json:"error"`
	Attempts       int       `json:"attempts"`
	Hops           []jsonHop `json:"hops"`
}

// jsonHop is one hop of a binding's chains, keyed as a binding is.
type jsonHop struct {
	Role        string  `json:"role"`
	Proven      bool    `json:"proven"`
	AssumedRole *string `json:"assumedRole"`
	Reason      *Reason `json:"reason"`
	Message     *string `json:"message"`
	Error       *string `json:"error"`
	Attempts    int     `json:"attempts"`
}

// WriteText prints one line per binding, its hops' lines under it, and the
// summary.
func WriteText(w io.Writer, out []Outcome) error {
	for _, o := range out {
		for _, l := range o.Lines() {
			if _, err := fmt.Fprintln(w, l); err != nil {
				return err
			}
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
			AnnotatedRole: orNull(o.Annotated), Error: orNull(o.Error), Attempts: o.Attempts, Hops: []jsonHop{}}
		if !o.Proven {
			r, words := o.Reason, o.Words()
			j.Reason, j.Message = &r, &words
		}
		for _, h := range o.Hops {
			jh := jsonHop{Role: h.Role, Proven: h.Proven, AssumedRole: orNull(h.AssumedRole), Error: orNull(h.Error), Attempts: h.Attempts}
			if !h.Proven {
				r, words := h.Reason, h.Words()
				jh.Reason, jh.Message = &r, &words
			}
			j.Hops = append(j.Hops, jh)
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
