package docdiff

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// s3Policy builds a one-statement policy granting actions on a bucket.
func s3Policy(actions ...string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"Reports","Effect":"Allow","Action":["` +
		strings.Join(actions, `","`) + `"],"Resource":"arn:aws:s3:::reports/*"}]}`
}

// trustPolicy builds an IRSA trust policy allowing the given subjects.
func trustPolicy(subjects ...string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/AFC61F"},` +
		`"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{` +
		`"oidc.eks.eu-west-1.amazonaws.com/id/AFC61F:aud":"sts.amazonaws.com",` +
		`"oidc.eks.eu-west-1.amazonaws.com/id/AFC61F:sub":["` + strings.Join(subjects, `","`) + `"]}}}]}`
}

// changes keeps the Insert and Delete lines of a diff.
func changes(lines []Line) []Line {
	var out []Line
	for _, l := range lines {
		if l.Op != Equal {
			out = append(out, l)
		}
	}
	return out
}

// prefixed gives each text the same operation.
func prefixed(op Op, texts ...string) []Line {
	out := make([]Line, len(texts))
	for i, t := range texts {
		out[i] = Line{Op: op, Text: t}
	}
	return out
}

func TestLinesChanges(t *testing.T) {
	t.Parallel()
	const (
		sqsA = `{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:eu-west-1:111122223333:jobs"}`
		snsB = `{"Effect":"Allow","Action":["sns:Publish"],"Resource":"arn:aws:sns:eu-west-1:111122223333:events"}`
		kmsC = `{"Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}`
	)
	doc := func(stmts ...string) string {
		return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
	}
	sub := func(sa string) string { return "system:serviceaccount:reports:" + sa }
	tests := []struct {
		name          string
		before, after string
		want          []Line
	}{
		{
			name:   "action added first",
			before: s3Policy("s3:GetObject", "s3:PutObject"),
			after:  s3Policy("s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"),
			want:   []Line{{Insert, `        "s3:AbortMultipartUpload",`}},
		},
		{
			name:   "action added in the middle",
			before: s3Policy("s3:GetObject", "s3:PutObject"),
			after:  s3Policy("s3:PutObject", "s3:ListBucket", "s3:GetObject"),
			want:   []Line{{Insert, `        "s3:ListBucket",`}},
		},
		{
			name:   "action added last",
			before: s3Policy("s3:GetObject", "s3:PutObject"),
			after:  s3Policy("s3:GetObject", "s3:PutObject", "s3:PutObjectTagging"),
			want:   []Line{{Insert, `        "s3:PutObjectTagging"`}},
		},
		{
			name:   "single action gains a second",
			before: `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
			after:  `{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}]}`,
			want:   []Line{{Insert, `        "s3:PutObject"`}},
		},
		{
			name:   "last resource removed",
			before: doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::a/*","arn:aws:s3:::b/*"]}`),
			after:  doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::a/*"]}`),
			want:   []Line{{Delete, `        "arn:aws:s3:::b/*"`}},
		},
		{
			name:   "first resource removed",
			before: doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::a/*","arn:aws:s3:::b/*"]}`),
			after:  doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b/*"]}`),
			want:   []Line{{Delete, `        "arn:aws:s3:::a/*",`}},
		},
		{
			name:   "condition value changed",
			before: trustPolicy(sub("writer")),
			after:  trustPolicy(sub("reader")),
			want: []Line{
				{Delete, `            "system:serviceaccount:reports:writer"`},
				{Insert, `            "system:serviceaccount:reports:reader"`},
			},
		},
		{
			name:   "trust subject list of five gains one",
			before: trustPolicy(sub("a"), sub("b"), sub("d"), sub("e"), sub("f")),
			after:  trustPolicy(sub("a"), sub("b"), sub("c"), sub("d"), sub("e"), sub("f")),
			want:   []Line{{Insert, `            "system:serviceaccount:reports:c",`}},
		},
		{
			name:   "statements and actions reordered",
			before: doc(sqsA, snsB, `{"Effect":"Allow","Action":["s3:A","s3:B","s3:C"],"Resource":"*"}`),
			after:  doc(`{"Effect":"Allow","Action":["s3:C","s3:A","s3:B"],"Resource":"*"}`, snsB, sqsA),
		},
		{
			name:   "repeated statement is no change",
			before: doc(sqsA),
			after:  doc(sqsA, sqsA),
		},
		{
			name:   "same Sid changed elsewhere in the list",
			before: doc(`{"Sid":"Jobs","Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:eu-west-1:111122223333:jobs"}`, snsB),
			after:  doc(snsB, `{"Sid":"Jobs","Effect":"Allow","Action":"sqs:ReceiveMessage","Resource":"arn:aws:sqs:eu-west-1:111122223333:jobs"}`),
			want: []Line{
				{Delete, `        "sqs:SendMessage"`},
				{Insert, `        "sqs:ReceiveMessage"`},
			},
		},
		{
			name:   "statements without Sid matched by content",
			before: doc(sqsA, snsB),
			after: doc(`{"Effect":"Allow","Action":["sns:Publish"],"Resource":["arn:aws:sns:eu-west-1:111122223333:events","arn:aws:sns:eu-west-1:111122223333:alerts"]}`,
				`{"Effect":"Allow","Action":["sqs:SendMessage","sqs:GetQueueUrl"],"Resource":"arn:aws:sqs:eu-west-1:111122223333:jobs"}`),
			want: []Line{
				{Insert, `        "arn:aws:sns:eu-west-1:111122223333:alerts",`},
				{Insert, `        "sqs:GetQueueUrl",`},
			},
		},
		{
			name:   "unrelated statement replaced whole",
			before: doc(sqsA, kmsC),
			after:  doc(sqsA, snsB),
			want: []Line{
				{Delete, `    {`},
				{Delete, `      "Effect": "Deny",`},
				{Delete, `      "Action": [`},
				{Delete, `        "kms:Decrypt"`},
				{Delete, `      ],`},
				{Delete, `      "Resource": [`},
				{Delete, `        "*"`},
				{Delete, `      ]`},
				{Delete, `    }`},
				{Insert, `    {`},
				{Insert, `      "Effect": "Allow",`},
				{Insert, `      "Action": [`},
				{Insert, `        "sns:Publish"`},
				{Insert, `      ],`},
				{Insert, `      "Resource": [`},
				{Insert, `        "arn:aws:sns:eu-west-1:111122223333:events"`},
				{Insert, `      ]`},
				{Insert, `    }`},
			},
		},
		{
			name:   "one changed action in a one-action statement is paired",
			before: doc(`{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"*"}`),
			after:  doc(`{"Effect":"Allow","Action":"ssm:GetParameters","Resource":"*"}`),
			want: []Line{
				{Delete, `        "ssm:GetParameter"`},
				{Insert, `        "ssm:GetParameters"`},
			},
		},
		{
			name:   "statements sharing only Effect and Resource are not paired",
			before: doc(`{"Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*"}`),
			after:  doc(`{"Effect":"Allow","Action":["ssm:GetParameter","ssm:GetParameters"],"Resource":"*"}`),
			want: append(
				prefixed(Delete, "    {", `      "Effect": "Allow",`, `      "Action": [`, `        "kms:Decrypt",`, `        "kms:Encrypt"`,
					`      ],`, `      "Resource": [`, `        "*"`, `      ]`, `    }`),
				prefixed(Insert, "    {", `      "Effect": "Allow",`, `      "Action": [`, `        "ssm:GetParameter",`, `        "ssm:GetParameters"`,
					`      ],`, `      "Resource": [`, `        "*"`, `      ]`, `    }`)...),
		},
		{
			name:   "identical statement pairs before a similar one",
			before: doc(sqsA),
			after:  doc(`{"Effect":"Allow","Action":["sqs:SendMessage","sqs:GetQueueUrl"],"Resource":"arn:aws:sqs:eu-west-1:111122223333:jobs"}`, sqsA),
			want: prefixed(Insert, "    {", `      "Effect": "Allow",`, `      "Action": [`, `        "sqs:GetQueueUrl",`, `        "sqs:SendMessage"`,
				`      ],`, `      "Resource": [`, `        "arn:aws:sqs:eu-west-1:111122223333:jobs"`, `      ]`, `    },`),
		},
		{
			name:   "URL-encoded as IAM returns it",
			before: "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D",
			after:  `{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:GetObjectTagging"],"Resource":"*"}]}`,
			want:   []Line{{Insert, `        "s3:GetObjectTagging"`}},
		},
		{
			name:   "version changed",
			before: `{"Version":"2008-10-17","Statement":[` + kmsC + `]}`,
			after:  `{"Version":"2012-10-17","Statement":[` + kmsC + `]}`,
			want: []Line{
				{Delete, `  "Version": "2008-10-17",`},
				{Insert, `  "Version": "2012-10-17",`},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Lines([]byte(tt.before), []byte(tt.after))
			if err != nil {
				t.Fatalf("Lines: %v", err)
			}
			if diff := cmp.Diff(tt.want, changes(got)); diff != "" {
				t.Errorf("changed lines (-want +got):\n%s\nfull diff:\n%s", diff, Unified(got, 100))
			}
			if HasChanges(got) != (len(tt.want) > 0) {
				t.Errorf("HasChanges = %v, want %v", HasChanges(got), len(tt.want) > 0)
			}
		})
	}
}

func TestLinesCreateAndDelete(t *testing.T) {
	t.Parallel()
	doc := trustPolicy("system:serviceaccount:reports:writer")
	pretty, err := Pretty([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	var want []Line
	for _, l := range strings.Split(strings.TrimSuffix(pretty, "\n"), "\n") {
		want = append(want, Line{Op: Insert, Text: l})
	}
	tests := []struct {
		name          string
		before, after string
		op            Op
	}{
		{"create from empty", "", doc, Insert},
		{"create from null", "null", doc, Insert},
		{"delete to empty", doc, "  ", Delete},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Lines([]byte(tt.before), []byte(tt.after))
			if err != nil {
				t.Fatalf("Lines: %v", err)
			}
			w := make([]Line, len(want))
			for i, l := range want {
				w[i] = Line{Op: tt.op, Text: l.Text}
			}
			if diff := cmp.Diff(w, got); diff != "" {
				t.Errorf("Lines (-want +got):\n%s", diff)
			}
		})
	}
	if got, err := Lines(nil, nil); err != nil || len(got) != 0 {
		t.Errorf("Lines(nil, nil) = %v, %v; want no lines", got, err)
	}
}

func TestLinesErrors(t *testing.T) {
	t.Parallel()
	valid := s3Policy("s3:GetObject")
	tests := []struct {
		name, before, after, wantErr string
	}{
		{"old not JSON", `{"Statement":`, valid, "old policy document: policy document is not valid JSON"},
		{"new not JSON", valid, `{"Statement":[}`, "new policy document: policy document is not valid JSON"},
		{"not an object", valid, `["x"]`, "new policy document: policy document must be a JSON object"},
		{"action not a string", valid, `{"Statement":[{"Effect":"Allow","Action":[1],"Resource":"*"}]}`, "new policy document: Statement[0]: Action"},
		{"bad URL encoding", "%zz", valid, "old policy document: policy document is neither JSON nor URL-encoded JSON"},
		{"data after the object", valid, valid + "{}", "new policy document: policy document has data after the JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Lines([]byte(tt.before), []byte(tt.after))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Lines error = %v, want one containing %q", err, tt.wantErr)
			}
			if got != nil {
				t.Errorf("Lines returned lines with an error: %v", got)
			}
		})
	}
}
