package e2e

import (
	"fmt"
	"testing"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

// statement is one IRSA trust statement as the AWS guide writes it, with the
// sub condition under op (StringEquals or StringLike).
func statement(account, host, op string, subs ...string) string {
	sub := ""
	for i, s := range subs {
		if i > 0 {
			sub += ","
		}
		sub += fmt.Sprintf("%q", "system:serviceaccount:"+s)
	}
	aud := fmt.Sprintf(`"%s:aud":"sts.amazonaws.com"`, host)
	cond := fmt.Sprintf(`"StringEquals":{%s,"%s:sub":[%s]}`, aud, host, sub)
	if op == "StringLike" {
		cond = fmt.Sprintf(`"StringEquals":{%s},"StringLike":{"%s:sub":[%s]}`, aud, host, sub)
	}
	return fmt.Sprintf(`{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::%s:oidc-provider/%s"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{%s}}`, account, host, cond)
}

func trustOf(statements ...string) policy.Document {
	doc := `{"Version":"2012-10-17","Statement":[`
	for i, s := range statements {
		if i > 0 {
			doc += ","
		}
		doc += s
	}
	return policy.MustParse(doc + "]}")
}

// myRoleTrust is the example's my-role trust: exact and wildcard subjects of
// prod-use1 in one StringLike statement, prod-euw1 exact in another.
func myRoleTrust(use1 string) policy.Document {
	return trustOf(
		statement(prodID, use1, "StringLike", "default:my-service-account", "batch:*"),
		statement(prodID, euw1, "StringEquals", "default:my-service-account"),
	)
}

// analyticsReaderTrust names the data account's provider for prod's cluster.
func analyticsReaderTrust(use1 string) policy.Document {
	return trustOf(statement(dataID, use1, "StringEquals", "analytics:reader"))
}

// twoClusters binds one cross-account role to clusters of two accounts and
// one same-account role to two clusters, with a mix of exact and wildcard
// subjects.
const twoClusters = `
apiVersion: irsa-sync/v1
kind: Bindings
owner: team-a
accounts:
  - {name: prod, id: "111122223333"}
  - {name: data, id: "444455556666", assumeRoleArn: "arn:aws:iam::444455556666:role/irsa-sync"}
clusters:
  - {name: east, account: prod, region: us-east-1}
  - {name: west, account: data, region: us-west-2}
roles:
  - name: shared
    account: data
    serviceAccounts:
      - {cluster: east, namespace: jobs, name: runner}
      - {cluster: east, namespace: jobs, name: helper}
      - {cluster: west, namespace: jobs, name: runner}
  - name: mixed
    account: prod
    serviceAccounts:
      - {cluster: east, namespace: web, name: "frontend-*"}
      - {cluster: east, namespace: web, name: api}
      - {cluster: west, namespace: web, name: "worker-?"}
`

// TestTrustPolicies checks each role's live trust, read back through the
// SDK, against the document the AWS guide would have one write by hand.
func TestTrustPolicies(t *testing.T) {
	ex := newHarness(t, sandbox.Options{}).useFile(example)
	ex.apply(plan.Options{})
	two := newHarness(t, sandbox.Options{}).use(twoClusters)
	two.apply(plan.Options{})
	east, west := issuerHost(two, "east"), issuerHost(two, "west")

	for _, tc := range []struct {
		name          string
		h             *harness
		account, role string
		want          policy.Document
	}{
		{"two clusters, wildcard and exact", ex, "prod", "my-role", myRoleTrust(issuerHost(ex, "prod-use1"))},
		{"cross-account provider", ex, "data", "analytics-reader", analyticsReaderTrust(issuerHost(ex, "prod-use1"))},
		{"cross-account role on clusters of two accounts", two, "data", "shared", trustOf(
			statement(dataID, east, "StringEquals", "jobs:helper", "jobs:runner"),
			statement(dataID, west, "StringEquals", "jobs:runner"),
		)},
		{"patterns in both clusters", two, "prod", "mixed", trustOf(
			statement(prodID, east, "StringLike", "web:api", "web:frontend-*"),
			statement(prodID, west, "StringLike", "web:worker-?"),
		)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.h.role(tc.account, tc.role)
			if r == nil {
				t.Fatalf("role %s missing", tc.role)
			}
			if !r.Trust.Equal(tc.want) {
				t.Errorf("trust of %s:\n%s\nwant:\n%s", tc.role, r.Trust.Pretty(), tc.want.Pretty())
			}
		})
	}

	// Every provider a trust names exists in the role's account: the data
	// account holds one for each cluster issuer, prod one for each too.
	for _, tc := range []struct{ account, id string }{{"prod", prodID}, {"data", dataID}} {
		got := two.providers(tc.account)
		for _, host := range []string{east, west} {
			if _, ok := got["arn:aws:iam::"+tc.id+":oidc-provider/"+host]; !ok {
				t.Errorf("account %s has no OIDC provider for %s; has %v", tc.account, host, got)
			}
		}
	}
}
