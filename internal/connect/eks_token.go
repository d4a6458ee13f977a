package connect

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// tokenRefreshAfter is how long a minted EKS token is used. The EKS
// authenticator accepts one for 15 minutes from its signing time; renewing a
// minute early, as aws eks get-token's expirationTimestamp does, leaves room
// for clock skew and a request in flight when the token is read.
const tokenRefreshAfter = 14 * time.Minute

// tokenCache holds the current bearer token of one cluster and mints a new
// one when it is due, so a long apply never sends an expired token.
type tokenCache struct {
	mint func(context.Context) (string, error)
	now  func() time.Time

	mu      sync.Mutex
	token   string
	minted  time.Time
	haveOne bool
}

func newTokenCache(mint func(context.Context) (string, error), now func() time.Time) *tokenCache {
	if now == nil {
		now = time.Now
	}
	return &tokenCache{mint: mint, now: now}
}

// get returns a token that is not yet due for renewal. Concurrent callers
// wait for one mint rather than each minting their own.
func (c *tokenCache) get(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	// A clock that went backwards also renews: the age is then unknown.
	if c.haveOne && !now.Before(c.minted) && now.Sub(c.minted) < tokenRefreshAfter {
		return c.token, nil
	}
	tok, err := c.mint(ctx)
	if err != nil {
		return "", err
	}
	c.token, c.minted, c.haveOne = tok, now, true
	return tok, nil
}

// wrapTransport is a rest.Config WrapTransport that sets the bearer token
// on every request.
func (c *tokenCache) wrapTransport(cluster string) func(http.RoundTripper) http.RoundTripper {
	return func(next http.RoundTripper) http.RoundTripper {
		return &bearerTransport{tokens: c, cluster: cluster, next: next}
	}
}

// bearerTransport adds "Authorization: Bearer <token>" from a tokenCache.
type bearerTransport struct {
	tokens  *tokenCache
	cluster string
	next    http.RoundTripper
}

// RoundTrip implements http.RoundTripper. The request is cloned, as the
// RoundTripper contract forbids changing it.
func (t *bearerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := t.tokens.get(req.Context())
	if err != nil {
		// The error names neither the token nor the URL: both are secrets.
		return nil, fmt.Errorf("auth: eks: make a token for cluster %q from the account's AWS credentials: %w", t.cluster, err)
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+tok)
	return t.next.RoundTrip(r)
}

// WrappedRoundTripper lets client-go see through this transport (for
// connection cancellation and debugging wrappers).
func (t *bearerTransport) WrappedRoundTripper() http.RoundTripper { return t.next }
