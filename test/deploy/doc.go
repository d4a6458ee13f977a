// Package deploy proves that the kustomize base in deploy/kustomize installs
// what it promises: each overlay builds with kustomize's own Go API (as
// `kubectl kustomize` does), every object it renders decodes strictly into
// client-go's types (an unknown or duplicated field fails), the overlay's
// settings land where they must (namespace, image, IRSA role, the bindings
// file the CronJob reads, one run at a time), the ClusterRole keeps exactly
// the rules of examples/rbac, and a real kube-apiserver accepts every object
// in a server-side dry run with strict field validation.
//
// The API server comes from test/testenv: without its binaries the
// dry-run test skips, or fails when CI=true. The kustomize API is imported
// by these tests only, so it never enters the irsa-sync binary.
package deploy
