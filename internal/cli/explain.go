package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/irsa-sync/irsa-sync/internal/access"
	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/partition"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/reconcile"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

type explainOptions struct {
	Account string
	Output  string
}

func newExplainCmd(g *globalOptions, streams IO) *cobra.Command {
	o := &explainOptions{}
	cmd := &cobra.Command{
		Use:   "explain ROLE",
		Short: "Say in plain words who can assume a role, as declared and as live",
		Long: `explain prints who can assume ROLE: which clusters, namespaces and service
accounts (exact or by pattern) and which token audiences, first as the bindings
file declares it and then as the live trust policy says, with the risks of
each. A reviewer can check a trust without reading its JSON. It writes nothing.`,
		Example: `  irsa-sync explain my-role -f bindings.yaml
  irsa-sync explain my-role --account prod --sandbox .sandbox -f examples/bindings.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExplain(cmd, g, o, args[0], streams)
		},
	}
	cmd.Flags().StringVar(&o.Account, "account", "", "the account (its name in the file) of the role, when several accounts have a role of that name")
	cmd.Flags().StringVarP(&o.Output, "output", "o", "text", "output format: text, or mermaid for a flowchart of who can assume the role as it is live (as declared before it exists)")
	return cmd
}

func runExplain(cmd *cobra.Command, g *globalOptions, o *explainOptions, name string, streams IO) (err error) {
	// The name is checked against the file before anything is read, so a
	// typo costs no credentials and no API call.
	if o.Output != "text" && o.Output != "mermaid" {
		return &exitError{code: ExitError, err: fmt.Errorf("unknown output format %q for explain: use text or mermaid", o.Output)}
	}
	f, err := loadFile(g.Files)
	if err != nil {
		return err
	}
	// A role ARN names the account too, and may name a live role the file
	// does not declare: its live trust is explained alone.
	byARN := strings.HasPrefix(name, "arn:")
	accountID := ""
	if byARN {
		acct, role, err := roleOfARN(name, f)
		if err != nil {
			return &exitError{code: ExitError, err: err}
		}
		name, o.Account = role, acct.Name
		accountID = acct.ID
	}
	var matches []string
	for _, r := range f.Roles {
		if strings.EqualFold(r.Name, name) && (o.Account == "" || r.Account == o.Account) {
			matches = append(matches, r.Account)
		}
	}
	switch {
	case len(matches) == 0 && byARN:
		// Not declared: read the live state and explain the live role.
	case len(matches) == 0:
		return &exitError{code: ExitError, err: fmt.Errorf("%s declares no role %q%s: explain takes the name of a role under roles%s", f.Source.Name(), name, inAccount(o.Account), suggest(name, f))}
	case len(matches) > 1:
		return &exitError{code: ExitError, err: fmt.Errorf("role %q is declared in accounts %s: say which with --account", name, strings.Join(matches, ", "))}
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
	res, err := reconcile.Plan(ctx, s.file, s.clients, reconcile.Options{SkipPods: true})
	if err != nil {
		return err
	}
	want, have := res.Desired, res.Live
	clusters := map[string]string{} // issuer host → cluster names
	issuers := have.Issuers()
	for _, c := range resource.SortedKeys(issuers) {
		host := resource.IssuerHost(issuers[c])
		if clusters[host] != "" {
			clusters[host] += ", "
		}
		clusters[host] += c
	}
	// Accounts, the file's roles (so a chain from one of them reads as
	// declared) and the clusters' ARNs (Pod Identity trusts name them).
	names := resolverFor(s.file, want)
	names.Clusters = clusters
	if len(matches) == 0 {
		return explainLiveOnly(streams.Out, o, have, accountID, name, names)
	}
	var role *desired.Role
	for i := range want.Roles {
		if strings.EqualFold(want.Roles[i].Name, name) && want.Roles[i].Account == matches[0] {
			role = &want.Roles[i]
		}
	}
	if role == nil {
		return fmt.Errorf("role %q of account %q is missing from the desired state", name, matches[0])
	}
	var liveRole *resource.Role
	if acct := have.Accounts[role.AccountID]; acct != nil {
		if r, ok := acct.Role(role.Name); ok {
			liveRole = &r
		}
	}
	names.Partition = partition.OfARN(role.ARN)
	if o.Output == "mermaid" {
		doc := role.Trust
		if liveRole != nil {
			doc = liveRole.Trust
		}
		return writeMermaid(streams.Out, role.Account+"/"+role.Name, doc, names)
	}
	writeExplanation(streams.Out, role, liveRole, names)
	writeChain(streams.Out, want, role, clusters)
	return nil
}

func inAccount(a string) string {
	if a == "" {
		return ""
	}
	return fmt.Sprintf(" in account %q", a)
}

// writeExplanation prints both views of the role's trust. clusters names
// the file's clusters by issuer host, so a provider ARN reads as a cluster.
func writeExplanation(w io.Writer, want *desired.Role, have *resource.Role, names access.Resolver) {
	clusters := names.Clusters
	fmt.Fprintf(w, "Role %s in account %s (%s)\n%s\n", want.Name, want.Account, want.AccountID, want.ARN)
	fmt.Fprintln(w, "\nAs the file declares it, these can assume the role:")
	writeGrants(w, trust.Read(want.Trust), clusters)
	writePaths(w, want.Trust, names)
	writeRisks(w, want.Trust, names)
	fmt.Fprintln(w, "\nAs it is live:")
	if have == nil {
		fmt.Fprintln(w, "  The role does not exist yet: nobody can assume it. apply creates it as declared above.")
		return
	}
	fmt.Fprintln(w, "  These can assume the role now:")
	writeGrants(w, trust.Read(have.Trust), clusters)
	writePaths(w, have.Trust, names)
	writeRisks(w, have.Trust, names)
	if have.Trust.Equal(want.Trust) {
		fmt.Fprintln(w, "\nThe live trust is exactly the declared one.")
	} else {
		fmt.Fprintln(w, "\nThe live trust differs from the declared one: plan shows the difference, apply replaces it.")
	}
}

func writeGrants(w io.Writer, grants []trust.Grant, clusters map[string]string) {
	if len(grants) == 0 {
		fmt.Fprintln(w, "  nobody: the trust admits no service account")
	}
	for _, g := range grants {
		if source := chainStatement(g.Other); source != "" {
			fmt.Fprintf(w, "  - role %s, by role chaining: %s\n", source, g.Other)
			continue
		}
		if g.Other != "" && readByPaths(g.Other) {
			continue
		}
		if g.Other != "" {
			fmt.Fprintf(w, "  - a statement irsa-sync does not generate, read it yourself: %s\n", g.Other)
			continue
		}
		host := g.Principal[strings.Index(g.Principal, "oidc-provider/")+len("oidc-provider/"):]
		where := "an issuer of no cluster in the file"
		if c := clusters[host]; c != "" {
			where = "cluster " + c
		}
		aud := "any audience (not checked)"
		if len(g.Audiences) > 0 {
			aud = "audience " + strings.Join(g.Audiences, ", ")
		}
		fmt.Fprintf(w, "  In %s (issuer %s), tokens for %s:\n", where, host, aud)
		if len(g.Subjects) == 0 {
			fmt.Fprintln(w, "    - every service account of the cluster: no subject is checked")
		}
		subs := append([]string(nil), g.Subjects...)
		sort.Strings(subs)
		for _, sub := range subs {
			fmt.Fprintf(w, "    - %s\n", describeSubject(sub, g.Patterns))
		}
	}
}

// describeSubject says which service accounts one sub value admits.
func describeSubject(sub string, patterns bool) string {
	if !strings.HasPrefix(sub, "system:serviceaccount:") || strings.Count(sub, ":") != 3 {
		if patterns {
			return fmt.Sprintf("any token subject matching %q", sub)
		}
		return fmt.Sprintf("the token subject %q, which is no service account", sub)
	}
	ns, name := trust.SplitSub(sub)
	wild := func(s string) bool { return patterns && strings.ContainsAny(s, "*?") }
	nsText := fmt.Sprintf("namespace %s", ns)
	if wild(ns) {
		nsText = fmt.Sprintf("any namespace matching %q, including ones created later", ns)
	}
	switch {
	case wild(name) && strings.Trim(name, "*") == "":
		return fmt.Sprintf("every service account in %s (pattern %s)", nsText, sub)
	case wild(name):
		return fmt.Sprintf("service accounts matching %q in %s (pattern %s)", name, nsText, sub)
	case wild(ns):
		return fmt.Sprintf("service account %s in %s (pattern %s)", name, nsText, sub)
	}
	return fmt.Sprintf("service account %s in %s", name, nsText)
}

// writeRisks says the risks of a trust as the plan does (access.Of), so
// explain and plan never disagree about a statement.
func writeRisks(w io.Writer, doc policy.Document, names access.Resolver) {
	_, risks := access.Of(doc, names)
	if len(risks) == 0 {
		fmt.Fprintln(w, "  Risks: none; every subject is a named namespace, and the audience is checked.")
		return
	}
	fmt.Fprintln(w, "  Risks:")
	for _, r := range risks {
		fmt.Fprintf(w, "    ! %s\n", r.Words())
	}
}
