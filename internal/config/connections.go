package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	yamlv3 "go.yaml.in/yaml/v3"
	"sigs.k8s.io/yaml"
)

// ConnectionsKind identifies a connections file (format irsa-sync/v1).
const ConnectionsKind = "Connections"

// Connections say how irsa-sync reaches each account and cluster at run
// time, apart from the desired state: one bindings file then serves the
// pull-request plan (a read-only role, a kubeconfig) and the CronJob's
// apply (the apply role, in-cluster). The fields of the same names in the
// bindings file stay valid and are the defaults. schemas/connections.schema.json
// describes the format.
type Connections struct {
	APIVersion string                       `json:"apiVersion"`
	Kind       string                       `json:"kind"`
	Accounts   map[string]AccountConnection `json:"accounts,omitempty"`
	Clusters   map[string]ClusterConnection `json:"clusters,omitempty"`

	// Path and Source are where the file was read from, for messages.
	Path   string  `json:"-"`
	Source *Source `json:"-"`
}

// Mode is what a run does, which decides the credentials it uses: plan
// (also explain and verify) reads only, apply writes.
type Mode string

// The modes of a run.
const (
	ModePlan  Mode = "plan"
	ModeApply Mode = "apply"
)

// AccountAccess is one way to reach an account: a role to assume (with
// its external id), or a shared-config profile, or neither for the
// default credential chain.
type AccountAccess struct {
	AssumeRoleArn string `json:"assumeRoleArn,omitempty"`
	ExternalID    string `json:"externalId,omitempty"`
	Profile       string `json:"profile,omitempty"`
}

// AccountConnection is how to reach one account: the fields of the entry
// itself for every mode, and plan or apply for that mode only.
type AccountConnection struct {
	AccountAccess
	Plan  *AccountAccess `json:"plan,omitempty"`
	Apply *AccountAccess `json:"apply,omitempty"`
}

// ClusterAccess is one way to reach a cluster: a kubeconfig context, a
// token from the account's AWS credentials (auth: eks), or the pod's own
// service account (inCluster); none of them is the kubeconfig context
// named like the cluster.
type ClusterAccess struct {
	KubeContext string `json:"kubeContext,omitempty"`
	Auth        string `json:"auth,omitempty"`
	InCluster   bool   `json:"inCluster,omitempty"`
}

// ClusterConnection is how to reach one cluster, as AccountConnection.
type ClusterConnection struct {
	ClusterAccess
	Plan  *ClusterAccess `json:"plan,omitempty"`
	Apply *ClusterAccess `json:"apply,omitempty"`
}

// The keys a connections file may hold, level by level: checked on the
// YAML tree so that an unknown key is reported with its line.
var (
	connectionsKeys   = []string{"accounts", "apiVersion", "clusters", "kind"}
	accountAccessKeys = []string{"assumeRoleArn", "externalId", "profile"}
	clusterAccessKeys = []string{"auth", "inCluster", "kubeContext"}
	modeKeys          = []string{"apply", "plan"}
)

// LoadConnections reads and parses the connections file at path; run
// ValidateConnections next, with the bindings file it is for.
func LoadConnections(path string) (*Connections, error) {
	data, err := readLimited(path)
	if err != nil {
		return nil, Diagnostics{{File: path, Message: err.Error()}}
	}
	return ParseConnections(data, path)
}

// ParseConnections reads a connections file from data; path names it in
// diagnostics.
func ParseConnections(data []byte, path string) (*Connections, error) {
	src, diags := parseSource(data, path)
	if diags != nil {
		return nil, diags
	}
	c := &collector{src: src}
	checkConnectionKeys(c, src.root)
	if len(c.diags) > 0 {
		c.diags.Sort()
		return nil, c.diags
	}
	js, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		line, msg := yamlError(err)
		return nil, Diagnostics{{File: path, Line: line, Message: "cannot convert the YAML to JSON: " + msg}}
	}
	var conns Connections
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&conns); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			ds := typeErrorDiagnostics(te, js, src, nil)
			ds.Sort()
			return nil, ds
		}
		return nil, Diagnostics{{File: path, Message: "cannot decode the file: " + err.Error()}}
	}
	conns.Path, conns.Source = path, src
	return &conns, nil
}

// checkConnectionKeys refuses unknown keys at every level, with lines.
func checkConnectionKeys(c *collector, root *yamlv3.Node) {
	keys := func(n *yamlv3.Node, p path, allowed []string) {
		n = resolve(n)
		if n == nil || n.Kind != yamlv3.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i].Value; !slices.Contains(allowed, k) {
				c.add(p.with(k), "unknown field %q; allowed here: %s", k, quoteList(allowed))
			}
		}
	}
	keys(root, nil, connectionsKeys)
	for _, section := range []struct {
		name   string
		fields []string
	}{{"accounts", accountAccessKeys}, {"clusters", clusterAccessKeys}} {
		_, entries := lookup(root, section.name)
		entries = resolve(entries)
		if entries == nil || entries.Kind != yamlv3.MappingNode {
			continue
		}
		for i := 0; i+1 < len(entries.Content); i += 2 {
			name, entry := entries.Content[i].Value, entries.Content[i+1]
			p := at(section.name, name)
			keys(entry, p, append(slices.Clone(section.fields), modeKeys...))
			for _, m := range modeKeys {
				_, sub := lookup(resolve(entry), m)
				keys(sub, p.with(m), section.fields)
			}
		}
	}
}

// For returns the access of mode m and where the connections file says it:
// the mode's own block, else the entry's fields when it sets any; ok is
// false when the entry says nothing for m.
func (a AccountConnection) For(m Mode) (AccountAccess, string, bool) {
	if b := a.mode(m); b != nil {
		return *b, string(m), true
	}
	return a.AccountAccess, "", a.AccountAccess != (AccountAccess{})
}

func (a AccountConnection) mode(m Mode) *AccountAccess {
	if m == ModeApply {
		return a.Apply
	}
	return a.Plan
}

// For returns the access of mode m, as AccountConnection.For.
func (c ClusterConnection) For(m Mode) (ClusterAccess, string, bool) {
	b := c.Plan
	if m == ModeApply {
		b = c.Apply
	}
	if b != nil {
		return *b, string(m), true
	}
	return c.ClusterAccess, "", c.ClusterAccess != (ClusterAccess{})
}

// String says how the access reaches the account, for validate's report.
func (a AccountAccess) String() string {
	switch {
	case a.AssumeRoleArn != "" && a.ExternalID != "":
		return fmt.Sprintf("assume role %s (with an external id)", a.AssumeRoleArn)
	case a.AssumeRoleArn != "":
		return "assume role " + a.AssumeRoleArn
	case a.Profile != "":
		return "profile " + a.Profile
	}
	return "the default credential chain"
}

// String says how the access reaches the cluster.
func (c ClusterAccess) String() string {
	switch {
	case c.InCluster:
		return "in-cluster service account"
	case c.Auth != "":
		return "EKS token (auth: " + c.Auth + ")"
	case c.KubeContext != "":
		return "kubeconfig context " + c.KubeContext
	}
	return "the kubeconfig context named like the cluster"
}
