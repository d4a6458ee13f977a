package desired

import (
	"strings"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// ConfigMap is a profile ConfigMap the file asks for
// (assumedFrom[].profileConfigMap): the AWS config that chains from a
// source role's pods to the target role.
type ConfigMap struct {
	resource.ConfigMap
	// Target and Source are the chain's roles, by ARN.
	Target string `json:"target"`
	Source string `json:"source"`
	Adopt  bool   `json:"adopt,omitempty"`
	// MixedVia is set when, in the ConfigMap's namespace, the source role
	// has service accounts via irsa and others via podIdentity only: the
	// profile is the web identity one, which the latter's pods cannot use.
	MixedVia bool `json:"mixedVia,omitempty"`
}

// profileConfigMap builds the ConfigMap of one chain. The profile the pods
// select is named after the target role; how it gets the source role's
// credentials depends on how the source role's service accounts in that
// namespace reach it.
func profileConfigMap(f *config.File, cm config.ProfileConfigMap, source config.Role, sourceARN string, target config.Role, targetARN string) ConfigMap {
	irsa, podOnly := sourceVias(f, source, cm)
	text := ProfileConfig(target.Name, targetARN, source.Name, sourceARN, irsa)
	return ConfigMap{Target: targetARN, Source: sourceARN, Adopt: cm.Adopt, MixedVia: irsa && podOnly, ConfigMap: resource.ConfigMap{
		Cluster: cm.Cluster, Namespace: cm.Namespace, Name: cm.Name,
		Labels:      map[string]string{resource.ManagedLabel: resource.ManagedValue},
		Annotations: map[string]string{resource.OwnerAnnotation: f.Owner},
		Data:        map[string]string{resource.ProfileConfigKey: text, resource.ProfileNameKey: ProfileName(target.Name)},
	}}
}

// ProfileConfig is the AWS config file (the SDKs' shared config format)
// that chains from the source role to the target, as the AWS guide's
// "Authenticate to another account with IRSA" writes it: the target's
// profile takes its credentials from a profile of the source role that
// reads the pod's web identity token. Without IRSA (the source role's
// pods use EKS Pod Identity), the target's profile takes the source
// role's credentials from the container credential provider instead
// (credential_source = EcsContainer, which reads the
// AWS_CONTAINER_CREDENTIALS_FULL_URI the Pod Identity webhook sets).
func ProfileConfig(targetName, targetARN, sourceName, sourceARN string, irsa bool) string {
	targetProfile := ProfileName(targetName)
	var b strings.Builder
	b.WriteString("# Written by irsa-sync for role chaining: the next apply rewrites any edit.\n")
	b.WriteString("# Use it with AWS_CONFIG_FILE set to this file and the profile " + targetProfile + " selected:\n")
	b.WriteString("# AWS_PROFILE for the AWS CLI and Python; by name in code for Go (v2) and Java (2.x),\n")
	b.WriteString("# whose default chains take the pod's own web identity first.\n")
	b.WriteString("[profile " + targetProfile + "]\n")
	b.WriteString("role_arn = " + targetARN + "\n")
	if !irsa {
		b.WriteString("credential_source = EcsContainer\n")
		return b.String()
	}
	sourceProfile := ProfileName(sourceName)
	if strings.EqualFold(sourceProfile, targetProfile) {
		sourceProfile += "-source"
	}
	b.WriteString("source_profile = " + sourceProfile + "\n\n")
	b.WriteString("[profile " + sourceProfile + "]\n")
	b.WriteString("role_arn = " + sourceARN + "\n")
	b.WriteString("web_identity_token_file = " + resource.WebIdentityTokenFile + "\n")
	return b.String()
}

// ProfileName is the AWS config profile named after a role: the role's
// name with each character other than letters, digits, '_', '.' and '-'
// (IAM also allows + = , @) replaced by '-', so that every SDK's config
// parser reads the section header the same way.
func ProfileName(role string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.', r == '-':
			return r
		}
		return '-'
	}, role)
}

// sourceVias reports whether bindings of the source role in the
// ConfigMap's cluster and namespace are via irsa or both (those pods have
// the web identity token), and whether some are via podIdentity only.
// Validation made sure there is a binding there.
func sourceVias(f *config.File, source config.Role, cm config.ProfileConfigMap) (irsa, podOnly bool) {
	for _, sa := range source.BindingsIn(cm.Cluster, cm.Namespace) {
		if config.UsesIRSA(f.ViaOf(sa)) {
			irsa = true
		} else {
			podOnly = true
		}
	}
	return irsa, podOnly
}
