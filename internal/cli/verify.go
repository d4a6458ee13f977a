package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"

	"github.com/irsa-sync/irsa-sync/internal/partition"
	"github.com/irsa-sync/irsa-sync/internal/reconcile"
	"github.com/irsa-sync/irsa-sync/internal/verify"
)

type verifyOptions struct {
	Output string
	Filter verify.Filter
	Wait   time.Duration
}

func newVerifyCmd(g *globalOptions, streams IO) *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Prove that each bound service account can assume its role",
		Long: `verify proves, for each exact binding of the file (or those --role, --cluster
and --namespace select), that a pod would get credentials: it mints a
10-minute token for the ServiceAccount with the Kubernetes TokenRequest API,
with the binding's audience, and calls sts:AssumeRoleWithWebIdentity for the
file's role with it, through the regional STS endpoint of the cluster's region.
The token is never printed or logged, and the credentials STS returns are
dropped at once.

When the file chains roles from the binding's role (assumedFrom), verify
then makes each hop as the pod's AWS config profile would: sts:AssumeRole
on the target role, signed with the web identity session's credentials,
through the same regional endpoint. Each hop is its own line under the
binding; a refusal names the half of the chain the live state shows wrong
(the target is missing, its trust does not name the source role, or the
source's irsa-sync-chain policy does not allow the target). The session's
credentials are kept in memory only for the hops, never printed or logged.

A refusal is explained from STS's answer and the live state: the trust does
not admit the service account or its audience, the role's account has no
OIDC provider for the cluster or the provider lacks the audience, the
ServiceAccount's annotation names another role, STS refused the token's
issuer. While IAM may still be propagating a new role it retries with
backoff for up to --wait.

It needs create on serviceaccounts/token in each cluster
(examples/rbac/verify-clusterrole.yaml) and no IAM permission: the STS call
is unsigned. It writes nothing, and it never runs unless asked (here, or
with apply --verify).

Exit codes: 0 every binding and chain hop proven; 1 otherwise.`,
		Example: `  irsa-sync verify -f bindings.yaml
  irsa-sync verify --role my-role --cluster prod-use1 --wait 2m
  irsa-sync apply --verify -f examples/bindings.yaml --sandbox .sandbox
  irsa-sync verify --output json > verify.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVerify(cmd, g, o, streams)
		},
	}
	addVerifyFlags(cmd, o)
	cmd.Flags().StringVarP(&o.Output, "output", "o", "text", "output format: text or json")
	return cmd
}

// addVerifyFlags adds the flags verify shares with apply --verify.
func addVerifyFlags(cmd *cobra.Command, o *verifyOptions) {
	cmd.Flags().StringVar(&o.Filter.Role, "role", "", "verify only the bindings of this role (name or ARN)")
	cmd.Flags().StringVar(&o.Filter.Cluster, "cluster", "", "verify only the bindings in this cluster")
	cmd.Flags().StringVar(&o.Filter.Namespace, "namespace", "", "verify only the bindings in this namespace")
	cmd.Flags().DurationVar(&o.Wait, "wait", verify.DefaultWait, "retry a refusal for this long while IAM may be propagating a change")
}

func runVerify(cmd *cobra.Command, g *globalOptions, o *verifyOptions, streams IO) (err error) {
	if o.Output != "text" && o.Output != "json" {
		return &exitError{code: ExitError, err: fmt.Errorf("unknown output format %q for verify: use text or json", o.Output)}
	}
	ctx, cancel := withTimeout(cmd.Context(), g.Timeout)
	defer cancel()
	s, err := openSession(ctx, g)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := s.close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	return s.verify(ctx, o, streams)
}

// verifyClock is the backoff's clock; tests replace it so that a --wait
// passes at once.
var verifyClock = verify.Options{}

// verify reads the live state again (after an apply it has changed),
// proves the selected bindings and prints the outcome.
func (s *session) verify(ctx context.Context, o *verifyOptions, streams IO) error {
	if o.Wait < 0 {
		return &exitError{code: ExitError, err: fmt.Errorf("--wait is %s: use 0 or more", o.Wait)}
	}
	s.status.Set("Reading %d accounts and %d clusters...", len(s.file.Accounts), len(s.file.Clusters))
	res, err := reconcile.Plan(ctx, s.file, s.clients, reconcile.Options{SkipPods: true})
	s.status.Clear()
	if err != nil {
		return err
	}
	targets, err := verify.Targets(s.file, res.Desired, res.Live.Issuers(), o.Filter)
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	cl := verify.Clients{Kube: s.clients.Kube, STS: map[string]verify.WebIdentity{}, Chain: map[string]func(aws.Credentials) verify.RoleAssumer{}}
	for _, c := range s.file.Clusters {
		cl.STS[c.Name] = s.webIdentity(c.Region)
		endpoint := s.stsEndpoint(c.Region)
		cl.Chain[c.Name] = func(creds aws.Credentials) verify.RoleAssumer { return newHopClient(c.Region, endpoint, creds) }
	}
	opts := verifyClock
	opts.Wait = o.Wait
	if o.Wait == 0 {
		opts.Wait = -1 // one attempt
	}
	s.status.Set("Verifying %d bindings...", len(targets))
	start := time.Now()
	out := verify.Run(ctx, targets, res.Live, cl, opts)
	s.status.Clear()
	for _, r := range out {
		s.logOutcome(r)
	}
	sum := verify.Summarize(out)
	s.log.Info("verify finished", "proven", sum.Proven, "failed", sum.Failed,
		"hopsProven", sum.HopsProven, "hopsFailed", sum.HopsFailed, "hopsNotTried", sum.HopsNotTried, "durationMs", ms(time.Since(start)))
	write := verify.WriteText
	if o.Output == "json" {
		write = verify.WriteJSON
	}
	if err := write(streams.Out, out); err != nil {
		return err
	}
	if !sum.OK() {
		return &exitError{code: ExitError, err: fmt.Errorf("verify: %d of %d bindings and %d of %d chain hops not proven",
			sum.Failed, len(out), sum.HopsFailed+sum.HopsNotTried, sum.HopsProven+sum.HopsFailed+sum.HopsNotTried)}
	}
	return nil
}

// logOutcome logs a binding and its hops: names, reasons and STS's error
// text, never a token or a credential.
func (s *session) logOutcome(r verify.Outcome) {
	attrs := []any{"address", r.Address(), "role", r.Role, "proven", r.Proven, "attempts", r.Attempts}
	if !r.Proven {
		s.log.Warn("binding not proven", append(attrs, "reason", string(r.Reason), "error", r.Error)...)
	} else {
		s.log.Info("binding proven", attrs...)
	}
	for _, h := range r.Hops {
		attrs := []any{"address", r.Address(), "source", r.Role, "role", h.Role, "proven", h.Proven, "attempts", h.Attempts}
		if !h.Proven {
			s.log.Warn("chain hop not proven", append(attrs, "reason", string(h.Reason), "error", h.Error)...)
			continue
		}
		s.log.Info("chain hop proven", attrs...)
	}
}

// webIdentity is an STS client for a cluster's region that signs nothing:
// AssumeRoleWithWebIdentity is authorised by the token alone, so no
// credentials of irsa-sync's are sent. It calls the region's own endpoint,
// as a pod with AWS_STS_REGIONAL_ENDPOINTS=regional does; the sandbox's
// emulator serves every region.
func (s *session) webIdentity(region string) verify.WebIdentity {
	return sts.New(sts.Options{Region: region, BaseEndpoint: aws.String(s.stsEndpoint(region)), Credentials: aws.AnonymousCredentials{}})
}

// stsEndpoint is the regional STS endpoint of a cluster's region, or the
// sandbox's emulator, which serves every region.
func (s *session) stsEndpoint(region string) string {
	if s.sandbox != nil {
		return s.sandbox.URL
	}
	return partition.STSEndpoint(region)
}

// newHopClient is an STS client for one binding's chain hops, signed with
// its web identity session's credentials, in the cluster's region as the
// pod's SDK is (AWS_REGION from the webhook). A variable so that tests can
// see which credentials verify was given and check none reaches an output.
var newHopClient = func(region, endpoint string, creds aws.Credentials) verify.RoleAssumer {
	return sts.New(sts.Options{Region: region, BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.StaticCredentialsProvider{Value: creds}})
}
