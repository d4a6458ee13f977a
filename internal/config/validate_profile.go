package config

import pathpkg "path"

// checkProfileConfigMaps checks each assumedFrom[].profileConfigMap: a
// cluster of this file, a valid namespace and name, a namespace where the
// source role has service accounts in that cluster (the pods that mount
// the ConfigMap start the chain with the source role's credentials, so a
// ConfigMap anywhere else could never work), and one chain per ConfigMap
// (its profile key names one profile).
func (v *validator) checkProfileConfigMaps() {
	seen := map[string]path{}
	for i, r := range v.f.Roles {
		for j, src := range r.AssumedFrom {
			cm := src.ProfileConfigMap
			if cm == nil {
				continue
			}
			p := at("roles", i, "assumedFrom", j, "profileConfigMap")
			ok := v.checkProfileConfigMapFields(p, *cm)
			k, found := v.lookupChainSource(src)
			if !ok || !found {
				continue
			}
			key := cm.Cluster + "/" + cm.Namespace + "/" + cm.Name
			if prev, dup := seen[key]; dup {
				v.add(p.with("name"), "ConfigMap %s/%s in cluster %q is already written for the chain at %s: each chain needs its own ConfigMap (its profile key names one profile); choose another name", cm.Namespace, cm.Name, cm.Cluster, prev)
				continue
			}
			seen[key] = p
			if len(v.f.Roles[k].BindingsIn(cm.Cluster, cm.Namespace)) == 0 {
				v.add(p.with("namespace"), "role %q (roles[%d]) has no service account in namespace %q of cluster %q, so no pod that could mount this ConfigMap starts the chain: write it in a namespace where the source role's service accounts are, or bind one there", src.Role, k, cm.Namespace, cm.Cluster)
			}
		}
	}
}

// checkProfileConfigMapFields checks one profileConfigMap's own fields,
// reporting whether they are usable for the checks across entries.
func (v *validator) checkProfileConfigMapFields(p path, cm ProfileConfigMap) bool {
	ok := v.checkClusterRef(p.with("cluster"), cm.Cluster, "the name of the cluster (under clusters) whose pods mount this ConfigMap")
	switch {
	case cm.Namespace == "":
		v.add(p.with("namespace"), "namespace is required: the namespace of the pods that mount this ConfigMap")
		ok = false
	case len(cm.Namespace) > 63 || !dnsLabelRE.MatchString(cm.Namespace):
		v.add(p.with("namespace"), "namespace %q is not a Kubernetes namespace name (1-63 lower-case letters, digits and -, starting and ending with a letter or digit): fix it", cm.Namespace)
		ok = false
	}
	switch {
	case cm.Name == "":
		v.add(p.with("name"), "name is required: the ConfigMap's name, which the pods' volume names")
		ok = false
	case len(cm.Name) > 253 || !dnsSubdomainRE.MatchString(cm.Name):
		v.add(p.with("name"), "name %q is not a Kubernetes ConfigMap name (lower-case letters, digits, - and ., at most 253, each dot-separated part starting and ending with a letter or digit): fix it", cm.Name)
		ok = false
	}
	if why, reserved := reservedConfigMap(cm); reserved {
		v.add(p.with("name"), "ConfigMap %s/%s %s, and irsa-sync never writes it, even with adopt: choose another name", cm.Namespace, cm.Name, why)
		ok = false
	}
	return ok
}

// reservedConfigMap reports the ConfigMaps Kubernetes or EKS keep that a
// profileConfigMap must never name: writing them (a typo, or a pull
// request asking to adopt one) would change who may reach the cluster or
// what every pod trusts.
func reservedConfigMap(cm ProfileConfigMap) (why string, reserved bool) {
	switch {
	case cm.Name == "kube-root-ca.crt":
		return "is the cluster's CA bundle, which Kubernetes publishes into every namespace", true
	case cm.Namespace == "kube-system" && cm.Name == "aws-auth":
		return "maps IAM identities to Kubernetes users on EKS", true
	case cm.Namespace == "kube-system" && cm.Name == "extension-apiserver-authentication":
		return "holds the API server's client authentication", true
	}
	return "", false
}

// BindingsIn are the role's service account bindings (exact or pattern) in
// that cluster whose namespace matches: the pods that run as the role there.
func (r Role) BindingsIn(cluster, namespace string) []ServiceAccount {
	var out []ServiceAccount
	for _, sa := range r.ServiceAccounts {
		if sa.Cluster != cluster {
			continue
		}
		// Namespaces and patterns hold no '/' or '[', so path.Match is
		// exactly IAM StringLike's * and ? here.
		if match, err := pathpkg.Match(sa.Namespace, namespace); err == nil && match {
			out = append(out, sa)
		}
	}
	return out
}
