package cli

import (
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/irsa-sync/irsa-sync/internal/apply"
	"github.com/irsa-sync/irsa-sync/internal/render"
)

// statusLine is the live progress line drawn at the bottom of a terminal
// (stderr) while irsa-sync reads and writes. Anywhere else (a CI log, a
// pipe, a file) it draws nothing: rewritten lines are noise in a log, and
// the plain per-change lines on stdout say the same.
//
// Log records go through it too, so a record clears the line, is written,
// and the line is drawn again below it instead of being overwritten.
type statusLine struct {
	mu   sync.Mutex
	w    io.Writer
	on   bool
	text string
}

func newStatusLine(w io.Writer) *statusLine {
	// TERM=dumb terminals cannot erase a line.
	return &statusLine{w: w, on: isTerminal(w) && os.Getenv("TERM") != "dumb"}
}

// Set replaces the line's text.
func (s *statusLine) Set(format string, args ...any) {
	if !s.on {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.text = fmt.Sprintf(format, args...)
	fmt.Fprint(s.w, "\r\x1b[K"+s.text)
}

// Clear removes the line, at the end of a phase.
func (s *statusLine) Clear() {
	if !s.on {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.text != "" {
		fmt.Fprint(s.w, "\r\x1b[K")
		s.text = ""
	}
}

// Write writes p above the line.
func (s *statusLine) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.on || s.text == "" {
		return s.w.Write(p)
	}
	if _, err := fmt.Fprint(s.w, "\r\x1b[K"); err != nil {
		return 0, err
	}
	n, err := s.w.Write(p)
	if err == nil {
		_, err = fmt.Fprint(s.w, s.text)
	}
	return n, err
}

// isTerminal reports whether w is a terminal.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// colorful reports whether w is a terminal that wants colour: pipes and
// files never get escape codes, and NO_COLOR turns them off.
func colorful(w any) bool {
	return render.WantColor(isTerminal(w), os.Getenv)
}

// applyProgress counts an apply's finished changes for the progress line
// and the periodic progress log record. Its methods are called from
// apply's serialised OnResult and from the log ticker, so it locks.
type applyProgress struct {
	mu     sync.Mutex
	total  int
	start  time.Time
	now    func() time.Time
	done   int
	failed int
	writes int
}

func newApplyProgress(total int, now func() time.Time) *applyProgress {
	return &applyProgress{total: total, start: now(), now: now}
}

func (p *applyProgress) add(r apply.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	p.writes += r.Writes
	if r.Status == apply.Failed {
		p.failed++
	}
}

// progressFigures is one reading of an apply's progress.
type progressFigures struct {
	done, total, failed int
	writesPerSecond     float64
	elapsed, eta        time.Duration
	etaKnown            bool
}

func (p *applyProgress) figures() progressFigures {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := progressFigures{done: p.done, total: p.total, failed: p.failed, elapsed: p.now().Sub(p.start)}
	if s := f.elapsed.Seconds(); s > 0 {
		f.writesPerSecond = float64(p.writes) / s
	}
	// The ETA assumes the changes left go at the pace of those done: a
	// plan's changes are of a few shapes, and writes per change alike.
	if p.done > 0 {
		f.eta = time.Duration(float64(f.elapsed) * float64(p.total-p.done) / float64(p.done))
		f.etaKnown = true
	}
	return f
}

// line is the terminal's progress line: "Applying: 190 of 1231 changes
// done, 2 failed, 9.8 writes/s, 19s elapsed, about 1m44s left".
func (f progressFigures) line() string {
	s := fmt.Sprintf("Applying: %d of %d changes done", f.done, f.total)
	if f.failed > 0 {
		s += fmt.Sprintf(", %d failed", f.failed)
	}
	s += fmt.Sprintf(", %.1f writes/s, %s elapsed", f.writesPerSecond, f.elapsed.Round(time.Second))
	if f.etaKnown {
		s += fmt.Sprintf(", about %s left", f.eta.Round(time.Second))
	}
	return s
}

// log writes one "progress" record: the same figures, for log collectors.
func (f progressFigures) log(l *slog.Logger) {
	attrs := []any{"done", f.done, "total", f.total, "failed", f.failed,
		"writesPerSecond", math.Round(f.writesPerSecond*10) / 10, "elapsedMs", ms(f.elapsed)}
	if f.etaKnown {
		attrs = append(attrs, "etaMs", ms(f.eta))
	}
	l.Info("progress", attrs...)
}

// progressLogInterval is how often a running apply logs its progress.
const progressLogInterval = time.Minute

// logProgressEvery logs p every interval until the returned stop is
// called, so a CronJob's log shows a long apply moving.
func logProgressEvery(l *slog.Logger, p *applyProgress, every time.Duration) (stop func()) {
	t := time.NewTicker(every)
	quit, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case <-t.C:
				p.figures().log(l)
			case <-quit:
				return
			}
		}
	}()
	return func() {
		t.Stop()
		close(quit)
		<-finished
	}
}
