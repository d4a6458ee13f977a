package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/irsa-sync/irsa-sync/internal/apply"
)

func TestStatusLine(t *testing.T) {
	tests := []struct {
		name string
		on   bool
		want string
	}{
		// A log record clears the line, is written, and the line is redrawn.
		{"terminal", true, "\r\x1b[KApplying: 1 of 2\r\x1b[Krecord\nApplying: 1 of 2\r\x1b[K"},
		// Anywhere else only the record is written.
		{"pipe", false, "record\n"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		s := &statusLine{w: &buf, on: tt.on}
		s.Set("Applying: %d of %d", 1, 2)
		if _, err := s.Write([]byte("record\n")); err != nil {
			t.Fatal(err)
		}
		s.Clear()
		if got := buf.String(); got != tt.want {
			t.Errorf("%s: wrote %q, want %q", tt.name, got, tt.want)
		}
	}
	if newStatusLine(&bytes.Buffer{}).on {
		t.Error("a buffer was taken for a terminal")
	}
}

func TestApplyProgress(t *testing.T) {
	t.Parallel()
	clock := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	p := newApplyProgress(10, now)
	if got, want := p.figures().line(), "Applying: 0 of 10 changes done, 0.0 writes/s, 0s elapsed"; got != want {
		t.Errorf("before any change: %q, want %q", got, want)
	}
	p.add(apply.Result{Status: apply.Applied, Writes: 3})
	p.add(apply.Result{Status: apply.Failed, Writes: 1})
	clock = clock.Add(4 * time.Second)
	// 4 writes in 4 s; 2 of 10 done in 4 s leaves 8 at the same pace: 16 s.
	if got, want := p.figures().line(), "Applying: 2 of 10 changes done, 1 failed, 1.0 writes/s, 4s elapsed, about 16s left"; got != want {
		t.Errorf("after two changes: %q, want %q", got, want)
	}
}

func TestProgressIsLoggedPeriodically(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var buf bytes.Buffer
	l := slog.New(slog.NewJSONHandler(&lockedWriter{mu: &mu, w: &buf}, nil))
	p := newApplyProgress(4, time.Now)
	p.add(apply.Result{Status: apply.Applied, Writes: 2})
	stop := logProgressEvery(l, p, 10*time.Millisecond)
	time.Sleep(55 * time.Millisecond)
	stop()
	mu.Lock()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	mu.Unlock()
	if len(lines) < 2 {
		t.Fatalf("%d progress records in 55ms at one per 10ms: %q", len(lines), lines)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"msg": "progress", "done": 1.0, "total": 4.0, "failed": 0.0} {
		if rec[k] != want {
			t.Errorf("record %s = %v, want %v (%s)", k, rec[k], want, lines[0])
		}
	}
	for _, k := range []string{"writesPerSecond", "elapsedMs", "etaMs"} {
		if _, ok := rec[k]; !ok {
			t.Errorf("record has no %s: %s", k, lines[0])
		}
	}
	// Nothing is logged after stop.
	mu.Lock()
	n := buf.Len()
	mu.Unlock()
	time.Sleep(30 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if buf.Len() != n {
		t.Errorf("logged after stop: %q", buf.String()[n:])
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
