package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Version and Commit are set at build time with
// -ldflags "-X github.com/irsa-sync/irsa-sync/internal/cli.Version=v1.2.3 -X ...Commit=abc";
// otherwise they come from the module's build information.
var (
	Version = ""
	Commit  = ""
)

func newVersionCmd(streams IO) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print irsa-sync's version and commit",
		Example: `  irsa-sync version`,
		Args:    cobra.NoArgs,
		Run: func(*cobra.Command, []string) {
			v, c := Version, Commit
			if info, ok := debug.ReadBuildInfo(); ok {
				if v == "" {
					v = info.Main.Version
				}
				for _, s := range info.Settings {
					if s.Key == "vcs.revision" && c == "" {
						c = s.Value
					}
				}
			}
			if v == "" {
				v = "(devel)"
			}
			if c == "" {
				c = "unknown"
			}
			fmt.Fprintf(streams.Out, "irsa-sync %s (commit %s, %s)\n", v, c, runtime.Version())
		},
	}
}
