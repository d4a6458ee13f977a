package render

import (
	"fmt"

	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// The plans below are built by hand, in the shapes plan.Compute makes, so
// that every branch of the renderers is reached without a live state.

const (
	prodID    = "111122223333"
	dataID    = "444455556666"
	owner     = "platform-prod"
	issuerUSE = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
	issuerEUW = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"
)

var ownerTags = map[string]string{resource.OwnerTag: owner}

// names are the file's names the planner gives every plan.
func names() plan.Names {
	return plan.Names{
		Clusters: map[string]string{issuerUSE: "prod-use1", issuerEUW: "prod-euw1"},
		Accounts: map[string]string{prodID: "prod", dataID: "data"},
		Roles:    map[string]string{resource.RoleARN("aws", prodID, "/irsa/", "my-role"): "my-role"},
	}
}

// withAccess fills in what plan.Compute derives from the changes: the
// names, the access section and the risks of widened access.
func withAccess(p *plan.Plan, extra ...plan.Risk) *plan.Plan {
	p.Names = names()
	p.Access = plan.AccessChanges(p.Changes, p.Names)
	p.Risks = append(plan.WideningRisks(p.Access), extra...)
	return p
}

func subject(acct, issuer, ns, name string) trust.Subject {
	return trust.Subject{ProviderARN: resource.ProviderARN("aws", acct, "https://"+issuer), Issuer: issuer, Namespace: ns, Name: name}
}

var bucketPolicy = policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::my-pod-secrets-bucket"}]}`)

// createPlan is a first apply: one create of each kind, and a pattern.
func createPlan() *plan.Plan {
	role := &resource.Role{
		AccountID: prodID, Name: "my-role", Path: "/irsa/", ARN: resource.RoleARN("aws", prodID, "/irsa/", "my-role"),
		Description: "my-role-description", MaxSessionDuration: 3600, Tags: ownerTags,
		ManagedPolicies: []string{"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", resource.PolicyARN("aws", prodID, "/", "my-policy")},
		InlinePolicies:  map[string]policy.Document{"read-secrets": bucketPolicy},
		Trust: trust.ForRole([]trust.Subject{
			subject(prodID, issuerUSE, "default", "my-service-account"),
			subject(prodID, issuerUSE, "batch", "*"),
		}),
	}
	return withAccess(&plan.Plan{
		Owner: owner,
		Changes: []plan.Change{
			{Action: plan.Create, Kind: resource.KindProvider, Address: "account/prod/oidc-provider/" + issuerUSE, Account: "prod",
				Provider: &plan.Diff[resource.Provider]{After: &resource.Provider{AccountID: prodID, ARN: resource.ProviderARN("aws", prodID, "https://"+issuerUSE), URL: issuerUSE,
					ClientIDs: []string{"sts.amazonaws.com"}, Tags: ownerTags}},
				Notes: []plan.Note{{Kind: plan.NoteForClusters, Names: []string{"prod-use1"}}}},
			{Action: plan.Create, Kind: resource.KindPolicy, Address: "account/prod/policy/my-policy", Account: "prod",
				Policy: &plan.Diff[resource.Policy]{After: &resource.Policy{AccountID: prodID, Name: "my-policy", Path: "/", ARN: resource.PolicyARN("aws", prodID, "/", "my-policy"),
					Document: bucketPolicy, Tags: ownerTags}}},
			{Action: plan.Create, Kind: resource.KindRole, Address: "account/prod/role/my-role", Account: "prod", Role: &plan.Diff[resource.Role]{After: role}},
			{Action: plan.Create, Kind: resource.KindServiceAccount, Address: "cluster/prod-use1/serviceaccount/default/my-service-account", Cluster: "prod-use1",
				ServiceAccount: &plan.Diff[resource.ServiceAccount]{After: &resource.ServiceAccount{Cluster: "prod-use1", Namespace: "default", Name: "my-service-account", Annotations: map[string]string{
					resource.AnnotationRoleARN: role.ARN, resource.AnnotationSTSRegional: "true",
					resource.OwnerAnnotation: owner, resource.CreatedAnnotation: "true",
				}}}},
		},
		Conflicts: []plan.Problem{}, Errors: []plan.Problem{}, Warnings: []plan.Problem{}, Pruneable: []plan.Change{},
		Patterns: []desired.Pattern{{Cluster: "prod-use1", Namespace: "batch", Name: "*", Role: role.ARN}},
	})
}

// updatePlan changes every kind of field, deletes a role (--prune given),
// and has a warning and something left for --prune.
func updatePlan() *plan.Plan {
	readStmt := `{"Action":["s3:GetObject"],"Effect":"Allow","Resource":["arn:aws:s3:::my-pod-secrets-bucket"]}`
	listStmt := `{"Action":["s3:ListBucket"],"Condition":{"StringLike":{"s3:prefix":["team-a/*"]}},"Effect":"Allow","Resource":["arn:aws:s3:::my-pod-secrets-bucket"]}`
	oldPolicy := policy.MustParse(`{"Version":"2012-10-17","Statement":[` + readStmt + `]}`)
	newPolicy := policy.MustParse(`{"Version":"2012-10-17","Statement":[` + listStmt + `]}`)
	polBefore := &resource.Policy{AccountID: prodID, Name: "my-policy", Path: "/", ARN: resource.PolicyARN("aws", prodID, "/", "my-policy"), Document: oldPolicy, Tags: ownerTags}
	polAfter := *polBefore
	polAfter.Document = newPolicy
	polAfter.Tags = map[string]string{resource.OwnerTag: owner, "team": "payments"}

	oldTrust := trust.ForRole([]trust.Subject{subject(prodID, issuerUSE, "default", "my-service-account"), subject(prodID, issuerUSE, "default", "old-worker")})
	newTrust := trust.ForRole([]trust.Subject{subject(prodID, issuerUSE, "default", "my-service-account"), subject(prodID, issuerEUW, "default", "my-service-account")})
	roleARN := resource.RoleARN("aws", prodID, "/irsa/", "my-role")
	roleBefore := &resource.Role{AccountID: prodID, Name: "my-role", Path: "/irsa/", ARN: roleARN, Description: "old description",
		MaxSessionDuration: 3600, Tags: map[string]string{resource.OwnerTag: owner, "env": "staging"},
		ManagedPolicies: []string{"arn:aws:iam::aws:policy/AmazonS3FullAccess"},
		InlinePolicies:  map[string]policy.Document{"legacy": oldPolicy, "read-secrets": oldPolicy}, Trust: oldTrust}
	roleAfter := *roleBefore
	roleAfter.Description, roleAfter.MaxSessionDuration, roleAfter.PermissionsBoundary = "my-role-description", 7200, "arn:aws:iam::111122223333:policy/boundary"
	roleAfter.Tags = map[string]string{resource.OwnerTag: owner, "env": "prod"}
	roleAfter.ManagedPolicies = []string{"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}
	roleAfter.InlinePolicies = map[string]policy.Document{"read-secrets": newPolicy, "audit": bucketPolicy}
	roleAfter.Trust = newTrust

	// Same subjects, another audience: the planner finds no subject to add
	// or remove, and the renderer falls back to the statements.
	audBefore := trust.ForRole([]trust.Subject{subject(dataID, issuerUSE, "analytics", "reader")})
	withAud := subject(dataID, issuerUSE, "analytics", "reader")
	withAud.Audience = "sts.example.com"
	audAfter := trust.ForRole([]trust.Subject{withAud})
	readerARN := resource.RoleARN("aws", dataID, "/", "analytics-reader")
	reader := &resource.Role{AccountID: dataID, Name: "analytics-reader", Path: "/", ARN: readerARN, MaxSessionDuration: 3600, Tags: ownerTags, Trust: audBefore}
	readerAfter := *reader
	readerAfter.Trust = audAfter

	provBefore := &resource.Provider{AccountID: dataID, ARN: resource.ProviderARN("aws", dataID, "https://"+issuerUSE), URL: issuerUSE, ClientIDs: []string{"other-audience"}}
	provAfter := *provBefore
	provAfter.ClientIDs = []string{"other-audience", "sts.amazonaws.com"}

	saBefore := &resource.ServiceAccount{Cluster: "prod-use1", Namespace: "default", Name: "my-service-account",
		Annotations: map[string]string{resource.AnnotationRoleARN: "arn:aws:iam::111122223333:role/hand-made"}}
	saAfter := &resource.ServiceAccount{Cluster: "prod-use1", Namespace: "default", Name: "my-service-account",
		Annotations: map[string]string{resource.AnnotationRoleARN: roleARN, resource.AnnotationSTSRegional: "true", resource.OwnerAnnotation: owner}}

	oldRole := &resource.Role{AccountID: prodID, Name: "retired", Path: "/", ARN: resource.RoleARN("aws", prodID, "/", "retired"), MaxSessionDuration: 3600, Tags: ownerTags,
		ManagedPolicies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}}
	leftSA := &resource.ServiceAccount{Cluster: "prod-euw1", Namespace: "jobs", Name: "nightly",
		Annotations: map[string]string{resource.AnnotationRoleARN: resource.RoleARN("aws", prodID, "/", "retired"), resource.OwnerAnnotation: owner}}
	leftSAAfter := *leftSA
	leftSAAfter.Annotations = map[string]string{}

	return withAccess(&plan.Plan{
		Owner: owner,
		Changes: []plan.Change{
			{Action: plan.Update, Kind: resource.KindProvider, Address: "account/data/oidc-provider/" + issuerUSE, Account: "data",
				Provider: &plan.Diff[resource.Provider]{Before: provBefore, After: &provAfter}, Fields: []plan.Field{{Name: "clientIds", Added: []string{"sts.amazonaws.com"}}}},
			{Action: plan.Update, Kind: resource.KindPolicy, Address: "account/prod/policy/my-policy", Account: "prod",
				Policy: &plan.Diff[resource.Policy]{Before: polBefore, After: &polAfter}, RetireVersion: "v1",
				Fields: []plan.Field{
					{Name: "document", Before: plan.Document{Document: oldPolicy}, After: plan.Document{Document: newPolicy}, Added: []string{listStmt}, Removed: []string{readStmt}},
					{Name: "tags", Before: plan.Tags(polBefore.Tags), After: plan.Tags(polAfter.Tags), Added: []string{"team=payments"}},
				},
				Notes: []plan.Note{{Kind: plan.NoteRetireVersion, Count: 5, Names: []string{"v1"}}}},
			{Action: plan.Update, Kind: resource.KindRole, Address: "account/data/role/analytics-reader", Account: "data",
				Role: &plan.Diff[resource.Role]{Before: reader, After: &readerAfter}, Fields: []plan.Field{{Name: "trust", Before: plan.Document{Document: audBefore}, After: plan.Document{Document: audAfter}}}},
			{Action: plan.Update, Kind: resource.KindRole, Address: "account/prod/role/my-role", Account: "prod",
				Role: &plan.Diff[resource.Role]{Before: roleBefore, After: &roleAfter}, Fields: []plan.Field{
					{Name: "trust", Before: plan.Document{Document: oldTrust}, After: plan.Document{Document: newTrust},
						Added: []string{"system:serviceaccount:default:my-service-account @ " + issuerEUW}, Removed: []string{"system:serviceaccount:default:old-worker @ " + issuerUSE}},
					{Name: "description", Before: plan.Text("old description"), After: plan.Text("my-role-description")},
					{Name: "maxSessionDuration", Before: plan.Number(3600), After: plan.Number(7200)},
					{Name: "permissionsBoundary", Before: plan.Text(""), After: plan.Text("arn:aws:iam::111122223333:policy/boundary")},
					{Name: "tags", Before: plan.Tags(roleBefore.Tags), After: plan.Tags(roleAfter.Tags), Added: []string{"env=prod"}, Removed: []string{"env=staging"}},
					{Name: "managedPolicies", Added: []string{"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}, Removed: []string{"arn:aws:iam::aws:policy/AmazonS3FullAccess"}},
					{Name: plan.FieldInlinePolicy, Key: "audit", After: plan.Document{Document: bucketPolicy}, Added: bucketPolicy.Statements()},
					{Name: plan.FieldInlinePolicy, Key: "legacy", Before: plan.Document{Document: oldPolicy}, Removed: oldPolicy.Statements()},
					{Name: plan.FieldInlinePolicy, Key: "read-secrets", Before: plan.Document{Document: oldPolicy}, After: plan.Document{Document: newPolicy}, Added: []string{listStmt}, Removed: []string{readStmt}},
				}},
			{Action: plan.Update, Kind: resource.KindServiceAccount, Address: "cluster/prod-use1/serviceaccount/default/my-service-account", Cluster: "prod-use1",
				ServiceAccount: &plan.Diff[resource.ServiceAccount]{Before: saBefore, After: saAfter}, Adopt: true, Fields: []plan.Field{
					{Name: plan.FieldAnnotation, Key: resource.AnnotationRoleARN, Before: plan.Text("arn:aws:iam::111122223333:role/hand-made"), After: plan.Text(roleARN)},
					{Name: plan.FieldAnnotation, Key: resource.AnnotationSTSRegional, After: plan.Text("true")},
					{Name: plan.FieldAnnotation, Key: resource.OwnerAnnotation, After: plan.Text(owner)},
				}, Notes: []plan.Note{{Kind: plan.NoteRestart}}},
			{Action: plan.Delete, Kind: resource.KindRole, Address: "account/prod/role/retired", Account: "prod", Role: &plan.Diff[resource.Role]{Before: oldRole},
				Notes: []plan.Note{{Kind: plan.NoteDetachesPolicies, Count: 1}}},
		},
		Conflicts: []plan.Problem{},
		Errors:    []plan.Problem{},
		Warnings: []plan.Problem{{Address: "account/prod/policy/my-policy",
			Message: `description differs ("old", "new" in the file), and IAM cannot change a policy's description after creation: it is left as it is`}},
		Pruneable: []plan.Change{
			{Action: plan.Update, Kind: resource.KindServiceAccount, Address: "cluster/prod-euw1/serviceaccount/jobs/nightly", Cluster: "prod-euw1",
				ServiceAccount: &plan.Diff[resource.ServiceAccount]{Before: leftSA, After: &leftSAAfter}, Fields: []plan.Field{
					{Name: plan.FieldAnnotation, Key: resource.AnnotationRoleARN, Before: plan.Text(leftSA.Annotations[resource.AnnotationRoleARN])},
					{Name: plan.FieldAnnotation, Key: resource.OwnerAnnotation, Before: plan.Text(owner)},
				}, Notes: []plan.Note{{Kind: plan.NoteSharedServiceAccount}, {Kind: plan.NoteRestart}}},
		},
		Patterns: []desired.Pattern{},
	})
}

// blockedPlan has nothing to change but conflicts, errors and warnings, and
// objects only --prune would delete.
func blockedPlan() *plan.Plan {
	return &plan.Plan{
		Owner:   owner,
		Changes: []plan.Change{},
		Conflicts: []plan.Problem{
			{Address: "account/prod/role/my-role", Message: `a role of this name exists and irsa-sync did not create it (no irsa-sync/owner tag): set adopt: true on it in the file to manage it from now on, or rename it`},
			{Address: "cluster/prod-use1/serviceaccount/default/my-service-account", Message: "annotated with role arn:aws:iam::111122223333:role/other, which irsa-sync did not set: set adopt: true on this binding to replace it, or bind another service account"},
		},
		Errors:   []plan.Problem{{Address: "account/prod/role/big", Message: "21 managed policies, 1 over the account's AttachedPoliciesPerRoleQuota of 20: merge policies or raise the quota"}},
		Warnings: []plan.Problem{{Address: "account/prod/role/wide", Message: "trusted from 12 namespaces (more than 10): check that one role for all of them is intended; a pattern like team-* | ops_<x> stays literal"}},
		Pruneable: []plan.Change{
			{Action: plan.Delete, Kind: resource.KindPolicy, Address: "account/prod/policy/old-policy", Account: "prod",
				Policy: &plan.Diff[resource.Policy]{Before: &resource.Policy{AccountID: prodID, Name: "old-policy", Path: "/", ARN: resource.PolicyARN("aws", prodID, "/", "old-policy"), Document: bucketPolicy, Tags: ownerTags}}},
			{Action: plan.Delete, Kind: resource.KindServiceAccount, Address: "cluster/prod-use1/serviceaccount/jobs/old", Cluster: "prod-use1",
				ServiceAccount: &plan.Diff[resource.ServiceAccount]{Before: &resource.ServiceAccount{Cluster: "prod-use1", Namespace: "jobs", Name: "old", Annotations: map[string]string{
					resource.AnnotationRoleARN: resource.RoleARN("aws", prodID, "/", "old"), resource.OwnerAnnotation: owner, resource.CreatedAnnotation: "true"}}}},
		},
		Patterns: []desired.Pattern{},
	}
}

// emptyPlan is a file that matches the live state.
func emptyPlan() *plan.Plan {
	return &plan.Plan{Owner: owner, Changes: []plan.Change{}, Conflicts: []plan.Problem{}, Errors: []plan.Problem{},
		Warnings: []plan.Problem{}, Pruneable: []plan.Change{}, Patterns: []desired.Pattern{}}
}

// bigPlan creates n roles, each with several subjects and policies, far
// more than one pull-request comment holds.
func bigPlan(n int) *plan.Plan {
	p := emptyPlan()
	for i := range n {
		name := fmt.Sprintf("role-%04d", i)
		var subs []trust.Subject
		for j := range 3 {
			subs = append(subs, subject(prodID, issuerUSE, fmt.Sprintf("team-%d", j), name))
		}
		p.Changes = append(p.Changes, plan.Change{Action: plan.Create, Kind: resource.KindRole, Address: "account/prod/role/" + name, Account: "prod",
			Role: &plan.Diff[resource.Role]{After: &resource.Role{AccountID: prodID, Name: name, Path: "/", ARN: resource.RoleARN("aws", prodID, "/", name), MaxSessionDuration: 3600,
				Tags: ownerTags, ManagedPolicies: []string{"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}, Trust: trust.ForRole(subs)}}})
	}
	return p
}

// fixtures are the plans the golden files are rendered from.
var fixtures = []struct {
	name string
	plan func() *plan.Plan
}{
	{"create", createPlan},
	{"update", updatePlan},
	{"blocked", blockedPlan},
	{"empty", emptyPlan},
	{"review", reviewPlan},
	{"configmap", configMapPlan},
}
