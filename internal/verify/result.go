package verify

import "fmt"

// Reason is why a binding could not be proven, as a kind; Words turns it
// into the sentence a person reads.
type Reason string

// The reasons a binding fails. Each names one thing to fix.
const (
	// TrustSubject: the role's trust admits no statement for this
	// cluster's provider and service account.
	TrustSubject Reason = "trustSubject"
	// TrustAudience: the trust admits the service account, but not with
	// the token's audience.
	TrustAudience Reason = "trustAudience"
	// ProviderMissing: the role's account has no IAM OIDC provider for the
	// cluster's issuer.
	ProviderMissing Reason = "providerMissing"
	// ProviderClientID: the provider exists but does not list the token's
	// audience as a client id.
	ProviderClientID Reason = "providerClientId"
	// AnnotationOtherRole: the ServiceAccount's role-arn annotation names
	// another role than the file binds it to.
	AnnotationOtherRole Reason = "annotationOtherRole"
	// AnnotationMissing: the ServiceAccount has no role-arn annotation.
	AnnotationMissing Reason = "annotationMissing"
	// ServiceAccountMissing: the ServiceAccount does not exist.
	ServiceAccountMissing Reason = "serviceAccountMissing"
	// TokenRefused: STS refused the token itself (signature, issuer or
	// expiry): the provider's issuer is not the one that signs the tokens.
	TokenRefused Reason = "tokenRefused"
	// Propagating: everything read looks right, yet STS kept refusing for
	// the whole wait: IAM's eventual consistency, or a cause not read.
	Propagating Reason = "propagating"
	// TokenRequestFailed: Kubernetes would not mint a token (RBAC, or the
	// API server).
	TokenRequestFailed Reason = "tokenRequestFailed"
	// STSError: STS failed in a way none of the above explains.
	STSError Reason = "stsError"
)

// Outcome is what verify found for one binding. It holds no token and no
// credentials: only the identity STS answered with.
type Outcome struct {
	Cluster        string `json:"cluster"`
	Namespace      string `json:"namespace"`
	ServiceAccount string `json:"serviceAccount"`
	// Role is the role the file binds the ServiceAccount to.
	Role     string `json:"role"`
	Audience string `json:"audience"`
	Proven   bool   `json:"proven"`
	// AssumedRole is the assumed-role ARN STS returned, when proven.
	AssumedRole string `json:"assumedRole,omitempty"`
	Reason      Reason `json:"reason,omitempty"`
	// Annotated is the role the annotation names, for AnnotationOtherRole.
	Annotated string `json:"annotatedRole,omitempty"`
	// Error is the last error STS or Kubernetes returned, if any.
	Error    string `json:"error,omitempty"`
	Attempts int    `json:"attempts"`
	// Hops are the binding's hops to the roles chained to from Role, in
	// the file's order.
	Hops []Hop `json:"hops,omitempty"`
}

// Address names the binding as the plan does: cluster/namespace/name.
func (o Outcome) Address() string {
	return o.Cluster + "/" + o.Namespace + "/" + o.ServiceAccount
}

// Words says why a binding failed, in terms of what to fix.
func (o Outcome) Words() string {
	sub := "system:serviceaccount:" + o.Namespace + ":" + o.ServiceAccount
	switch o.Reason {
	case TrustSubject:
		return fmt.Sprintf("the trust of %s does not admit %s through cluster %s's OIDC provider", o.Role, sub, o.Cluster)
	case TrustAudience:
		return fmt.Sprintf("the trust of %s admits %s but not the audience %q", o.Role, sub, o.Audience)
	case ProviderMissing:
		return fmt.Sprintf("the account of %s has no IAM OIDC provider for cluster %s's issuer", o.Role, o.Cluster)
	case ProviderClientID:
		return fmt.Sprintf("the IAM OIDC provider for cluster %s's issuer in the account of %s lacks the client id %q", o.Cluster, o.Role, o.Audience)
	case AnnotationOtherRole:
		return fmt.Sprintf("the ServiceAccount's annotation names %s, not %s", o.Annotated, o.Role)
	case AnnotationMissing:
		return "the ServiceAccount has no eks.amazonaws.com/role-arn annotation"
	case ServiceAccountMissing:
		return "the ServiceAccount does not exist"
	case TokenRefused:
		return fmt.Sprintf("STS refused the token: its issuer is not what the OIDC provider for cluster %s says, or the provider cannot verify its signature", o.Cluster)
	case Propagating:
		return fmt.Sprintf("still refused after %d attempts although the trust, provider and annotation read right: IAM may still be propagating, try a longer --wait", o.Attempts)
	case TokenRequestFailed:
		return "Kubernetes did not mint a token (verify needs create on serviceaccounts/token, examples/rbac/verify-clusterrole.yaml)"
	case STSError:
		return "STS failed"
	}
	return string(o.Reason)
}

// Line is the one line verify prints for a binding.
func (o Outcome) Line() string {
	if o.Proven {
		return fmt.Sprintf("proven  %s -> %s", o.Address(), o.Role)
	}
	s := fmt.Sprintf("failed  %s -> %s: %s", o.Address(), o.Role, o.Words())
	if o.Error != "" {
		s += " (" + o.Error + ")"
	}
	return s
}

// Lines are the lines verify prints for a binding: its own, then one per
// hop of its chains.
func (o Outcome) Lines() []string {
	out := []string{o.Line()}
	for _, h := range o.Hops {
		out = append(out, h.Line())
	}
	return out
}

// Summary counts the outcomes: bindings by their web identity step, and
// the hops of their chains apart.
type Summary struct {
	Proven int `json:"proven"`
	Failed int `json:"failed"`
	// HopsProven and HopsFailed count hops tried; HopsNotTried those of
	// bindings whose web identity step failed (counted in Failed already).
	HopsProven   int `json:"hopsProven"`
	HopsFailed   int `json:"hopsFailed"`
	HopsNotTried int `json:"hopsNotTried"`
}

// Summarize counts proven and failed bindings and hops.
func Summarize(out []Outcome) Summary {
	var s Summary
	for _, o := range out {
		if o.Proven {
			s.Proven++
		} else {
			s.Failed++
		}
		for _, h := range o.Hops {
			switch {
			case h.Proven:
				s.HopsProven++
			case h.Reason == HopNotTried:
				s.HopsNotTried++
			default:
				s.HopsFailed++
			}
		}
	}
	return s
}

// OK says whether everything verified was proven: the exit code's test.
func (s Summary) OK() bool { return s.Failed == 0 && s.HopsFailed == 0 && s.HopsNotTried == 0 }

// Words is the summary line.
func (s Summary) Words() string {
	w := fmt.Sprintf("Verify: %d of %d bindings proven", s.Proven, s.Proven+s.Failed)
	if s.Failed > 0 {
		w += fmt.Sprintf(", %d failed", s.Failed)
	}
	if hops := s.HopsProven + s.HopsFailed + s.HopsNotTried; hops > 0 {
		w += fmt.Sprintf("; %d of %d chain hops proven", s.HopsProven, hops)
		if s.HopsFailed > 0 {
			w += fmt.Sprintf(", %d failed", s.HopsFailed)
		}
		if s.HopsNotTried > 0 {
			w += fmt.Sprintf(", %d not tried", s.HopsNotTried)
		}
	}
	return w + "."
}
