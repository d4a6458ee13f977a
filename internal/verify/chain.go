package verify

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/irsa-sync/irsa-sync/internal/state"
)

// RoleAssumer is the STS operation of a chain's hop, with the SDK's
// signature; an sts.Client signed with a web identity session's
// credentials satisfies it.
type RoleAssumer interface {
	AssumeRole(context.Context, *sts.AssumeRoleInput, ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
}

var _ RoleAssumer = (*sts.Client)(nil)

// sessionMargin is how long before a web identity session expires verify
// stops retrying its hops: a request signed with an expired session is
// refused as ExpiredToken, which would hide the hop's own answer.
const sessionMargin = time.Minute

// sessionCredentials are the web identity session's credentials as the
// SDK signs with them; a missing part is left empty, and STS refuses the
// hop for it.
func sessionCredentials(c *ststypes.Credentials) aws.Credentials {
	if c == nil {
		return aws.Credentials{}
	}
	out := aws.Credentials{Source: SessionName}
	if c.AccessKeyId != nil {
		out.AccessKeyID = *c.AccessKeyId
	}
	if c.SecretAccessKey != nil {
		out.SecretAccessKey = *c.SecretAccessKey
	}
	if c.SessionToken != nil {
		out.SessionToken = *c.SessionToken
	}
	if c.Expiration != nil {
		out.CanExpire, out.Expires = true, *c.Expiration
	}
	return out
}

// proveHops makes each hop of the binding in turn with the session's
// credentials, as the pod's AWS config profile does (role_arn with
// source_profile the web identity one): sts:AssumeRole on the target
// through the cluster's regional endpoint, without session tags (a chain
// with tagSession allows plain AssumeRole as well). Each hop retries a
// refusal that the live state does not explain for up to opts.Wait, and
// all of them stop a minute before the session expires. The credentials
// each hop gets back are dropped at once.
func proveHops(ctx context.Context, t Target, creds aws.Credentials, have *state.Live, cl Clients, opts Options) []Hop {
	if len(t.Hops) == 0 {
		return nil
	}
	sessionEnd := opts.Now().Add(sessionSeconds*time.Second - sessionMargin)
	var client RoleAssumer
	if mk := cl.Chain[t.Cluster]; mk != nil {
		client = mk(creds)
	}
	out := make([]Hop, 0, len(t.Hops))
	for _, target := range t.Hops {
		h := Hop{Role: target, Source: t.Role}
		if client == nil {
			h.Reason, h.Error = STSError, "no STS client to chain from cluster "+t.Cluster
		} else {
			h = proveHop(ctx, h, client, have, opts, sessionEnd)
		}
		out = append(out, h)
	}
	return out
}

// proveHop calls sts:AssumeRole on h.Role with backoff, as the web identity
// step does, until proven, refused for a reason the live state shows, or
// out of time (opts.Wait, or the session's life).
func proveHop(ctx context.Context, h Hop, client RoleAssumer, have *state.Live, opts Options, sessionEnd time.Time) Hop {
	deadline := opts.Now().Add(opts.Wait)
	if sessionEnd.Before(deadline) {
		deadline = sessionEnd
	}
	delay := time.Second
	for {
		h.Attempts++
		res, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{
			RoleArn: &h.Role, RoleSessionName: ptr(SessionName), DurationSeconds: ptr(int32(sessionSeconds)),
		})
		if err == nil {
			if res.AssumedRoleUser != nil && res.AssumedRoleUser.Arn != nil {
				h.AssumedRole = *res.AssumedRoleUser.Arn
			}
			// Drop the target's credentials here: they are never stored.
			res.Credentials = nil
			h.Proven, h.Reason, h.Error = true, "", ""
			return h
		}
		d := diagnoseHop(err, h.Source, h.Role, have)
		h.Reason, h.Error = d.reason, errorText(err)
		if !d.retry || ctx.Err() != nil {
			return h
		}
		if opts.Now().Add(delay).After(deadline) {
			if d.looksRight {
				h.Reason = Propagating
			}
			return h
		}
		if err := opts.Sleep(ctx, delay); err != nil {
			return h
		}
		delay = min(delay*2, 10*time.Second)
	}
}
