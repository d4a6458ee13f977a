package emulator

import (
	"encoding/json"
	"regexp"
	"strings"
)

// assumeRequest is what IAM knows when it evaluates a role's trust policy
// for one sts:AssumeRole* call: the principal asking (by principal type,
// every value it may be named by), the action, and the request context
// keyed by lower-cased condition key.
type assumeRequest struct {
	principals map[string][]string // "AWS", "Federated", "Service"
	actions    []string            // each must be allowed, e.g. sts:AssumeRole and sts:TagSession
	context    map[string][]string
}

// trustAllows evaluates a trust policy the way IAM's policy evaluation logic
// does for a resource-based policy alone: an explicit Deny wins, else an
// Allow is needed, else the request is implicitly denied
// (IAM User Guide, "Policy evaluation logic"). Every action of the request
// must be allowed. NotPrincipal is not emulated: a statement with it never
// matches.
func trustAllows(doc string, req assumeRequest) bool {
	var top struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &top) != nil {
		return false
	}
	var stmts []map[string]json.RawMessage
	if json.Unmarshal(top.Statement, &stmts) != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(top.Statement, &one) != nil {
			return false
		}
		stmts = []map[string]json.RawMessage{one}
	}
	for _, action := range req.actions {
		allowed := false
		for _, st := range stmts {
			if !statementMatches(st, req, action) {
				continue
			}
			var effect string
			_ = json.Unmarshal(st["Effect"], &effect)
			if effect == "Deny" {
				return false
			}
			allowed = allowed || effect == "Allow"
		}
		if !allowed {
			return false
		}
	}
	return true
}

func statementMatches(st map[string]json.RawMessage, req assumeRequest, action string) bool {
	if _, ok := st["NotPrincipal"]; ok {
		return false
	}
	if !principalMatches(st["Principal"], req.principals) {
		return false
	}
	if raw, ok := st["Action"]; ok {
		if !anyGlob(stringList(raw), action, true) {
			return false
		}
	} else if raw, ok := st["NotAction"]; ok {
		if anyGlob(stringList(raw), action, true) {
			return false
		}
	} else {
		return false
	}
	return conditionsMatch(st["Condition"], req.context)
}

// stringList reads a policy value that is a string or a list of strings.
func stringList(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(raw, &many)
	return many
}

// principalMatches: "*" is everyone; otherwise a value of the right type
// must name the caller. For AWS, an account id and arn:<p>:iam::<id>:root
// both stand for every principal of that account.
func principalMatches(raw json.RawMessage, who map[string][]string) bool {
	var star string
	if json.Unmarshal(raw, &star) == nil {
		return star == "*"
	}
	var byType map[string]json.RawMessage
	if json.Unmarshal(raw, &byType) != nil {
		return false
	}
	for typ, vals := range byType {
		for _, v := range stringList(vals) {
			for _, w := range who[typ] {
				if v == "*" || v == w {
					return true
				}
			}
		}
	}
	return false
}

// conditionsMatch ANDs every operator and every key; the values of one key
// are ORed ("a condition key with several values matches if any does").
// Keys are case-insensitive, values case-sensitive unless the operator says
// IgnoreCase. A key missing from the request fails a positive operator and
// passes a negated one (IAM User Guide, "Condition operators").
func conditionsMatch(raw json.RawMessage, ctx map[string][]string) bool {
	if len(raw) == 0 {
		return true
	}
	var ops map[string]map[string]json.RawMessage
	if json.Unmarshal(raw, &ops) != nil {
		return false
	}
	for op, keys := range ops {
		for key, vals := range keys {
			if !conditionMatches(op, stringList(vals), ctx[strings.ToLower(key)]) {
				return false
			}
		}
	}
	return true
}

func conditionMatches(op string, want, have []string) bool {
	set := "any"
	if p, rest, ok := strings.Cut(op, ":"); ok {
		switch p {
		case "ForAnyValue":
			set = "any"
		case "ForAllValues":
			set = "all"
		default:
			return false
		}
		op = rest
	}
	ifExists := strings.HasSuffix(op, "IfExists")
	op = strings.TrimSuffix(op, "IfExists")
	if len(have) == 0 {
		if set == "all" || ifExists {
			return true
		}
		return strings.Contains(op, "Not")
	}
	var match func(v string) bool
	switch op {
	case "StringEquals", "StringNotEquals":
		match = func(v string) bool { return contains(want, v) }
	case "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase":
		match = func(v string) bool {
			for _, w := range want {
				if strings.EqualFold(w, v) {
					return true
				}
			}
			return false
		}
	case "StringLike", "StringNotLike", "ArnLike", "ArnNotLike", "ArnEquals", "ArnNotEquals":
		match = func(v string) bool { return anyGlob(want, v, false) }
	case "Bool":
		match = func(v string) bool { return anyGlob(want, v, true) }
	default:
		return false // an operator IAM knows that the emulator does not
	}
	negated := strings.Contains(op, "Not")
	for _, v := range have {
		m := match(v)
		if negated {
			m = !m
		}
		if set == "any" && m {
			return true
		}
		if set == "all" && !m {
			return false
		}
	}
	return set == "all"
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// anyGlob reports whether s matches one of the patterns, where * is any run
// of characters and ? one character, as in Action and StringLike.
func anyGlob(patterns []string, s string, foldCase bool) bool {
	for _, p := range patterns {
		expr := "^" + strings.ReplaceAll(strings.ReplaceAll(regexp.QuoteMeta(p), `\*`, ".*"), `\?`, ".") + "$"
		if foldCase {
			expr = "(?is)" + expr
		} else {
			expr = "(?s)" + expr
		}
		if re, err := regexp.Compile(expr); err == nil && re.MatchString(s) {
			return true
		}
	}
	return false
}
