package verify

import (
	"errors"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/irsa-sync/irsa-sync/internal/partition"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// diagnosis is what a refusal means: the reason to report, whether waiting
// could help, and whether the live state read looks right (so that a
// refusal that outlasts the wait is put down to propagation).
type diagnosis struct {
	reason     Reason
	retry      bool
	looksRight bool
}

// diagnose explains a refused AssumeRoleWithWebIdentity from its error
// code and message (STS API reference, AssumeRoleWithWebIdentity, Errors)
// and from the live state. When the live state shows the cause (no
// provider, no client id, a trust that does not admit the subject), the
// refusal is final; when it looks right, IAM may not have propagated a
// change yet, and the call is retried.
func diagnose(err error, t Target, have *state.Live) diagnosis {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return diagnosis{reason: STSError, retry: false}
	}
	msg := api.ErrorMessage()
	prov, hasProv := liveProvider(t, have)
	switch api.ErrorCode() {
	case "InvalidIdentityToken":
		switch {
		case strings.Contains(msg, "No OpenIDConnect provider found"):
			// The message ends with the token's iss: when that is not
			// the cluster's issuer the file and the provider know, the
			// cluster signs with another issuer than IAM trusts.
			if _, iss, ok := strings.Cut(msg, " for "); ok && !strings.EqualFold(resource.IssuerHost(strings.TrimSpace(iss)), t.Issuer) {
				return diagnosis{reason: TokenRefused}
			}
			return diagnosis{reason: ProviderMissing, retry: hasProv, looksRight: hasProv}
		case strings.Contains(msg, "Incorrect token audience"):
			listed := hasProv && contains(prov.ClientIDs, t.Audience)
			return diagnosis{reason: ProviderClientID, retry: listed, looksRight: listed}
		}
		return diagnosis{reason: TokenRefused}
	case "ExpiredTokenException":
		return diagnosis{reason: TokenRefused}
	case "IDPCommunicationError", "IDPRejectedClaim":
		// STS could not fetch the issuer's keys: AWS says to retry
		// IDPCommunicationError; if it lasts, the issuer's discovery
		// document is out of IAM's reach.
		return diagnosis{reason: TokenRefused, retry: api.ErrorCode() == "IDPCommunicationError"}
	case "AccessDenied":
		if r := trustReason(t, have); r != "" {
			return diagnosis{reason: r}
		}
		return diagnosis{reason: Propagating, retry: true, looksRight: true}
	}
	return diagnosis{reason: STSError}
}

// providerARN is the ARN of the OIDC provider for the cluster's issuer in
// the role's account and partition.
func providerARN(t Target) string {
	return "arn:" + partition.OfARN(t.Role) + ":iam::" + resource.AccountOfARN(t.Role) + ":oidc-provider/" + t.Issuer
}

// liveProvider is the provider the role's account holds for the issuer.
// IAM compares issuer hosts without regard to case.
func liveProvider(t Target, have *state.Live) (resource.Provider, bool) {
	acct := have.Accounts[resource.AccountOfARN(t.Role)]
	if acct == nil {
		return resource.Provider{}, false
	}
	want := providerARN(t)
	for arn, p := range acct.Providers {
		if strings.EqualFold(arn, want) {
			return p, true
		}
	}
	return resource.Provider{}, false
}

// trustReason reads the live role's trust for a statement naming the
// provider that admits the subject and the audience. It follows the
// reading of trust.Read (sub and aud values of a statement, StringLike
// when the statement uses it), which is how irsa-sync writes trusts; the
// verdict is STS's, this only names the part that differs.
func trustReason(t Target, have *state.Live) Reason {
	acct := have.Accounts[resource.AccountOfARN(t.Role)]
	if acct == nil {
		return ""
	}
	role, ok := acct.Role(roleName(t.Role))
	if !ok {
		return TrustSubject
	}
	sub := "system:serviceaccount:" + t.Namespace + ":" + t.Name
	want := providerARN(t)
	subjectAdmitted := false
	for _, g := range trust.Read(role.Trust) {
		if g.Other != "" || !namesProvider(g.Principal, want) || !admitsSubject(g, sub) {
			continue
		}
		subjectAdmitted = true
		if len(g.Audiences) == 0 || contains(g.Audiences, t.Audience) {
			return ""
		}
	}
	if subjectAdmitted {
		return TrustAudience
	}
	return TrustSubject
}

func namesProvider(principals, want string) bool {
	for _, p := range strings.Split(principals, ",") {
		if strings.EqualFold(p, want) {
			return true
		}
	}
	return false
}

func admitsSubject(g trust.Grant, sub string) bool {
	if len(g.Subjects) == 0 {
		return true
	}
	for _, s := range g.Subjects {
		if s == sub || (g.Patterns && trust.Glob(s, sub)) {
			return true
		}
	}
	return false
}

// roleName is the last part of a role ARN (after its path).
func roleName(arn string) string {
	return arn[strings.LastIndex(arn, "/")+1:]
}

// errorText is an error as the outcome shows it: for an AWS error its code
// and message, without the request's details.
func errorText(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode() + ": " + api.ErrorMessage()
	}
	return err.Error()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
