package docdiff

import "strings"

// Text diffs two plain texts line by line (a minimal diff, as for policy
// documents but with no normalisation): for the AWS config profiles of a
// role chain, whose lines are what a reviewer reads. Either may be empty.
func Text(before, after string) []Line {
	return diffLines(splitLines(before), splitLines(after))
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
