package policy

import (
	"encoding/json"
	"math/big"
	"regexp"
	"strings"
)

// The semantic key of a document: its display form (normalise.go) rewritten
// so that documents IAM treats as one policy give the same JSON. Each rule
// and its source in AWS's IAM JSON policy reference is listed in
// docs/reliability.md ("IAM policy semantics"); the comments here say what
// the rule is for.

// partitions are those a bare account id principal may be resolved in.
var partitions = [...]string{"aws", "aws-cn", "aws-us-gov"}

// anyPartition resolves bare account ids and the root ARNs of every known
// partition to one partition-free form, for statement diffs that do not
// know the partition.
const anyPartition = "*"

func partitionIndex(p string) (int, bool) {
	for i, q := range partitions {
		if q == p {
			return i, true
		}
	}
	return 0, false
}

// defaultVersion is the policy language version IAM assumes when a document
// has no Version element ("IAM JSON policy elements: Version": "If you do
// not include a Version element, the value defaults to 2008-10-17").
const defaultVersion = "2008-10-17"

var rootARN = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):iam::([0-9]{12}):root$`)

func semanticDocument(n map[string]any, partition string) map[string]any {
	out := make(map[string]any, len(n)+1)
	for k, v := range n {
		out[k] = v
	}
	if _, ok := out["Version"]; !ok {
		out["Version"] = defaultVersion
	}
	if list, ok := n["Statement"].([]any); ok {
		byKey := map[string]any{}
		for _, s := range list {
			st, _ := s.(map[string]any)
			k := semanticStatement(st, partition)
			// Statements are a set: IAM evaluates every statement and
			// an identical one adds nothing.
			byKey[marshalCanonical(k)] = k
		}
		out["Statement"] = sortedValues(byKey)
	}
	return out
}

func semanticStatement(st map[string]any, partition string) map[string]any {
	out := make(map[string]any, len(st))
	for k, v := range st {
		switch k {
		case "Action", "NotAction":
			// Service prefix and action name are case-insensitive.
			out[k] = mapStrings(v, strings.ToLower)
		case "Principal", "NotPrincipal":
			if p := semanticPrincipal(v, partition); p != nil {
				out[k] = p
			}
		case "Condition":
			if c := semanticCondition(v); len(c) > 0 {
				out[k] = c
			}
		case "Sid":
			// An empty Sid names nothing.
			if v != "" {
				out[k] = v
			}
		default:
			out[k] = v
		}
	}
	return out
}

// semanticPrincipal keeps "*" apart from {"AWS": "*"}: the first also
// admits anonymous callers. A bare account id is that account's root ARN in
// the partition (IAM rewrites it so when it saves the policy). Principal
// types with no values, and a principal with no types, name nobody.
func semanticPrincipal(v any, partition string) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	for typ, vals := range m {
		list, _ := vals.([]any)
		if len(list) == 0 {
			continue
		}
		if typ == "AWS" {
			list = mapStrings(list, func(s string) string { return rootOf(s, partition) }).([]any)
		}
		out[typ] = list
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func rootOf(p, partition string) string {
	if accountID.MatchString(p) {
		return "arn:" + partition + ":iam::" + p + ":root"
	}
	if m := rootARN.FindStringSubmatch(p); m != nil && partition == anyPartition {
		return "arn:" + anyPartition + ":iam::" + m[2] + ":root"
	}
	return p
}

// semanticCondition lower-cases operator names and condition keys (context
// key names are case-insensitive; values are compared as the operator
// says, so they keep their case), writes numbers in one form, and drops
// operators with no keys: a Condition of {} tests nothing.
func semanticCondition(v any) map[string]any {
	ops, _ := v.(map[string]any)
	out := map[string]any{}
	for op, keys := range ops {
		km, _ := keys.(map[string]any)
		lop := strings.ToLower(op)
		numeric := isNumericOperator(lop)
		merged, _ := out[lop].(map[string]any)
		if merged == nil {
			merged = map[string]any{}
		}
		for key, vals := range km {
			lkey := strings.ToLower(key)
			set := map[string]any{}
			if prev, ok := merged[lkey].([]any); ok {
				for _, p := range prev {
					set[p.(string)] = p
				}
			}
			list, _ := vals.([]any)
			for _, x := range list {
				s := conditionValue(x, numeric)
				set[s] = s
			}
			merged[lkey] = sortedValues(set)
		}
		if len(merged) > 0 {
			out[lop] = merged
		}
	}
	literalLikeAsEquals(out)
	return out
}

// literalLikeAsEquals moves a StringLike key whose values hold no wildcard
// to StringEquals, where no StringEquals on that key exists: StringLike is
// a case-sensitive match in which only * and ? are special, so without them
// it is StringEquals (IAM User Guide, "IAM JSON policy elements: Condition
// operators", string condition operators). The AWS guide's namespace-wide
// trust puts the aud check under StringLike; irsa-sync writes it under
// StringEquals, and the two must compare equal or adopting such a role
// would rewrite its trust for nothing. A key on both operators stays, as
// both conditions must hold.
func literalLikeAsEquals(ops map[string]any) {
	like, _ := ops["stringlike"].(map[string]any)
	for key, vals := range like {
		list, _ := vals.([]any)
		literal := len(list) > 0
		for _, v := range list {
			if s, ok := v.(string); !ok || strings.ContainsAny(s, "*?") {
				literal = false
			}
		}
		eq, _ := ops["stringequals"].(map[string]any)
		if _, both := eq[key]; !literal || both {
			continue
		}
		if eq == nil {
			eq = map[string]any{}
			ops["stringequals"] = eq
		}
		eq[key] = list
		delete(like, key)
	}
	if like != nil && len(like) == 0 {
		delete(ops, "stringlike")
	}
}

// conditionValue is the string IAM compares a condition value as. A JSON
// number is a number whatever its spelling (3600, 3600.0, 3.6e3); a string
// is compared as written, except under a Numeric operator, which reads it
// as a number.
func conditionValue(x any, numeric bool) string {
	switch t := x.(type) {
	case json.Number:
		return canonicalNumber(t.String())
	case string:
		if numeric {
			return canonicalNumber(t)
		}
		return t
	case bool:
		if t {
			return "true"
		}
		return "false"
	}
	return marshalCanonical(x)
}

// canonicalNumber writes a decimal number exactly, in lowest terms
// (3600.0 is 3600, 100.10 is 1001/10), or returns s unchanged when it is
// not a number.
func canonicalNumber(s string) string {
	r, ok := new(big.Rat).SetString(strings.TrimSpace(s))
	if !ok {
		return s
	}
	return r.RatString()
}

// isNumericOperator reports whether a lower-cased operator compares
// numbers: NumericEquals and the rest, with IfExists and set qualifiers.
func isNumericOperator(op string) bool {
	if i := strings.LastIndex(op, ":"); i >= 0 {
		op = op[i+1:] // ForAllValues:, ForAnyValue:
	}
	return strings.HasPrefix(op, "numeric")
}

// mapStrings applies f to each string of a list (the display form has
// lists only), returning a sorted list without repeats.
func mapStrings(v any, f func(string) string) any {
	list, ok := v.([]any)
	if !ok {
		return v
	}
	set := map[string]any{}
	for _, x := range list {
		s, _ := x.(string)
		s = f(s)
		set[s] = s
	}
	return sortedValues(set)
}

// namesAccounts reports whether a normalised document has an AWS principal
// that is a bare account id, the one value whose meaning depends on the
// partition (see rootOf).
func namesAccounts(n map[string]any) bool {
	list, _ := n["Statement"].([]any)
	for _, s := range list {
		st, _ := s.(map[string]any)
		for _, k := range []string{"Principal", "NotPrincipal"} {
			m, _ := st[k].(map[string]any)
			vals, _ := m["AWS"].([]any)
			for _, v := range vals {
				if str, ok := v.(string); ok && accountID.MatchString(str) {
					return true
				}
			}
		}
	}
	return false
}
