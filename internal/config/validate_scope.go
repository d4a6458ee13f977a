package config

import (
	"regexp"
	"strings"
)

// boundaryNameRE is a policy name with an optional path, as written after
// ":policy/" in its ARN.
var boundaryNameRE = regexp.MustCompile(`^(?:[!-~]+/)?[\w+=,.@-]{1,128}$`)

// The scope settings let a file promise what the apply role's IAM policy
// (examples/iam/irsa-sync-apply-policy.json) enforces, so that validation
// refuses a role the policy would refuse half-way through an apply: the
// policy allows iam:CreateRole and the other role writes only on
// role/<requiredRolePath>*, and iam:CreateRole, iam:PutRolePermissionsBoundary
// only with the iam:PermissionsBoundary condition key naming the required
// boundary (IAM User Guide, "Permissions boundaries for IAM entities":
// "Condition": {"StringEquals": {"iam:PermissionsBoundary": ARN}}).

// checkScopeSettings checks the values of the scope settings themselves.
func (v *validator) checkScopeSettings() {
	s := v.f.Settings
	if s.RequiredRolePath != "" {
		if !iamPathRE.MatchString(s.RequiredRolePath) || s.RequiredRolePath == "/" {
			v.add(at("settings", "requiredRolePath"), "%q is not an IAM path below the root: write it like /irsa/ (starting and ending with /), as the apply policy's Resource arn:aws:iam::*:role/irsa/* names it", s.RequiredRolePath)
		}
	}
	if b := s.RequiredPermissionsBoundary; b != "" {
		if !validBoundaryName(b) {
			v.add(at("settings", "requiredPermissionsBoundary"), "%q must be the boundary policy's name, with its path if it has one (such as irsa-sync-boundary or irsa/irsa-sync-boundary), not an ARN: each role's boundary is that policy in the role's own account", b)
		}
	}
}

// checkRoleScope refuses a role outside what the scope settings allow.
func (v *validator) checkRoleScope(p path, r Role) {
	s := v.f.Settings
	if want := s.RequiredRolePath; want != "" && iamPathRE.MatchString(want) {
		got := r.Path
		if got == "" {
			got = "/"
		}
		if !strings.HasPrefix(got, want) {
			v.add(p.with("path"), "role %q has path %q, but settings.requiredRolePath is %q: the apply role may create and change only roles under that path, so set path: %s (or a path below it)", r.Name, got, want, want)
		}
	}
	if want := s.RequiredPermissionsBoundary; validBoundaryName(want) {
		id := v.accountID(r.Account)
		example := "arn:aws:iam::" + orExample(id) + ":policy/" + want
		owner := accountOf(r.PermissionsBoundary, policyArnRE)
		switch {
		case r.PermissionsBoundary == "":
			v.add(p.with("permissionsBoundary"), "role %q has no permissions boundary, but settings.requiredPermissionsBoundary is %q: the apply role may create a role only with that boundary; set permissionsBoundary: %s", r.Name, want, example)
		case owner == "" || (owner != "aws" && id != "" && owner != id):
			// checkBoundary says what is wrong with the ARN.
		case !strings.HasSuffix(r.PermissionsBoundary, ":policy/"+want) || owner != id:
			v.add(p.with("permissionsBoundary"), "role %q has boundary %q, but settings.requiredPermissionsBoundary asks for policy %q of the role's account: set permissionsBoundary: %s", r.Name, r.PermissionsBoundary, want, example)
		}
	}
}

// validBoundaryName reports whether b is a policy name with an optional
// path, as requiredPermissionsBoundary takes it, and not an ARN.
func validBoundaryName(b string) bool {
	return b != "" && !strings.HasPrefix(b, "arn:") && !strings.HasPrefix(b, "/") && boundaryNameRE.MatchString(b)
}
