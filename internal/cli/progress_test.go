package cli

import (
	"bytes"
	"testing"
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
