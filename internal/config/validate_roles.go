package config

import (
	"fmt"
	"strings"
)

func (v *validator) checkRoles() {
	names := map[accountKey]int{}
	for i, r := range v.f.Roles {
		p := at("roles", i)
		switch {
		case r.Name == "":
			v.add(p.with("name"), "role name is required")
		case !roleNameRE.MatchString(r.Name):
			v.add(p.with("name"), "role name %q must be 1-64 characters of %s: rename it", r.Name, nameChars)
		default:
			k := keyOf(r.Account, r.Name)
			if j, dup := names[k]; dup {
				v.add(p.with("name"), "role %q is already declared in account %q as %s (%q); IAM role names are unique per account, ignoring case: merge the two or rename one", r.Name, r.Account, v.ref(at("roles", j)), v.f.Roles[j].Name)
			} else {
				names[k] = i
			}
		}
		v.checkAccountRef(p.with("account"), r.Account, "role")
		v.checkDescription(p.with("description"), r.Description)
		v.checkPath(p.with("path"), r.Path)
		if d := r.MaxSessionDuration; d != 0 && (d < minSessionDuration || d > maxSessionDuration) {
			v.add(p.with("maxSessionDuration"), "maxSessionDuration %d is out of IAM's range of %d-%d seconds (1-12 hours): set a value in it, or leave it out for 3600", d, minSessionDuration, maxSessionDuration)
		}
		v.checkBoundary(p.with("permissionsBoundary"), r)
		v.checkRoleScope(p, r)
		v.checkTags(p.with("tags"), r.Tags)
		v.checkRolePolicies(p, r)
		v.checkInlinePolicies(p, r)
		switch {
		case len(r.ServiceAccounts) == 0 && len(r.AssumedFrom) == 0:
			v.add(p.with("serviceAccounts"), "the role has no service accounts: add at least one {cluster, namespace, name}, or assumedFrom: [{role: NAME}] for a role reached by chaining, or remove the role")
		default:
			v.checkTrustSize(p, r)
		}
	}
}

// accountID returns the id of the named account, or "" when it is unknown.
func (v *validator) accountID(name string) string {
	if i, ok := v.accounts[name]; ok && accountIDRE.MatchString(v.f.Accounts[i].ID) {
		return v.f.Accounts[i].ID
	}
	return ""
}

func (v *validator) checkBoundary(p path, r Role) {
	if r.PermissionsBoundary == "" {
		return
	}
	owner := accountOf(r.PermissionsBoundary, policyArnRE)
	id := v.accountID(r.Account)
	switch {
	case owner == "":
		v.add(p, "%q is not a managed policy ARN: write arn:%[3]s:iam::aws:policy/NAME or arn:%[3]s:iam::%[2]s:policy/NAME", r.PermissionsBoundary, orExample(id), v.arnPartition(r.Account))
	case owner != "aws" && id != "" && owner != id:
		v.add(p, "boundary policy %q is in account %s but the role is in account %q (%s); a permissions boundary must be a policy of the role's own account or an AWS managed one", r.PermissionsBoundary, owner, r.Account, id)
	}
}

// checkRolePolicies checks the managed policies attached to a role: each a
// policy of this file in the role's account, or an ARN the role's account
// can attach.
func (v *validator) checkRolePolicies(p path, r Role) {
	seen := map[string]int{}
	id := v.accountID(r.Account)
	for j, ref := range r.Policies {
		pp := p.with("policies", j)
		key := strings.ToLower(ref)
		if isPolicyArn(ref) {
			key = ref
		}
		if k, dup := seen[key]; dup {
			v.add(pp, "%q is already listed as policies[%d]: list each policy once", ref, k)
			continue
		}
		seen[key] = j
		if isPolicyArn(ref) {
			owner := accountOf(ref, policyArnRE)
			switch {
			case owner == "":
				v.add(pp, "%q is not a managed policy ARN: write arn:%[3]s:iam::aws:policy/NAME (AWS managed) or arn:%[3]s:iam::%[2]s:policy/NAME (customer managed)", ref, orExample(id), v.arnPartition(r.Account))
			case owner != "aws" && id != "" && owner != id:
				v.add(pp, "policy %q is in account %s but the role is in account %q (%s); IAM attaches policies only within one account: declare the policy in account %q under policies and list it by name", ref, owner, r.Account, id, r.Account)
			}
			continue
		}
		v.checkPolicyName(pp, ref, r)
	}
	if n := len(r.Policies); n > maxManagedPolicies {
		v.add(p.with("policies"), "%d managed policies, over the default quota of %d per role (AttachedPoliciesPerRoleQuota, which can be raised in Service Quotas): merge some into one customer policy, or move them to inlinePolicies", n, maxManagedPolicies)
	}
}

// checkPolicyName checks a reference by name to a policy of this file.
func (v *validator) checkPolicyName(pp path, ref string, r Role) {
	if !policyNameRE.MatchString(ref) {
		v.add(pp, "%q is neither a policy name (1-128 characters of %s) nor a policy ARN: fix the name", ref, nameChars)
		return
	}
	if i, ok := v.policies[keyOf(r.Account, ref)]; ok {
		// IAM keeps policy names unique ignoring case ("IAM object
		// quotas" and CreatePolicy: "Policy names are not distinguished by
		// case"), which is why declarations are compared so; a reference
		// must still be spelt as declared, because the plan matches it
		// with the policy's name (and ARN) as written.
		if declared := v.f.Policies[i].Name; declared != ref {
			v.add(pp, "policy %q is declared as %q (policies[%d]): spell the reference as the policy is declared", ref, declared, i)
		}
		return
	}
	for i, pol := range v.f.Policies {
		if strings.EqualFold(pol.Name, ref) {
			v.add(pp, "policy %q is in account %q but the role is in account %q; IAM attaches policies only within one account: declare the policy in account %q too (see policies[%d]), or reference it by ARN there", ref, pol.Account, r.Account, r.Account, i)
			return
		}
	}
	v.add(pp, "no policy named %q under policies: declare it there, or write an ARN such as arn:%[2]s:iam::aws:policy/%[1]s for an AWS managed policy", ref, v.arnPartition(r.Account))
}

// checkInlinePolicies checks inline policy names, documents and their
// total size, which IAM limits per role.
func (v *validator) checkInlinePolicies(p path, r Role) {
	total := 0
	for _, name := range sortedKeys(r.InlinePolicies) {
		ip := p.with("inlinePolicies")
		if !policyNameRE.MatchString(name) {
			v.add(ip.with(name), "inline policy name %q must be 1-128 characters of %s: rename it", name, nameChars)
		}
		if size := v.checkDocumentAt(ip, r.InlinePolicies[name], "", name); size > 0 {
			total += size
		}
	}
	if total > maxInlinePoliciesSize {
		v.add(p.with("inlinePolicies"), "inline policies total %d characters (white space not counted), over IAM's limit of %d per role by %d: move some into a customer managed policy under policies", total, maxInlinePoliciesSize, total-maxInlinePoliciesSize)
	}
}

// subject is one service account binding, for messages.
func subject(cluster, namespace, name string) string {
	return fmt.Sprintf("%s/%s/%s", cluster, namespace, name)
}
