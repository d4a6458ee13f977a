package e2e

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/sandbox"
)

// fieldsBase sets every field the single-field tests change, each at a
// value the edits below replace exactly.
const fieldsBase = `
apiVersion: irsa-sync/v1
kind: Bindings
owner: team-a
accounts:
  - {name: prod, id: "111122223333"}
clusters:
  - {name: c1, account: prod, region: us-east-1}
policies:
  - name: app-policy
    account: prod
    document:
      Version: "2012-10-17"
      Statement:
        - {Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::bucket-a/*"}
roles:
  - name: app
    account: prod
    description: app role
    maxSessionDuration: 3600
    tags: {team: a, env: prod}
    policies: [app-policy, arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]
    inlinePolicies:
      read-queue:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Action: sqs:ReceiveMessage, Resource: "*"}
    serviceAccounts:
      - {cluster: c1, namespace: apps, name: app}
`

const (
	boundary   = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	appRole    = "update account/prod/role/app"
	appSA      = "update cluster/c1/serviceaccount/apps/app"
	saRegional = "eks.amazonaws.com/sts-regional-endpoints"
)

// TestEachFieldAlone changes one field of an applied file at a time: the
// plan holds exactly that update, apply writes exactly the calls it needs,
// the SDK sees the new value, and the next plan is empty.
func TestEachFieldAlone(t *testing.T) {
	for _, tc := range []struct {
		name string
		// from edits the base into the starting file (optional), to edits
		// the starting file into the changed one.
		from, to []string
		changes  []string
		writes   map[string]int
		check    func(t *testing.T, h *harness)
	}{
		{
			name:    "role description",
			to:      []string{"description: app role", "description: app role, v2"},
			changes: []string{appRole + " [description]"},
			writes:  map[string]int{"iam:UpdateRole": 1},
			check: func(t *testing.T, h *harness) {
				if got := h.role("prod", "app"); got.Description != "app role, v2" || got.MaxSession != 3600 {
					t.Errorf("description %q, max session %d; want %q, 3600", got.Description, got.MaxSession, "app role, v2")
				}
			},
		},
		{
			name:    "maxSessionDuration",
			to:      []string{"maxSessionDuration: 3600", "maxSessionDuration: 7200"},
			changes: []string{appRole + " [maxSessionDuration]"},
			writes:  map[string]int{"iam:UpdateRole": 1},
			check: func(t *testing.T, h *harness) {
				// UpdateRole sets both: the description must survive.
				if got := h.role("prod", "app"); got.MaxSession != 7200 || got.Description != "app role" {
					t.Errorf("max session %d, description %q; want 7200, %q", got.MaxSession, got.Description, "app role")
				}
			},
		},
		{
			name:    "permissionsBoundary set",
			to:      []string{"maxSessionDuration: 3600", "maxSessionDuration: 3600\n    permissionsBoundary: " + boundary},
			changes: []string{appRole + " [permissionsBoundary]"},
			writes:  map[string]int{"iam:PutRolePermissionsBoundary": 1},
			check: func(t *testing.T, h *harness) {
				if got := h.role("prod", "app").Boundary; got != boundary {
					t.Errorf("boundary %q, want %q", got, boundary)
				}
			},
		},
		{
			name:    "permissionsBoundary removed",
			from:    []string{"maxSessionDuration: 3600", "maxSessionDuration: 3600\n    permissionsBoundary: " + boundary},
			to:      []string{"\n    permissionsBoundary: " + boundary, ""},
			changes: []string{appRole + " [permissionsBoundary]"},
			writes:  map[string]int{"iam:DeleteRolePermissionsBoundary": 1},
			check: func(t *testing.T, h *harness) {
				if got := h.role("prod", "app").Boundary; got != "" {
					t.Errorf("boundary %q, want none", got)
				}
			},
		},
		{
			name:    "tag added",
			to:      []string{"tags: {team: a, env: prod}", "tags: {team: a, env: prod, cost: c1}"},
			changes: []string{appRole + " [tags]"},
			writes:  map[string]int{"iam:TagRole": 1},
			check:   wantRoleTags(map[string]string{"irsa-sync/owner": "team-a", "team": "a", "env": "prod", "cost": "c1"}),
		},
		{
			name:    "tag changed",
			to:      []string{"tags: {team: a, env: prod}", "tags: {team: b, env: prod}"},
			changes: []string{appRole + " [tags]"},
			writes:  map[string]int{"iam:TagRole": 1},
			check:   wantRoleTags(map[string]string{"irsa-sync/owner": "team-a", "team": "b", "env": "prod"}),
		},
		{
			name:    "tag removed",
			to:      []string{"tags: {team: a, env: prod}", "tags: {team: a}"},
			changes: []string{appRole + " [tags]"},
			writes:  map[string]int{"iam:UntagRole": 1},
			check:   wantRoleTags(map[string]string{"irsa-sync/owner": "team-a", "team": "a"}),
		},
		{
			name:    "policy attached",
			to:      []string{"AmazonS3ReadOnlyAccess]", "AmazonS3ReadOnlyAccess, arn:aws:iam::aws:policy/AmazonSQSFullAccess]"},
			changes: []string{appRole + " [managedPolicies]"},
			writes:  map[string]int{"iam:AttachRolePolicy": 1},
			check: wantAttached("arn:aws:iam::111122223333:policy/app-policy", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
				"arn:aws:iam::aws:policy/AmazonSQSFullAccess"),
		},
		{
			name:    "policy detached",
			to:      []string{"[app-policy, arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]", "[app-policy]"},
			changes: []string{appRole + " [managedPolicies]"},
			writes:  map[string]int{"iam:DetachRolePolicy": 1},
			check:   wantAttached("arn:aws:iam::111122223333:policy/app-policy"),
		},
		{
			name: "inline policy added",
			to: []string{"    serviceAccounts:", `      write-logs:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Action: logs:PutLogEvents, Resource: "*"}
    serviceAccounts:`},
			changes: []string{appRole + " [inlinePolicies.write-logs]"},
			writes:  map[string]int{"iam:PutRolePolicy": 1},
			check: wantInline(map[string]string{
				"read-queue": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:ReceiveMessage","Resource":"*"}]}`,
				"write-logs": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"*"}]}`,
			}),
		},
		{
			name:    "inline policy changed",
			to:      []string{"Action: sqs:ReceiveMessage", "Action: [sqs:ReceiveMessage, sqs:DeleteMessage]"},
			changes: []string{appRole + " [inlinePolicies.read-queue]"},
			writes:  map[string]int{"iam:PutRolePolicy": 1},
			check: wantInline(map[string]string{
				"read-queue": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:DeleteMessage","sqs:ReceiveMessage"],"Resource":"*"}]}`,
			}),
		},
		{
			name: "inline policy removed",
			to: []string{`    inlinePolicies:
      read-queue:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Action: sqs:ReceiveMessage, Resource: "*"}
`, ""},
			changes: []string{appRole + " [inlinePolicies.read-queue]"},
			writes:  map[string]int{"iam:DeleteRolePolicy": 1},
			check:   wantInline(nil),
		},
		{
			name:    "service account added to the trust",
			to:      []string{"      - {cluster: c1, namespace: apps, name: app}", "      - {cluster: c1, namespace: apps, name: app}\n      - {cluster: c1, namespace: apps, name: worker}"},
			changes: []string{appRole + " [trust]", "create cluster/c1/serviceaccount/apps/worker"},
			writes:  map[string]int{"iam:UpdateAssumeRolePolicy": 1, "k8s:patch serviceaccounts": 1},
			check: func(t *testing.T, h *harness) {
				want := trustOf(statement(prodID, issuerHost(h, "c1"), "StringEquals", "apps:app", "apps:worker"))
				if got := h.role("prod", "app").Trust; !got.Equal(want) {
					t.Errorf("trust:\n%s\nwant:\n%s", got.Pretty(), want.Pretty())
				}
				if sa := h.serviceAccount("c1", "apps", "worker"); sa == nil || sa.Annotations["eks.amazonaws.com/role-arn"] != "arn:aws:iam::111122223333:role/app" {
					t.Errorf("service account apps/worker: %+v, want it annotated with role app", sa)
				}
			},
		},
		{
			name:    "policy document changed",
			to:      []string{"Action: s3:GetObject", "Action: [s3:GetObject, s3:PutObject]"},
			changes: []string{"update account/prod/policy/app-policy [document]"},
			writes:  map[string]int{"iam:CreatePolicyVersion": 1},
			check: func(t *testing.T, h *harness) {
				got := h.policyAt("prod", "arn:aws:iam::111122223333:policy/app-policy")
				want := policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::bucket-a/*"}]}`)
				if got.Default != "v2" || !got.Document.Equal(want) {
					t.Errorf("default %s %s, want v2 %s", got.Default, got.Document, want)
				}
			},
		},
		{
			name:    "stsRegionalEndpoints set",
			to:      []string{"name: app}", "name: app, stsRegionalEndpoints: true}"},
			changes: []string{appSA + " [annotations." + saRegional + "]"},
			writes:  map[string]int{"k8s:patch serviceaccounts": 1},
			check:   wantAnnotation(saRegional, "true"),
		},
		{
			name:    "stsRegionalEndpoints unset",
			from:    []string{"name: app}", "name: app, stsRegionalEndpoints: true}"},
			to:      []string{", stsRegionalEndpoints: true}", "}"},
			changes: []string{appSA + " [annotations." + saRegional + "]"},
			writes:  map[string]int{"k8s:patch serviceaccounts": 1},
			check:   wantAnnotation(saRegional, ""),
		},
		{
			name: "audience set on a binding",
			to:   []string{"name: app}", "name: app, audience: vault}"},
			changes: []string{
				"update account/prod/oidc-provider/" + sandbox.Issuer(prodID, "us-east-1", "c1")[len("https://"):] + " [clientIds]",
				appRole + " [trust]",
				appSA + " [annotations.eks.amazonaws.com/audience]",
			},
			writes: map[string]int{"iam:AddClientIDToOpenIDConnectProvider": 1, "iam:UpdateAssumeRolePolicy": 1, "k8s:patch serviceaccounts": 1},
			check: func(t *testing.T, h *harness) {
				wantAnnotation("eks.amazonaws.com/audience", "vault")(t, h)
				host := issuerHost(h, "c1")
				p := h.providers("prod")["arn:aws:iam::111122223333:oidc-provider/"+host]
				if diff := cmp.Diff([]string{"sts.amazonaws.com", "vault"}, p.ClientIDs); diff != "" {
					t.Errorf("provider client ids (-want +got):\n%s", diff)
				}
				want := policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/` + host +
					`"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"` + host + `:aud":"vault","` + host + `:sub":"system:serviceaccount:apps:app"}}}]}`)
				if got := h.role("prod", "app").Trust; !got.Equal(want) {
					t.Errorf("trust:\n%s\nwant:\n%s", got.Pretty(), want.Pretty())
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, sandbox.Options{})
			start := h.edit(fieldsBase, tc.from...)
			h.use(start).apply(plan.Options{})
			if p := h.plan(plan.Options{}); !p.Empty() {
				t.Fatalf("starting file does not converge: %v", changeLines(p.Changes))
			}
			h.use(h.edit(start, tc.to...))
			h.resetCalls()
			p, _ := h.apply(plan.Options{})
			if diff := cmp.Diff(tc.changes, changeLines(p.Changes)); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.writes, h.writes()); diff != "" {
				t.Errorf("writes (-want +got):\n%s", diff)
			}
			tc.check(t, h)
			if again := h.plan(plan.Options{}); !again.Empty() {
				t.Errorf("plan after apply is not empty: %v", changeLines(again.Changes))
			}
		})
	}
}

func wantRoleTags(want map[string]string) func(*testing.T, *harness) {
	return func(t *testing.T, h *harness) {
		t.Helper()
		if diff := cmp.Diff(want, h.role("prod", "app").Tags); diff != "" {
			t.Errorf("role tags (-want +got):\n%s", diff)
		}
	}
}

func wantAttached(want ...string) func(*testing.T, *harness) {
	return func(t *testing.T, h *harness) {
		t.Helper()
		if diff := cmp.Diff(want, h.role("prod", "app").Attached); diff != "" {
			t.Errorf("attached policies (-want +got):\n%s", diff)
		}
	}
}

func wantInline(docs map[string]string) func(*testing.T, *harness) {
	return func(t *testing.T, h *harness) {
		t.Helper()
		var want map[string]policy.Document
		for name, doc := range docs {
			if want == nil {
				want = map[string]policy.Document{}
			}
			want[name] = policy.MustParse(doc)
		}
		if diff := cmp.Diff(want, h.role("prod", "app").Inline, cmpDocs); diff != "" {
			t.Errorf("inline policies (-want +got):\n%s", diff)
		}
	}
}

// wantAnnotation checks one annotation of apps/app; "" means absent.
func wantAnnotation(key, value string) func(*testing.T, *harness) {
	return func(t *testing.T, h *harness) {
		t.Helper()
		sa := h.serviceAccount("c1", "apps", "app")
		if sa == nil {
			t.Fatal("service account apps/app missing")
		}
		got, ok := sa.Annotations[key]
		if value == "" && ok {
			t.Errorf("annotation %s = %q, want it removed", key, got)
		}
		if value != "" && got != value {
			t.Errorf("annotation %s = %q, want %q", key, got, value)
		}
		if sa.Annotations["eks.amazonaws.com/role-arn"] != "arn:aws:iam::111122223333:role/app" {
			t.Errorf("role-arn annotation %q lost", sa.Annotations["eks.amazonaws.com/role-arn"])
		}
	}
}
