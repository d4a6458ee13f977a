package awsapi

import (
	"context"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go/middleware"
)

// attemptsKey carries, in a call's context, the counter of the HTTP attempts
// the SDK makes for it: the retryer hides its retries, and a report of how
// hard IAM pushed back is how people size the write rate.
type attemptsKey struct{}

// WithAttemptCounter returns ctx with n counting every attempt of the IAM
// calls made with it, retries included (see CountAttempts).
func WithAttemptCounter(ctx context.Context, n *atomic.Int64) context.Context {
	return context.WithValue(ctx, attemptsKey{}, n)
}

// CountAttempts is an IAM client option, registered once where clients are
// built (internal/connect): a middleware after the SDK's retry loop, so it
// runs once per attempt, counting into the counter of the call's context
// when there is one. Calls without a counter are not touched.
func CountAttempts(o *iam.Options) {
	o.APIOptions = append(o.APIOptions, countAttempts)
}

// CountEKSAttempts is CountAttempts for EKS clients, whose Pod Identity
// association writes apply counts the same way.
func CountEKSAttempts(o *eks.Options) {
	o.APIOptions = append(o.APIOptions, countAttempts)
}

func countAttempts(s *middleware.Stack) error {
	return s.Finalize.Insert(middleware.FinalizeMiddlewareFunc("irsa-sync/attempts",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			if n, ok := ctx.Value(attemptsKey{}).(*atomic.Int64); ok {
				n.Add(1)
			}
			return next.HandleFinalize(ctx, in)
		}), "Retry", middleware.After)
}
