package importer

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/desired"
	"github.com/irsa-sync/irsa-sync/internal/policy"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
	"github.com/irsa-sync/irsa-sync/internal/trust"
)

// profileCM is a live profile ConfigMap of cluster c1, labelled as
// irsa-sync's, of owner (none when empty).
func profileCM(ns, name, owner string, data map[string]string) state.ConfigMap {
	ann := map[string]string{}
	if owner != "" {
		ann[resource.OwnerAnnotation] = owner
	}
	return state.ConfigMap{ConfigMap: resource.ConfigMap{Cluster: "c1", Namespace: ns, Name: name,
		Labels: map[string]string{resource.ManagedLabel: resource.ManagedValue}, Annotations: ann, Data: data}}
}

// profileData is the data irsa-sync writes for the chain src → tgt, its
// config text given.
func profileData(text string) map[string]string {
	return map[string]string{resource.ProfileConfigKey: text, resource.ProfileNameKey: "tgt"}
}

// chainEstate is src (IRSA, c1/default/app, and src2 bound to
// c1/default/other when two) chained to tgt, with these ConfigMaps in c1.
func chainEstate(two bool, cms ...state.ConfigMap) *state.Live {
	sources := []trust.Chain{{Role: srcARN}}
	roles := []resource.Role{src(map[string]policy.Document{resource.ChainPolicyName: trust.ChainPermission([]trust.Chain{{Role: tgtARN}})})}
	if two {
		s2 := src(roles[0].InlinePolicies)
		s2.Name = "src2"
		subj := trust.Subject{ProviderARN: resource.ProviderARN("aws", idA, host), Issuer: host, Namespace: "default", Name: "other"}
		s2.Trust = trust.ForRole([]trust.Subject{subj})
		roles = append(roles, s2)
		sources = append(sources, trust.Chain{Role: resource.RoleARN("aws", idA, "/", "src2")})
	}
	live := estate(append(roles, target("tgt", trust.ForChainedRole(nil, sources)))...)
	cl := live.Clusters["c1"]
	cl.ServiceAccounts["default/other"] = state.ServiceAccount{ServiceAccount: resource.ServiceAccount{Cluster: "c1", Namespace: "default", Name: "other",
		Annotations: map[string]string{resource.AnnotationRoleARN: resource.RoleARN("aws", idA, "/", "src2"), resource.OwnerAnnotation: "team"}}}
	if !two {
		delete(cl.ServiceAccounts, "default/other")
	}
	cl.ConfigMaps = map[string]state.ConfigMap{}
	for _, cm := range cms {
		cl.ConfigMaps[cm.Key()] = cm
	}
	return live
}

func TestProfileConfigMaps(t *testing.T) {
	t.Parallel()
	irsa := desired.ProfileConfig("tgt", tgtARN, "src", srcARN, true)
	pods := desired.ProfileConfig("tgt", tgtARN, "src", srcARN, false)
	edited := strings.Replace(irsa, "source_profile = src", "source_profile = other", 1)
	at := func(ns, name string, adopt bool) map[string]*config.ProfileConfigMap {
		return map[string]*config.ProfileConfigMap{"src": {Cluster: "c1", Namespace: ns, Name: name, Adopt: adopt}}
	}
	tests := []struct {
		name   string
		in     []config.Role // declared by the input
		live   *state.Live
		want   map[string]*config.ProfileConfigMap // tgt's, by source
		report []string                            // parts of reports, in order
	}{
		{"this owner's, as irsa-sync writes it", nil, chainEstate(false, profileCM("default", "tgt-aws", "team", profileData(irsa))),
			at("default", "tgt-aws", false), nil},
		{"another owner's", nil, chainEstate(false, profileCM("default", "tgt-aws", "other", profileData(irsa))),
			at("default", "tgt-aws", true), nil},
		{"nobody's", nil, chainEstate(false, profileCM("default", "tgt-aws", "", profileData(irsa))),
			at("default", "tgt-aws", true), nil},
		{"edited", nil, chainEstate(false, profileCM("default", "tgt-aws", "team", profileData(edited))),
			at("default", "tgt-aws", false), []string{`c1/configmap default/tgt-aws: apply rewrites data.config with the AWS config irsa-sync generates for this chain: its line 7 is "source_profile = other", where irsa-sync writes "source_profile = src"`}},
		{"the Pod Identity form, the source now via irsa", nil, chainEstate(false, profileCM("default", "tgt-aws", "team", profileData(pods))),
			at("default", "tgt-aws", false), []string{`c1/configmap default/tgt-aws: apply rewrites data.config with the AWS config irsa-sync generates for this chain: its line 7 is "credential_source = EcsContainer", where irsa-sync writes "source_profile = src"`}},
		{"no profile key", nil, chainEstate(false, profileCM("default", "tgt-aws", "team", map[string]string{resource.ProfileConfigKey: irsa})),
			at("default", "tgt-aws", false), []string{`c1/configmap default/tgt-aws: apply adds data.profile: "tgt"`}},
		{"where the source's pods do not run", nil, chainEstate(false, profileCM("batch", "tgt-aws", "team", profileData(irsa))),
			map[string]*config.ProfileConfigMap{"src": nil}, []string{`c1/configmap batch/tgt-aws: holds the profile of the chain from role a/src to b/tgt, but role src has no service account in namespace "batch" of cluster "c1"`}},
		{"of roles of no chain", nil, chainEstate(false, profileCM("default", "x", "team", profileData(desired.ProfileConfig("x", "arn:aws:iam::"+idB+":role/x", "src", srcARN, true)))),
			map[string]*config.ProfileConfigMap{"src": nil}, []string{"c1/configmap default/x: holds AWS config profiles of arn:aws:iam::" + idB + ":role/x and " + srcARN + ", which are no chain of this file (a role whose assumedFrom names the other); the file does not write it; it is this owner's, so plan lists it as pruneable"}},
		{"of no role", nil, chainEstate(false, profileCM("default", "x", "other", map[string]string{"note": "x"})),
			map[string]*config.ProfileConfigMap{"src": nil}, []string{"c1/configmap default/x: a ConfigMap labelled irsa-sync/managed=true whose data.config names no role"}},
		{"two for one chain: the first kept", nil, chainEstate(false, profileCM("default", "b", "team", profileData(irsa)), profileCM("default", "a", "team", profileData(edited))),
			at("default", "a", false), []string{
				"c1/configmap default/a: apply rewrites data.config",
				"c1/configmap default/b: holds the profile of the chain from role a/src to b/tgt, as ConfigMap c1/configmap default/a does; the file writes one ConfigMap per assumedFrom entry and keeps the first",
			}},
		{"two sources, the config names one", nil, chainEstate(true, profileCM("default", "tgt-aws", "team", profileData(irsa))),
			map[string]*config.ProfileConfigMap{"src": {Cluster: "c1", Namespace: "default", Name: "tgt-aws"}, "src2": nil}, nil},
		{"two sources, the config names neither", nil, chainEstate(true, profileCM("default", "tgt-aws", "team", profileData("[profile tgt]\nrole_arn = "+tgtARN+"\n"))),
			map[string]*config.ProfileConfigMap{"src": nil, "src2": nil}, []string{"c1/configmap default/tgt-aws: could be the profile of the chain from role a/src to b/tgt or the chain from role a/src2 to b/tgt, and import cannot tell which"}},
		{"the target declared", []config.Role{{Name: "tgt", Account: "b", AssumedFrom: []config.ChainSource{{Role: "src", Account: "a"}}}},
			chainEstate(false, profileCM("default", "tgt-aws", "team", profileData(irsa))),
			map[string]*config.ProfileConfigMap{"src": nil}, []string{"c1/configmap default/tgt-aws: holds the profile of the chain from role a/src to b/tgt, a role the input declares and import keeps as written: add profileConfigMap {cluster: c1, namespace: default, name: tgt-aws} to its assumedFrom entry for src"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := input()
			in.Roles = tt.in
			res := Build(in, tt.live, Options{})
			got := map[string]*config.ProfileConfigMap{}
			for _, r := range res.File.Roles {
				if r.Name == "tgt" {
					for _, src := range r.AssumedFrom {
						got[src.Role] = src.ProfileConfigMap
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("tgt's profileConfigMaps by source (-want +got):\n%s", diff)
			}
			var reports []string
			for _, r := range res.Reports {
				reports = append(reports, string(r.Kind)+" "+r.String())
			}
			if len(reports) != len(tt.report) {
				t.Fatalf("reports:\n%s\nwant %d", strings.Join(reports, "\n"), len(tt.report))
			}
			for i, want := range tt.report {
				if !strings.Contains(reports[i], want) {
					t.Errorf("report %d is %q, want it to say %q", i, reports[i], want)
				}
			}
			if len(res.File.Roles) > 0 {
				if d := config.Validate(res.File); d != nil {
					t.Errorf("the imported file is not valid:\n%v", d)
				}
			}
		})
	}
}

func TestFirstDifference(t *testing.T) {
	t.Parallel()
	tests := []struct{ have, want, says string }{
		{"a\nb\n", "a\nc\n", `its line 2 is "b", where irsa-sync writes "c"`},
		{"a", "a\nb", `it ends after line 1, where irsa-sync writes "b"`},
		{"a\nb", "a", `its line 2 is "b", which irsa-sync does not write`},
	}
	for _, tt := range tests {
		if got := firstDifference(tt.have, tt.want); got != tt.says {
			t.Errorf("firstDifference(%q, %q) = %q, want %q", tt.have, tt.want, got, tt.says)
		}
	}
}
