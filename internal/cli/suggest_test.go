package cli

import (
	"testing"

	"github.com/irsa-sync/irsa-sync/internal/config"
)

func TestSuggest(t *testing.T) {
	t.Parallel()
	f := &config.File{Roles: []config.Role{{Name: "my-role"}, {Name: "my-roles"}, {Name: "analytics-reader"}, {Name: "my-role"}}}
	for _, tc := range []struct{ name, want string }{
		{"my-rol", "; did you mean my-role, my-roles?"},
		{"MY-ROLE-", "; did you mean my-role, my-roles?"},
		{"analytic-reader", "; did you mean analytics-reader?"},
		{"billing", ""},
		{"x", ""},
	} {
		if got := suggest(tc.name, f); got != tc.want {
			t.Errorf("suggest(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"role", "rloe", 2}} {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
