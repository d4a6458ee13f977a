package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
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

Exit codes: 0 every binding proven; 1 otherwise.`,
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
	cl := verify.Clients{Kube: s.clients.Kube, STS: map[string]verify.WebIdentity{}}
	for _, c := range s.file.Clusters {
		cl.STS[c.Name] = s.webIdentity(c.Region)
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
		attrs := []any{"address", r.Address(), "role", r.Role, "proven", r.Proven, "attempts", r.Attempts}
		if !r.Proven {
			attrs = append(attrs, "reason", string(r.Reason), "error", r.Error)
			s.log.Warn("binding not proven", attrs...)
			continue
		}
		s.log.Info("binding proven", attrs...)
	}
	sum := verify.Summarize(out)
	s.log.Info("verify finished", "proven", sum.Proven, "failed", sum.Failed, "durationMs", ms(time.Since(start)))
	write := verify.WriteText
	if o.Output == "json" {
		write = verify.WriteJSON
	}
	if err := write(streams.Out, out); err != nil {
		return err
	}
	if sum.Failed > 0 {
		return &exitError{code: ExitError, err: fmt.Errorf("verify: %d of %d bindings not proven", sum.Failed, len(out))}
	}
	return nil
}

// webIdentity is an STS client for a cluster's region that signs nothing:
// AssumeRoleWithWebIdentity is authorised by the token alone, so no
// credentials of irsa-sync's are sent. It calls the region's own endpoint,
// as a pod with AWS_STS_REGIONAL_ENDPOINTS=regional does; the sandbox's
// emulator serves every region.
func (s *session) webIdentity(region string) verify.WebIdentity {
	endpoint := partition.STSEndpoint(region)
	if s.sandbox != nil {
		endpoint = s.sandbox.URL
	}
	return sts.New(sts.Options{Region: region, BaseEndpoint: aws.String(endpoint), Credentials: aws.AnonymousCredentials{}})
}
