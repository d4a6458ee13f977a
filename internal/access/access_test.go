package access

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/policy"
)

const (
	issuerBlue  = "oidc.eks.eu-west-1.amazonaws.com/id/AAAA0000AAAA0000AAAA0000AAAA0000"
	issuerGreen = "oidc.eks.eu-west-1.amazonaws.com/id/BBBB1111BBBB1111BBBB1111BBBB1111"
	prodID      = "111122223333"
	toolsID     = "444455556666"
	blueARN     = "arn:aws:eks:eu-west-1:" + prodID + ":cluster/blue-eks"
	ciRole      = "arn:aws:iam::" + toolsID + ":role/ci"
)

var names = Resolver{
	Clusters:    map[string]string{issuerBlue: "blue"},
	ClusterARNs: map[string]string{blueARN: "blue"},
	Accounts:    map[string]string{prodID: "prod", toolsID: "tools"},
	Roles:       map[string]string{ciRole: "ci"},
}

func provider(issuer string) string {
	return "arn:aws:iam::" + prodID + ":oidc-provider/" + issuer
}

// doc builds a trust from statement JSON texts.
func doc(t testing.TB, statements ...string) policy.Document {
	t.Helper()
	d, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`))
	if err != nil {
		t.Fatalf("bad fixture: %v", err)
	}
	return d
}

// web is an IRSA statement for issuer with the given condition JSON.
func web(issuer, action, cond string) string {
	s := `{"Effect":"Allow","Principal":{"Federated":"` + provider(issuer) + `"},"Action":"` + action + `"`
	if cond != "" {
		s += `,"Condition":` + cond
	}
	return s + "}"
}

func exact(issuer, sub string) string {
	return `{"StringEquals":{"` + issuer + `:sub":` + sub + `,"` + issuer + `:aud":"sts.amazonaws.com"}}`
}

func like(issuer, sub string) string {
	return `{"StringLike":{"` + issuer + `:sub":` + sub + `},"StringEquals":{"` + issuer + `:aud":"sts.amazonaws.com"}}`
}

const webAction = "sts:AssumeRoleWithWebIdentity"

func pods(cond string) string {
	s := `{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]`
	if cond != "" {
		s += `,"Condition":` + cond
	}
	return s + "}"
}

func aws(principal string) string {
	return `{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"sts:AssumeRole"}`
}

func sa(cluster, ns, name string) Subject {
	return Subject{Path: IRSA, Cluster: cluster, Account: "prod", Namespace: ns, ServiceAccount: name, Audience: "sts.amazonaws.com"}
}

func pattern(s Subject) Subject { s.Pattern = true; return s }

func pod(cluster, account, ns, name string, pat bool) Subject {
	return Subject{Path: PodIdentity, Cluster: cluster, Account: account, Namespace: ns, ServiceAccount: name, Pattern: pat}
}

func TestOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		doc   policy.Document
		want  []Subject
		risks []Risk
	}{
		{name: "empty trust admits nobody", doc: policy.Document{}},
		{
			name: "the AWS guide's exact subject",
			doc:  doc(t, web(issuerBlue, webAction, exact(issuerBlue, `"system:serviceaccount:default:app"`))),
			want: []Subject{sa("blue", "default", "app")},
		},
		{
			name: "a list of subs admits any of them",
			doc:  doc(t, web(issuerBlue, webAction, exact(issuerBlue, `["system:serviceaccount:a:x","system:serviceaccount:b:y"]`))),
			want: []Subject{sa("blue", "a", "x"), sa("blue", "b", "y")},
		},
		{
			name: "a name pattern in a named namespace has no risk",
			doc:  doc(t, web(issuerBlue, webAction, like(issuerBlue, `"system:serviceaccount:batch:job-*"`))),
			want: []Subject{pattern(sa("blue", "batch", "job-*"))},
		},
		{
			name: "a star under StringEquals is a literal, no pattern",
			doc:  doc(t, web(issuerBlue, webAction, exact(issuerBlue, `"system:serviceaccount:batch:*"`))),
			want: []Subject{sa("blue", "batch", "*")},
		},
		{
			name:  "no sub condition admits every service account",
			doc:   doc(t, web(issuerBlue, webAction, `{"StringEquals":{"`+issuerBlue+`:aud":"sts.amazonaws.com"}}`)),
			want:  []Subject{pattern(sa("blue", "*", "*"))},
			risks: []Risk{{Kind: RiskNoSubject, Detail: "blue"}},
		},
		{
			name:  "namespace wildcard",
			doc:   doc(t, web(issuerBlue, webAction, like(issuerBlue, `"system:serviceaccount:*:reader"`))),
			want:  []Subject{pattern(sa("blue", "*", "reader"))},
			risks: []Risk{{Kind: RiskNamespaceWildcard, Detail: "system:serviceaccount:*:reader"}},
		},
		{
			name:  "a pattern matching everything",
			doc:   doc(t, web(issuerBlue, webAction, like(issuerBlue, `"system:serviceaccount:*"`))),
			want:  []Subject{pattern(sa("blue", "*", "*"))},
			risks: []Risk{{Kind: RiskMatchesEverything, Detail: "system:serviceaccount:*"}},
		},
		{
			name:  "a pattern spanning the colon admits any name in the namespaces",
			doc:   doc(t, web(issuerBlue, webAction, like(issuerBlue, `"system:serviceaccount:team-*"`))),
			want:  []Subject{pattern(sa("blue", "team-*", "*"))},
			risks: []Risk{{Kind: RiskNamespaceWildcard, Detail: "system:serviceaccount:team-*"}},
		},
		{
			name:  "no audience checked",
			doc:   doc(t, web(issuerBlue, webAction, `{"StringEquals":{"`+issuerBlue+`:sub":"system:serviceaccount:a:b"}}`)),
			want:  []Subject{{Path: IRSA, Cluster: "blue", Account: "prod", Namespace: "a", ServiceAccount: "b"}},
			risks: []Risk{{Kind: RiskNoAudience, Detail: "blue"}},
		},
		{
			name: "two clusters of one account, only one in the file",
			doc: doc(t,
				web(issuerBlue, webAction, exact(issuerBlue, `"system:serviceaccount:a:x"`)),
				web(issuerGreen, webAction, exact(issuerGreen, `"system:serviceaccount:a:x"`))),
			want:  []Subject{sa("blue", "a", "x"), sa(issuerGreen, "a", "x")},
			risks: []Risk{{Kind: RiskUnknownCluster, Statement: 1, Detail: issuerGreen}},
		},
		{
			name: "a wildcard action admits web identity too",
			doc:  doc(t, web(issuerBlue, "sts:*", exact(issuerBlue, `"system:serviceaccount:a:x"`))),
			want: []Subject{sa("blue", "a", "x")},
		},
		{
			name:  "a provider with another action admits nobody",
			doc:   doc(t, web(issuerBlue, "sts:AssumeRole", exact(issuerBlue, `"system:serviceaccount:a:x"`))),
			risks: []Risk{{Kind: RiskUnsupported, Detail: "Federated " + provider(issuerBlue) + " without sts:AssumeRoleWithWebIdentity"}},
		},
		{
			name: "an operator not evaluated counts as absent",
			doc:  doc(t, web(issuerBlue, webAction, `{"StringNotEquals":{"`+issuerBlue+`:sub":"system:serviceaccount:a:x"},"StringEquals":{"`+issuerBlue+`:aud":"sts.amazonaws.com"}}`)),
			want: []Subject{pattern(sa("blue", "*", "*"))},
			risks: []Risk{
				{Kind: RiskNoSubject, Detail: "blue"},
				{Kind: RiskUnknownCondition, Detail: "StringNotEquals on " + issuerBlue + ":sub"},
			},
		},
		{
			name: "condition key names are case-insensitive",
			doc:  doc(t, web(issuerBlue, webAction, `{"StringEquals":{"`+issuerBlue+`:SUB":"system:serviceaccount:a:x","`+issuerBlue+`:Aud":"sts.amazonaws.com"}}`)),
			want: []Subject{sa("blue", "a", "x")},
		},
		{
			name:  "Pod Identity as the guide's first example: any cluster of any account",
			doc:   doc(t, pods("")),
			want:  []Subject{pod("*", "*", "*", "*", true)},
			risks: []Risk{{Kind: RiskMatchesEverything, Detail: "no kubernetes-namespace or kubernetes-service-account condition"}, {Kind: RiskPodIdentityAnyAccount}},
		},
		{
			name:  "Pod Identity narrowed to an account only",
			doc:   doc(t, pods(`{"StringEquals":{"aws:SourceAccount":"`+prodID+`","aws:RequestTag/kubernetes-namespace":"web","aws:RequestTag/kubernetes-service-account":"api"}}`)),
			want:  []Subject{pod("*", "prod", "web", "api", true)},
			risks: []Risk{{Kind: RiskPodIdentityAnyCluster, Detail: "prod"}},
		},
		{
			name: "Pod Identity narrowed to a cluster, namespace and service account",
			doc:  doc(t, pods(`{"StringEquals":{"aws:SourceAccount":"`+prodID+`","aws:RequestTag/kubernetes-namespace":"web","aws:RequestTag/kubernetes-service-account":"api"},"ArnEquals":{"aws:SourceArn":"`+blueARN+`"}}`)),
			want: []Subject{pod("blue", "prod", "web", "api", false)},
		},
		{
			name: "Pod Identity by cluster name tag and a service account pattern",
			doc:  doc(t, pods(`{"StringEquals":{"aws:SourceAccount":"`+prodID+`","aws:RequestTag/eks-cluster-name":"green-eks","aws:RequestTag/kubernetes-namespace":"web"},"StringLike":{"aws:RequestTag/kubernetes-service-account":"api-*"}}`)),
			want: []Subject{pod("green-eks", "prod", "web", "api-*", true)},
		},
		{
			name: "Pod Identity cluster ARN not in the file is named by its EKS name",
			doc:  doc(t, pods(`{"StringEquals":{"aws:RequestTag/eks-cluster-arn":"arn:aws:eks:us-east-1:`+toolsID+`:cluster/build","aws:RequestTag/kubernetes-namespace":"ci","aws:RequestTag/kubernetes-service-account":"runner"}}`)),
			want: []Subject{pod("build", "tools", "ci", "runner", false)},
		},
		{
			name:  "Pod Identity without a namespace condition",
			doc:   doc(t, pods(`{"StringEquals":{"aws:SourceArn":"`+blueARN+`","aws:RequestTag/kubernetes-service-account":"api"}}`)),
			want:  []Subject{pod("blue", "prod", "*", "api", true)},
			risks: []Risk{{Kind: RiskNamespaceWildcard, Detail: "no kubernetes-namespace condition"}},
		},
		{
			name: "one statement, two providers: each read with its own keys",
			doc: doc(t, `{"Effect":"Allow","Principal":{"Federated":["`+provider(issuerBlue)+`","`+provider(issuerGreen)+`"]},"Action":"`+webAction+`",`+
				`"Condition":{"StringEquals":{"`+issuerBlue+`:sub":"system:serviceaccount:a:x","`+issuerBlue+`:aud":"sts.amazonaws.com","`+issuerGreen+`:sub":"system:serviceaccount:b:y","`+issuerGreen+`:aud":"sts.amazonaws.com"}}}`),
			want:  []Subject{sa("blue", "a", "x"), sa(issuerGreen, "b", "y")},
			risks: []Risk{{Kind: RiskUnknownCluster, Detail: issuerGreen}},
		},
		{
			name: "Pod Identity with two namespaces admits the service account in each",
			doc:  doc(t, pods(`{"StringEquals":{"aws:SourceArn":"`+blueARN+`","aws:RequestTag/kubernetes-namespace":["web","api"],"aws:RequestTag/kubernetes-service-account":"app"}}`)),
			want: []Subject{pod("blue", "prod", "api", "app", false), pod("blue", "prod", "web", "app", false)},
		},
		{
			name:  "the Pod Identity service without sts:AssumeRole admits nobody",
			doc:   doc(t, `{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":"sts:TagSession"}`),
			risks: []Risk{{Kind: RiskUnsupported, Detail: "Service principal pods.eks.amazonaws.com with actions sts:TagSession"}},
		},
		{
			name: "a chained role of the file",
			doc:  doc(t, aws(ciRole)),
			want: []Subject{{Path: Chain, Account: "tools", Principal: ciRole, Name: "ci"}},
		},
		{
			name:  "a chained role the file does not declare",
			doc:   doc(t, aws("arn:aws:iam::"+toolsID+":role/stranger")),
			want:  []Subject{{Path: Chain, Account: "tools", Principal: "arn:aws:iam::" + toolsID + ":role/stranger"}},
			risks: []Risk{{Kind: RiskUnknownRole, Detail: "arn:aws:iam::" + toolsID + ":role/stranger"}},
		},
		{
			name:  "another account's root",
			doc:   doc(t, aws("arn:aws:iam::999988887777:root")),
			want:  []Subject{{Path: Other, Account: "999988887777", Principal: "arn:aws:iam::999988887777:root"}},
			risks: []Risk{{Kind: RiskAccountRoot, Detail: "999988887777"}},
		},
		{
			name:  "a bare account id is that account's root",
			doc:   doc(t, aws(toolsID)),
			want:  []Subject{{Path: Other, Account: "tools", Principal: "arn:aws:iam::" + toolsID + ":root"}},
			risks: []Risk{{Kind: RiskAccountRoot, Detail: "tools"}},
		},
		{
			name:  "anyone",
			doc:   doc(t, `{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}`),
			want:  []Subject{{Path: Other, Account: "*", Principal: "*"}},
			risks: []Risk{{Kind: RiskAnyone, Detail: `Principal "*"`}},
		},
		{
			name:  "NotPrincipal with Allow is anyone",
			doc:   doc(t, `{"Effect":"Allow","NotPrincipal":{"AWS":"`+ciRole+`"},"Action":"sts:AssumeRole"}`),
			want:  []Subject{{Path: Other, Account: "*", Principal: "*"}},
			risks: []Risk{{Kind: RiskAnyone, Detail: "Allow with NotPrincipal"}},
		},
		{
			name:  "another service",
			doc:   doc(t, `{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`),
			want:  []Subject{{Path: Other, Principal: "ec2.amazonaws.com"}},
			risks: []Risk{{Kind: RiskOtherPrincipal, Detail: "service ec2.amazonaws.com"}},
		},
		{
			name:  "a SAML provider",
			doc:   doc(t, `{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::`+prodID+`:saml-provider/corp"},"Action":"sts:AssumeRoleWithSAML"}`),
			want:  []Subject{{Path: Other, Principal: "arn:aws:iam::" + prodID + ":saml-provider/corp"}},
			risks: []Risk{{Kind: RiskOtherPrincipal, Detail: "arn:aws:iam::" + prodID + ":saml-provider/corp"}},
		},
		{
			name:  "NotAction",
			doc:   doc(t, `{"Effect":"Allow","Principal":{"AWS":"`+ciRole+`"},"NotAction":"s3:*"}`),
			risks: []Risk{{Kind: RiskUnsupported, Detail: "NotAction"}},
		},
		{
			name: "a Deny is noted, the Allow still read",
			doc: doc(t,
				web(issuerBlue, webAction, exact(issuerBlue, `"system:serviceaccount:a:x"`)),
				`{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}`),
			want:  []Subject{sa("blue", "a", "x")},
			risks: []Risk{{Kind: RiskHasDeny, Statement: 0}}, // statements sort by content: Deny first
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, risks := Of(tt.doc, names)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("subjects mismatch (-want +got):\n%s\n%s", diff, tt.doc.Pretty())
			}
			if diff := cmp.Diff(tt.risks, risks); diff != "" {
				t.Errorf("risks mismatch (-want +got):\n%s\n%s", diff, tt.doc.Pretty())
			}
			for _, r := range risks {
				if w := r.Words(); w == "" || strings.Contains(w, "risk(") {
					t.Errorf("risk %+v has no words: %q", r, w)
				}
			}
		})
	}
}

func TestOfIsDeterministic(t *testing.T) {
	t.Parallel()
	d := doc(t,
		web(issuerGreen, webAction, like(issuerGreen, `["system:serviceaccount:b:*","system:serviceaccount:a:x"]`)),
		web(issuerBlue, webAction, exact(issuerBlue, `["system:serviceaccount:z:y","system:serviceaccount:a:x"]`)),
		pods(`{"StringEquals":{"aws:RequestTag/kubernetes-namespace":["n2","n1"]}}`),
		aws("arn:aws:iam::999988887777:root"), aws(ciRole))
	s1, r1 := Of(d, names)
	for range 5 {
		s2, r2 := Of(d, names)
		if diff := cmp.Diff(s1, s2); diff != "" {
			t.Fatalf("Of differs between runs:\n%s", diff)
		}
		if diff := cmp.Diff(r1, r2); diff != "" {
			t.Fatalf("risks differ between runs:\n%s", diff)
		}
	}
	for i := 1; i < len(s1); i++ {
		if !lessSubject(s1[i-1], s1[i]) {
			t.Errorf("subjects not sorted or repeated at %d: %v, %v", i, s1[i-1], s1[i])
		}
	}
}

func TestSubjectString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    Subject
		want string
	}{
		{sa("blue", "default", "app"), "blue/default/app"},
		{pattern(sa("blue", "batch", "*")), "blue/batch/* (pattern)"},
		{sa("blue", "batch", "*"), "blue/batch/*"},
		{Subject{Path: IRSA, Cluster: "blue", Namespace: "a", ServiceAccount: "b"}, "blue/a/b for any audience"},
		{Subject{Path: IRSA, Cluster: "blue", Namespace: "a", ServiceAccount: "b", Audience: "vault"}, "blue/a/b for audience vault"},
		{Subject{Path: IRSA, Cluster: "blue", ServiceAccount: `odd"sub`, Audience: "sts.amazonaws.com"}, `blue/(token subject "odd\"sub")`},
		{pod("blue", "prod", "web", "api", false), "blue/web/api via Pod Identity"},
		{pod("*", "prod", "web", "api", true), "*/web/api via Pod Identity in account prod (pattern)"},
		{Subject{Path: Chain, Principal: ciRole, Name: "ci"}, "role ci via chaining"},
		{Subject{Path: Chain, Principal: ciRole}, "role " + ciRole + " via chaining"},
		{Subject{Path: Other, Principal: "*"}, "anyone (*)"},
		{Subject{Path: Other, Principal: "arn:aws:iam::999988887777:root", Account: "999988887777"}, "account 999988887777 (any principal it permits)"},
		{Subject{Path: Other, Principal: "ec2.amazonaws.com"}, "ec2.amazonaws.com"},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.s, got, tt.want)
		}
	}
}

func TestRiskKindsHaveNamesAndWords(t *testing.T) {
	t.Parallel()
	for k := RiskAnyone; k <= RiskHasDeny; k++ {
		if strings.HasPrefix(k.String(), "risk(") {
			t.Errorf("risk kind %d has no name", k)
		}
		if w := (Risk{Kind: k, Detail: "x"}).Words(); strings.HasPrefix(w, "statement 0: "+k.String()) {
			t.Errorf("risk kind %s has no words of its own: %q", k, w)
		}
	}
	if !RiskAnyone.Critical() || !RiskAccountRoot.Critical() || RiskNoAudience.Critical() {
		t.Error("Critical marks the wrong kinds")
	}
}
