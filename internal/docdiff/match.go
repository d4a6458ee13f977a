package docdiff

import (
	"slices"
	"sort"
)

// pair is a statement of the old document and the one of the new document
// it became; before is nil for a new statement, after nil for a removed one.
type pair struct {
	before, after []string
}

// arrange pairs the statements of two documents and returns the pairs in
// display order. IAM gives statement order no meaning, so pairing is by
// identity, not position: first the same Sid, then identical content, then
// the most shared lines, as long as they share more than half their content.
// Pairs follow the new document's order; a removed statement follows the
// statement that preceded it in the old document, or leads when none did.
func arrange(old, neu []statement) []pair {
	oldTo := make([]int, len(old)) // index into neu, or -1
	neuTo := make([]int, len(neu)) // index into old, or -1
	for i := range oldTo {
		oldTo[i] = -1
	}
	for j := range neuTo {
		neuTo[j] = -1
	}
	match := func(i, j int) { oldTo[i], neuTo[j] = j, i }

	// Sids name statements; a repeated Sid pairs in order of appearance.
	for i, o := range old {
		if o.sid == "" {
			continue
		}
		for j, n := range neu {
			if neuTo[j] < 0 && n.sid == o.sid {
				match(i, j)
				break
			}
		}
	}
	// Identical statements first, so that a reordering is no change even
	// when another candidate shares as many lines.
	for i, o := range old {
		if oldTo[i] >= 0 {
			continue
		}
		for j, n := range neu {
			if neuTo[j] < 0 && slices.Equal(o.lines, n.lines) {
				match(i, j)
				break
			}
		}
	}
	for _, c := range candidates(old, neu, oldTo, neuTo) {
		if oldTo[c.i] < 0 && neuTo[c.j] < 0 {
			match(c.i, c.j)
		}
	}

	// A removed statement is placed after the new position of the nearest
	// earlier old statement that was paired; anchor -1 is the start.
	removedAfter := map[int][]int{}
	anchor := -1
	for i := range old {
		if oldTo[i] >= 0 {
			anchor = oldTo[i]
			continue
		}
		removedAfter[anchor] = append(removedAfter[anchor], i)
	}
	var out []pair
	for _, i := range removedAfter[-1] {
		out = append(out, pair{before: old[i].lines})
	}
	for j, n := range neu {
		p := pair{after: n.lines}
		if neuTo[j] >= 0 {
			p.before = old[neuTo[j]].lines
		}
		out = append(out, p)
		for _, i := range removedAfter[j] {
			out = append(out, pair{before: old[i].lines})
		}
	}
	return out
}

// candidate is a possible pairing of old statement i and new statement j
// by content.
type candidate struct {
	i, j, shared int
}

// candidates lists the unpaired statement pairs that share more than half
// their content lines (Dice coefficient above 0.5), most shared first, ties by
// position, so the choice is deterministic. Below that bar the reviewer reads
// a removed and an added statement more easily than a diff of the two.
func candidates(old, neu []statement, oldTo, neuTo []int) []candidate {
	var out []candidate
	for i, o := range old {
		if oldTo[i] >= 0 {
			continue
		}
		oc := contentLines(o.lines)
		for j, n := range neu {
			if neuTo[j] >= 0 {
				continue
			}
			nc := contentLines(n.lines)
			shared := sharedCount(oc, nc)
			if 4*shared > total(oc)+total(nc) {
				out = append(out, candidate{i: i, j: j, shared: shared})
			}
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].shared != out[b].shared {
			return out[a].shared > out[b].shared
		}
		if out[a].i != out[b].i {
			return out[a].i < out[b].i
		}
		return out[a].j < out[b].j
	})
	return out
}

// contentLines counts the lines of a statement that hold a value, leaving out
// the brackets and key lines every statement has, which would make unrelated
// statements look alike.
func contentLines(lines []string) map[string]int {
	out := map[string]int{}
	for _, l := range lines {
		if !opens(l) && !closes(l) {
			out[l]++
		}
	}
	return out
}

func sharedCount(a, b map[string]int) int {
	n := 0
	for l, ca := range a {
		n += min(ca, b[l])
	}
	return n
}

func total(m map[string]int) int {
	n := 0
	for _, c := range m {
		n += c
	}
	return n
}
