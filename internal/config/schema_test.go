package config

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/irsa-sync/irsa-sync/schemas"
)

// TestSchemaMatchesTypes keeps schemas/bindings.schema.json and the Go
// types in step: every json field of File and of each nested struct is a
// property of the matching schema object and the other way round, and a
// field without omitempty is required.
func TestSchemaMatchesTypes(t *testing.T) {
	t.Parallel()
	var doc map[string]any
	if err := json.Unmarshal(schemas.Bindings(), &doc); err != nil {
		t.Fatal(err)
	}
	seen := map[reflect.Type]bool{}
	var walk func(typ reflect.Type, node map[string]any, where string)
	walk = func(typ reflect.Type, node map[string]any, where string) {
		if seen[typ] {
			return
		}
		seen[typ] = true
		node = deref(t, doc, node)
		if node["additionalProperties"] != false {
			t.Errorf("%s (%s): schema object must set additionalProperties: false", where, typ.Name())
		}
		props, _ := node["properties"].(map[string]any)
		required := stringList(node["required"])
		fields := map[string]bool{}
		for i := range typ.NumField() {
			sf := typ.Field(i)
			name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if name == "-" || !sf.IsExported() {
				continue
			}
			fields[name] = true
			prop, ok := props[name].(map[string]any)
			if !ok {
				t.Errorf("%s: Go field %s.%s (json %q) is missing from the schema's properties", where, typ.Name(), sf.Name, name)
				continue
			}
			isRequired := !strings.Contains(opts, "omitempty")
			if isRequired != slices.Contains(required, name) {
				t.Errorf("%s.%s: Go says required=%v, schema says required=%v", where, name, isRequired, !isRequired)
			}
			if elem := structType(sf.Type); elem != nil {
				walk(elem, itemsOf(t, doc, prop), where+"."+name)
			}
		}
		for name := range props {
			if !fields[name] {
				t.Errorf("%s: schema property %q has no json field in %s", where, name, typ.Name())
			}
		}
	}
	walk(reflect.TypeFor[File](), doc, "(file)")
	for _, typ := range []reflect.Type{reflect.TypeFor[Account](), reflect.TypeFor[Cluster](), reflect.TypeFor[Policy](),
		reflect.TypeFor[Role](), reflect.TypeFor[ServiceAccount](), reflect.TypeFor[Settings](),
		reflect.TypeFor[ChainSource](), reflect.TypeFor[ProfileConfigMap]()} {
		if !seen[typ] {
			t.Errorf("type %s was not reached from File", typ.Name())
		}
	}
}

// TestSchemaDescribesEveryProperty checks that editors can show help for
// every property of the schema.
func TestSchemaDescribesEveryProperty(t *testing.T) {
	t.Parallel()
	var doc any
	if err := json.Unmarshal(schemas.Bindings(), &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(v any, where string)
	walk = func(v any, where string) {
		switch v := v.(type) {
		case map[string]any:
			if props, ok := v["properties"].(map[string]any); ok {
				for name, p := range props {
					if pm, _ := p.(map[string]any); pm["description"] == nil {
						t.Errorf("%s/properties/%s has no description", where, name)
					}
				}
			}
			for k, c := range v {
				walk(c, where+"/"+k)
			}
		case []any:
			for _, c := range v {
				walk(c, where)
			}
		}
	}
	walk(doc, "#")
}

// structType returns the struct type behind a field, looking through
// slices, maps and pointers; nil for other types and json.RawMessage.
func structType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Slice || t.Kind() == reflect.Map || t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	return t
}

// itemsOf returns the object schema of a property: itself, or its items.
func itemsOf(t *testing.T, doc, prop map[string]any) map[string]any {
	prop = deref(t, doc, prop)
	if items, ok := prop["items"].(map[string]any); ok {
		return deref(t, doc, items)
	}
	return prop
}

// deref follows a local $ref such as #/$defs/role.
func deref(t *testing.T, doc, node map[string]any) map[string]any {
	ref, ok := node["$ref"].(string)
	if !ok {
		return node
	}
	var cur any = doc
	for _, tok := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		cur = cur.(map[string]any)[tok]
	}
	out, ok := cur.(map[string]any)
	if !ok {
		t.Fatalf("$ref %s does not resolve", ref)
	}
	return out
}

func stringList(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, s := range list {
		out = append(out, s.(string))
	}
	return out
}
