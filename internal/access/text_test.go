package access

import "testing"

// TestKindsReadBack: every kind's identifier reads back as that kind, and an
// unknown identifier is an error.
func TestKindsReadBack(t *testing.T) {
	t.Parallel()
	for k := range wideningNames {
		var got WideningKind
		b, _ := k.MarshalText()
		if err := got.UnmarshalText(b); err != nil || got != k {
			t.Errorf("widening %s read back as %v, %v", k, got, err)
		}
	}
	for k := range riskNames {
		var got RiskKind
		b, _ := k.MarshalText()
		if err := got.UnmarshalText(b); err != nil || got != k {
			t.Errorf("risk %s read back as %v, %v", k, got, err)
		}
	}
	var w WideningKind
	if err := w.UnmarshalText([]byte("wider")); err == nil {
		t.Error("an unknown widening kind read without error")
	}
	var r RiskKind
	if err := r.UnmarshalText([]byte("scary")); err == nil {
		t.Error("an unknown risk kind read without error")
	}
}
