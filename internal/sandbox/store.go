package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/irsa-sync/irsa-sync/internal/config"
)

// clusterState is what a sandbox keeps of one in-memory cluster.
type clusterState struct {
	Namespaces      []corev1.Namespace      `json:"namespaces"`
	ServiceAccounts []corev1.ServiceAccount `json:"serviceAccounts"`
	Pods            []corev1.Pod            `json:"pods,omitempty"`
	ConfigMaps      []corev1.ConfigMap      `json:"configMaps,omitempty"`
}

func (s *Sandbox) clusterFile(name string) string {
	return filepath.Join(s.dir, "clusters", name+".json")
}

func (s *Sandbox) loadCluster(name string) (*Cluster, error) {
	var objs []runtime.Object
	if s.dir != "" {
		b, err := os.ReadFile(s.clusterFile(name))
		switch {
		case err == nil:
			var st clusterState
			if err := json.Unmarshal(b, &st); err != nil {
				return nil, fmt.Errorf("sandbox: read %s: %w", s.clusterFile(name), err)
			}
			for i := range st.Namespaces {
				objs = append(objs, &st.Namespaces[i])
			}
			for i := range st.ServiceAccounts {
				objs = append(objs, &st.ServiceAccounts[i])
			}
			for i := range st.Pods {
				objs = append(objs, &st.Pods[i])
			}
			for i := range st.ConfigMaps {
				objs = append(objs, &st.ConfigMaps[i])
			}
		case !os.IsNotExist(err):
			return nil, fmt.Errorf("sandbox: %w", err)
		}
	}
	kube, err := NewCluster(objs...)
	if err != nil {
		return nil, fmt.Errorf("sandbox: load %s: %w", s.clusterFile(name), err)
	}
	return kube, nil
}

// Save writes the emulator's state and every cluster's objects to the
// sandbox directory, each file replaced atomically.
func (s *Sandbox) Save() error {
	if s.dir == "" {
		return nil
	}
	b, err := s.Emulator.MarshalState()
	if err != nil {
		return fmt.Errorf("sandbox: save AWS state: %w", err)
	}
	if err := writeFile(filepath.Join(s.dir, "aws.json"), b); err != nil {
		return err
	}
	ctx := context.Background()
	for name, kube := range s.clusters {
		var st clusterState
		nss, err := kube.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
		if err != nil {
			return fmt.Errorf("sandbox: save cluster %q: %w", name, err)
		}
		sas, err := kube.CoreV1().ServiceAccounts("").List(ctx, metav1.ListOptions{})
		if err != nil {
			return fmt.Errorf("sandbox: save cluster %q: %w", name, err)
		}
		pods, err := kube.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
		if err != nil {
			return fmt.Errorf("sandbox: save cluster %q: %w", name, err)
		}
		cms, err := kube.CoreV1().ConfigMaps("").List(ctx, metav1.ListOptions{})
		if err != nil {
			return fmt.Errorf("sandbox: save cluster %q: %w", name, err)
		}
		st.Namespaces, st.ServiceAccounts, st.Pods, st.ConfigMaps = nss.Items, sas.Items, pods.Items, cms.Items
		sort.Slice(st.Namespaces, func(i, j int) bool { return st.Namespaces[i].Name < st.Namespaces[j].Name })
		sort.Slice(st.ServiceAccounts, func(i, j int) bool {
			a, b := st.ServiceAccounts[i], st.ServiceAccounts[j]
			return a.Namespace+"/"+a.Name < b.Namespace+"/"+b.Name
		})
		sort.Slice(st.Pods, func(i, j int) bool {
			a, b := st.Pods[i], st.Pods[j]
			return a.Namespace+"/"+a.Name < b.Namespace+"/"+b.Name
		})
		sort.Slice(st.ConfigMaps, func(i, j int) bool {
			a, b := st.ConfigMaps[i], st.ConfigMaps[j]
			return a.Namespace+"/"+a.Name < b.Namespace+"/"+b.Name
		})
		b, err := json.MarshalIndent(st, "", "  ")
		if err != nil {
			return fmt.Errorf("sandbox: save cluster %q: %w", name, err)
		}
		if err := writeFile(s.clusterFile(name), b); err != nil {
			return err
		}
	}
	return nil
}

// writeFile replaces path with b atomically, and leaves it untouched when
// it holds b already: a run that wrote nothing (a refused plan, a plan)
// leaves the sandbox's files as they were.
func writeFile(path string, b []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, b) {
		return nil
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	return nil
}

// checkWritable finds, when the sandbox opens, a directory its state could
// not be saved to after an apply: it creates and removes a file in it.
func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".irsa-sync-write-check-*")
	if err != nil {
		return fmt.Errorf("sandbox: directory %s cannot be written, so the state of an apply could not be saved; nothing was read or written: choose a directory you can write to, or fix its permissions: %w", dir, err)
	}
	return errors.Join(f.Close(), os.Remove(f.Name()))
}

// boundNamespaces are the namespaces the file binds service accounts in, in
// one cluster, plus the two every cluster has.
func boundNamespaces(f *config.File, cluster string) []string {
	set := map[string]bool{"default": true, "kube-system": true}
	for _, r := range f.Roles {
		for _, b := range r.ServiceAccounts {
			if b.Cluster == cluster && !containsWildcard(b.Namespace) {
				set[b.Namespace] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for ns := range set {
		out = append(out, ns)
	}
	sort.Strings(out)
	return out
}

func ensureNamespaces(kube *Cluster, names []string) error {
	for _, ns := range names {
		_, err := kube.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	// Seeding is setup, not part of a run: tests count only the run's calls.
	kube.ClearActions()
	return nil
}

func containsWildcard(s string) bool {
	for _, r := range s {
		if r == '*' || r == '?' {
			return true
		}
	}
	return false
}
