package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/access"
	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/partition"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/state"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// roleOfARN reads a role ARN (arn:PARTITION:iam::ACCOUNT:role/PATH/NAME)
// and finds its account in the file, which irsa-sync needs credentials for.
func roleOfARN(arn string, f *config.File) (config.Account, string, error) {
	p := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || p[2] != "iam" || !strings.HasPrefix(p[5], "role/") {
		return config.Account{}, "", fmt.Errorf("%q is not a role ARN: give arn:aws:iam::ACCOUNT:role/NAME, or the role's name in the file", arn)
	}
	name := p[5][strings.LastIndex(p[5], "/")+1:]
	for _, a := range f.Accounts {
		if a.ID == p[4] {
			return a, name, nil
		}
	}
	return config.Account{}, "", fmt.Errorf("role %s is in account %s, which the file does not name: irsa-sync reads only the file's accounts", arn, p[4])
}

// explainLiveOnly explains a live role the file does not declare: who can
// assume it now, and the risks of its trust.
func explainLiveOnly(w io.Writer, o *explainOptions, have *state.Live, accountID, name string, names access.Resolver) error {
	acct := have.Accounts[accountID]
	if acct == nil {
		return &exitError{code: ExitError, err: fmt.Errorf("account %s was not read", accountID)}
	}
	role, ok := acct.Role(name)
	if !ok {
		return &exitError{code: ExitError, err: fmt.Errorf("no role %q exists in account %s (%s)", name, o.Account, accountID)}
	}
	names.Partition = partition.OfARN(role.ARN)
	if o.Output == "mermaid" {
		return writeMermaid(w, o.Account+"/"+role.Name, role.Trust, names)
	}
	fmt.Fprintf(w, "Role %s in account %s (%s)\n%s\n", role.Name, o.Account, accountID, role.ARN)
	fmt.Fprintln(w, "\nThe bindings file does not declare this role; irsa-sync leaves it alone.")
	fmt.Fprintln(w, "\nAs it is live:")
	fmt.Fprintln(w, "  These can assume the role now:")
	writeGrants(w, trust.Read(role.Trust), names.Clusters)
	writeRisks(w, role.Trust, names)
	return nil
}

// writeMermaid draws who can assume a role with this trust.
func writeMermaid(w io.Writer, title string, doc policy.Document, names access.Resolver) error {
	subs, _ := access.Of(doc, names)
	_, err := io.WriteString(w, access.Mermaid(title, access.Edges(title, subs, subs)))
	return err
}
