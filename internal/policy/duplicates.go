package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// CheckDuplicateKeys returns an error naming the path of the first key
// that one object of the JSON text repeats, or nil. Syntax errors are not
// its business and give nil.
func CheckDuplicateKeys(text string) error { return checkDuplicateKeys(text) }

// checkDuplicateKeys refuses a JSON text in which one object names a key
// twice. encoding/json keeps the last value silently, so
// {"Effect":"Deny", ..., "Effect":"Allow"} would read as Allow; RFC 8259
// leaves the meaning of such a text to each parser, and IAM's policy
// grammar ("IAM JSON policy grammar") defines an object as a set of
// distinct elements. A document whose meaning depends on the parser is
// refused, whether it comes from the file or from IAM, rather than
// compared by guessing.
func checkDuplicateKeys(text string) error {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	err := walkValue(dec, "")
	if errors.Is(err, io.EOF) {
		return nil // truncated text: the decoder proper reports it
	}
	var dup *duplicateKeyError
	if errors.As(err, &dup) {
		return err
	}
	return nil // syntax errors are reported by the decoder proper
}

type duplicateKeyError struct{ path string }

func (e *duplicateKeyError) Error() string {
	return fmt.Sprintf("policy document names %s twice: a JSON object must not repeat a key (which value would IAM use?); keep one", e.path)
}

// walkValue reads one JSON value from dec, checking the keys of every
// object in it; where is the path of the value (Statement[0].Effect).
func walkValue(dec *json.Decoder, where string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ := kt.(string)
			child := joinPath(where, key)
			if seen[key] {
				return &duplicateKeyError{path: child}
			}
			seen[key] = true
			if err := walkValue(dec, child); err != nil {
				return err
			}
		}
		_, err = dec.Token() // '}'
		return err
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if err := walkValue(dec, where+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		_, err = dec.Token() // ']'
		return err
	}
	return nil
}

func joinPath(where, key string) string {
	if where == "" {
		return key
	}
	return where + "." + key
}
