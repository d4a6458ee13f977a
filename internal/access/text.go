package access

import "fmt"

// UnmarshalText reads a kind's identifier, so a saved plan's access
// section reads back as it was written.
func (k *WideningKind) UnmarshalText(b []byte) error {
	for kind, name := range wideningNames {
		if name == string(b) {
			*k = kind
			return nil
		}
	}
	return fmt.Errorf("unknown widening kind %q", b)
}

// UnmarshalText reads a risk kind's identifier, the inverse of MarshalText.
func (k *RiskKind) UnmarshalText(b []byte) error {
	for kind, name := range riskNames {
		if name == string(b) {
			*k = kind
			return nil
		}
	}
	return fmt.Errorf("unknown risk kind %q", b)
}
