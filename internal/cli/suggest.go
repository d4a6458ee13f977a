package cli

import (
	"sort"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/config"
)

// suggest names the file's roles nearest to a mistyped name, as
// "; did you mean a, b?", or "" when none is near. Near is an edit
// distance of at most a third of the name (at least 1), so a typo finds
// its role and an unrelated name finds nothing.
func suggest(name string, f *config.File) string {
	limit := max(1, len(name)/3)
	type near struct {
		name string
		d    int
	}
	var found []near
	seen := map[string]bool{}
	for _, r := range f.Roles {
		if seen[r.Name] {
			continue
		}
		seen[r.Name] = true
		if d := editDistance(strings.ToLower(name), strings.ToLower(r.Name)); d <= limit {
			found = append(found, near{r.Name, d})
		}
	}
	if len(found) == 0 {
		return ""
	}
	sort.Slice(found, func(i, j int) bool {
		if found[i].d != found[j].d {
			return found[i].d < found[j].d
		}
		return found[i].name < found[j].name
	})
	var names []string
	for i, n := range found {
		if i == 3 {
			break
		}
		names = append(names, n.name)
	}
	return "; did you mean " + strings.Join(names, ", ") + "?"
}

// editDistance is the Levenshtein distance of two strings, in bytes: role
// names are ASCII ([A-Za-z0-9+=,.@_-]).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
