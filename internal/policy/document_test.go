package policy

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const guidePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::my-pod-secrets-bucket"}]}`

// rfc3986 encodes as IAM does: percent-encoding with spaces as %20.
func rfc3986(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

func TestEqualSemantics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{"identical", guidePolicy, guidePolicy, true},
		{"string equals one-element list", guidePolicy,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::my-pod-secrets-bucket"]}]}`, true},
		{"single statement object equals list", guidePolicy,
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::my-pod-secrets-bucket"}}`, true},
		{"key order and white space", guidePolicy,
			"{\n  \"Statement\": [ {\"Resource\": \"arn:aws:s3:::my-pod-secrets-bucket\", \"Action\": \"s3:GetObject\", \"Effect\": \"Allow\"} ],\n  \"Version\": \"2012-10-17\"\n}", true},
		{"URL-encoded equals plain", guidePolicy, rfc3986(guidePolicy), true},
		{"URL-encoded with plus for space", `{"Version":"2012-10-17","Statement":[{"Sid":"a b","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
			strings.ReplaceAll(rfc3986(`{"Version":"2012-10-17","Statement":[{"Sid":"a b","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`), "%20", "+"), true},
		{"list order", `{"Statement":[{"Effect":"Allow","Action":["a:B","a:A"],"Resource":"*"}]}`,
			`{"Statement":[{"Effect":"Allow","Action":["a:A","a:B","a:A"],"Resource":"*"}]}`, true},
		{"statement order", `{"Statement":[{"Effect":"Allow","Action":"a:A","Resource":"*"},{"Effect":"Deny","Action":"a:B","Resource":"*"}]}`,
			`{"Statement":[{"Effect":"Deny","Action":"a:B","Resource":"*"},{"Effect":"Allow","Action":"a:A","Resource":"*"}]}`, true},
		{"account id principal equals root ARN", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}]}`,
			`{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root"]},"Action":"sts:AssumeRole"}]}`, true},
		{"star principal is not AWS star (anonymous callers)", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`,
			`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"*"}]}`, false},
		{"condition value list", `{"Statement":[{"Effect":"Allow","Action":"a:A","Resource":"*","Condition":{"StringEquals":{"k":"v"}}}]}`,
			`{"Statement":[{"Effect":"Allow","Action":"a:A","Resource":"*","Condition":{"StringEquals":{"k":["v"]}}}]}`, true},
		{"condition boolean equals its string", `{"Statement":[{"Effect":"Allow","Action":"a:A","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":true}}}]}`,
			`{"Statement":[{"Effect":"Allow","Action":"a:A","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`, true},
		{"different action", guidePolicy, strings.Replace(guidePolicy, "GetObject", "PutObject", 1), false},
		{"different effect", guidePolicy, strings.Replace(guidePolicy, "Allow", "Deny", 1), false},
		{"extra resource", guidePolicy, strings.Replace(guidePolicy, `"arn:aws:s3:::my-pod-secrets-bucket"`, `["arn:aws:s3:::my-pod-secrets-bucket","arn:aws:s3:::other"]`, 1), false},
		{"different version", guidePolicy, strings.Replace(guidePolicy, "2012-10-17", "2008-10-17", 1), false},
		{"different condition value", `{"Statement":[{"Effect":"Allow","Action":"a:A","Resource":"*","Condition":{"StringEquals":{"k":"v"}}}]}`,
			`{"Statement":[{"Effect":"Allow","Action":"a:A","Resource":"*","Condition":{"StringEquals":{"k":"w"}}}]}`, false},
		{"StringEquals is not StringLike with a wildcard", `{"Statement":[{"Effect":"Allow","Action":"a:A","Resource":"*","Condition":{"StringEquals":{"k":"v*"}}}]}`,
			`{"Statement":[{"Effect":"Allow","Action":"a:A","Resource":"*","Condition":{"StringLike":{"k":"v*"}}}]}`, false},
		{"StringLike without a wildcard is StringEquals", `{"Statement":[{"Effect":"Allow","Action":"a:A","Resource":"*","Condition":{"StringEquals":{"k":"v"}}}]}`,
			`{"Statement":[{"Effect":"Allow","Action":"a:A","Resource":"*","Condition":{"StringLike":{"k":"v"}}}]}`, true},
		{"the guide's namespace trust equals irsa-sync's", `{"Statement":[{"Effect":"Allow","Action":"a:A","Condition":{"StringLike":{"i:aud":"sts.amazonaws.com","i:sub":"system:serviceaccount:ns:*"}}}]}`,
			`{"Statement":[{"Effect":"Allow","Action":"a:A","Condition":{"StringEquals":{"i:aud":["sts.amazonaws.com"]},"StringLike":{"i:sub":["system:serviceaccount:ns:*"]}}}]}`, true},
		{"a key on both operators is not moved", `{"Statement":[{"Effect":"Allow","Action":"a:A","Condition":{"StringEquals":{"k":"v"},"StringLike":{"k":"w"}}}]}`,
			`{"Statement":[{"Effect":"Allow","Action":"a:A","Condition":{"StringEquals":{"k":["v","w"]}}}]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := Parse([]byte(tt.a))
			if err != nil {
				t.Fatalf("Parse(a): %v", err)
			}
			b, err := Parse([]byte(tt.b))
			if err != nil {
				t.Fatalf("Parse(b): %v", err)
			}
			if got := a.Equal(b); got != tt.want {
				t.Errorf("Equal = %v, want %v\na: %s\nb: %s", got, tt.want, a, b)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc, wantErr string
	}{
		{"not JSON", `{"Statement":`, "not valid JSON"},
		{"not an object", `["x"]`, "must be a JSON object, not a list"},
		{"statement not object", `{"Statement":[1]}`, "Statement[0] must be an object, not a number"},
		{"action not string", `{"Statement":[{"Effect":"Allow","Action":[1],"Resource":"*"}]}`, "Statement[0]: Action: must be a string or a list of strings"},
		{"string principal not star", `{"Statement":[{"Effect":"Allow","Principal":"me","Action":"a:A"}]}`, `Principal: a string principal must be "*"`},
		{"trailing data", `{"Statement":[]} {}`, "data after the JSON object"},
		{"bad encoding", `%7B%ZZ`, "neither JSON nor URL-encoded JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Parse error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestWritesWhatWasWrittenShowsNormalised(t *testing.T) {
	t.Parallel()
	written := "{ \"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b&c\"} }"
	d := MustParse(written)
	wantJSON := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b&c"}}`
	if diff := cmp.Diff(wantJSON, d.JSON()); diff != "" {
		t.Errorf("JSON() is not the text as written (-want +got):\n%s", diff)
	}
	if d.Raw() != d.JSON() {
		t.Errorf("Raw() = %s, want JSON()", d.Raw())
	}
	if got, err := d.MarshalJSON(); err != nil || string(got) != wantJSON {
		t.Errorf("MarshalJSON() = %s, %v; want the text as written", got, err)
	}
	if got, want := d.Size(), len(wantJSON); got != want {
		t.Errorf("Size() = %d, want %d (the text sent, not the normalised form)", got, want)
	}
	wantShown := `{"Statement":[{"Action":["s3:GetObject"],"Effect":"Allow","Resource":["arn:aws:s3:::b&c"]}],"Version":"2012-10-17"}`
	if diff := cmp.Diff(wantShown, d.String()); diff != "" {
		t.Errorf("String() mismatch (-want +got):\n%s", diff)
	}
	if got := MustParse(d.JSON()); !got.Equal(d) || got.JSON() != d.JSON() {
		t.Errorf("parsing JSON() again changed the document: %s", got.JSON())
	}
	if diff := cmp.Diff([]string{`{"Action":["s3:GetObject"],"Effect":"Allow","Resource":["arn:aws:s3:::b&c"]}`}, d.Statements()); diff != "" {
		t.Errorf("Statements() mismatch (-want +got):\n%s", diff)
	}
}

func TestSizeCountsCharactersOfTheTextSent(t *testing.T) {
	t.Parallel()
	// 700 "é" are 1,400 bytes but 700 characters, as IAM counts them.
	sid := strings.Repeat("é", 700)
	d := MustParse(`{"Statement":[{"Sid":"` + sid + `","Effect":"Allow","Action":"a:A","Resource":"*"}]}`)
	if got, want := d.Size(), len(d.JSON())-700; got != want {
		t.Errorf("Size() = %d, want %d characters", got, want)
	}
	// A single value is not made a list before it is measured.
	one := MustParse(`{"Statement":[{"Effect":"Allow","Action":"a:A","Resource":"*"}]}`)
	if got, want := one.Size(), len(`{"Statement":[{"Effect":"Allow","Action":"a:A","Resource":"*"}]}`); got != want {
		t.Errorf("Size() = %d, want %d", got, want)
	}
}

func TestSizeIgnoresWhiteSpaceInsideStrings(t *testing.T) {
	t.Parallel()
	d := MustParse(`{"Statement":[{"Sid":"a b c","Effect":"Allow","Action":"a:A","Resource":"*"}]}`)
	if got, want := d.Size(), len(d.JSON())-2; got != want {
		t.Errorf("Size() = %d, want %d (two spaces not counted)", got, want)
	}
}

func TestZeroDocument(t *testing.T) {
	t.Parallel()
	var z Document
	if !z.IsZero() || z.Equal(MustParse(guidePolicy)) || !z.Equal(Document{}) {
		t.Error("zero document must equal only another zero document")
	}
	b, err := z.MarshalJSON()
	if err != nil || string(b) != "null" {
		t.Errorf("MarshalJSON of zero = %q, %v", b, err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(guidePolicy)
	f.Add(rfc3986(guidePolicy))
	f.Add(`{"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole","Condition":{"Bool":{"k":true}}}}`)
	f.Add(`{"Statement":[{"Effect":"Allow","Principal":"*","NotAction":["b","a","a"]}]}`)
	f.Fuzz(func(t *testing.T, raw string) {
		d, err := Parse([]byte(raw))
		if err != nil {
			return
		}
		again, err := Parse([]byte(d.JSON()))
		if err != nil {
			t.Fatalf("canonical form does not parse: %v\n%s", err, d.JSON())
		}
		if !again.Equal(d) || again.JSON() != d.JSON() {
			t.Fatalf("normalise is not idempotent:\n%s\n%s", d.JSON(), again.JSON())
		}
		if !strings.HasPrefix(strings.TrimSpace(raw), "{") {
			return // already encoded; encoding twice is not what IAM returns
		}
		enc, err := Parse([]byte(rfc3986(raw)))
		if err != nil || !enc.Equal(d) {
			t.Fatalf("URL-encoded form differs: %v", err)
		}
	})
}
