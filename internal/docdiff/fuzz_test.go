package docdiff

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/irsa-sync/irsa-sync/internal/policy"
)

// FuzzLines checks, on any pair of inputs, that Lines does not panic, fails
// exactly when one input is not a policy, and that its two sides are the two
// documents: Insert and Equal lines are Pretty(after) byte for byte, and
// Delete and Equal lines (statements in display order) mean the same policy
// as before.
func FuzzLines(f *testing.F) {
	seeds := []string{
		"",
		"null",
		s3Policy("s3:GetObject"),
		s3Policy("s3:GetObject", "s3:PutObject"),
		s3Policy("s3:PutObject", "s3:DeleteObject", "s3:GetObject"),
		trustPolicy("system:serviceaccount:a:b"),
		trustPolicy("system:serviceaccount:a:b", "system:serviceaccount:a:c"),
		`{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`,
		`{"Version":"2012-10-17","Id":"x","Statement":[],"Extra":[1,{"a":true}]}`,
		`{"Statement":[{"Sid":"A","Effect":"Allow","Action":"a:A","Resource":"*"},{"Effect":"Deny","NotAction":["b:B"],"NotResource":"*"}]}`,
		`{"Statement":[{"Effect":"Allow","Action":"a:A","Resource":"*","Condition":{"NumericLessThan":{"k":[1.5,2]}}}]}`,
		"%7B%22Statement%22%3A%5B%5D%7D",
		`{"Statement":[1]}`,
		`{"Statement":`,
	}
	for _, a := range seeds {
		for _, b := range seeds {
			f.Add([]byte(a), []byte(b))
		}
	}
	f.Fuzz(func(t *testing.T, before, after []byte) {
		got, err := Lines(before, after)
		prettyBefore, errBefore := Pretty(before)
		prettyAfter, errAfter := Pretty(after)
		if (err != nil) != (errBefore != nil || errAfter != nil) {
			t.Fatalf("Lines error %v, but Pretty errors %v and %v", err, errBefore, errAfter)
		}
		if err != nil {
			return
		}
		var newSide, oldSide []string
		for _, l := range got {
			if l.Op != Delete {
				newSide = append(newSide, l.Text)
			}
			if l.Op != Insert {
				oldSide = append(oldSide, strings.TrimSuffix(l.Text, ","))
			}
		}
		if diff := cmp.Diff(prettyAfter, join(newSide)); diff != "" {
			t.Fatalf("Insert and Equal lines are not Pretty(after) (-want +got):\n%s", diff)
		}
		oldText := join(withCommas(oldSide))
		if (oldText == "") != (prettyBefore == "") {
			t.Fatalf("Delete and Equal lines %q, but Pretty(before) %q", oldText, prettyBefore)
		}
		if oldText != "" {
			shown, err := policy.Parse([]byte(oldText))
			if err != nil {
				t.Fatalf("Delete and Equal lines are not a policy: %v\n%s", err, oldText)
			}
			want, _ := policy.Parse(before)
			if !shown.Equal(want) {
				t.Fatalf("Delete and Equal lines mean another policy:\n%s\nwant %s", shown, want)
			}
		}
		if twice, err := Pretty([]byte(prettyAfter)); err != nil || twice != prettyAfter {
			t.Fatalf("Pretty is not stable: Pretty(Pretty(after)) = %q, %v; want %q", twice, err, prettyAfter)
		}
		again, _ := Lines(before, after)
		if diff := cmp.Diff(got, again); diff != "" {
			t.Fatalf("second run differs (-first +second):\n%s", diff)
		}
		if same, _ := Lines(before, before); HasChanges(same) {
			t.Fatalf("a document diffed with itself has changes:\n%s", Unified(same, 0))
		}
		for c := range 3 {
			_ = Unified(got, c)
		}
	})
}
