// Package kubeint holds irsa-sync's integration tests against a real
// kube-apiserver (test/testenv): field ownership under server-side
// apply, conflicts and adoption, annotations as the server stores them,
// missing namespaces, pods keeping an old role, least-privilege RBAC, many
// clusters through the real connectors, and the number of reads a plan
// makes. Every test drives the real pipeline (config, live, desired, plan,
// apply) with AWS on the sandbox emulator. Run them with `make test`; under
// CI=true a missing kube-apiserver fails them instead of skipping.
package kubeint
