package policy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
)

// accountID matches a bare account id, which IAM accepts as an AWS
// principal and saves as that account's root ARN.
var accountID = regexp.MustCompile(`^[0-9]{12}$`)

// listFields hold a string or a list of strings, where order and repeats do
// not matter to IAM.
var listFields = map[string]bool{
	"Action": true, "NotAction": true, "Resource": true, "NotResource": true,
}

func normaliseDocument(doc map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		if k != "Statement" {
			out[k] = normaliseAny(v)
			continue
		}
		stmts, err := normaliseStatements(v)
		if err != nil {
			return nil, err
		}
		out[k] = stmts
	}
	return out, nil
}

// normaliseStatements turns one statement or a list of them into a sorted,
// de-duplicated list: statement order carries no meaning in IAM.
func normaliseStatements(v any) ([]any, error) {
	var list []any
	switch s := v.(type) {
	case map[string]any:
		list = []any{s}
	case []any:
		list = s
	default:
		return nil, fmt.Errorf("Statement must be an object or a list of objects, not %s", jsonKind(v))
	}
	byKey := map[string]any{}
	for i, item := range list {
		obj, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("Statement[%d] must be an object, not %s", i, jsonKind(item))
		}
		n, err := normaliseStatement(obj)
		if err != nil {
			return nil, fmt.Errorf("Statement[%d]: %w", i, err)
		}
		byKey[marshalCanonical(n)] = n
	}
	keys := sortedKeys(byKey)
	out := make([]any, 0, len(keys))
	for _, k := range keys {
		out = append(out, byKey[k])
	}
	return out, nil
}

func normaliseStatement(s map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(s))
	for k, v := range s {
		var err error
		switch {
		case listFields[k]:
			out[k], err = stringSet(v, nil)
		case k == "Principal" || k == "NotPrincipal":
			out[k], err = normalisePrincipal(v)
		case k == "Condition":
			out[k], err = normaliseCondition(v)
		default:
			out[k] = normaliseAny(v)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
	}
	return out, nil
}

// normalisePrincipal checks a principal's shape and makes each principal
// type's value a sorted list. It keeps "*" (which includes anonymous
// callers) apart from {"AWS": "*"} and bare account ids as written: those
// are semantic rules (semantic.go), and the display form shows what the
// user wrote.
func normalisePrincipal(v any) (any, error) {
	if s, ok := v.(string); ok {
		if s != "*" {
			return nil, fmt.Errorf("a string principal must be \"*\", not %q (name an account as {\"AWS\": \"%s\"})", s, s)
		}
		return s, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("must be \"*\" or an object, not %s", jsonKind(v))
	}
	out := make(map[string]any, len(m))
	for typ, val := range m {
		set, err := stringSet(val, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", typ, err)
		}
		out[typ] = set
	}
	return out, nil
}

// normaliseCondition makes every condition value a sorted list: a key with
// several values matches if any does, so order and the single-value
// shorthand do not matter. Values keep their JSON type (a number stays a
// number) for the semantic rules to read.
func normaliseCondition(v any) (any, error) {
	ops, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("must be an object, not %s", jsonKind(v))
	}
	out := make(map[string]any, len(ops))
	for op, keys := range ops {
		km, ok := keys.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s must be an object, not %s", op, jsonKind(keys))
		}
		nk := make(map[string]any, len(km))
		for key, val := range km {
			set, err := scalarSet(val)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", op, key, err)
			}
			nk[key] = set
		}
		out[op] = nk
	}
	return out, nil
}

// stringSet accepts a string or a list of strings and returns a sorted list
// without repeats, each value passed through rewrite when it is non-nil.
func stringSet(v any, rewrite func(string) string) ([]any, error) {
	var items []any
	switch t := v.(type) {
	case string:
		items = []any{t}
	case []any:
		items = t
	default:
		return nil, fmt.Errorf("must be a string or a list of strings, not %s", jsonKind(v))
	}
	seen := map[string]any{}
	for _, it := range items {
		s, ok := it.(string)
		if !ok {
			return nil, fmt.Errorf("must be a string or a list of strings, found %s", jsonKind(it))
		}
		if rewrite != nil {
			s = rewrite(s)
		}
		seen[s] = s
	}
	return sortedValues(seen), nil
}

// scalarSet is stringSet for condition values, where IAM accepts booleans
// and numbers too; repeats are dropped, and the list is sorted by each
// value's JSON text.
func scalarSet(v any) ([]any, error) {
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	seen := map[string]any{}
	for _, it := range items {
		switch it.(type) {
		case string, bool, json.Number:
			seen[marshalCanonical(it)] = it
		default:
			return nil, fmt.Errorf("condition values must be strings, booleans or numbers, found %s", jsonKind(it))
		}
	}
	return sortedValues(seen), nil
}

// normaliseAny keeps values of fields irsa-sync does not interpret, with
// nested objects normalised the same way for a stable canonical form.
func normaliseAny(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			out[k] = normaliseAny(val)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = normaliseAny(val)
		}
		return out
	default:
		return v
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedValues(m map[string]any) []any {
	keys := sortedKeys(m)
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}
