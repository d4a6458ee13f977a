package desired

import (
	"fmt"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// addChains derives both halves of each role chain (assumedFrom) from the
// file: the target's trust gains a statement naming the source's ARN, and the
// source gains the inline policy resource.ChainPolicyName allowing
// sts:AssumeRole on exactly its targets; and a chain with a
// profileConfigMap, the ConfigMap holding its AWS config profiles. Both are derived, never stored, so
// renaming, moving or removing either role changes all of them in the next plan.
// st.Roles must still be in the file's order.
func (st *State) addChains(f *config.File) error {
	targets := map[int][]trust.Chain{} // source index → its targets
	for i, r := range f.Roles {
		if len(r.AssumedFrom) == 0 {
			continue
		}
		target := &st.Roles[i]
		for j, src := range r.AssumedFrom {
			k, ok := sourceIndex(f, src)
			if !ok {
				return fmt.Errorf("roles[%d].assumedFrom[%d]: no single role %q%s in the file", i, j, src.Role, inAccount(src.Account))
			}
			source := st.Roles[k]
			target.AssumedFrom = append(target.AssumedFrom, Chain{
				Chain: trust.Chain{Role: source.ARN, TagSession: src.TagSession}, Name: source.Name, Account: source.Account, AccountID: source.AccountID})
			targets[k] = append(targets[k], trust.Chain{Role: target.ARN, TagSession: src.TagSession})
			if cm := src.ProfileConfigMap; cm != nil {
				st.ConfigMaps = append(st.ConfigMaps, profileConfigMap(f, *cm, f.Roles[k], source.ARN, r, target.ARN))
			}
		}
		sources := make([]trust.Chain, len(target.AssumedFrom))
		for j, c := range target.AssumedFrom {
			sources[j] = c.Chain
		}
		target.Trust = trust.ForChainedRole(target.Subjects, sources)
	}
	for k, list := range targets {
		source := &st.Roles[k]
		if source.InlinePolicies == nil {
			source.InlinePolicies = map[string]policy.Document{}
		}
		source.InlinePolicies[resource.ChainPolicyName] = trust.ChainPermission(list)
	}
	return nil
}

// Chain is a source role of a chained role, by ARN and by the file's names.
type Chain struct {
	trust.Chain
	Name      string `json:"name"`
	Account   string `json:"account"`
	AccountID string `json:"accountId"`
}

func sourceIndex(f *config.File, src config.ChainSource) (int, bool) {
	k, n := 0, 0
	for j, r := range f.Roles {
		if r.Name == src.Role && (src.Account == "" || r.Account == src.Account) {
			k, n = j, n+1
		}
	}
	return k, n == 1
}

func inAccount(a string) string {
	if a == "" {
		return ""
	}
	return " in account " + a
}
