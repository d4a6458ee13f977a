package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/irsa-sync/irsa-sync/schemas"
)

// schemaURL is where the embedded schema is registered with the compiler;
// nothing is fetched from it.
const schemaURL = "mem:///" + schemas.BindingsName

// compiled is the bindings schema, compiled once, with its decoded JSON
// kept to look up descriptions and property lists for messages.
var compiled = sync.OnceValues(func() (*jsonschema.Schema, map[string]any) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemas.Bindings()))
	if err != nil {
		panic("config: embedded schema is not JSON: " + err.Error())
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(schemaURL, doc); err != nil {
		panic("config: embedded schema: " + err.Error())
	}
	sch, err := c.Compile(schemaURL)
	if err != nil {
		panic("config: embedded schema does not compile: " + err.Error())
	}
	return sch, doc.(map[string]any)
})

var printer = message.NewPrinter(language.English)

// checkSchema validates the JSON form of the file. Fatal problems are those
// that keep the file from decoding into a File (unknown fields, wrong
// types); the others are deferred to Validate, which checks the same rules
// with messages that know the rest of the file.
func checkSchema(js []byte, src *Source) (fatal, deferred Diagnostics) {
	sch, _ := compiled()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		return Diagnostics{{File: src.name, Message: "cannot read the converted file: " + err.Error()}}, nil
	}
	err = sch.Validate(inst)
	if err == nil {
		return nil, nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return Diagnostics{{File: src.name, Message: err.Error()}}, nil
	}
	t := &schemaTranslator{c: collector{src: src}, src: src}
	t.walk(ve, nil)
	return t.fatal, t.c.diags
}

type schemaTranslator struct {
	c     collector // deferred diagnostics
	fatal Diagnostics
	src   *Source
}

// walk emits one diagnostic per failing keyword, skipping the grouping
// errors that only say "one of the causes below failed".
//
// parent is the instance location of the enclosing error: the validator
// reports propertyNames failures with a location that is not the object's
// (in v6.0.3), so those are placed from the parent instead.
func (t *schemaTranslator) walk(e *jsonschema.ValidationError, parent []string) {
	switch e.ErrorKind.(type) {
	case *kind.Group, *kind.Schema, *kind.Reference, *kind.AllOf:
		for _, c := range e.Causes {
			t.walk(c, e.InstanceLocation)
		}
		return
	}
	p := t.src.toPath(e.InstanceLocation)
	switch k := e.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		allowed := schemaProperties(e.SchemaURL)
		for _, prop := range k.Properties {
			msg := fmt.Sprintf("unknown field %q; allowed: %s", prop, strings.Join(allowed, ", "))
			if s := closest(prop, allowed); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			t.emit(p.with(prop), inDocument(p), msg)
		}
	case *kind.Type:
		t.emit(p, inDocument(p), typeMessage(k, p))
	case *kind.FalseSchema:
		t.emit(p, inDocument(p), "this field is not allowed here: remove it")
	case *kind.Required:
		for _, m := range k.Missing {
			t.c.add(p.with(m), "required field %q is missing%s", m, describe(propertySchemaURL(e.SchemaURL, m)))
		}
	case *kind.Pattern:
		t.c.add(p, "%q is not valid%s", k.Got, describe(e.SchemaURL))
	case *kind.Enum:
		t.c.add(p, "%s is not allowed; use one of %s", jsonText(k.Got), jsonText(k.Want))
	case *kind.Const:
		t.c.add(p, "%s is not allowed; use %s", jsonText(k.Got), jsonText(k.Want))
	case *kind.PropertyNames:
		loc := slices.Clone(parent)
		if _, prop, ok := strings.Cut(e.SchemaURL, "/properties/"); ok {
			prop = strings.TrimSuffix(prop, "/propertyNames")
			if !strings.Contains(prop, "/") && (len(loc) == 0 || loc[len(loc)-1] != prop) {
				loc = append(loc, prop)
			}
		}
		t.c.add(t.src.toPath(loc).with(k.Property), "key %q is not allowed%s", k.Property, describe(e.SchemaURL))
	case *kind.MinLength:
		if k.Got == 0 {
			t.c.add(p, "must not be empty: set a value, or remove the field to use its default")
			break
		}
		t.c.add(p, "is %d characters long, under the minimum of %d%s", k.Got, k.Want, describe(e.SchemaURL))
	case *kind.MaxLength:
		t.c.add(p, "is %d characters long, over the limit of %d%s", k.Got, k.Want, describe(e.SchemaURL))
	default:
		if msg := rangeMessage(e.ErrorKind); msg != "" {
			t.c.add(p, "%s%s", msg, describe(e.SchemaURL))
			break
		}
		t.c.add(p, "%s%s", e.ErrorKind.LocalizedString(printer), describe(e.SchemaURL))
	}
}

// emit files a fatal diagnostic, unless it lies inside a policy document:
// documents decode into json.RawMessage whatever their shape, and
// Validate checks them in full.
func (t *schemaTranslator) emit(p path, deferrable bool, msg string) {
	if deferrable {
		t.c.add(p, "%s", msg)
		return
	}
	t.fatal = append(t.fatal, Diagnostic{File: t.src.name, Path: p.String(), Line: t.src.line(p), Message: msg})
}

// inDocument reports whether p is in, or is, a policy document.
func inDocument(p path) bool {
	return len(p) >= 3 && p[0] == "policies" && p[2] == "document" ||
		len(p) >= 4 && p[0] == "roles" && p[2] == "inlinePolicies"
}

func typeMessage(k *kind.Type, p path) string {
	want := strings.Join(k.Want, " or ")
	msg := fmt.Sprintf("must be %s, not %s", article(want), article(k.Got))
	switch {
	case slices.Contains(k.Want, "string") && (k.Got == "number" || k.Got == "integer" || k.Got == "boolean"):
		msg += `: put the value in quotes, as YAML reads unquoted digits, true/false and yes/no otherwise`
		if len(p) > 0 && p[len(p)-1] == "id" {
			msg += ` (account ids: id: "012345678901")`
		}
	case slices.Contains(k.Want, "array"):
		msg += ": write a list, one entry per line starting with -, or [a, b]"
	case slices.Contains(k.Want, "object"):
		msg += ": write a mapping of fields (key: value)"
	case slices.Contains(k.Want, "integer"):
		msg += ": write a whole number without quotes or units"
	case slices.Contains(k.Want, "boolean"):
		msg += ": write true or false without quotes"
	}
	return msg
}

func article(kind string) string {
	switch kind {
	case "object":
		return "a mapping"
	case "array":
		return "a list"
	case "null":
		return "empty"
	case "integer":
		return "a whole number"
	case "object or array", "array or object":
		return "a mapping or a list"
	}
	if strings.HasPrefix(kind, "a") || strings.HasPrefix(kind, "i") {
		return "an " + kind
	}
	return "a " + kind
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// schemaNode returns the schema object at an absolute keyword location
// such as mem:///bindings.schema.json#/$defs/role.
func schemaNode(url string) map[string]any {
	_, doc := compiled()
	_, frag, _ := strings.Cut(url, "#")
	var n any = doc
	for _, tok := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		if tok == "" {
			continue
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := n.(map[string]any)
		if !ok {
			return nil
		}
		n = m[tok]
	}
	m, _ := n.(map[string]any)
	return m
}

// schemaProperties lists the properties a schema object allows, sorted.
func schemaProperties(url string) []string {
	props, _ := schemaNode(url)["properties"].(map[string]any)
	names := make([]string, 0, len(props))
	for name := range props {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

func propertySchemaURL(url, prop string) string {
	return strings.TrimSuffix(url, "/") + "/properties/" + prop
}

// describe returns ": <description>" of the schema at url, or "".
func describe(url string) string {
	n := schemaNode(url)
	if ref, ok := n["$ref"].(string); ok && n["description"] == nil {
		n = schemaNode(ref)
	}
	if d, ok := n["description"].(string); ok {
		return ": " + strings.TrimSuffix(d, ".")
	}
	return ""
}

// closest returns the candidate within edit distance 2 of s, if any, for
// "did you mean" hints on misspelt field names.
func closest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(s), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
