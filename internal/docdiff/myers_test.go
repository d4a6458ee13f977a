package docdiff

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// script writes a diff compactly: "=a" for Equal, "+a" for Insert, "-a" for
// Delete.
func script(lines []Line) string {
	var parts []string
	for _, l := range lines {
		parts = append(parts, map[Op]string{Equal: "=", Insert: "+", Delete: "-"}[l.Op]+l.Text)
	}
	return strings.Join(parts, " ")
}

func TestDiffLines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a, b string // lines separated by spaces
		want string
	}{
		{"both empty", "", "", ""},
		{"all inserted", "", "a b", "+a +b"},
		{"all deleted", "a b", "", "-a -b"},
		{"equal", "a b c", "a b c", "=a =b =c"},
		{"insert in the middle", "a c", "a b c", "=a +b =c"},
		{"delete at the start", "a b c", "b c", "-a =b =c"},
		{"replace puts the deletion first", "a b c", "a x c", "=a -b +x =c"},
		{"replace everything", "a b", "x y", "-a -b +x +y"},
		{"move is a delete and an insert", "a b c", "b c a", "-a =b =c +a"},
		{"repeated lines", "} } ]", "} ] } ]", "=} +] =} =]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := script(diffLines(strings.Fields(tt.a), strings.Fields(tt.b)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("diffLines(%q, %q) (-want +got):\n%s", tt.a, tt.b, diff)
			}
		})
	}
}

// TestDiffLinesMinimal checks on random inputs that the script rebuilds both
// sides and is as short as the longest common subsequence allows.
func TestDiffLinesMinimal(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	random := func() []string {
		out := make([]string, rng.IntN(12))
		for i := range out {
			out[i] = string(rune('a' + rng.IntN(4)))
		}
		return out
	}
	for range 2000 {
		a, b := random(), random()
		got := diffLines(a, b)
		var gotA, gotB []string
		changed := 0
		for _, l := range got {
			if l.Op != Insert {
				gotA = append(gotA, l.Text)
			}
			if l.Op != Delete {
				gotB = append(gotB, l.Text)
			}
			if l.Op != Equal {
				changed++
			}
		}
		if !cmp.Equal(a, gotA, cmp.Comparer(equalOrEmpty)) || !cmp.Equal(b, gotB, cmp.Comparer(equalOrEmpty)) {
			t.Fatalf("diffLines(%q, %q) = %s does not rebuild its inputs", a, b, script(got))
		}
		if want := len(a) + len(b) - 2*lcs(a, b); changed != want {
			t.Fatalf("diffLines(%q, %q) = %s has %d changes, want %d", a, b, script(got), changed, want)
		}
	}
}

func equalOrEmpty(x, y []string) bool {
	return len(x) == len(y) && (len(x) == 0 || strings.Join(x, "\n") == strings.Join(y, "\n"))
}

// lcs is the textbook dynamic programme, the reference for minimality.
func lcs(a, b []string) int {
	prev := make([]int, len(b)+1)
	for i := range a {
		cur := make([]int, len(b)+1)
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(prev[j+1], cur[j])
			}
		}
		prev = cur
	}
	return prev[len(b)]
}
