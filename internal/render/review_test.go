package render

import (
	"github.com/irsa-sync/irsa-sync/internal/access"
	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// reviewPlan is the daily change a reviewer reads: one action added to a
// shared policy (which reaches two roles), a new inline policy, a trust
// widened to a pattern of another cluster, and a live trust that lets
// another account's root assume the role.
func reviewPlan() *plan.Plan {
	sharedARN := resource.PolicyARN("aws", prodID, "/", "shared-read")
	oldDoc := policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"arn:aws:s3:::reports"}]}`)
	newDoc := policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket","s3:PutObject"],"Resource":"arn:aws:s3:::reports"}]}`)
	polBefore := &resource.Policy{AccountID: prodID, Name: "shared-read", Path: "/", ARN: sharedARN, Document: oldDoc, Tags: ownerTags}
	polAfter := *polBefore
	polAfter.Document = newDoc

	roleARN := resource.RoleARN("aws", prodID, "/irsa/", "my-role")
	oldTrust := trust.ForRole([]trust.Subject{subject(prodID, issuerUSE, "default", "my-service-account")})
	newTrust := trust.ForRole([]trust.Subject{subject(prodID, issuerUSE, "default", "my-service-account"), subject(prodID, issuerEUW, "batch-*", "*")})
	writeReports := policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::reports/*"}]}`)
	roleBefore := &resource.Role{AccountID: prodID, Name: "my-role", Path: "/irsa/", ARN: roleARN, MaxSessionDuration: 3600, Tags: ownerTags,
		ManagedPolicies: []string{sharedARN}, Trust: oldTrust}
	roleAfter := *roleBefore
	roleAfter.Trust = newTrust
	roleAfter.InlinePolicies = map[string]policy.Document{"write-reports": writeReports}

	foreign := policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole"}]}`)
	_, risks := access.Of(foreign, names().Resolver(roleARN))
	var extra []plan.Risk
	for i := range risks {
		extra = append(extra, plan.Risk{Kind: plan.RiskForeignTrust, Address: "account/prod/role/reporter", AccountID: prodID, Trust: &risks[i]})
	}
	p := withAccess(&plan.Plan{
		Owner: owner,
		Changes: []plan.Change{
			{Action: plan.Update, Kind: resource.KindPolicy, Address: "account/prod/policy/shared-read", Account: "prod",
				Policy: &plan.Diff[resource.Policy]{Before: polBefore, After: &polAfter},
				Fields: []plan.Field{{Name: plan.FieldDocument, Before: plan.Document{Document: oldDoc}, After: plan.Document{Document: newDoc}}}},
			{Action: plan.Update, Kind: resource.KindRole, Address: "account/prod/role/my-role", Account: "prod",
				Role: &plan.Diff[resource.Role]{Before: roleBefore, After: &roleAfter}, Fields: []plan.Field{
					{Name: plan.FieldTrust, Before: plan.Document{Document: oldTrust}, After: plan.Document{Document: newTrust}},
					{Name: plan.FieldInlinePolicy, Key: "write-reports", After: plan.Document{Document: writeReports}},
				}},
		},
		Conflicts: []plan.Problem{}, Errors: []plan.Problem{}, Warnings: []plan.Problem{}, Pruneable: []plan.Change{},
	}, extra...)
	reach := plan.Reach{Address: "account/prod/policy/shared-read", Policy: sharedARN}
	for _, r := range []struct {
		name string
		doc  policy.Document
	}{{"my-role", newTrust}, {"reporter", trust.ForRole([]trust.Subject{subject(prodID, issuerUSE, "reports", "nightly"), subject(prodID, issuerUSE, "reports", "adhoc")})}} {
		arn := resource.RoleARN("aws", prodID, "/irsa/", r.name)
		subs, _ := access.Of(r.doc, p.Names.Resolver(arn))
		reach.Roles = append(reach.Roles, plan.ReachRole{Account: "prod", Role: r.name, ARN: arn, Subjects: subs})
	}
	p.Reach = []plan.Reach{reach}
	return p
}
