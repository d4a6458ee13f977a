package policy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// equivalenceCase is one file of testdata/equivalence: two documents and
// whether irsa-sync must find them equivalent, different, or refuse one.
// Cases transcribed from hashicorp/awspolicyequivalence's published test
// table keep that table's verdict (tableEquivalent, tableError) beside
// ours; where the two differ, note says which AWS documentation we follow.
type equivalenceCase struct {
	Source          string `json:"source"`
	Policy1         string `json:"policy1"`
	Policy2         string `json:"policy2"`
	TableEquivalent *bool  `json:"tableEquivalent"`
	TableError      *bool  `json:"tableError"`
	Ours            string `json:"ours"` // equivalent, different or error
	Note            string `json:"note"`
}

func (c equivalenceCase) tableVerdict() string {
	switch {
	case c.TableError == nil:
		return ""
	case *c.TableError:
		return "error"
	case *c.TableEquivalent:
		return "equivalent"
	}
	return "different"
}

// TestEquivalenceCorpus runs every case of testdata/equivalence.
func TestEquivalenceCorpus(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/equivalence/*.json")
	if err != nil {
		t.Fatal(err)
	}
	var fromTable, disagree int
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var c equivalenceCase
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if c.Policy2 == "" {
			c.Policy2 = c.Policy1
		}
		if tv := c.tableVerdict(); tv != "" {
			fromTable++
			if tv != c.Ours {
				disagree++
				if c.Note == "" {
					t.Errorf("%s: ours (%s) differs from the table (%s) without a note saying why", file, c.Ours, tv)
				}
			}
		}
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a, errA := Parse([]byte(c.Policy1))
			b, errB := Parse([]byte(c.Policy2))
			got := "error"
			if errA == nil && errB == nil {
				got = "different"
				if a.Equal(b) {
					got = "equivalent"
				}
				if a.Equal(b) != b.Equal(a) {
					t.Errorf("Equal is not symmetric")
				}
			}
			if got != c.Ours {
				t.Errorf("got %s, want %s (errors: %v, %v)\n%s", got, c.Ours, errA, errB, c.Note)
			}
		})
	}
	t.Logf("%d equivalence cases, %d from hashicorp/awspolicyequivalence, %d of those decided otherwise (see each note)", len(files), fromTable, disagree)
	if fromTable < 40 {
		t.Errorf("only %d cases from the awspolicyequivalence table; it has 42", fromTable)
	}
}
