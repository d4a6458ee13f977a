package config

import (
	"encoding/json"
	"strings"
)

func (v *validator) checkPolicies() {
	v.policies = map[accountKey]int{}
	for i, pol := range v.f.Policies {
		p := at("policies", i)
		switch {
		case pol.Name == "":
			v.add(p.with("name"), "policy name is required")
		case !policyNameRE.MatchString(pol.Name):
			v.add(p.with("name"), "policy name %q must be 1-128 characters of %s: rename it", pol.Name, nameChars)
		default:
			k := keyOf(pol.Account, pol.Name)
			if j, dup := v.policies[k]; dup {
				v.add(p.with("name"), "policy %q is already declared in account %q as %s (%q); IAM policy names are unique per account, ignoring case: rename one or remove it", pol.Name, pol.Account, v.ref(at("policies", j)), v.f.Policies[j].Name)
			} else {
				v.policies[k] = i
			}
		}
		v.checkAccountRef(p.with("account"), pol.Account, "policy")
		v.checkPath(p.with("path"), pol.Path)
		v.checkDescription(p.with("description"), pol.Description)
		v.checkTags(p.with("tags"), pol.Tags)
		v.checkPolicyDocument(p, pol)
	}
}

// checkPolicyDocument checks the document of a customer-managed policy,
// written in place or read by Load from documentFile.
func (v *validator) checkPolicyDocument(p path, pol Policy) {
	fromFile := pol.DocumentSource != ""
	switch {
	case pol.DocumentFile != "" && len(pol.Document) > 0 && !fromFile:
		v.add(p, "both document and documentFile are set: keep one")
		return
	case pol.DocumentFile == "" && len(pol.Document) == 0:
		v.add(p, "the policy has no document: add document (the policy JSON written as YAML) or documentFile (a JSON file next to this one)")
		return
	case len(pol.Document) == 0:
		// documentFile could not be read; Load has reported why.
		return
	}
	size := v.checkDocumentAt(p, pol.Document, pol.DocumentFile, "document")
	if size > maxManagedPolicySize {
		where, _ := documentPlace(p, pol.DocumentFile, "document")
		v.add(where, "the policy document is %d characters (white space not counted), over IAM's limit of %d for a managed policy by %d: split it into two policies and attach both", size, maxManagedPolicySize, size-maxManagedPolicySize)
	}
}

// documentPlace returns where problems of a document are reported: inside
// the YAML when it is written in place, else at the documentFile field
// with the JSON file named in the message.
func documentPlace(p path, file, field string) (path, string) {
	if file != "" {
		return p.with("documentFile"), file + ": "
	}
	return p.with(field), ""
}

// checkDocumentAt reports the structural problems of raw and returns its
// size, or -1 when it is malformed.
func (v *validator) checkDocumentAt(p path, raw json.RawMessage, file, field string) int {
	probs, size := checkDocument(raw)
	base, prefix := documentPlace(p, file, field)
	for _, pr := range probs {
		if file != "" {
			where := pr.where.String()
			if where != "" {
				where += ": "
			}
			v.add(base, "%s%s%s", prefix, where, pr.msg)
			continue
		}
		v.add(base.with(pr.where...), "%s", pr.msg)
	}
	return size
}

// isPolicyArn reports whether s looks like an ARN rather than a name.
func isPolicyArn(s string) bool { return strings.HasPrefix(s, "arn:") }
