package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// sigV4 is the parsed Authorization header of a SigV4-signed request.
type sigV4 struct {
	accessKey, date, region, service string
	signedHeaders                    []string
	signature                        string
}

// parseAuthorization reads "AWS4-HMAC-SHA256 Credential=AKID/date/region/
// service/aws4_request, SignedHeaders=a;b, Signature=hex". The scope's
// service is what routes the request.
func parseAuthorization(r *http.Request) (sigV4, error) {
	var s sigV4
	h := r.Header.Get("Authorization")
	if h == "" {
		return s, errf(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
	}
	alg, rest, ok := strings.Cut(h, " ")
	if !ok || alg != "AWS4-HMAC-SHA256" {
		return s, errf(400, "IncompleteSignature", "Unsupported signing algorithm in Authorization header")
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 5 || f[4] != "aws4_request" {
				return s, errf(400, "IncompleteSignature", "Credential should be scoped correctly: %s", v)
			}
			s.accessKey, s.date, s.region, s.service = f[0], f[1], f[2], f[3]
		case "SignedHeaders":
			s.signedHeaders = strings.Split(v, ";")
		case "Signature":
			s.signature = v
		}
	}
	if s.accessKey == "" || s.signature == "" || len(s.signedHeaders) == 0 {
		return s, errf(400, "IncompleteSignature", "Authorization header requires Credential, SignedHeaders and Signature")
	}
	return s, nil
}

// authenticate resolves the access key to a principal, checks its session
// token and expiry, and verifies the signature with the key's secret.
// Called with e.mu held.
func (e *Emulator) authenticate(r *http.Request, body []byte, s sigV4, c *call) error {
	badToken := errf(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
	if c.service == "eks" {
		badToken = errf(403, "UnrecognizedClientException", "The security token included in the request is invalid.")
	}
	p := e.principalFor(s.accessKey)
	if p == nil {
		return badToken
	}
	if p.SessionToken != "" {
		if r.Header.Get("X-Amz-Security-Token") != p.SessionToken {
			return badToken
		}
		if !e.now().Before(p.Expires) {
			return errf(403, "ExpiredToken", "The security token included in the request is expired")
		}
	}
	want := signV4(r, body, s, p.Secret)
	if !hmac.Equal([]byte(want), []byte(s.signature)) {
		return errf(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
	}
	acct := e.st.Accounts[p.Account]
	if acct == nil {
		return badToken
	}
	part := partitionOfRegion(s.region)
	if acct.Partition != "" && acct.Partition != part {
		// Credentials exist in one partition only: signed for a region of
		// another, they are unknown there.
		return badToken
	}
	if p.SessionToken == "" {
		p.Arn = "arn:" + part + ":iam::" + p.Account + ":user/" + adminUser
	}
	acct.requestPartition = part
	c.caller, c.acct, c.partition = p, acct, part
	return nil
}

// signV4 recomputes the request signature from the headers the client said
// it signed.
func signV4(r *http.Request, body []byte, s sigV4, secret string) string {
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		sum := sha256.Sum256(body)
		payload = hex.EncodeToString(sum[:])
	}
	var ch strings.Builder
	for _, name := range s.signedHeaders {
		var v string
		switch name {
		case "host":
			v = r.Host
		case "content-length":
			v = r.Header.Get("Content-Length")
			if v == "" {
				v = strconv.FormatInt(r.ContentLength, 10)
			}
		default:
			vals := r.Header.Values(name)
			for i := range vals {
				vals[i] = strings.Join(strings.Fields(vals[i]), " ")
			}
			v = strings.Join(vals, ",")
		}
		ch.WriteString(name + ":" + v + "\n")
	}
	// Services other than S3 sign the escaped path escaped once more, so an
	// ARN label the SDK sent as %2F is signed as %252F.
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	segs := strings.Split(path, "/")
	for i := range segs {
		segs[i] = rfc3986(segs[i])
	}
	path = strings.Join(segs, "/")
	canonical := strings.Join([]string{r.Method, path, canonicalQuery(r.URL.Query()), ch.String(), strings.Join(s.signedHeaders, ";"), payload}, "\n")
	sum := sha256.Sum256([]byte(canonical))
	scope := s.date + "/" + s.region + "/" + s.service + "/aws4_request"
	toSign := "AWS4-HMAC-SHA256\n" + r.Header.Get("X-Amz-Date") + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	key := hmacSHA256([]byte("AWS4"+secret), s.date)
	key = hmacSHA256(key, s.region)
	key = hmacSHA256(key, s.service)
	key = hmacSHA256(key, "aws4_request")
	return hex.EncodeToString(hmacSHA256(key, toSign))
}

func canonicalQuery(q url.Values) string {
	var parts []string
	for k, vs := range q {
		for _, v := range vs {
			parts = append(parts, rfc3986(k)+"="+rfc3986(v))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, "&")
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// rfc3986 percent-encodes everything but unreserved characters, spaces as
// %20: the encoding IAM uses for policy documents and SigV4 for queries.
func rfc3986(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
