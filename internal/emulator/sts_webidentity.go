package emulator

import (
	"strings"
	"time"
)

func init() {
	handlers["sts"]["AssumeRoleWithWebIdentity"] = assumeRoleWithWebIdentity
}

// assumeRoleWithWebIdentity checks a web identity token the way IAM does
// for an OIDC provider (STS API reference, AssumeRoleWithWebIdentity; IAM
// User Guide, "Create a role for OIDC federation"): an IAM OIDC provider for
// the token's issuer in the role's account, whose client ids include the
// token's audience; a signature by the issuer's keys; an unexpired token;
// then the role's trust, with Principal.Federated the provider's ARN and
// the <issuer>:sub, <issuer>:aud and <issuer>:amr condition keys.
func assumeRoleWithWebIdentity(e *Emulator, c *call) (any, error) {
	arn, err := c.required("RoleArn", "roleArn")
	if err != nil {
		return nil, err
	}
	session, err := c.required("RoleSessionName", "roleSessionName")
	if err != nil {
		return nil, err
	}
	if !sessionNamePattern.MatchString(session) {
		return nil, errConstraint(session, "roleSessionName", "Member must satisfy regular expression pattern: [\\w+=,.@-]*")
	}
	token, err := c.required("WebIdentityToken", "webIdentityToken")
	if err != nil {
		return nil, err
	}
	if len(token) < 4 || len(token) > 20000 {
		return nil, errConstraint("***", "webIdentityToken", "Member must have length between 4 and 20000")
	}
	duration, err := c.int32Param("DurationSeconds", "durationSeconds", 3600, 900, 43200)
	if err != nil {
		return nil, err
	}
	p, ok := parseARN(arn)
	if !ok {
		return nil, errValidation("%s is invalid", arn)
	}
	// The call is unsigned, so its partition is the role's.
	c.partition = p.partition
	acct, path, name, ok := parseRoleArnIn(c.partition, arn)
	if !ok {
		return nil, errValidation("%s is invalid", arn)
	}
	invalid := func(msg string) error { return errf(400, "InvalidIdentityToken", "%s", msg) }
	tok, err := parseJWT(token)
	if err != nil || tok.iss == "" {
		return nil, invalid("The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.")
	}
	target := e.st.Accounts[acct]
	var prov *provider
	if target != nil {
		prov = target.Providers[strings.ToLower(normalizeIssuer(tok.iss))]
	}
	if prov == nil {
		return nil, invalid("No OpenIDConnect provider found in your account for " + tok.iss)
	}
	aud := ""
	for _, a := range tok.aud {
		if contains(prov.ClientIDs, a) {
			aud = a
			break
		}
	}
	if aud == "" {
		return nil, invalid("Incorrect token audience")
	}
	keys := e.issuerKeys[normalizeIssuer(tok.iss)]
	if len(keys) == 0 {
		return nil, errf(400, "IDPCommunicationError", "Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements")
	}
	if !tok.verifiedBy(keys) {
		return nil, invalid("The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.")
	}
	now := e.now().Unix()
	if !tok.hasExp {
		return nil, invalid("The web identity token that was passed does not have an expiration time.")
	}
	if now >= tok.exp {
		return nil, errf(400, "ExpiredTokenException", "Token expired: current date/time %d must be before the expiration date/time %d", now, tok.exp)
	}
	if tok.nbf != 0 && now < tok.nbf {
		return nil, invalid("The web identity token that was passed is not yet valid.")
	}
	denied := errf(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
	r := target.Roles[strings.ToLower(name)]
	if r == nil || r.Path != path {
		return nil, denied
	}
	key := strings.ToLower(prov.URL)
	req := assumeRequest{
		principals: map[string][]string{"Federated": {providerArnIn(c.partition, acct, prov.URL)}},
		actions:    []string{"sts:AssumeRoleWithWebIdentity"},
		context:    map[string][]string{key + ":sub": {tok.sub}, key + ":aud": {aud}},
	}
	if len(tok.amr) > 0 {
		req.context[key+":amr"] = tok.amr
	}
	if !trustAllows(r.Trust, req) {
		return nil, denied
	}
	if duration > r.MaxSession {
		return nil, errValidation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	s := e.newSession(c.partition, acct, r, session, time.Duration(duration)*time.Second)
	type creds struct{ AccessKeyId, SecretAccessKey, SessionToken, Expiration string }
	type user struct{ AssumedRoleId, Arn string }
	return struct {
		Credentials                 creds
		SubjectFromWebIdentityToken string
		AssumedRoleUser             user
		PackedPolicySize            int
		Provider                    string
		Audience                    string
	}{creds{s.AccessKeyID, s.Secret, s.SessionToken, isoTime(s.Expires)}, tok.sub, user{s.UserID, s.Arn}, 0, tok.iss, aud}, nil
}
