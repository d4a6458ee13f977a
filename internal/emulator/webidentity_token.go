package emulator

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// RegisterIssuerKeys records the public keys that sign the tokens of an OIDC
// issuer (such as a cluster's service account signing key), standing in for
// the JWKS that IAM fetches from the issuer's discovery document. An issuer
// with no registered keys is one IAM cannot reach: its tokens are refused
// with IDPCommunicationError. Keys are *rsa.PublicKey (RS256),
// *ecdsa.PublicKey (ES256/ES384) or ed25519.PublicKey; they are kept in
// memory only, so a sandbox registers them again on every start.
func (e *Emulator) RegisterIssuerKeys(issuer string, keys ...crypto.PublicKey) error {
	for i, k := range keys {
		switch k.(type) {
		case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
		default:
			return fmt.Errorf("emulator: issuer %s: key %d is a %T; use an RSA, ECDSA or Ed25519 public key", issuer, i+1, k)
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.issuerKeys == nil {
		e.issuerKeys = map[string][]crypto.PublicKey{}
	}
	id := normalizeIssuer(issuer)
	e.issuerKeys[id] = append(e.issuerKeys[id], keys...)
	return nil
}

// normalizeIssuer is an issuer as IAM keys OIDC providers: no scheme, no
// trailing slash, host in lower case.
func normalizeIssuer(iss string) string {
	s := strings.TrimSuffix(strings.TrimPrefix(iss, "https://"), "/")
	host, path, _ := strings.Cut(s, "/")
	if path == "" {
		return strings.ToLower(host)
	}
	return strings.ToLower(host) + "/" + path
}

// TokenClaims are the claims of a service account token that IAM reads.
type TokenClaims struct {
	Issuer   string    `json:"iss"`
	Subject  string    `json:"sub"`
	Audience []string  `json:"aud"`
	Expiry   time.Time `json:"-"`
	IssuedAt time.Time `json:"-"`
}

// SignToken makes a JWT with the claims, signed RS256 by an RSA key or ES256
// by a P-256 key, as kube-apiserver signs service account tokens. Tests and
// the sandbox's in-memory clusters use it to mint tokens.
func SignToken(key crypto.Signer, keyID string, c TokenClaims) (string, error) {
	alg := ""
	switch k := key.Public().(type) {
	case *rsa.PublicKey:
		alg = "RS256"
	case *ecdsa.PublicKey:
		if k.Curve.Params().BitSize != 256 {
			return "", errors.New("emulator: SignToken supports P-256 ECDSA keys only")
		}
		alg = "ES256"
	default:
		return "", fmt.Errorf("emulator: SignToken: unsupported key %T", k)
	}
	header, _ := json.Marshal(map[string]string{"alg": alg, "kid": keyID, "typ": "JWT"})
	claims, _ := json.Marshal(map[string]any{"iss": c.Issuer, "sub": c.Subject, "aud": c.Audience,
		"exp": c.Expiry.Unix(), "iat": c.IssuedAt.Unix(), "nbf": c.IssuedAt.Unix()})
	signed := b64(header) + "." + b64(claims)
	sum := sha256.Sum256([]byte(signed))
	var sig []byte
	var err error
	if alg == "RS256" {
		sig, err = key.Sign(rand.Reader, sum[:], crypto.SHA256)
	} else {
		var der []byte
		if der, err = key.Sign(rand.Reader, sum[:], crypto.SHA256); err == nil {
			sig, err = ecdsaDERToJOSE(der, 32)
		}
	}
	if err != nil {
		return "", fmt.Errorf("emulator: sign token: %w", err)
	}
	return signed + "." + b64(sig), nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// jwt is a parsed, not yet verified, compact JWS.
type jwt struct {
	alg, signed string
	sig         []byte
	iss, sub    string
	aud, amr    []string
	exp, nbf    int64
	hasExp      bool
}

// parseJWT reads header and claims; it verifies nothing.
func parseJWT(tok string) (*jwt, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a compact JWS")
	}
	var hdr struct{ Alg string }
	var cl struct {
		Iss, Sub string
		Aud, Amr json.RawMessage
		Exp, Nbf *json.Number
	}
	for i, v := range []any{&hdr, &cl} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(raw, v); err != nil {
			return nil, err
		}
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, err
	}
	j := &jwt{alg: hdr.Alg, signed: parts[0] + "." + parts[1], sig: sig, iss: cl.Iss, sub: cl.Sub,
		aud: stringList(cl.Aud), amr: stringList(cl.Amr)}
	if cl.Exp != nil {
		n, err := cl.Exp.Int64()
		if err != nil {
			return nil, errors.New("exp is not a number")
		}
		j.exp, j.hasExp = n, true
	}
	if cl.Nbf != nil {
		j.nbf, _ = cl.Nbf.Int64()
	}
	return j, nil
}

// verifiedBy reports whether one of the keys signed the token. "none" and
// HMAC algorithms are never accepted, as IAM accepts only asymmetric ones.
func (j *jwt) verifiedBy(keys []crypto.PublicKey) bool {
	for _, k := range keys {
		switch k := k.(type) {
		case *rsa.PublicKey:
			if h, ok := map[string]crypto.Hash{"RS256": crypto.SHA256, "RS384": crypto.SHA384, "RS512": crypto.SHA512}[j.alg]; ok {
				d := h.New()
				d.Write([]byte(j.signed))
				if rsa.VerifyPKCS1v15(k, h, d.Sum(nil), j.sig) == nil {
					return true
				}
			}
		case *ecdsa.PublicKey:
			h, size := map[string]crypto.Hash{"ES256": crypto.SHA256, "ES384": crypto.SHA384}[j.alg], (k.Curve.Params().BitSize+7)/8
			if h != 0 && len(j.sig) == 2*size {
				d := h.New()
				d.Write([]byte(j.signed))
				r, s := new(big.Int).SetBytes(j.sig[:size]), new(big.Int).SetBytes(j.sig[size:])
				if ecdsa.Verify(k, d.Sum(nil), r, s) {
					return true
				}
			}
		case ed25519.PublicKey:
			if j.alg == "EdDSA" && ed25519.Verify(k, []byte(j.signed), j.sig) {
				return true
			}
		}
	}
	return false
}

// ecdsaDERToJOSE turns an ASN.1 ECDSA signature into JWS's r||s form.
func ecdsaDERToJOSE(der []byte, size int) ([]byte, error) {
	// SEQUENCE { INTEGER r, INTEGER s }
	if len(der) < 8 || der[0] != 0x30 {
		return nil, errors.New("bad ECDSA signature")
	}
	rest := der[2:]
	if der[1]&0x80 != 0 {
		rest = der[2+int(der[1]&0x7f):]
	}
	out := make([]byte, 2*size)
	for i := 0; i < 2; i++ {
		if len(rest) < 2 || rest[0] != 0x02 {
			return nil, errors.New("bad ECDSA signature")
		}
		n := int(rest[1])
		if len(rest) < 2+n {
			return nil, errors.New("bad ECDSA signature")
		}
		v := new(big.Int).SetBytes(rest[2 : 2+n])
		v.FillBytes(out[i*size : (i+1)*size])
		rest = rest[2+n:]
	}
	return out, nil
}
