// Package sandbox runs irsa-sync with no AWS account and no cluster: the real
// SDK clients talk to the in-process emulator on loopback, and each cluster is
// an in-memory Kubernetes API serving core/v1 (client-go's fake core/v1
// client over a field-managed tracker, which implements server-side apply
// with field managers). State is kept in a directory, so an
// apply followed by a plan shows no changes.
package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/irsa-sync/irsa-sync/internal/config"
	"github.com/irsa-sync/irsa-sync/internal/connect"
	"github.com/irsa-sync/irsa-sync/internal/emulator"
	"github.com/irsa-sync/irsa-sync/internal/partition"
	"github.com/irsa-sync/irsa-sync/internal/resource"
)

// Options tune a sandbox.
type Options struct {
	Emulator emulator.Options
	// KeepNamespaces leaves each cluster's namespaces as they are stored.
	// By default the namespaces the file's bindings name are created, as
	// they would exist in a real cluster, so the quick start just works.
	KeepNamespaces bool
}

// Sandbox is a running emulator and in-memory clusters for one file.
type Sandbox struct {
	Emulator *emulator.Emulator
	URL      string

	dir      string
	file     *config.File
	clusters map[string]*Cluster
	creds    map[string]emulator.Credentials // by account id
	regions  map[string]string               // signing region, by account id
	base     emulator.Credentials            // the default chain's identity
	baseID   string
}

var _ connect.Connector = (*Sandbox)(nil)

// Open starts a sandbox for f with state from dir ("" keeps everything in
// memory), seeding the accounts, clusters and assume-role targets f names.
func Open(dir string, f *config.File, opts Options) (*Sandbox, error) {
	s := &Sandbox{Emulator: emulator.New(opts.Emulator), dir: dir, file: f, clusters: map[string]*Cluster{}, creds: map[string]emulator.Credentials{}, regions: map[string]string{}}
	if dir != "" {
		if err := os.MkdirAll(filepath.Join(dir, "clusters"), 0o755); err != nil {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
		for _, d := range []string{dir, filepath.Join(dir, "clusters")} {
			if err := checkWritable(d); err != nil {
				return nil, err
			}
		}
		if b, err := os.ReadFile(filepath.Join(dir, "aws.json")); err == nil {
			if err := s.Emulator.UnmarshalState(b); err != nil {
				return nil, fmt.Errorf("sandbox: read %s: %w", filepath.Join(dir, "aws.json"), err)
			}
		} else if !os.IsNotExist(err) {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
	}
	if err := s.seed(opts); err != nil {
		return nil, err
	}
	url, err := s.Emulator.Start()
	if err != nil {
		return nil, fmt.Errorf("sandbox: start the AWS emulator: %w", err)
	}
	s.URL = url
	return s, nil
}

func (s *Sandbox) seed(opts Options) error {
	accountByName := map[string]config.Account{}
	partitionOf := map[string]string{} // by account id
	for _, a := range s.file.Accounts {
		accountByName[a.Name] = a
		// Each account lives in the partition its clusters' regions imply,
		// as a real one does, so that its credentials answer with ARNs of
		// that partition and IAM refuses ARNs of any other.
		p, _ := s.file.AccountPartition(a.Name)
		if p == "" {
			p = partition.AWS
		}
		c, err := s.Emulator.EnsureAccountInPartition(a.ID, p)
		if err != nil {
			return fmt.Errorf("sandbox: account %q: %w", a.Name, err)
		}
		s.creds[a.ID], s.regions[a.ID], partitionOf[a.ID] = c, partition.IAMRegion(p), p
	}
	// The default chain belongs to the first account reached without a
	// role or profile, as on a workstation logged in to it.
	baseID := ""
	for _, a := range s.file.Accounts {
		if a.AssumeRoleArn == "" && a.Profile == "" {
			baseID = a.ID
			break
		}
	}
	if baseID == "" && len(s.file.Accounts) > 0 {
		baseID = s.file.Accounts[0].ID
	}
	s.base, s.baseID = s.creds[baseID], baseID
	for _, a := range s.file.Accounts {
		if a.AssumeRoleArn == "" {
			continue
		}
		target := resource.AccountOfARN(a.AssumeRoleArn)
		name := a.AssumeRoleArn[strings.LastIndex(a.AssumeRoleArn, "/")+1:]
		if _, err := s.Emulator.EnsureAccountInPartition(target, partitionOf[a.ID]); err != nil {
			return fmt.Errorf("sandbox: seed role %s: %w", a.AssumeRoleArn, err)
		}
		trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":%q},"Action":"sts:AssumeRole"}]}`, resource.RootARN(partitionOf[baseID], baseID))
		if err := s.Emulator.EnsureRole(target, name, trust); err != nil {
			return fmt.Errorf("sandbox: seed role %s: %w", a.AssumeRoleArn, err)
		}
	}
	for _, c := range s.file.Clusters {
		id := accountByName[c.Account].ID
		issuer := c.OIDCIssuer
		if issuer == "" {
			issuer = Issuer(id, c.Region, c.Name)
		}
		s.Emulator.EnsureCluster(id, c.Region, c.Name, issuer)
		kube, err := s.loadCluster(c.Name)
		if err != nil {
			return err
		}
		if err := enableTokens(kube, s.Emulator, issuer, opts.Emulator.Now); err != nil {
			return fmt.Errorf("sandbox: cluster %q: %w", c.Name, err)
		}
		if !opts.KeepNamespaces {
			if err := ensureNamespaces(kube, boundNamespaces(s.file, c.Name)); err != nil {
				return fmt.Errorf("sandbox: cluster %q: %w", c.Name, err)
			}
		}
		s.clusters[c.Name] = kube
	}
	return nil
}

// Issuer is the deterministic OIDC issuer the sandbox gives a cluster, in
// the shape EKS uses, in the domain of the region's partition
// (oidc.eks.cn-north-1.amazonaws.com.cn in China).
func Issuer(accountID, region, name string) string {
	sum := sha256.Sum256([]byte(accountID + "/" + region + "/" + name))
	return "https://oidc.eks." + region + "." + partition.DNSSuffix(partition.ForRegion(region)) + "/id/" + strings.ToUpper(hex.EncodeToString(sum[:16]))
}

// AWS returns SDK configuration that reaches account a in the emulator: the
// default identity, or the account itself for a profile, then assumeRoleArn
// through the emulator's real sts:AssumeRole.
func (s *Sandbox) AWS(_ context.Context, a config.Account) (aws.Config, error) {
	c, region := s.base, s.regions[s.baseID]
	if a.Profile != "" {
		// A profile stands for credentials of its own account.
		c, region = s.creds[a.ID], s.regions[a.ID]
	}
	cfg := aws.Config{
		// Signed for the IAM region of the credentials' partition, as a
		// real configuration must be (AWS_REGION=us-gov-west-1 in GovCloud).
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken),
		BaseEndpoint: aws.String(s.URL),
		// The same retry policy as connect.Real: adaptive, 10 attempts.
		Retryer: func() aws.Retryer {
			return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
				o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) { so.MaxAttempts = connect.RetryMaxAttempts })
			})
		},
	}
	return connect.AssumeRole(cfg, a), nil
}

// Kube returns the in-memory cluster.
func (s *Sandbox) Kube(_ context.Context, c config.Cluster, _ aws.Config) (corev1client.CoreV1Interface, error) {
	kube, ok := s.clusters[c.Name]
	if !ok {
		return nil, fmt.Errorf("sandbox has no cluster %q", c.Name)
	}
	return kube.CoreV1(), nil
}

// Cluster returns the in-memory cluster of that name, for tests to inspect
// and to count its calls (Cluster.Actions).
func (s *Sandbox) Cluster(name string) *Cluster { return s.clusters[name] }

// Close saves the state (when the sandbox has a directory) and stops the
// emulator.
func (s *Sandbox) Close() error {
	err := s.Save()
	if cerr := s.Emulator.Close(); err == nil {
		err = cerr
	}
	return err
}
