// Package arch holds tests, and only tests, of irsa-sync's architecture as
// the import graph shows it: the planner, the renderers and the plain state
// and document packages import no AWS SDK and no client-go, so "the planner
// is pure" is enforced by the compiler's view of the code, not by a comment.
package arch
