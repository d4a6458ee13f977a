package cli

import (
	"github.com/spf13/cobra"
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
