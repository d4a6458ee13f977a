package docdiff

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPretty(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc, want string
	}{
		{
			name: "reviewer key order, lists sorted, one value per line",
			doc: `{"Statement":{"Resource":"arn:aws:s3:::b/*","Condition":{"StringLike":{"s3:prefix":["b/","a/"]},"Bool":{"aws:SecureTransport":true}},` +
				`"Action":["s3:PutObject","s3:GetObject","s3:GetObject"],"Effect":"Allow","Sid":"Rw","Zeta":1.50,"Alpha":null},"Id":"p","Version":"2012-10-17"}`,
			want: `{
  "Version": "2012-10-17",
  "Id": "p",
  "Statement": [
    {
      "Sid": "Rw",
      "Effect": "Allow",
      "Action": [
        "s3:GetObject",
        "s3:PutObject"
      ],
      "Resource": [
        "arn:aws:s3:::b/*"
      ],
      "Condition": {
        "Bool": {
          "aws:SecureTransport": [
            true
          ]
        },
        "StringLike": {
          "s3:prefix": [
            "a/",
            "b/"
          ]
        }
      },
      "Alpha": null,
      "Zeta": 1.50
    }
  ]
}
`,
		},
		{
			name: "principals as written, statements in author order without repeats",
			doc: `{"Statement":[{"Effect":"Deny","Principal":"*","NotAction":"iam:*","NotResource":[]},` +
				`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"},` +
				`{"Effect":"Deny","Principal":{"AWS":["*"]},"NotAction":["iam:*"],"NotResource":[]}],"Comment":{"b":[2,1],"a":{}}}`,
			want: `{
  "Statement": [
    {
      "Effect": "Deny",
      "Principal": "*",
      "NotAction": [
        "iam:*"
      ],
      "NotResource": []
    },
    {
      "Effect": "Allow",
      "Principal": {
        "AWS": [
          "111122223333"
        ]
      },
      "Action": [
        "sts:AssumeRole"
      ]
    },
    {
      "Effect": "Deny",
      "Principal": {
        "AWS": [
          "*"
        ]
      },
      "NotAction": [
        "iam:*"
      ],
      "NotResource": []
    }
  ],
  "Comment": {
    "a": {},
    "b": [
      2,
      1
    ]
  }
}
`,
		},
		{
			name: "ARN characters are not escaped",
			doc:  `{"Statement":[],"Version":"2012-10-17","Id":"a&b<c>"}`,
			want: "{\n  \"Version\": \"2012-10-17\",\n  \"Id\": \"a&b<c>\",\n  \"Statement\": []\n}\n",
		},
		{"no statement", `{"Version":"2012-10-17"}`, "{\n  \"Version\": \"2012-10-17\"\n}\n"},
		{"empty", "", ""},
		{"null", " null\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Pretty([]byte(tt.doc))
			if err != nil {
				t.Fatalf("Pretty: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Pretty (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPrettyErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, doc, wantErr string }{
		{"not JSON", `{"Statement":[`, "not valid JSON"},
		{"statement not an object", `{"Statement":["x"]}`, "Statement[0] must be an object, not a string"},
		{"principal string", `{"Statement":[{"Effect":"Allow","Principal":"me","Action":"a:A"}]}`, `Principal: a string principal must be "*"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Pretty([]byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Pretty error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
