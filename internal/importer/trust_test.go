package importer

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/policy"
)

func TestParseTrust(t *testing.T) {
	t.Parallel()
	const host = "oidc.eks.us-east-1.amazonaws.com/id/A"
	hosts := map[string]string{host: "c1"}
	stmt := func(principal, action, cond string) string {
		return `{"Statement":[{"Effect":"Allow","Principal":` + principal + `,"Action":"` + action + `","Condition":` + cond + `}]}`
	}
	fed := `{"Federated":"arn:aws:iam::111122223333:oidc-provider/` + host + `"}`
	web := "sts:AssumeRoleWithWebIdentity"
	tests := []struct {
		name    string
		doc     string
		want    []subject
		problem string // a part of the only problem, or "" for none
	}{
		{"the guide's exact trust", stmt(fed, web, `{"StringEquals":{"HOST:aud":"sts.amazonaws.com","HOST:sub":"system:serviceaccount:default:app"}}`),
			[]subject{{Cluster: "c1", Namespace: "default", Name: "app"}}, ""},
		{"the guide's wildcard trust", stmt(fed, web, `{"StringLike":{"HOST:aud":"sts.amazonaws.com","HOST:sub":"system:serviceaccount:batch:*"}}`),
			[]subject{{Cluster: "c1", Namespace: "batch", Name: "*"}}, ""},
		{"another audience", stmt(fed, web, `{"StringEquals":{"HOST:aud":"my-aud","HOST:sub":["system:serviceaccount:a:x","system:serviceaccount:b:y"]}}`),
			[]subject{{Cluster: "c1", Namespace: "a", Name: "x", Audience: "my-aud"}, {Cluster: "c1", Namespace: "b", Name: "y", Audience: "my-aud"}}, ""},
		{"sub on both operators", stmt(fed, web, `{"StringEquals":{"HOST:aud":"sts.amazonaws.com","HOST:sub":"system:serviceaccount:a:x"},"StringLike":{"HOST:sub":"system:serviceaccount:a:*"}}`),
			nil, "both StringEquals and StringLike"},
		{"no sub", stmt(fed, web, `{"StringEquals":{"HOST:aud":"sts.amazonaws.com"}}`), nil, "every service account of the cluster"},
		{"no aud", stmt(fed, web, `{"StringEquals":{"HOST:sub":"system:serviceaccount:a:x"}}`), nil, "does not check the token audience"},
		{"another condition", stmt(fed, web, `{"StringEquals":{"HOST:aud":"sts.amazonaws.com","HOST:sub":"system:serviceaccount:a:x","aws:SourceIp":"10.0.0.1"}}`),
			nil, "condition on aws:SourceIp"},
		{"another operator", stmt(fed, web, `{"StringNotEquals":{"HOST:sub":"system:serviceaccount:a:x"}}`), nil, "StringNotEquals condition"},
		{"another principal", stmt(`{"AWS":"arn:aws:iam::111122223333:root"}`, "sts:AssumeRole", `{}`), nil, "names the principal"},
		{"a provider of another account", stmt(`{"Federated":"arn:aws:iam::999999999999:oidc-provider/`+host+`"}`, web, `{"StringEquals":{"HOST:aud":"sts.amazonaws.com","HOST:sub":"system:serviceaccount:a:x"}}`),
			nil, "of another account"},
		{"an unlisted cluster", stmt(`{"Federated":"arn:aws:iam::111122223333:oidc-provider/other/id/B"}`, web, `{"StringEquals":{"other/id/B:aud":"sts.amazonaws.com","other/id/B:sub":"system:serviceaccount:a:x"}}`),
			nil, "not a cluster of the file"},
		{"another action", stmt(fed, "sts:*", `{"StringEquals":{"HOST:aud":"sts.amazonaws.com","HOST:sub":"system:serviceaccount:a:x"}}`), nil, "allows sts:*"},
		{"a pattern under StringEquals", stmt(fed, web, `{"StringEquals":{"HOST:aud":"sts.amazonaws.com","HOST:sub":"system:serviceaccount:a:*"}}`), nil, "match only themselves"},
		{"not a service account", stmt(fed, web, `{"StringEquals":{"HOST:aud":"sts.amazonaws.com","HOST:sub":"user:x"}}`), nil, "not of the form"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := policy.MustParse(strings.ReplaceAll(tt.doc, "HOST", host))
			got := parseTrust(doc, "111122223333", clusterIndex{byHost: hosts})
			if diff := cmp.Diff(tt.want, got.Subjects); diff != "" {
				t.Errorf("subjects (-want +got):\n%s", diff)
			}
			switch {
			case tt.problem == "" && len(got.Problems) > 0:
				t.Errorf("problems %q, want none", got.Problems)
			case tt.problem != "" && (len(got.Problems) != 1 || !strings.Contains(got.Problems[0], tt.problem)):
				t.Errorf("problems %q, want one saying %q", got.Problems, tt.problem)
			}
		})
	}
}
