package cli

import (
	"fmt"
	"io"
	"os"
	"sync"

	"golang.org/x/term"

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
