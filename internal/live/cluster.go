package live

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/irsa-sync/irsa-sync/internal/awsapi"
	"github.com/irsa-sync/irsa-sync/internal/resource"
	"github.com/irsa-sync/irsa-sync/internal/state"
)

// listPageSize is the page size of Kubernetes lists: large enough that most
// clusters answer in one page, small enough to bound one response.
const listPageSize = 500

// Issuer returns a cluster's OIDC issuer URL from eks:DescribeCluster.
func Issuer(ctx context.Context, client awsapi.EKS, cluster string) (string, error) {
	issuer, _, err := describeCluster(ctx, client, cluster)
	return issuer, err
}

// describeCluster returns a cluster's OIDC issuer URL and its ARN, from one
// eks:DescribeCluster.
func describeCluster(ctx context.Context, client awsapi.EKS, cluster string) (issuer, arn string, err error) {
	out, err := client.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(cluster)})
	if err != nil {
		return "", "", fmt.Errorf("cluster %q: read its OIDC issuer (eks:DescribeCluster): %w", cluster, err)
	}
	if out.Cluster == nil || out.Cluster.Identity == nil || out.Cluster.Identity.Oidc == nil || aws.ToString(out.Cluster.Identity.Oidc.Issuer) == "" {
		return "", "", fmt.Errorf("cluster %q has no OIDC issuer: is it an EKS cluster with IRSA available?", cluster)
	}
	return aws.ToString(out.Cluster.Identity.Oidc.Issuer), aws.ToString(out.Cluster.Arn), nil
}

// ReadCluster reads a cluster's namespaces and ServiceAccounts: one paged
// list of each, whatever the number of bindings, never a GET per object.
func ReadCluster(ctx context.Context, client corev1client.CoreV1Interface, name, issuer string) (*state.Cluster, error) {
	cl := &state.Cluster{Name: name, Issuer: issuer, Namespaces: map[string]bool{}, ServiceAccounts: map[string]state.ServiceAccount{}}
	opts := metav1.ListOptions{Limit: listPageSize}
	for {
		nss, err := client.Namespaces().List(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("cluster %q: list namespaces: %w", name, err)
		}
		for _, ns := range nss.Items {
			cl.Namespaces[ns.Name] = true
		}
		if opts.Continue = nss.Continue; opts.Continue == "" {
			break
		}
	}
	opts = metav1.ListOptions{Limit: listPageSize}
	for {
		sas, err := client.ServiceAccounts(metav1.NamespaceAll).List(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("cluster %q: list service accounts: %w", name, err)
		}
		for _, sa := range sas.Items {
			managers, owned := managedFields(sa.ManagedFields)
			var annotations []string
			for _, f := range owned {
				if k, ok := strings.CutPrefix(f, "annotations."); ok {
					annotations = append(annotations, k)
				}
			}
			obj := state.ServiceAccount{
				ServiceAccount: resource.ServiceAccount{Cluster: name, Namespace: sa.Namespace, Name: sa.Name, Annotations: sa.Annotations},
				Managers:       managers,
				Owned:          annotations,
			}
			cl.ServiceAccounts[obj.Key()] = obj
		}
		if opts.Continue = sas.Continue; opts.Continue == "" {
			break
		}
	}
	return cl, nil
}

// managedFields returns an object's field managers and the fields
// irsa-sync's own manager owns, as "labels.KEY", "annotations.KEY" and
// "data.KEY", each sorted: what a server-side apply by irsa-sync may change
// or remove.
func managedFields(entries []metav1.ManagedFieldsEntry) (managers, owned []string) {
	who, mine := map[string]bool{}, map[string]bool{}
	for _, mf := range entries {
		who[mf.Manager] = true
		if mf.Manager == resource.FieldManager && mf.FieldsV1 != nil {
			for _, k := range ownedKeys(mf.FieldsV1.GetRawBytes()) {
				mine[k] = true
			}
		}
	}
	return resource.SortedKeys(who), resource.SortedKeys(mine)
}

// ownedKeys reads the label, annotation and data keys out of a
// managedFields entry ({"f:metadata":{"f:annotations":{"f:KEY":{}}},
// "f:data":{...}}), as "labels.KEY", "annotations.KEY", "data.KEY".
func ownedKeys(raw []byte) []string {
	var fields struct {
		Metadata struct {
			Labels      map[string]json.RawMessage `json:"f:labels"`
			Annotations map[string]json.RawMessage `json:"f:annotations"`
		} `json:"f:metadata"`
		Data map[string]json.RawMessage `json:"f:data"`
	}
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil
	}
	var out []string
	for prefix, m := range map[string]map[string]json.RawMessage{"labels.": fields.Metadata.Labels, "annotations.": fields.Metadata.Annotations, "data.": fields.Data} {
		for k := range m {
			if key, ok := strings.CutPrefix(k, "f:"); ok {
				out = append(out, prefix+key)
			}
		}
	}
	return out
}
