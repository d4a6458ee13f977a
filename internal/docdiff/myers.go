package docdiff

// diffLines returns a shortest edit script turning a into b, as Equal,
// Delete and Insert lines in order, with the deletions of a changed run
// before its insertions, as unified diffs print them.
//
// It is Myers' O(ND) algorithm ("An O(ND) Difference Algorithm and Its
// Variations", 1986) after trimming the common prefix and suffix, which is
// all a policy edit usually leaves. Policies are at most a few hundred lines
// (IAM caps a managed policy at 6,144 characters and a role's inline policies
// at 10,240 together, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html),
// so the trace of every step's frontier, kept for the walk back, stays small.
func diffLines(a, b []string) []Line {
	var out []Line
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		out = append(out, Line{Op: Equal, Text: a[pre]})
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	out = append(out, myers(a[pre:len(a)-suf], b[pre:len(b)-suf])...)
	for _, l := range a[len(a)-suf:] {
		out = append(out, Line{Op: Equal, Text: l})
	}
	return out
}

// myers is the core of diffLines, for inputs with no common prefix or suffix.
func myers(a, b []string) []Line {
	n, m := len(a), len(b)
	max := n + m
	off := max + 1
	// v[off+k] is the furthest x reached on diagonal k = x - y.
	v := make([]int, 2*max+3)
	// trace[d] is v[off-d .. off+d] as it was before step d.
	var trace [][]int
	final := -1
	for d := 0; d <= max && final < 0; d++ {
		trace = append(trace, append([]int(nil), v[off-d:off+d+1]...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1] // down: insert b[y]
			} else {
				x = v[off+k-1] + 1 // right: delete a[x]
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				final = d
				break
			}
		}
	}

	// Walk back from (n, m), collecting lines in reverse.
	var rev []Line
	x, y := n, m
	for d := final; d > 0; d-- {
		prev := trace[d]
		at := func(k int) int { return prev[k+d] } // diagonal k of step d-1
		k := x - y
		var pk int
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := at(pk)
		py := px - pk
		for x > px && y > py {
			rev = append(rev, Line{Op: Equal, Text: a[x-1]})
			x--
			y--
		}
		if x == px {
			rev = append(rev, Line{Op: Insert, Text: b[y-1]})
			y--
		} else {
			rev = append(rev, Line{Op: Delete, Text: a[x-1]})
			x--
		}
	}
	for x > 0 && y > 0 {
		rev = append(rev, Line{Op: Equal, Text: a[x-1]})
		x--
		y--
	}
	out := make([]Line, len(rev))
	for i, l := range rev {
		out[len(rev)-1-i] = l
	}
	return out
}
