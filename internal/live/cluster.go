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
	out, err := client.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(cluster)})
	if err != nil {
		return "", fmt.Errorf("cluster %q: read its OIDC issuer (eks:DescribeCluster): %w", cluster, err)
	}
	if out.Cluster == nil || out.Cluster.Identity == nil || out.Cluster.Identity.Oidc == nil || aws.ToString(out.Cluster.Identity.Oidc.Issuer) == "" {
		return "", fmt.Errorf("cluster %q has no OIDC issuer: is it an EKS cluster with IRSA available?", cluster)
	}
	return aws.ToString(out.Cluster.Identity.Oidc.Issuer), nil
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
			managers := map[string]bool{}
			owned := map[string]bool{}
			for _, mf := range sa.ManagedFields {
				managers[mf.Manager] = true
				if mf.Manager == resource.FieldManager && mf.FieldsV1 != nil {
					for _, k := range annotationKeys(mf.FieldsV1.GetRawBytes()) {
						owned[k] = true
					}
				}
			}
			obj := state.ServiceAccount{
				ServiceAccount: resource.ServiceAccount{Cluster: name, Namespace: sa.Namespace, Name: sa.Name, Annotations: sa.Annotations},
				Managers:       resource.SortedKeys(managers),
				Owned:          resource.SortedKeys(owned),
			}
			cl.ServiceAccounts[obj.Key()] = obj
		}
		if opts.Continue = sas.Continue; opts.Continue == "" {
			break
		}
	}
	return cl, nil
}

// annotationKeys reads the annotation keys out of a managedFields entry
// (FieldsV1: {"f:metadata":{"f:annotations":{"f:KEY":{}}}}).
func annotationKeys(raw []byte) []string {
	var fields struct {
		Metadata struct {
			Annotations map[string]json.RawMessage `json:"f:annotations"`
		} `json:"f:metadata"`
	}
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil
	}
	var keys []string
	for k := range fields.Metadata.Annotations {
		if strings.HasPrefix(k, "f:") {
			keys = append(keys, strings.TrimPrefix(k, "f:"))
		}
	}
	return keys
}
