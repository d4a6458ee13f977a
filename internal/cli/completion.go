package cli

import (
	"sort"

	"github.com/spf13/cobra"

	"github.com/irsa-sync/irsa-sync/internal/config"
)

// completionExamples are the help examples of cobra's default completion
// command and its shells: cobra writes their descriptions, and the project
// wants an example on every command.
var completionExamples = map[string]string{
	"completion": `  irsa-sync completion bash > /etc/bash_completion.d/irsa-sync
  irsa-sync completion zsh > "${fpath[1]}/_irsa-sync"
  irsa-sync completion fish > ~/.config/fish/completions/irsa-sync.fish`,
	"bash":       `  source <(irsa-sync completion bash)`,
	"zsh":        `  irsa-sync completion zsh > "${fpath[1]}/_irsa-sync"`,
	"fish":       `  irsa-sync completion fish | source`,
	"powershell": `  irsa-sync completion powershell | Out-String | Invoke-Expression`,
	"help":       `  irsa-sync help plan`,
}

// addCompletionExamples creates cobra's default completion and help
// commands now, rather than when the root first runs, and gives each an
// example.
func addCompletionExamples(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	root.InitDefaultHelpCmd()
	for _, c := range root.Commands() {
		if ex, ok := completionExamples[c.Name()]; ok && c.Example == "" {
			c.Example = ex
		}
		if c.Name() != "completion" {
			continue
		}
		for _, shell := range c.Commands() {
			if ex, ok := completionExamples[shell.Name()]; ok {
				shell.Example = ex
			}
		}
	}
}

// outputFormats are each command's --output values, for completion.
var outputFormats = map[string][]string{
	"plan":    {"text", "json", "markdown"},
	"show":    {"text", "json", "markdown"},
	"apply":   {"text", "json"},
	"explain": {"text", "mermaid"},
}

// registerCompletions completes flag values and role names: --output per
// command, --log-format and --log-level, explain's ROLE from the roles of
// the file -f names, and show's SAVED-PLAN from JSON files.
func registerCompletions(root *cobra.Command, g *globalOptions) {
	fixed := func(values ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return values, cobra.ShellCompDirectiveNoFileComp
		}
	}
	_ = root.RegisterFlagCompletionFunc("log-format", fixed(LogText, LogJSON))
	_ = root.RegisterFlagCompletionFunc("log-level", fixed("debug", "info", "warn", "error"))
	for _, c := range root.Commands() {
		if formats, ok := outputFormats[c.Name()]; ok {
			_ = c.RegisterFlagCompletionFunc("output", fixed(formats...))
		}
		switch c.Name() {
		case "explain":
			c.ValidArgsFunction = func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
				if len(args) > 0 {
					return nil, cobra.ShellCompDirectiveNoFileComp
				}
				return roleNames(g.Files), cobra.ShellCompDirectiveNoFileComp
			}
		case "show":
			c.ValidArgsFunction = func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
				if len(args) > 0 {
					return nil, cobra.ShellCompDirectiveNoFileComp
				}
				return []string{"json"}, cobra.ShellCompDirectiveFilterFileExt
			}
		}
	}
}

// roleNames are the file's role names, sorted and once each; a file that
// does not load completes nothing rather than printing an error into the
// shell.
func roleNames(paths []string) []string {
	f, err := config.LoadFiles(paths)
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, r := range f.Roles {
		if !seen[r.Name] {
			seen[r.Name] = true
			out = append(out, r.Name)
		}
	}
	sort.Strings(out)
	return out
}
