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

// parseRoleArn splits arn:aws:iam::ACCOUNT:role/PATH/NAME.
func parseRoleArn(arn string) (acct, path, name string, ok bool) {
	rest, found := strings.CutPrefix(arn, "arn:aws:iam::")
	if !found {
		return "", "", "", false
	}
	acct, rest, found = strings.Cut(rest, ":")
	if !found || len(acct) != 12 {
		return "", "", "", false
	}
	rest, found = strings.CutPrefix(rest, "role/")
	if !found {
		return "", "", "", false
	}
	i := strings.LastIndex(rest, "/")
	path, name = "/"+rest[:i+1], rest[i+1:]
	return acct, path, name, name != ""
}

// assumeRole issues temporary credentials for a role in any emulated
// account. The trust policy is not evaluated: the role only has to exist.
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
	acct, path, name, ok := parseRoleArn(arn)
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
	if duration > r.MaxSession {
		return nil, errValidation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	if c.caller.SessionToken != "" && duration > 3600 {
		return nil, errValidation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	p := &principal{
		AccessKeyID:  "ASIA" + randomString(12, base32.StdEncoding.EncodeToString)[:16],
		Secret:       randomString(30, base64.RawStdEncoding.EncodeToString)[:40],
		SessionToken: randomString(96, base64.StdEncoding.EncodeToString),
		Account:      acct,
		Arn:          "arn:aws:sts::" + acct + ":assumed-role/" + r.Name + "/" + session,
		UserID:       r.ID + ":" + session,
		Expires:      e.now().Add(time.Duration(duration) * time.Second),
	}
	e.sessions[p.AccessKeyID] = p
	e.expireSessions()
	type creds struct{ AccessKeyId, SecretAccessKey, SessionToken, Expiration string }
	type user struct{ AssumedRoleId, Arn string }
	return struct {
		Credentials      creds
		AssumedRoleUser  user
		PackedPolicySize int
	}{creds{p.AccessKeyID, p.Secret, p.SessionToken, isoTime(p.Expires)}, user{p.UserID, p.Arn}, 0}, nil
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
