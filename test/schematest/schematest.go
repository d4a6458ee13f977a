// Package schematest compiles the JSON Schemas of schemas/ for tests, each
// under its $id with every other schema of the directory added first, so a
// schema that references another (apply → plan, saved plan → plan) compiles
// and nothing is ever fetched.
package schematest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/irsa-sync/irsa-sync/schemas"
)

// Base is the $id prefix every schema of schemas/ uses.
const Base = "https://irsa-sync.github.io/schemas/"

// Compile returns the schema of that file name (e.g. "plan.schema.json").
func Compile(t testing.TB, name string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	entries, err := schemas.FS.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		raw, err := schemas.FS.ReadFile(e.Name())
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s is not JSON: %v", e.Name(), err)
		}
		if err := c.AddResource(Base+e.Name(), doc); err != nil {
			t.Fatal(err)
		}
	}
	sch, err := c.Compile(Base + name)
	if err != nil {
		t.Fatalf("%s does not compile: %v", name, err)
	}
	return sch
}

// Validate checks a JSON document against a compiled schema.
func Validate(sch *jsonschema.Schema, doc string) error {
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}
