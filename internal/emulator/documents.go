package emulator

import (
	"bytes"
	"encoding/json"
	"unicode"
)

type docKind int

const (
	docIdentity docKind = iota // managed and inline permission policies
	docTrust                   // a role's AssumeRolePolicyDocument
)

// validatePolicyDocument applies the grammar checks IAM makes before storing
// a document: valid JSON, a known Version, a Statement, and per statement an
// Effect, an action, a resource (identity policies) or principal (trust).
func validatePolicyDocument(doc string, kind docKind) error {
	dec := json.NewDecoder(bytes.NewReader([]byte(doc)))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil || dec.More() {
		return errMalformed("Syntax errors in policy.")
	}
	if v, ok := top["Version"]; ok {
		if s, _ := v.(string); s != "2012-10-17" && s != "2008-10-17" {
			return errMalformed("The policy failed legacy parsing")
		}
	}
	raw, ok := top["Statement"]
	if !ok {
		return errMalformed("Missing required field Statement")
	}
	var stmts []any
	switch s := raw.(type) {
	case []any:
		stmts = s
	case map[string]any:
		stmts = []any{s}
	default:
		return errMalformed("Syntax errors in policy.")
	}
	if len(stmts) == 0 {
		return errMalformed("Missing required field Statement")
	}
	for _, s := range stmts {
		st, ok := s.(map[string]any)
		if !ok {
			return errMalformed("Syntax errors in policy.")
		}
		if err := validateStatement(st, kind); err != nil {
			return err
		}
	}
	return nil
}

func validateStatement(st map[string]any, kind docKind) error {
	effect, ok := st["Effect"]
	if !ok {
		return errMalformed("Missing required field Effect")
	}
	if e, _ := effect.(string); e != "Allow" && e != "Deny" {
		return errMalformed("Invalid effect: %v", effect)
	}
	_, hasAction := st["Action"]
	_, hasNotAction := st["NotAction"]
	if !hasAction && !hasNotAction {
		return errMalformed("Policy statement must contain actions.")
	}
	_, hasPrincipal := st["Principal"]
	_, hasNotPrincipal := st["NotPrincipal"]
	_, hasResource := st["Resource"]
	_, hasNotResource := st["NotResource"]
	switch kind {
	case docIdentity:
		if hasPrincipal || hasNotPrincipal {
			return errMalformed("Policy document should not specify a principal.")
		}
		if !hasResource && !hasNotResource {
			return errMalformed("Policy statement must contain resources.")
		}
	case docTrust:
		if !hasPrincipal && !hasNotPrincipal {
			return errMalformed("Missing required field Principal")
		}
		if hasResource || hasNotResource {
			return errMalformed("Has prohibited field Resource")
		}
	}
	return nil
}

// policySize counts characters the way IAM quotas do: whitespace is free.
func policySize(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// encodeDoc returns a stored document as IAM returns it from GetRole,
// GetRolePolicy, GetPolicyVersion and GetAccountAuthorizationDetails.
func encodeDoc(doc string) string { return rfc3986(doc) }
