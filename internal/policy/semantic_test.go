package policy

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// stmt wraps one statement's inner JSON in a 2012-10-17 document.
func stmt(inner string) string {
	return `{"Version":"2012-10-17","Statement":[{` + inner + `}]}`
}

// TestIAMSemantics tests each semantic rule both ways: the pair IAM treats
// as one policy, and the nearest pair it does not.
func TestIAMSemantics(t *testing.T) {
	t.Parallel()
	const allow = `"Effect":"Allow",`
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{"Principal * is not AWS * (anonymous)", stmt(allow + `"Principal":"*","Action":"s3:GetObject","Resource":"*"`),
			stmt(allow + `"Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"*"`), false},
		{"AWS * equals a list of it", stmt(allow + `"Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"*"`),
			stmt(allow + `"Principal":{"AWS":["*"]},"Action":"s3:GetObject","Resource":"*"`), true},
		{"NotPrincipal * is not AWS *", stmt(`"Effect":"Deny","NotPrincipal":"*","Action":"s3:GetObject","Resource":"*"`),
			stmt(`"Effect":"Deny","NotPrincipal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"*"`), false},
		{"account id equals its aws-cn root", stmt(allow + `"Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"`),
			stmt(allow + `"Principal":{"AWS":"arn:aws-cn:iam::111122223333:root"},"Action":"sts:AssumeRole"`), true},
		{"account id equals its aws-us-gov root", stmt(allow + `"Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"`),
			stmt(allow + `"Principal":{"AWS":"arn:aws-us-gov:iam::111122223333:root"},"Action":"sts:AssumeRole"`), true},
		{"account id is not another account's root", stmt(allow + `"Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"`),
			stmt(allow + `"Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole"`), false},
		{"roots of two partitions differ", stmt(allow + `"Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"`),
			stmt(allow + `"Principal":{"AWS":"arn:aws-cn:iam::111122223333:root"},"Action":"sts:AssumeRole"`), false},
		{"account id is not a role of the account", stmt(allow + `"Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"`),
			stmt(allow + `"Principal":{"AWS":"arn:aws:iam::111122223333:role/x"},"Action":"sts:AssumeRole"`), false},
		{"action case-insensitive", stmt(allow + `"Action":"s3:GetObject","Resource":"*"`),
			stmt(allow + `"Action":"S3:getobject","Resource":"*"`), true},
		{"action name still matters", stmt(allow + `"Action":"s3:GetObject","Resource":"*"`),
			stmt(allow + `"Action":"s3:GetObjectAcl","Resource":"*"`), false},
		{"NotAction case-insensitive", stmt(allow + `"NotAction":"iam:*","Resource":"*"`),
			stmt(allow + `"NotAction":["IAM:*"],"Resource":"*"`), true},
		{"Action is not NotAction", stmt(allow + `"Action":"iam:*","Resource":"*"`),
			stmt(allow + `"NotAction":"iam:*","Resource":"*"`), false},
		{"resource case-sensitive", stmt(allow + `"Action":"s3:GetObject","Resource":"arn:aws:s3:::Bucket/*"`),
			stmt(allow + `"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"`), false},
		{"effect case-sensitive", stmt(allow + `"Action":"s3:GetObject","Resource":"*"`),
			stmt(`"Effect":"allow","Action":"s3:GetObject","Resource":"*"`), false},
		{"Sid case-sensitive", stmt(`"Sid":"Read",` + allow + `"Action":"s3:GetObject","Resource":"*"`),
			stmt(`"Sid":"read",` + allow + `"Action":"s3:GetObject","Resource":"*"`), false},
		{"empty Sid equals none", stmt(`"Sid":"",` + allow + `"Action":"s3:GetObject","Resource":"*"`),
			stmt(allow + `"Action":"s3:GetObject","Resource":"*"`), true},
		{"condition operator and key case-insensitive", stmt(allow + `"Action":"a:A","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1"}}`),
			stmt(allow + `"Action":"a:A","Resource":"*","Condition":{"stringequals":{"AWS:SOURCEVPC":"vpc-1"}}`), true},
		{"condition value case-sensitive", stmt(allow + `"Action":"a:A","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1"}}`),
			stmt(allow + `"Action":"a:A","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpc":"VPC-1"}}`), false},
		{"missing Version is 2008-10-17", `{"Statement":[{` + allow + `"Action":"a:A","Resource":"*"}]}`,
			`{"Version":"2008-10-17","Statement":[{` + allow + `"Action":"a:A","Resource":"*"}]}`, true},
		{"missing Version is not 2012-10-17", `{"Statement":[{` + allow + `"Action":"a:A","Resource":"*"}]}`,
			stmt(allow + `"Action":"a:A","Resource":"*"`), false},
		{"empty Condition equals none", stmt(allow + `"Action":"a:A","Resource":"*","Condition":{}`),
			stmt(allow + `"Action":"a:A","Resource":"*"`), true},
		{"operator with no keys equals none", stmt(allow + `"Action":"a:A","Resource":"*","Condition":{"StringEquals":{}}`),
			stmt(allow + `"Action":"a:A","Resource":"*"`), true},
		{"a condition is not none", stmt(allow + `"Action":"a:A","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}`),
			stmt(allow + `"Action":"a:A","Resource":"*"`), false},
		{"3600 and 3600.0 are one number", stmt(allow + `"Action":"a:A","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":3600}}`),
			stmt(allow + `"Action":"a:A","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":3600.0}}`), true},
		{"numeric string under Numeric operator is a number", stmt(allow + `"Action":"a:A","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600.0"}}`),
			stmt(allow + `"Action":"a:A","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":3600}}`), true},
		{"3600 is not 3601", stmt(allow + `"Action":"a:A","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":3600}}`),
			stmt(allow + `"Action":"a:A","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":3601}}`), false},
		{"strings under a String operator are compared as written", stmt(allow + `"Action":"a:A","Resource":"*","Condition":{"StringEquals":{"k":"3600"}}`),
			stmt(allow + `"Action":"a:A","Resource":"*","Condition":{"StringEquals":{"k":"3600.0"}}`), false},
		{"one-element list equals scalar", stmt(allow + `"Action":"a:A","Resource":"*"`),
			stmt(allow + `"Action":["a:A"],"Resource":["*"]`), true},
		{"list order and repeats", stmt(allow + `"Action":["a:B","a:A"],"Resource":"*"`),
			stmt(allow + `"Action":["a:A","a:B","a:a"],"Resource":"*"`), true},
		{"a list is not its first element", stmt(allow + `"Action":["a:B","a:A"],"Resource":"*"`),
			stmt(allow + `"Action":"a:A","Resource":"*"`), false},
		{"duplicate statements are one", stmt(allow + `"Action":"a:A","Resource":"*"` + `},{` + allow + `"Action":"a:A","Resource":"*"`),
			stmt(allow + `"Action":"a:A","Resource":"*"`), true},
		{"statements differing in action case are one", stmt(allow + `"Action":"a:A","Resource":"*"` + `},{` + allow + `"Action":"A:a","Resource":"*"`),
			stmt(allow + `"Action":"a:A","Resource":"*"`), true},
		{"Id matters", `{"Id":"one","Version":"2012-10-17","Statement":[{` + allow + `"Action":"a:A","Resource":"*"}]}`,
			`{"Id":"two","Version":"2012-10-17","Statement":[{` + allow + `"Action":"a:A","Resource":"*"}]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, b := MustParse(tt.a), MustParse(tt.b)
			if got := a.Equal(b); got != tt.want {
				t.Errorf("Equal = %v, want %v\na: %s\nb: %s", got, tt.want, a.Key("aws"), b.Key("aws"))
			}
			if got := b.Equal(a); got != tt.want {
				t.Errorf("Equal is not symmetric: b.Equal(a) = %v", got)
			}
		})
	}
}

func TestEqualInPartition(t *testing.T) {
	t.Parallel()
	bare := MustParse(stmt(`"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"`))
	root := func(p string) Document {
		return MustParse(stmt(`"Effect":"Allow","Principal":{"AWS":"arn:` + p + `:iam::111122223333:root"},"Action":"sts:AssumeRole"`))
	}
	tests := []struct {
		partition, rootIn string
		want              bool
	}{
		{"aws", "aws", true},
		{"aws", "aws-cn", false},
		{"aws-cn", "aws-cn", true},
		{"aws-cn", "aws-us-gov", false},
		{"aws-us-gov", "aws-us-gov", true},
		{"aws-us-gov", "aws", false},
		{"", "aws-cn", true}, // unknown partition: as Equal
	}
	for _, tt := range tests {
		if got := bare.EqualIn(root(tt.rootIn), tt.partition); got != tt.want {
			t.Errorf("EqualIn(root in %s, %q) = %v, want %v", tt.rootIn, tt.partition, got, tt.want)
		}
	}
}

func TestDuplicateKeysRefused(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, doc, wantPath string }{
		{"statement effect", `{"Statement":[{"Effect":"Deny","Action":"a:A","Resource":"*","Effect":"Allow"}]}`, "Statement[0].Effect"},
		{"top level", `{"Version":"2012-10-17","Version":"2008-10-17","Statement":[]}`, "Version"},
		{"condition key", `{"Statement":{"Effect":"Allow","Action":"a:A","Resource":"*","Condition":{"StringEquals":{"k":"a","k":"b"}}}}`, "Statement.Condition.StringEquals.k"},
		{"second statement", `{"Statement":[{"Effect":"Allow","Action":"a:A","Resource":"*"},{"Effect":"Allow","Action":"a:A","Action":"a:B","Resource":"*"}]}`, "Statement[1].Action"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, form := range []string{tt.doc, rfc3986(tt.doc)} {
				_, err := Parse([]byte(form))
				if err == nil || !strings.Contains(err.Error(), "names "+tt.wantPath+" twice") {
					t.Errorf("Parse error = %v, want one naming %s", err, tt.wantPath)
				}
			}
		})
	}
	// Keys that differ only in case are not duplicates in JSON.
	if _, err := Parse([]byte(`{"Statement":[{"Effect":"Allow","Action":"a:A","Resource":"*","Sid":"a","sid":"b"}]}`)); err != nil {
		t.Errorf("keys differing in case refused: %v", err)
	}
}

func TestChangedStatementsFollowSemantics(t *testing.T) {
	t.Parallel()
	have := MustParse(stmt(`"Effect":"Allow","Action":"S3:GetObject","Resource":"*"},{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"`))
	want := MustParse(stmt(`"Effect":"Allow","Action":"s3:getobject","Resource":"*"},{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"`))
	added, removed := want.ChangedStatements(have)
	if diff := cmp.Diff([]string{`{"Action":["s3:PutObject"],"Effect":"Allow","Resource":["*"]}`}, added); diff != "" {
		t.Errorf("added (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{`{"Action":["s3:ListBucket"],"Effect":"Allow","Resource":["*"]}`}, removed); diff != "" {
		t.Errorf("removed (-want +got):\n%s", diff)
	}
}
