package docdiff

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, before, after string
		want                []Line
	}{
		{"create", "", "a\nb\n", []Line{{Insert, "a"}, {Insert, "b"}}},
		{"delete", "a\n", "", []Line{{Delete, "a"}}},
		{"one line changes", "[p]\nrole_arn = x\nsource = s\n", "[p]\nrole_arn = y\nsource = s\n",
			[]Line{{Equal, "[p]"}, {Delete, "role_arn = x"}, {Insert, "role_arn = y"}, {Equal, "source = s"}}},
		{"same", "a\n", "a\n", []Line{{Equal, "a"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, Text(tc.before, tc.after)); diff != "" {
				t.Errorf("Text (-want +got):\n%s", diff)
			}
		})
	}
}
