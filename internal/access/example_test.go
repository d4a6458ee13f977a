package access_test

import (
	"fmt"

	"github.com/irsa-sync/irsa-sync/internal/access"
	"github.com/irsa-sync/irsa-sync/internal/policy"
)

// A live trust with the statement irsa-sync generates and one it never
// does: another account's root.
func ExampleOf() {
	const issuer = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"
	doc := policy.MustParse(`{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/` + issuer + `"},
	   "Action":"sts:AssumeRoleWithWebIdentity",
	   "Condition":{"StringEquals":{"` + issuer + `:sub":"system:serviceaccount:web:api","` + issuer + `:aud":"sts.amazonaws.com"}}},
	  {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole"}]}`)
	subjects, risks := access.Of(doc, access.Resolver{
		Clusters: map[string]string{issuer: "blue"},
		Accounts: map[string]string{"111122223333": "prod"},
	})
	for _, s := range subjects {
		fmt.Println(s)
	}
	for _, r := range risks {
		fmt.Println("!", r.Words())
	}
	// Output:
	// account 999988887777 (any principal it permits)
	// blue/web/api
	// ! statement 0 trusts account 999988887777: any principal of that account that its own policies allow sts:AssumeRole can assume the role
}
