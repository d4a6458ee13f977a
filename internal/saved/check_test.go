package saved

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/plan"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

func TestCheck(t *testing.T) {
	const roleAddr, newAddr, saAddr = "account/prod/role/r", "account/prod/role/new", "cluster/c1/serviceaccount/default/app"
	const cmAddr, newCMAddr = "cluster/c1/configmap/default/writer-aws", "cluster/c1/configmap/default/reader-aws"
	change := func(p *plan.Plan, addr string) *plan.Change {
		for i := range p.Changes {
			if p.Changes[i].Address == addr {
				return &p.Changes[i]
			}
		}
		t.Fatalf("no change %s", addr)
		return nil
	}
	drop := func(p *plan.Plan, addr string) {
		var keep []plan.Change
		for _, c := range p.Changes {
			if c.Address != addr {
				keep = append(keep, c)
			}
		}
		p.Changes = keep
	}
	tests := []struct {
		name   string
		digest func(d *Digest)
		fresh  func(p *plan.Plan)
		want   []string // substrings of the moved entries, in order; none means not stale
	}{
		{name: "unchanged"},
		{name: "more drift is not staleness", fresh: func(p *plan.Plan) {
			p.Changes = append(p.Changes, plan.Change{Action: plan.Create, Kind: resource.KindRole, Address: "account/prod/role/other"})
		}},
		{name: "file edited", digest: func(d *Digest) { d.Files[0].SHA256 = strings.Repeat("c", 64) },
			want: []string{"bindings.yaml changed since the plan was saved (sha256 aaaaaaaaaaaa, now cccccccccccc)"}},
		{name: "a file added to the set", digest: func(d *Digest) {
			d.Files = append(d.Files, FileDigest{Path: "team-b.yaml", SHA256: strings.Repeat("d", 64)})
		}, want: []string{"the plan was computed from 1 bindings files (bindings.yaml), and 2 are read now (bindings.yaml, team-b.yaml)"}},
		{name: "a checkout elsewhere is the same input", digest: func(d *Digest) {
			d.Files[0].Path = "/elsewhere/bindings.yaml"
			d.Documents[0].File = "/elsewhere/bindings.yaml"
		}},
		{name: "document edited", digest: func(d *Digest) { d.Documents[0].SHA256 = strings.Repeat("c", 64) },
			want: []string{"policy document p.json (of bindings.yaml) changed"}},
		{name: "document added and removed", digest: func(d *Digest) { d.Documents[0].Path = "q.json" },
			want: []string{"now references policy document q.json", "no longer references policy document p.json"}},
		{name: "role changed by someone else", fresh: func(p *plan.Plan) {
			r := *change(p, roleAddr).Role.Before
			r.Description = "edited by hand"
			change(p, roleAddr).Role.Before = &r
		}, want: []string{roleAddr + " was changed by someone else"}},
		{name: "created by someone else", fresh: func(p *plan.Plan) {
			c := change(p, newAddr)
			c.Action, c.Role = plan.Update, &plan.Diff[resource.Role]{Before: c.Role.After, After: c.Role.After}
		}, want: []string{newAddr + ": planned create, now it needs update"}},
		{name: "no longer needed", fresh: func(p *plan.Plan) { drop(p, roleAddr) },
			want: []string{roleAddr + " (update): it needs no such change any more"}},
		{name: "now a conflict", fresh: func(p *plan.Plan) {
			drop(p, saAddr)
			p.Conflicts = []plan.Problem{{Address: saAddr, Message: "annotated with role x, which irsa-sync did not set"}}
		}, want: []string{saAddr + " (update): the live object changed since the plan was saved: annotated with role x"}},
		{name: "conflict elsewhere", fresh: func(p *plan.Plan) {
			p.Errors = []plan.Problem{{Address: "account/prod/role/big", Message: "trust policy over quota"}}
		}, want: []string{"account/prod/role/big: trust policy over quota"}},
		{name: "profile ConfigMap edited by hand since", fresh: func(p *plan.Plan) {
			cm := *change(p, cmAddr).ConfigMap.Before
			cm.Data = map[string]string{resource.ProfileConfigKey: "[profile reader]\nrole_arn = x\n"}
			change(p, cmAddr).ConfigMap.Before = &cm
		}, want: []string{cmAddr + " was changed by someone else"}},
		{name: "profile ConfigMap created by someone else since", fresh: func(p *plan.Plan) {
			c := change(p, newCMAddr)
			c.Action, c.ConfigMap = plan.Update, &plan.Diff[resource.ConfigMap]{Before: c.ConfigMap.After, After: c.ConfigMap.After}
		}, want: []string{newCMAddr + ": planned create, now it needs update"}},
		{name: "profile ConfigMap's desired profile moved", fresh: func(p *plan.Plan) {
			cm := *change(p, newCMAddr).ConfigMap.After
			cm.Data = map[string]string{resource.ProfileConfigKey: profile2, resource.ProfileNameKey: "reader"}
			change(p, newCMAddr).ConfigMap.After = &cm
		}, want: []string{newCMAddr + ": after is not what irsa-sync computes now"}},
		{name: "desired object moved", fresh: func(p *plan.Plan) {
			r := *change(p, newAddr).Role.After
			r.Trust = doc2
			change(p, newAddr).Role = &plan.Diff[resource.Role]{After: &r}
		}, want: []string{newAddr + ": after is not what irsa-sync computes now"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp, err := New(fixture(), digest, Options{})
			if err != nil {
				t.Fatal(err)
			}
			d := digest
			d.Files = append([]FileDigest{}, digest.Files...)
			d.Documents = append([]DocumentDigest{}, digest.Documents...)
			if tt.digest != nil {
				tt.digest(&d)
			}
			fresh := fixture()
			if tt.fresh != nil {
				tt.fresh(fresh)
			}
			got, err := Check(sp, d, fresh)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Check: %v, want no error", err)
				}
				// What apply runs is the fresh computation at the saved
				// addresses, never the saved file's objects.
				want := &plan.Plan{Owner: fresh.Owner, Changes: []plan.Change{}}
				for _, c := range fresh.Changes {
					if c.Address != "account/prod/role/other" {
						want.Changes = append(want.Changes, c)
					}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("changes to apply (-want +got):\n%s", diff)
				}
				return
			}
			if got != nil {
				t.Errorf("Check returned %d changes with its error, want none", len(got.Changes))
			}
			var stale *StaleError
			if !errors.As(err, &stale) {
				t.Fatalf("Check: %v, want a *StaleError", err)
			}
			if len(stale.Moved) != len(tt.want) {
				t.Fatalf("moved %q, want %d entries like %q", stale.Moved, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(stale.Moved[i], w) {
					t.Errorf("moved[%d] = %q, want it to contain %q", i, stale.Moved[i], w)
				}
			}
		})
	}
}

func TestExtra(t *testing.T) {
	sp, err := New(fixture(), digest, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fresh := fixture()
	fresh.Changes = append(fresh.Changes, plan.Change{Action: plan.Delete, Address: "account/prod/role/gone"})
	if diff := cmp.Diff([]string{"delete account/prod/role/gone"}, Extra(sp, fresh)); diff != "" {
		t.Errorf("Extra (-want +got):\n%s", diff)
	}
}
