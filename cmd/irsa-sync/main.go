// Command irsa-sync keeps EKS IAM roles for service accounts exactly as a
// bindings file says. See the README.
package main

import (
	"os"

	"github.com/irsa-sync/irsa-sync/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
