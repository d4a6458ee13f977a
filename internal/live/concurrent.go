package live

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// maxConcurrentReads bounds the reads one account or cluster runs at once:
// IAM is a low-rate control-plane API.
const maxConcurrentReads = 4

// all runs fns concurrently (at most maxConcurrentReads at a time) and
// returns every error, joined; the first failure cancels the rest.
func all(ctx context.Context, fns ...func(context.Context) error) error {
	return allN(ctx, maxConcurrentReads, fns...)
}

// allN is all with at most n at a time.
func allN(ctx context.Context, n int, fns ...func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, n)
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				errs[i] = ctx.Err()
				return
			}
			defer func() { <-sem }()
			if errs[i] = fn(ctx); errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	// Keep only the causes, not the cancellations they triggered.
	var causes []error
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			causes = append(causes, err)
		}
	}
	if len(causes) == 0 {
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
	}
	return errors.Join(causes...)
}

func wrapf(err error, format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, err)...)
}
