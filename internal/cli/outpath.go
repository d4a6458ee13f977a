package cli

import (
	"fmt"
	"os"

	"github.com/irsa-sync/irsa-sync/internal/config"
)

// refuseInputAsOut refuses a --out path that is one of the run's inputs,
// a bindings file (of -f, directories expanded) or a policy's
// documentFile, before anything is read:
// saving the plan there would replace the input with the plan. Files are
// compared with os.SameFile after following symlinks, so another spelling
// of the path, a hard link or a symlink to an input is refused too. A path
// that does not exist yet cannot be an input.
func refuseInputAsOut(out string, inputs []string) error {
	if out == "" {
		return nil
	}
	outInfo, err := os.Stat(out)
	if err != nil {
		return nil // new, or unreadable: saving reports its own error
	}
	same := func(path string) bool {
		info, err := os.Stat(path)
		return err == nil && os.SameFile(outInfo, info)
	}
	refuse := func(what string) error {
		return &exitError{code: ExitError, err: fmt.Errorf("--out %s is %s: saving the plan there would overwrite it; nothing was read or written: save the plan to another file, such as plan.json", out, what)}
	}
	files, err := config.ExpandPaths(inputs)
	if err != nil {
		return nil // the run reports the arguments' problems
	}
	for _, bindings := range files {
		if same(bindings) {
			return refuse("the bindings file " + bindings)
		}
		f, err := config.Load(bindings)
		if err != nil {
			continue // the run reports the file's problems
		}
		for i, p := range f.Policies {
			if p.DocumentSource != "" && same(p.DocumentSource) {
				return refuse(fmt.Sprintf("the documentFile of policies[%d] (%s) of %s, %s", i, p.Name, bindings, p.DocumentSource))
			}
		}
	}
	return nil
}
