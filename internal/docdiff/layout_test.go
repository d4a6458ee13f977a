package docdiff

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLinesLayout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		before, after string
		want          string
	}{
		{
			name: "change inside a Sid statement keeps its neighbours as context",
			before: `{"Version":"2012-10-17","Statement":[` +
				`{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},` +
				`{"Sid":"Write","Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::a/*"}]}`,
			after: `{"Version":"2012-10-17","Statement":[` +
				`{"Sid":"Write","Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"},` +
				`{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
			want: `  {
    "Version": "2012-10-17",
    "Statement": [
      {
        "Sid": "Write",
        "Effect": "Allow",
        "Action": [
          "s3:PutObject"
        ],
        "Resource": [
-         "arn:aws:s3:::a/*"
+         "arn:aws:s3:::b/*"
        ]
      },
      {
        "Sid": "Read",
        "Effect": "Allow",
        "Action": [
          "s3:GetObject"
        ],
        "Resource": [
          "*"
        ]
      }
    ]
  }
`,
		},
		{
			name: "removed statement stays after the one it followed",
			before: `{"Statement":[` +
				`{"Sid":"A","Effect":"Allow","Action":"a:A","Resource":"*"},` +
				`{"Sid":"B","Effect":"Allow","Action":"b:B","Resource":"*"},` +
				`{"Sid":"C","Effect":"Allow","Action":"c:C","Resource":"*"}]}`,
			after: `{"Statement":[` +
				`{"Sid":"A","Effect":"Allow","Action":"a:A","Resource":"*"},` +
				`{"Sid":"C","Effect":"Allow","Action":"c:C","Resource":"*"}]}`,
			want: `  {
    "Statement": [
      {
        "Sid": "A",
        "Effect": "Allow",
        "Action": [
          "a:A"
        ],
        "Resource": [
          "*"
        ]
      },
-     {
-       "Sid": "B",
-       "Effect": "Allow",
-       "Action": [
-         "b:B"
-       ],
-       "Resource": [
-         "*"
-       ]
-     },
      {
        "Sid": "C",
        "Effect": "Allow",
        "Action": [
          "c:C"
        ],
        "Resource": [
          "*"
        ]
      }
    ]
  }
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Lines([]byte(tt.before), []byte(tt.after))
			if err != nil {
				t.Fatalf("Lines: %v", err)
			}
			if diff := cmp.Diff(tt.want, Unified(got, 100)); diff != "" {
				t.Errorf("Unified (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLinesDeterministic(t *testing.T) {
	t.Parallel()
	// Two statements equally similar to the one they replace: the pairing
	// must not depend on map order.
	before := `{"Statement":[{"Effect":"Allow","Action":["a:A","a:B"],"Resource":"*"}]}`
	after := `{"Statement":[{"Effect":"Allow","Action":["a:A","a:B","a:C"],"Resource":"*"},{"Effect":"Allow","Action":["a:A","a:B","a:D"],"Resource":"*"}]}`
	first, err := Lines([]byte(before), []byte(after))
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		again, err := Lines([]byte(before), []byte(after))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(first, again); diff != "" {
			t.Fatalf("second run differs (-first +again):\n%s", diff)
		}
	}
	want := []Line{{Insert, `        "a:C"`}}
	if diff := cmp.Diff(want, changes(first)[:1]); diff != "" {
		t.Errorf("first statement (-want +got):\n%s", diff)
	}
}
