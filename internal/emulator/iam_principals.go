package emulator

import (
	"encoding/json"
	"strings"
)

// checkRolePrincipals refuses a trust naming, as Principal.AWS, a role of an
// emulated account that does not exist, as IAM does when the policy is saved:
// MalformedPolicyDocument "Invalid principal in policy" (IAM User Guide, "AWS
// JSON policy elements: Principal", IAM role principals: IAM transforms the
// ARN to the role's unique id when it saves the policy, so the role must
// exist). Roles of accounts the emulator does not hold are not checked.
func (e *Emulator) checkRolePrincipals(doc string) error {
	var top struct{ Statement json.RawMessage }
	if json.Unmarshal([]byte(doc), &top) != nil {
		return nil // validatePolicyDocument reports the syntax
	}
	var stmts []map[string]json.RawMessage
	if json.Unmarshal(top.Statement, &stmts) != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(top.Statement, &one) != nil {
			return nil
		}
		stmts = []map[string]json.RawMessage{one}
	}
	for _, st := range stmts {
		var byType map[string]json.RawMessage
		if json.Unmarshal(st["Principal"], &byType) != nil {
			continue
		}
		for _, v := range stringList(byType["AWS"]) {
			p, ok := parseARN(v)
			if !ok {
				continue
			}
			acct, path, name, ok := parseRoleArnIn(p.partition, v)
			if !ok || strings.ContainsAny(v, "*?") {
				continue
			}
			a := e.st.Accounts[acct]
			if a == nil {
				continue
			}
			if r := a.Roles[strings.ToLower(name)]; r == nil || r.Path != path {
				return errMalformed("Invalid principal in policy: \"AWS\":\"%s\"", v)
			}
		}
	}
	return nil
}

// forgetRolePrincipal replaces a deleted role's ARN in every trust that
// names it with the role's unique id, as IAM shows such a trust: the
// relationship is broken, and recreating the role does not restore it
// (IAM User Guide, "AWS JSON policy elements: Principal").
func (e *Emulator) forgetRolePrincipal(arn, id string) {
	quoted := `"` + arn + `"`
	for _, a := range e.st.Accounts {
		for _, r := range a.Roles {
			if strings.Contains(r.Trust, quoted) {
				r.Trust = strings.ReplaceAll(r.Trust, quoted, `"`+id+`"`)
			}
		}
	}
}
