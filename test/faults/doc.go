// Package faults holds tests, and only tests, of how irsa-sync behaves when
// things go wrong: invalid files, dangerous trusts, throttling and outages in
// the middle of an apply, a crash after any write, two applies at once,
// signals, and secrets that must never reach the output. Each test drives the
// real pipeline (the AWS SDK against the sandbox emulator, the CLI through
// cli.Main or a built binary) and fails when the behaviour regresses; the
// figures in docs/reliability.md come from them.
package faults
