package docdiff

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// parseScript reads a diff written one line per entry as Unified prints it.
func parseScript(s string) []Line {
	var out []Line
	for _, l := range strings.Split(strings.TrimPrefix(s, "\n"), "\n") {
		if l == "" {
			continue
		}
		op := map[byte]Op{'+': Insert, '-': Delete, ' ': Equal}[l[0]]
		out = append(out, Line{Op: op, Text: l[2:]})
	}
	return out
}

func TestUnified(t *testing.T) {
	t.Parallel()
	long := parseScript(`
  {
    "Statement": [
      {
        "Action": [
          "a:1",
          "a:2",
          "a:3",
          "a:4",
+         "a:5",
          "a:6",
          "a:7",
          "a:8",
          "a:9",
          "b:1",
          "b:2",
-         "b:3"
        ]
      }
    ]
  }
`)
	tests := []struct {
		name    string
		lines   []Line
		context int
		want    string
	}{
		{
			name:  "context 2 folds the long runs",
			lines: long, context: 2,
			want: `  ...
          "a:3",
          "a:4",
+         "a:5",
          "a:6",
          "a:7",
          ...
          "b:1",
          "b:2",
-         "b:3"
        ]
      }
  ...
`,
		},
		{
			name:  "a fold never hides one line",
			lines: long, context: 3,
			want: `  ...
          "a:2",
          "a:3",
          "a:4",
+         "a:5",
          "a:6",
          "a:7",
          "a:8",
          "a:9",
          "b:1",
          "b:2",
-         "b:3"
        ]
      }
    ]
  }
`,
		},
		{
			name:  "context 0 shows only changes",
			lines: long, context: -1,
			want: `  ...
+         "a:5",
          ...
-         "b:3"
  ...
`,
		},
		{
			name:    "no changes render as nothing",
			lines:   []Line{{Equal, "{"}, {Equal, "}"}},
			context: 3,
			want:    "",
		},
		{
			name:    "short runs are kept",
			lines:   []Line{{Equal, "{"}, {Insert, `  "Id": "x"`}, {Equal, "}"}},
			context: 0,
			want:    "  {\n+   \"Id\": \"x\"\n  }\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, Unified(tt.lines, tt.context)); diff != "" {
				t.Errorf("Unified (-want +got):\n%s", diff)
			}
		})
	}
}
