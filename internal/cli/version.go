package cli

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Version and Commit are stamped at build time by `make build`, the
// Dockerfile and .goreleaser.yaml with
// -ldflags "-X github.com/irsa-sync/irsa-sync/internal/cli.Version=v1.2.3 -X ...Commit=abc"
// (Version from `git describe --tags --always --dirty`). A build without
// them (go install, go build) falls back to the module's build information.
var (
	Version = ""
	Commit  = ""
)

// versionInfo is what `irsa-sync version --output json` prints.
type versionInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

// currentVersion is the stamped version and commit, else those that the Go
// toolchain recorded: the module version for `go install ...@v1.2.3`, and
// vcs.revision for a build inside a git checkout.
func currentVersion(info *debug.BuildInfo, haveInfo bool) versionInfo {
	v := versionInfo{
		Version:   Version,
		Commit:    Commit,
		GoVersion: runtime.Version(),
		Platform:  runtime.GOOS + "/" + runtime.GOARCH,
	}
	if haveInfo {
		if v.Version == "" {
			v.Version = info.Main.Version
		}
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && v.Commit == "" {
				v.Commit = s.Value
			}
		}
	}
	if v.Version == "" {
		v.Version = "(devel)"
	}
	if v.Commit == "" {
		v.Commit = "unknown"
	}
	return v
}

func newVersionCmd(streams IO) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print irsa-sync's version and commit",
		Example: `  irsa-sync version
  irsa-sync version --output json`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			info, ok := debug.ReadBuildInfo()
			v := currentVersion(info, ok)
			switch output {
			case "text":
				fmt.Fprintf(streams.Out, "irsa-sync %s (commit %s, %s, %s)\n", v.Version, v.Commit, v.GoVersion, v.Platform)
				return nil
			case "json":
				enc := json.NewEncoder(streams.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(v)
			default:
				return &exitError{code: ExitError, err: fmt.Errorf("unknown output format %q for version: use text or json", output)}
			}
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}
