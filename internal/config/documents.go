package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/policy"
)

// docProblem is a problem inside a policy document: where is the path
// within the document (Statement[0].Effect), relative to the document.
type docProblem struct {
	where path
	msg   string
}

var (
	actionRE = regexp.MustCompile(`^([A-Za-z0-9-]+:[A-Za-z0-9*?]+|\*)$`)
	sidRE    = regexp.MustCompile(`^[A-Za-z0-9]*$`)
)

// The keys IAM accepts in an identity-based policy (one attached to a
// role); Principal and NotPrincipal belong to resource-based policies.
var (
	documentKeys  = []string{"Id", "Statement", "Version"}
	statementKeys = []string{"Action", "Condition", "Effect", "NotAction", "NotResource", "Resource", "Sid"}
)

// checkDocument checks that raw is an identity-based IAM policy document
// IAM would accept: what would otherwise come back as
// MalformedPolicyDocument in the middle of an apply. It returns the
// document's size as IAM counts it when the structure is sound, or -1.
func checkDocument(raw json.RawMessage) ([]docProblem, int) {
	var probs []docProblem
	bad := func(where path, format string, args ...any) {
		probs = append(probs, docProblem{where, fmt.Sprintf(format, args...)})
	}
	// encoding/json keeps the last of repeated keys silently; the YAML
	// loader refuses them, and so must a JSON documentFile.
	if err := policy.CheckDuplicateKeys(string(raw)); err != nil {
		bad(nil, "%v", err)
		return probs, -1
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		bad(nil, "policy document is not valid JSON: %v", err)
		return probs, -1
	}
	doc, ok := v.(map[string]any)
	if !ok {
		bad(nil, "policy document must be a mapping with Version and Statement, not %s", jsonKind(v))
		return probs, -1
	}
	for _, k := range sortedKeys(doc) {
		if !slices.Contains(documentKeys, k) {
			bad(at(k), "%q is not a policy document key; use Version, Statement (and Id): remove it, or move it into a statement", k)
		}
	}
	if ver, ok := doc["Version"]; ok && ver != "2012-10-17" && ver != "2008-10-17" {
		bad(at("Version"), "Version %s is not a policy language version: write Version: \"2012-10-17\" (quoted)", jsonText(ver))
	}
	switch st := doc["Statement"].(type) {
	case nil:
		bad(at("Statement"), "the document has no Statement: add a list of statements, each with Effect, Action and Resource")
	case map[string]any:
		checkStatement(at("Statement"), st, bad)
	case []any:
		if len(st) == 0 {
			bad(at("Statement"), "Statement is an empty list: add at least one statement, or remove the policy")
		}
		sids := map[string]int{}
		for i, s := range st {
			m, ok := s.(map[string]any)
			if !ok {
				bad(at("Statement", i), "a statement must be a mapping with Effect, Action and Resource, not %s", jsonKind(s))
				continue
			}
			checkStatement(at("Statement", i), m, bad)
			if sid, _ := m["Sid"].(string); sid != "" {
				if j, dup := sids[sid]; dup {
					bad(at("Statement", i, "Sid"), "Sid %q is already used by Statement[%d]: statement ids must be unique within a policy", sid, j)
				}
				sids[sid] = i
			}
		}
	default:
		bad(at("Statement"), "Statement must be a statement or a list of statements, not %s", jsonKind(st))
	}
	if len(probs) > 0 {
		return probs, -1
	}
	d, err := policy.Parse(raw)
	if err != nil {
		bad(nil, "%v", err)
		return probs, -1
	}
	return nil, d.Size()
}

// checkStatement checks one statement of an identity-based policy.
func checkStatement(p path, s map[string]any, bad func(path, string, ...any)) {
	for _, k := range sortedKeys(s) {
		switch {
		case k == "Principal" || k == "NotPrincipal":
			bad(p.with(k), "%s is not allowed in a policy attached to a role (who may assume the role is the trust policy, which irsa-sync generates from serviceAccounts): remove it", k)
		case !slices.Contains(statementKeys, k):
			bad(p.with(k), "%q is not a statement key; use Sid, Effect, Action or NotAction, Resource or NotResource, Condition", k)
		}
	}
	switch e := s["Effect"].(type) {
	case nil:
		bad(p.with("Effect"), "the statement has no Effect: add Effect: Allow or Effect: Deny")
	case string:
		if e != "Allow" && e != "Deny" {
			bad(p.with("Effect"), "Effect %q must be Allow or Deny, spelt exactly so", e)
		}
	default:
		bad(p.with("Effect"), "Effect must be Allow or Deny, not %s", jsonKind(e))
	}
	if sid, ok := s["Sid"]; ok {
		if str, isStr := sid.(string); !isStr || !sidRE.MatchString(str) {
			bad(p.with("Sid"), "Sid %s must be letters and digits only", jsonText(sid))
		}
	}
	checkOneOf(p, s, "Action", "NotAction", bad, func(a string) string {
		if actionRE.MatchString(a) {
			return ""
		}
		return fmt.Sprintf("action %q must be SERVICE:ACTION (such as s3:GetObject, wildcards allowed) or *", a)
	})
	checkOneOf(p, s, "Resource", "NotResource", bad, func(r string) string {
		if r == "*" || strings.HasPrefix(r, "arn:") {
			return ""
		}
		return fmt.Sprintf("resource %q must be an ARN (arn:...) or *", r)
	})
	if c, ok := s["Condition"]; ok {
		ops, isMap := c.(map[string]any)
		if !isMap {
			bad(p.with("Condition"), "Condition must be a mapping of operators (such as StringEquals) to keys and values, not %s", jsonKind(c))
		}
		for _, op := range sortedKeys(ops) {
			if _, isMap := ops[op].(map[string]any); !isMap {
				bad(p.with("Condition", op), "condition operator %s must map condition keys to values (such as aws:SourceVpc: vpc-1234), not %s", op, jsonKind(ops[op]))
			}
		}
	}
}

// checkOneOf checks that a statement has exactly one of key and notKey, a
// string or a non-empty list of strings, each passing check.
func checkOneOf(p path, s map[string]any, key, notKey string, bad func(path, string, ...any), check func(string) string) {
	v, has := s[key]
	nv, hasNot := s[notKey]
	switch {
	case has && hasNot:
		bad(p, "the statement has both %s and %s: keep one", key, notKey)
		return
	case !has && !hasNot:
		bad(p.with(key), "the statement has no %s (nor %s): add %s", key, notKey, key)
		return
	case hasNot:
		key, v = notKey, nv
	}
	var items []any
	switch v := v.(type) {
	case string:
		items = []any{v}
	case []any:
		if len(v) == 0 {
			bad(p.with(key), "%s is an empty list: name at least one", key)
		}
		items = v
	default:
		bad(p.with(key), "%s must be a string or a list of strings, not %s", key, jsonKind(v))
	}
	for i, it := range items {
		str, ok := it.(string)
		where := p.with(key)
		if _, isList := v.([]any); isList {
			where = where.with(i)
		}
		if !ok {
			bad(where, "must be a string, not %s", jsonKind(it))
			continue
		}
		if msg := check(str); msg != "" {
			bad(where, "%s", msg)
		}
	}
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}
