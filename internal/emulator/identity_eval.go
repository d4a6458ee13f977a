package emulator

import (
	"encoding/json"
	"strings"
)

// Identity policies of assumed-role sessions. A caller holding credentials
// from AssumeRole (or AssumeRoleWithWebIdentity) may do only what the
// identity policies of its role allow, inside the role's permissions
// boundary, as IAM evaluates a request from one account (IAM User Guide,
// "Policy evaluation logic": an explicit Deny in any policy wins; else an
// Allow in an identity policy is needed, and, when the role has a
// boundary, an Allow in the boundary too). That is how a test shows a plan
// run with read-only credentials succeeds while every write is refused.
//
// What is evaluated: Action and NotAction (wildcards, case-insensitive),
// Resource and NotResource (ARN globs, case-sensitive), and Condition with
// the operators of trust_eval.go over aws:PrincipalArn,
// aws:PrincipalAccount, aws:RequestedRegion, iam:PermissionsBoundary
// (CreateRole, PutRolePermissionsBoundary) and iam:PolicyARN
// (AttachRolePolicy, DetachRolePolicy). Not evaluated: service control
// policies, session policies, resource policies other than trusts, and
// other condition keys (a statement conditioned on one never matches, as a
// key absent from the request context fails a positive operator).
//
// A role with no identity policy at all (every role EnsureRole seeds, such
// as the sandbox's assume-role targets) is not evaluated: the emulator's
// identities keep acting as administrators unless a test gives their role
// a policy. The long-term keys of each account's admin user are never
// evaluated. sts:GetCallerIdentity needs no permission, as in AWS.

// authorize refuses the call when the caller is an assumed-role session
// whose role's policies do not allow it. Called with e.mu held.
func (e *Emulator) authorize(c *call) error {
	if c.caller == nil || c.caller.RoleArn == "" || (c.service == "sts" && c.action == "GetCallerIdentity") {
		return nil
	}
	acct, _, name, ok := parseRoleArnIn(c.partition, c.caller.RoleArn)
	if !ok {
		return nil
	}
	a := e.st.Accounts[acct]
	if a == nil {
		return nil
	}
	r := a.Roles[strings.ToLower(name)]
	if r == nil {
		return nil
	}
	docs := e.identityDocuments(a, r)
	if len(docs) == 0 {
		return nil
	}
	action := c.service + ":" + c.action
	resource := e.resourceOf(c)
	ctx := requestContext(c)
	allowed := false
	for _, d := range docs {
		switch identityDecision(d, action, resource, ctx) {
		case decisionDeny:
			return e.denied(c, action, resource, "with an explicit deny in an identity-based policy")
		case decisionAllow:
			allowed = true
		}
	}
	if !allowed {
		return e.denied(c, action, resource, "because no identity-based policy allows the "+action+" action")
	}
	if r.Boundary != "" {
		if p, err := e.findPolicy(a, r.Boundary); err == nil && p.version(p.Default) != nil {
			if identityDecision(p.version(p.Default).Doc, action, resource, ctx) != decisionAllow {
				return e.denied(c, action, resource, "because no permissions boundary allows the "+action+" action")
			}
		}
	}
	return nil
}

// denied is the error IAM, STS and EKS return for a refused request: 403
// AccessDenied for the query services, AccessDeniedException for EKS.
func (e *Emulator) denied(c *call, action, resource, why string) error {
	code := "AccessDenied"
	if c.service == "eks" {
		code = "AccessDeniedException"
	}
	return errf(403, code, "User: %s is not authorized to perform: %s on resource: %s %s", c.caller.Arn, action, resource, why)
}

// identityDocuments are the documents of the role's inline policies and of
// the default versions of its attached managed policies.
func (e *Emulator) identityDocuments(a *account, r *role) []string {
	var docs []string
	for _, in := range r.Inline {
		docs = append(docs, in.Doc)
	}
	for _, arn := range r.Attached {
		if p, err := e.findPolicy(a, arn); err == nil {
			if v := p.version(p.Default); v != nil {
				docs = append(docs, v.Doc)
			}
		}
	}
	return docs
}

type decision int

const (
	decisionNone decision = iota
	decisionAllow
	decisionDeny
)

// identityDecision evaluates one identity policy for one request.
func identityDecision(doc, action, resource string, ctx map[string][]string) decision {
	var top struct{ Statement json.RawMessage }
	if json.Unmarshal([]byte(doc), &top) != nil {
		return decisionNone
	}
	var stmts []map[string]json.RawMessage
	if json.Unmarshal(top.Statement, &stmts) != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(top.Statement, &one) != nil {
			return decisionNone
		}
		stmts = []map[string]json.RawMessage{one}
	}
	out := decisionNone
	for _, st := range stmts {
		if !matchesElement(st, "Action", "NotAction", action, true) ||
			!matchesElement(st, "Resource", "NotResource", resource, false) ||
			!conditionsMatch(st["Condition"], ctx) {
			continue
		}
		var effect string
		_ = json.Unmarshal(st["Effect"], &effect)
		switch effect {
		case "Deny":
			return decisionDeny
		case "Allow":
			out = decisionAllow
		}
	}
	return out
}

// matchesElement applies Action/NotAction or Resource/NotResource.
func matchesElement(st map[string]json.RawMessage, key, notKey, value string, foldCase bool) bool {
	if raw, ok := st[key]; ok {
		return anyGlob(stringList(raw), value, foldCase)
	}
	if raw, ok := st[notKey]; ok {
		return !anyGlob(stringList(raw), value, foldCase)
	}
	return false
}

// requestContext is the condition context of a call.
func requestContext(c *call) map[string][]string {
	ctx := map[string][]string{
		"aws:principalarn":     {firstNonEmpty(c.caller.RoleArn, c.caller.Arn)},
		"aws:principalaccount": {c.caller.Account},
	}
	if c.region != "" {
		ctx["aws:requestedregion"] = []string{c.region}
	}
	if c.service != "iam" {
		return ctx
	}
	switch c.action {
	case "CreateRole", "PutRolePermissionsBoundary":
		if b := c.form.Get("PermissionsBoundary"); b != "" {
			ctx["iam:permissionsboundary"] = []string{b}
		}
	case "AttachRolePolicy", "DetachRolePolicy":
		ctx["iam:policyarn"] = []string{c.form.Get("PolicyArn")}
	}
	return ctx
}

// resourceOf is the ARN of what the call acts on, as the IAM service
// authorization reference lists it per action, or * for actions on no
// resource (the account-wide reads).
func (e *Emulator) resourceOf(c *call) string {
	acct := c.acct.ID
	iamARN := "arn:" + c.partition + ":iam::" + acct + ":"
	switch c.service {
	case "sts":
		if arn := c.form.Get("RoleArn"); arn != "" {
			return arn
		}
	case "eks":
		cl := c.labels["clusterName"]
		if cl == "" {
			cl = c.labels["name"]
		}
		if cl == "" {
			return "*"
		}
		base := "arn:" + c.partition + ":eks:" + c.region + ":" + acct + ":"
		if id := c.labels["associationId"]; id != "" {
			return base + "podidentityassociation/" + cl + "/" + id
		}
		return base + "cluster/" + cl
	case "iam":
		f := c.form
		switch {
		case f.Get("RoleName") != "":
			name := f.Get("RoleName")
			path := f.Get("Path")
			if r := c.acct.Roles[strings.ToLower(name)]; r != nil && c.action != "CreateRole" {
				path = r.Path
			}
			if path == "" {
				path = "/"
			}
			return iamARN + "role" + path + name
		case f.Get("PolicyArn") != "":
			return f.Get("PolicyArn")
		case c.action == "CreatePolicy":
			path := f.Get("Path")
			if path == "" {
				path = "/"
			}
			return iamARN + "policy" + path + f.Get("PolicyName")
		case f.Get("OpenIDConnectProviderArn") != "":
			return f.Get("OpenIDConnectProviderArn")
		case c.action == "CreateOpenIDConnectProvider":
			u := strings.TrimPrefix(f.Get("Url"), "https://")
			return iamARN + "oidc-provider/" + u
		}
	}
	return "*"
}

// SeedRolePolicy sets an inline identity policy of a role, creating
// neither: seeding for tests and the sandbox that give an identity (such as
// a read-only plan role) only some permissions. The document is checked as
// PutRolePolicy checks it.
func (e *Emulator) SeedRolePolicy(accountID, roleName, policyName, doc string) error {
	if err := validatePolicyDocument(doc, docIdentity); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.st.Accounts[accountID]
	if a == nil || a.Roles[strings.ToLower(roleName)] == nil {
		return errNoSuchEntity("The role with name %s cannot be found.", roleName)
	}
	r := a.Roles[strings.ToLower(roleName)]
	if r.Inline == nil {
		r.Inline = map[string]*inline{}
	}
	r.Inline[strings.ToLower(policyName)] = &inline{Name: policyName, Doc: doc}
	return nil
}

// SeedPolicy creates a customer-managed policy at path / unless one of
// that name exists: seeding for a permissions boundary that an identity
// under test must use but may not change.
func (e *Emulator) SeedPolicy(accountID, name, doc string) error {
	if err := validatePolicyDocument(doc, docIdentity); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.ensureAccount(accountID)
	if a.Policies[strings.ToLower(name)] != nil {
		return nil
	}
	now := e.now()
	a.Policies[strings.ToLower(name)] = &policy{Name: name, Path: "/", ID: stableID("ANPA", accountID, "policy", strings.ToLower(name)),
		Created: now, Updated: now, Default: "v1", NextVersion: 2, Versions: []*policyVersion{{ID: "v1", Doc: doc, Created: now}}}
	return nil
}
