package connect

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestTokenCacheRenews walks a clock through a long apply: the token is
// reused within 14 minutes of minting and renewed after, so no request ever
// carries a token near the end of its 15-minute life.
func TestTokenCacheRenews(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name  string
		at    []time.Duration // clock offsets of successive requests
		wants []string        // token each request gets
	}{
		{"one request mints once", []time.Duration{0}, []string{"t1"}},
		{"reused within 14 minutes", []time.Duration{0, time.Minute, 13*time.Minute + 59*time.Second}, []string{"t1", "t1", "t1"}},
		{"renewed at 14 minutes", []time.Duration{0, 14 * time.Minute}, []string{"t1", "t2"}},
		{"a 40-minute apply renews every 14 minutes", []time.Duration{0, 10 * time.Minute, 15 * time.Minute, 20 * time.Minute, 29 * time.Minute, 40 * time.Minute},
			[]string{"t1", "t1", "t2", "t2", "t3", "t3"}},
		{"a clock going backwards renews", []time.Duration{time.Hour, 0}, []string{"t1", "t2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := t0
			minted := 0
			c := newTokenCache(func(context.Context) (string, error) {
				minted++
				return fmt.Sprintf("t%d", minted), nil
			}, func() time.Time { return now })
			var got []string
			for _, d := range tt.at {
				now = t0.Add(d)
				tok, err := c.get(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, tok)
			}
			if diff := cmp.Diff(tt.wants, got); diff != "" {
				t.Errorf("tokens (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTokenCacheRetriesAfterFailure(t *testing.T) {
	fail := true
	c := newTokenCache(func(context.Context) (string, error) {
		if fail {
			return "", errors.New("expired credentials")
		}
		return "good", nil
	}, nil)
	if _, err := c.get(context.Background()); err == nil {
		t.Fatal("get returned no error while minting fails")
	}
	fail = false
	if tok, err := c.get(context.Background()); err != nil || tok != "good" {
		t.Fatalf("get after the failure cleared = %q, %v; want a fresh token", tok, err)
	}
}

type recordRT struct{ auth []string }

func (r *recordRT) RoundTrip(req *http.Request) (*http.Response, error) {
	r.auth = append(r.auth, req.Header.Get("Authorization"))
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: req}, nil
}

func TestBearerTransport(t *testing.T) {
	now := time.Unix(0, 0)
	n := 0
	c := newTokenCache(func(context.Context) (string, error) { n++; return fmt.Sprintf("k8s-aws-v1.tok%d", n), nil }, func() time.Time { return now })
	next := &recordRT{}
	rt := c.wrapTransport("prod")(next)
	for _, d := range []time.Duration{0, 15 * time.Minute} {
		now = time.Unix(0, 0).Add(d)
		req, _ := http.NewRequest(http.MethodGet, "https://example.invalid/api", nil)
		if _, err := rt.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
		if req.Header.Get("Authorization") != "" {
			t.Errorf("the caller's request was changed: RoundTrip must clone it")
		}
	}
	if diff := cmp.Diff([]string{"Bearer k8s-aws-v1.tok1", "Bearer k8s-aws-v1.tok2"}, next.auth); diff != "" {
		t.Errorf("Authorization headers sent (-want +got):\n%s", diff)
	}

	broken := newTokenCache(func(context.Context) (string, error) { return "", errors.New("no credentials") }, nil)
	req, _ := http.NewRequest(http.MethodGet, "https://example.invalid/api", nil)
	_, err := broken.wrapTransport("prod")(next).RoundTrip(req)
	if err == nil || !strings.Contains(err.Error(), `cluster "prod"`) || !strings.Contains(err.Error(), "no credentials") {
		t.Errorf("RoundTrip error = %v, want one naming the cluster and the cause", err)
	}
}
