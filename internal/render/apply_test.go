package render

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/irsa-sync/irsa-sync/test/schematest"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/irsa-sync/irsa-sync/internal/plan"
)

// applySchema compiles apply.schema.json, which references plan.schema.json.
func applySchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	return schematest.Compile(t, "apply.schema.json")
}

// reportFor gives every change of p a result: the first failed when fail
// is set, the rest skipped after it.
func reportFor(p *plan.Plan, fail bool) *plan.Report {
	r := &plan.Report{}
	for i, c := range p.Changes {
		res := plan.Result{Address: c.Address, Action: c.Action, Kind: c.Kind, Status: plan.Applied, Writes: 2, Duration: 1500 * time.Microsecond}
		if fail {
			res.Status, res.Writes = plan.Skipped, 0
			if i == 0 {
				res.Status, res.Error, res.Writes = plan.Failed, "create role \"x\": AccessDenied", 1
			}
		}
		r.Results = append(r.Results, res)
	}
	return r
}

func TestApplyJSONMatchesSchema(t *testing.T) {
	t.Parallel()
	sch := applySchema(t)
	for _, fx := range fixtures {
		for _, fail := range []bool{false, true} {
			p := fx.plan()
			var runErr error
			if fail {
				runErr = errors.New("1 of 2 changes failed")
			}
			var b bytes.Buffer
			if err := ApplyJSON(&b, p, reportFor(p, fail), runErr); err != nil {
				t.Fatal(err)
			}
			if err := validate(sch, b.String()); err != nil {
				t.Errorf("%s (fail=%t): apply JSON does not match the schema: %v\n%s", fx.name, fail, err, b.String())
			}
		}
	}
	// The schema must be able to say no: a failed result without its error.
	p := fixtures[0].plan()
	var b bytes.Buffer
	rep := reportFor(p, true)
	rep.Results[0].Error = ""
	if err := ApplyJSON(&b, p, rep, nil); err != nil {
		t.Fatal(err)
	}
	if validate(sch, b.String()) == nil {
		t.Error("a failed result with a null error validated")
	}
}

func TestApplyJSONResultCarriesWhereAndHowLong(t *testing.T) {
	t.Parallel()
	p := fixtures[0].plan()
	var b bytes.Buffer
	if err := ApplyJSON(&b, p, reportFor(p, false), nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"formatVersion": 2`, `"durationMs": 1`, `"account": "prod"`, `"cluster": "prod-use1"`, `"error": null`} {
		if !bytes.Contains(b.Bytes(), []byte(want)) {
			t.Errorf("apply JSON lacks %s:\n%s", want, b.String())
		}
	}
}
