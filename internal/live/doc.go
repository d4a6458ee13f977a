// Package live reads what exists: each account's IAM roles, policies and
// OIDC providers, and each cluster's namespaces, ServiceAccounts (with the
// annotations irsa-sync's field manager owns) and pods, concurrently and
// with no writes, into the plain types of package state that the planner
// compares with the file.
package live
