package partition

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestForRegionAndNames(t *testing.T) {
	t.Parallel()
	type names struct{ Partition, Suffix, STS, Audience string }
	tests := []struct {
		region string
		want   names
	}{
		{"us-east-1", names{"aws", "amazonaws.com", "https://sts.us-east-1.amazonaws.com", "sts.amazonaws.com"}},
		{"eu-west-1", names{"aws", "amazonaws.com", "https://sts.eu-west-1.amazonaws.com", "sts.amazonaws.com"}},
		{"cn-north-1", names{"aws-cn", "amazonaws.com.cn", "https://sts.cn-north-1.amazonaws.com.cn", "sts.amazonaws.com"}},
		{"cn-northwest-1", names{"aws-cn", "amazonaws.com.cn", "https://sts.cn-northwest-1.amazonaws.com.cn", "sts.amazonaws.com"}},
		{"us-gov-west-1", names{"aws-us-gov", "amazonaws.com", "https://sts.us-gov-west-1.amazonaws.com", "sts.amazonaws.com"}},
		{"us-gov-east-1", names{"aws-us-gov", "amazonaws.com", "https://sts.us-gov-east-1.amazonaws.com", "sts.amazonaws.com"}},
		// "us-" alone is not GovCloud.
		{"us-west-2", names{"aws", "amazonaws.com", "https://sts.us-west-2.amazonaws.com", "sts.amazonaws.com"}},
	}
	for _, tt := range tests {
		p := ForRegion(tt.region)
		got := names{p, DNSSuffix(p), STSEndpoint(tt.region), Audience(p)}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.region, diff)
		}
	}
}

func TestIAMRegionIsOfItsPartition(t *testing.T) {
	t.Parallel()
	want := map[string]string{AWS: "us-east-1", China: "cn-north-1", GovCloud: "us-gov-west-1"}
	for _, p := range All {
		r := IAMRegion(p)
		if r != want[p] || ForRegion(r) != p {
			t.Errorf("IAMRegion(%q) = %q (partition %q), want %q", p, r, ForRegion(r), want[p])
		}
	}
}

func TestOfARN(t *testing.T) {
	t.Parallel()
	for arn, want := range map[string]string{
		"arn:aws:iam::111122223333:role/x":      "aws",
		"arn:aws-cn:iam::aws:policy/ReadOnly":   "aws-cn",
		"arn:aws-us-gov:iam::111122223333:root": "aws-us-gov",
		"arn:aws-iso:iam::111122223333:role/x":  "aws-iso",
		"not-an-arn":                            "",
		"arn:":                                  "",
	} {
		if got := OfARN(arn); got != want {
			t.Errorf("OfARN(%q) = %q, want %q", arn, got, want)
		}
	}
	for _, p := range All {
		if !Known(p) {
			t.Errorf("Known(%q) = false", p)
		}
	}
	if Known("aws-iso") {
		t.Error("Known(aws-iso) = true; irsa-sync does not support it")
	}
}
