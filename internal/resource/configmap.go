package resource

import "strings"

// KindConfigMap is a ConfigMap holding the AWS config profile a pod mounts
// to chain from its own role to another (assumedFrom[].profileConfigMap).
const KindConfigMap Kind = "configmap"

// The labels, annotations and data keys of the profile ConfigMaps
// irsa-sync writes.
const (
	// ManagedLabel is set to ManagedValue on every ConfigMap irsa-sync
	// writes, whatever its owner: the reader lists ConfigMaps by this label,
	// so it reads only these, never the cluster's other ConfigMaps and
	// their data. It is irsa-sync's own key, not the recommended
	// app.kubernetes.io/managed-by, which Helm and others set and check on
	// the objects they manage: an adopted ConfigMap keeps theirs.
	ManagedLabel = "irsa-sync/managed"
	ManagedValue = "true"
	// ProfileConfigKey holds the AWS config file (mount it and point
	// AWS_CONFIG_FILE at it); ProfileNameKey the profile to select
	// (AWS_PROFILE, e.g. through a configMapKeyRef).
	ProfileConfigKey = "config"
	ProfileNameKey   = "profile"
	// WebIdentityTokenFile is where the EKS pod identity webhook mounts the
	// projected service account token in every container of a pod whose
	// ServiceAccount has the role-arn annotation (the webhook's default
	// token path, also AWS_WEB_IDENTITY_TOKEN_FILE).
	WebIdentityTokenFile = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"
)

// ConfigMap is a Kubernetes ConfigMap. In the desired state its labels,
// annotations and data are exactly those irsa-sync sets; in the live state,
// the keys irsa-sync's field manager owns.
type ConfigMap struct {
	Cluster     string            `json:"cluster"`
	Namespace   string            `json:"namespace"`
	Name        string            `json:"name"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Data        map[string]string `json:"data,omitempty"`
}

// Key identifies a ConfigMap within its cluster.
func (m ConfigMap) Key() string { return m.Namespace + "/" + m.Name }

// ProfileRoleARNs are the role ARNs an AWS config file names (each
// profile's role_arn), in the order written: the roles a profile ConfigMap
// refers to.
func ProfileRoleARNs(config string) []string {
	var out []string
	for _, line := range strings.Split(config, "\n") {
		k, v, ok := strings.Cut(line, "=")
		if ok && strings.TrimSpace(k) == "role_arn" {
			out = append(out, strings.TrimSpace(v))
		}
	}
	return out
}
