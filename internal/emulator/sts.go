package emulator

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"regexp"
	"strings"
	"time"
)

func init() {
	handlers["sts"]["GetCallerIdentity"] = getCallerIdentity
	handlers["sts"]["AssumeRole"] = assumeRole
}

var sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

func getCallerIdentity(e *Emulator, c *call) (any, error) {
	return struct{ UserId, Account, Arn string }{c.caller.UserID, c.caller.Account, c.caller.Arn}, nil
}

// assumeRole issues temporary credentials for a role in any emulated
// account whose trust policy lets the caller assume it: Principal.AWS naming
// the caller (its user ARN, or for a session the role ARN it was assumed
// from), its account id or its account root, or "*" (IAM User Guide,
// "AWS JSON policy elements: Principal"). The caller's own identity
// policies are evaluated before, by authorize (identity_eval.go).
func assumeRole(e *Emulator, c *call) (any, error) {
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
	if len(arn) < 20 || len(arn) > 2048 {
		return nil, errConstraint(arn, "roleArn", "Member must have length greater than or equal to 20")
	}
	duration, err := c.int32Param("DurationSeconds", "durationSeconds", 3600, 900, 43200)
	if err != nil {
		return nil, err
	}
	denied := errf(403, "AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", c.caller.Arn, arn)
	if p, ok := parseARN(arn); ok && p.partition != c.partition {
		return nil, errValidation("Partition \"%s\" is not valid for resource \"%s\".", p.partition, arn)
	}
	acct, path, name, ok := parseRoleArnIn(c.partition, arn)
	if !ok {
		return nil, errValidation("%s is invalid", arn)
	}
	target := e.st.Accounts[acct]
	if target == nil {
		return nil, denied
	}
	r := target.Roles[strings.ToLower(name)]
	if r == nil || r.Path != path {
		return nil, denied
	}
	who := []string{c.caller.Arn, c.caller.Account, "arn:" + c.partition + ":iam::" + c.caller.Account + ":root"}
	if c.caller.RoleArn != "" {
		who = append(who, c.caller.RoleArn)
	}
	req := assumeRequest{
		principals: map[string][]string{"AWS": who},
		actions:    []string{"sts:AssumeRole"},
		context: map[string][]string{
			"aws:principalarn":     {firstNonEmpty(c.caller.RoleArn, c.caller.Arn)},
			"aws:principalaccount": {c.caller.Account},
		},
	}
	if x := c.form.Get("ExternalId"); x != "" {
		req.context["sts:externalid"] = []string{x}
	}
	if !trustAllows(r.Trust, req) {
		return nil, denied
	}
	if duration > r.MaxSession {
		return nil, errValidation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	if c.caller.SessionToken != "" && duration > 3600 {
		return nil, errValidation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	p := e.newSession(c.partition, acct, r, session, time.Duration(duration)*time.Second)
	type creds struct{ AccessKeyId, SecretAccessKey, SessionToken, Expiration string }
	type user struct{ AssumedRoleId, Arn string }
	return struct {
		Credentials      creds
		AssumedRoleUser  user
		PackedPolicySize int
	}{creds{p.AccessKeyID, p.Secret, p.SessionToken, isoTime(p.Expires)}, user{p.UserID, p.Arn}, 0}, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// newSession records temporary credentials of role r: random keys, an
// assumed-role ARN in the partition, expiring after d.
func (e *Emulator) newSession(partition, acct string, r *role, session string, d time.Duration) *principal {
	p := &principal{
		AccessKeyID:  "ASIA" + randomString(12, base32.StdEncoding.EncodeToString)[:16],
		Secret:       randomString(30, base64.RawStdEncoding.EncodeToString)[:40],
		SessionToken: randomString(96, base64.StdEncoding.EncodeToString),
		Account:      acct,
		Arn:          "arn:" + partition + ":sts::" + acct + ":assumed-role/" + r.Name + "/" + session,
		UserID:       r.ID + ":" + session,
		RoleArn:      roleArnIn(partition, acct, r),
		Expires:      e.now().Add(d),
	}
	e.sessions[p.AccessKeyID] = p
	e.expireSessions()
	return p
}

// expireSessions forgets expired sessions so long sandbox runs stay small.
func (e *Emulator) expireSessions() {
	now := e.now()
	for k, p := range e.sessions {
		if !now.Before(p.Expires) {
			delete(e.sessions, k)
		}
	}
}

func randomString(n int, enc func([]byte) string) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return enc(b)
}
