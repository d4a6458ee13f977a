package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// rangeMessage words a schema range or count failure plainly, or returns
// "" for other kinds. The validator's own text ("minimum: got 599, want
// 3,600") names a keyword, not the problem.
func rangeMessage(k jsonErrorKind) string {
	switch k := k.(type) {
	case *kind.Minimum:
		return fmt.Sprintf("%s is below the lowest value allowed, %s", ratText(k.Got), ratText(k.Want))
	case *kind.Maximum:
		return fmt.Sprintf("%s is above the highest value allowed, %s", ratText(k.Got), ratText(k.Want))
	case *kind.ExclusiveMinimum:
		return fmt.Sprintf("%s must be more than %s", ratText(k.Got), ratText(k.Want))
	case *kind.ExclusiveMaximum:
		return fmt.Sprintf("%s must be less than %s", ratText(k.Got), ratText(k.Want))
	case *kind.MinItems:
		return fmt.Sprintf("the list has %d entries, fewer than the %d it needs", k.Got, k.Want)
	case *kind.MaxItems:
		return fmt.Sprintf("the list has %d entries, more than the %d allowed", k.Got, k.Want)
	case *kind.MinProperties:
		return fmt.Sprintf("the mapping has %d keys, fewer than the %d it needs", k.Got, k.Want)
	case *kind.MaxProperties:
		return fmt.Sprintf("the mapping has %d keys, more than the %d allowed", k.Got, k.Want)
	case *kind.UniqueItems:
		return fmt.Sprintf("entries %d and %d of the list are the same: list each once", k.Duplicates[0], k.Duplicates[1])
	case *kind.MultipleOf:
		return fmt.Sprintf("%s must be a multiple of %s", ratText(k.Got), ratText(k.Want))
	}
	return ""
}

// jsonErrorKind is the interface every kind of the validator implements.
type jsonErrorKind = interface{ KeywordPath() []string }

func ratText(r *big.Rat) string {
	if r == nil {
		return "?"
	}
	if r.IsInt() {
		return r.Num().String()
	}
	return strings.TrimRight(strings.TrimRight(r.FloatString(6), "0"), ".")
}

// typeErrorDiagnostics turns a decode error of a value the schema let
// through, such as a number too large for the Go field (maxSessionDuration:
// 99999999999 overflows int32), into diagnostics with the value's place and
// line, in plain words. Places where deferred already says what is wrong
// are left to it.
func typeErrorDiagnostics(te *json.UnmarshalTypeError, js []byte, src *Source, deferred Diagnostics) Diagnostics {
	var doc any
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	_ = dec.Decode(&doc)
	value := strings.TrimPrefix(te.Value, "number ")
	var out Diagnostics
	for _, p := range concretePaths(doc, strings.Split(te.Field, "."), nil) {
		if te.Value != "" && strings.HasPrefix(te.Value, "number") && valueAt(doc, p) != value {
			continue
		}
		ps := p.String()
		covered := false
		for _, d := range deferred {
			covered = covered || d.Path == ps
		}
		if covered {
			continue
		}
		out = append(out, Diagnostic{File: src.name, Path: ps, Line: src.line(p), Message: plainTypeError(te, value)})
	}
	if len(out) == 0 && len(deferred) == 0 {
		out = Diagnostics{{File: src.name, Path: te.Field, Message: plainTypeError(te, value)}}
	}
	return out
}

func plainTypeError(te *json.UnmarshalTypeError, value string) string {
	if te.Type == nil {
		return fmt.Sprintf("the value %s cannot be read here", value)
	}
	switch te.Type.Kind().String() {
	case "int32":
		return fmt.Sprintf("%s is not a whole number from -2147483648 to 2147483647: write a value in the field's range", value)
	case "int", "int64":
		return fmt.Sprintf("%s is not a whole number this field can hold: write a value in the field's range", value)
	}
	return fmt.Sprintf("the value %s is not of the kind this field takes", value)
}

// concretePaths expands a dotted field name of encoding/json (which has no
// list indexes: roles.maxSessionDuration) into the places of the decoded
// document that it names (roles[0].maxSessionDuration, ...).
func concretePaths(v any, fields []string, prefix path) []path {
	switch t := v.(type) {
	case []any:
		var out []path
		for i, x := range t {
			out = append(out, concretePaths(x, fields, prefix.with(i))...)
		}
		return out
	case map[string]any:
		if len(fields) == 0 {
			return nil
		}
		x, ok := t[fields[0]]
		if !ok {
			return nil
		}
		return concretePaths(x, fields[1:], prefix.with(fields[0]))
	}
	if len(fields) == 0 {
		return []path{prefix}
	}
	return nil
}

func valueAt(v any, p path) string {
	for _, e := range p {
		switch k := e.(type) {
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return ""
			}
			v = l[k]
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		}
	}
	if n, ok := v.(json.Number); ok {
		return n.String()
	}
	return fmt.Sprint(v)
}
