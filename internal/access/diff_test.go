package access

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/policy"
)

func TestDiff(t *testing.T) {
	t.Parallel()
	exactBlue := func(sub string) string { return web(issuerBlue, webAction, exact(issuerBlue, sub)) }
	likeBlue := func(sub string) string { return web(issuerBlue, webAction, like(issuerBlue, sub)) }
	appStar := pattern(sa("blue", "batch", "app-*"))
	tests := []struct {
		name          string
		before, after policy.Document
		want          Change
	}{
		{
			name:   "the same trust written otherwise changes nothing",
			before: doc(t, exactBlue(`"system:serviceaccount:a:x"`)),
			after:  doc(t, exactBlue(`["system:serviceaccount:a:x"]`)),
		},
		{
			name:   "an exact subject added and one removed widen nothing",
			before: doc(t, exactBlue(`["system:serviceaccount:a:x","system:serviceaccount:a:y"]`)),
			after:  doc(t, exactBlue(`["system:serviceaccount:a:x","system:serviceaccount:a:z"]`)),
			want:   Change{Gained: []Subject{sa("blue", "a", "z")}, Lost: []Subject{sa("blue", "a", "y")}},
		},
		{
			name:   "a new pattern",
			before: doc(t, exactBlue(`"system:serviceaccount:a:x"`)),
			after:  doc(t, likeBlue(`["system:serviceaccount:a:x","system:serviceaccount:batch:app-*"]`)),
			want: Change{
				Gained:  []Subject{appStar},
				Widened: []Widening{{Subject: appStar, Why: NewPattern}},
			},
		},
		{
			name:   "a broader pattern replacing a narrower one",
			before: doc(t, likeBlue(`"system:serviceaccount:batch:app-*"`)),
			after:  doc(t, likeBlue(`"system:serviceaccount:batch:*"`)),
			want: Change{
				Gained:  []Subject{pattern(sa("blue", "batch", "*"))},
				Lost:    []Subject{appStar},
				Widened: []Widening{{Subject: pattern(sa("blue", "batch", "*")), Why: BroaderPattern, Than: &appStar}},
			},
		},
		{
			name:   "a narrower pattern replacing a broader one is no widening",
			before: doc(t, likeBlue(`"system:serviceaccount:batch:*"`)),
			after:  doc(t, likeBlue(`"system:serviceaccount:batch:app-*"`)),
			want: Change{
				Gained:  []Subject{appStar},
				Lost:    []Subject{pattern(sa("blue", "batch", "*"))},
				Widened: []Widening{{Subject: appStar, Why: NewPattern}},
			},
		},
		{
			name:   "a namespace wildcard",
			before: doc(t, exactBlue(`"system:serviceaccount:a:reader"`)),
			after:  doc(t, likeBlue(`"system:serviceaccount:*:reader"`)),
			want: Change{
				Gained: []Subject{pattern(sa("blue", "*", "reader"))},
				Lost:   []Subject{sa("blue", "a", "reader")},
				Widened: []Widening{
					{Subject: pattern(sa("blue", "*", "reader")), Why: NewPattern},
					{Subject: pattern(sa("blue", "*", "reader")), Why: NamespaceWildcard},
				},
			},
		},
		{
			name:   "a new cluster",
			before: doc(t, exactBlue(`"system:serviceaccount:a:x"`)),
			after:  doc(t, exactBlue(`"system:serviceaccount:a:x"`), web(issuerGreen, webAction, exact(issuerGreen, `"system:serviceaccount:a:x"`))),
			want: Change{
				Gained:  []Subject{sa(issuerGreen, "a", "x")},
				Widened: []Widening{{Subject: sa(issuerGreen, "a", "x"), Why: NewCluster}},
			},
		},
		{
			name:   "another account's root",
			before: doc(t, exactBlue(`"system:serviceaccount:a:x"`)),
			after:  doc(t, exactBlue(`"system:serviceaccount:a:x"`), aws("arn:aws:iam::999988887777:root")),
			want: Change{
				Gained: []Subject{{Path: Other, Account: "999988887777", Principal: "arn:aws:iam::999988887777:root"}},
				Widened: []Widening{
					{Subject: Subject{Path: Other, Account: "999988887777", Principal: "arn:aws:iam::999988887777:root"}, Why: NewAccount},
					{Subject: Subject{Path: Other, Account: "999988887777", Principal: "arn:aws:iam::999988887777:root"}, Why: NewPrincipal},
				},
			},
		},
		{
			name:   "a chained role of another account",
			before: doc(t, exactBlue(`"system:serviceaccount:a:x"`)),
			after:  doc(t, aws(ciRole)),
			want: Change{
				Gained: []Subject{{Path: Chain, Account: "tools", Principal: ciRole, Name: "ci"}},
				Lost:   []Subject{sa("blue", "a", "x")},
				Widened: []Widening{
					{Subject: Subject{Path: Chain, Account: "tools", Principal: ciRole, Name: "ci"}, Why: NewAccount},
					{Subject: Subject{Path: Chain, Account: "tools", Principal: ciRole, Name: "ci"}, Why: NewPrincipal},
				},
			},
		},
		{
			name:  "a new role flags patterns, not every cluster as new",
			after: doc(t, likeBlue(`["system:serviceaccount:a:x","system:serviceaccount:b:*"]`)),
			want: Change{
				Gained:  []Subject{sa("blue", "a", "x"), pattern(sa("blue", "b", "*"))},
				Widened: []Widening{{Subject: pattern(sa("blue", "b", "*")), Why: NewPattern}},
			},
		},
		{
			name:   "a deleted role loses everything and widens nothing",
			before: doc(t, likeBlue(`["system:serviceaccount:a:x","system:serviceaccount:b:*"]`)),
			want:   Change{Lost: []Subject{sa("blue", "a", "x"), pattern(sa("blue", "b", "*"))}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Diff(tt.before, tt.after, names)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Diff mismatch (-want +got):\n%s", diff)
			}
			// The reverse change swaps what is gained and lost.
			back := Diff(tt.after, tt.before, names)
			if diff := cmp.Diff(tt.want.Gained, back.Lost); diff != "" {
				t.Errorf("reverse Diff's lost differ from gained (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want.Lost, back.Gained); diff != "" {
				t.Errorf("reverse Diff's gained differ from lost (-want +got):\n%s", diff)
			}
		})
	}
}
