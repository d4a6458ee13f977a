package testenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// binaries are the programs envtest runs; hack/tools.sh puts both in .cache/bin.
var binaries = []string{"kube-apiserver", "etcd"}

// errMissingBinaries marks an environment that lacks kube-apiserver or etcd,
// the one start failure that may skip a test instead of failing it.
var errMissingBinaries = errors.New("test binaries missing")

// assetsDir returns the directory holding the binaries: KUBEBUILDER_ASSETS
// when set, else .cache/bin of the module that contains the working
// directory (go test runs each package in its own directory).
func assetsDir() (dir, source string, err error) {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir, "KUBEBUILDER_ASSETS", nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, ".cache", "bin"), "the module root", nil
		}
		if filepath.Dir(d) == d {
			return "", "", fmt.Errorf("%w: KUBEBUILDER_ASSETS is not set and no go.mod above %s", errMissingBinaries, wd)
		}
	}
}

// findBinaries returns the path of each of binaries in dir, or an error
// wrapping errMissingBinaries that names what is missing and how to get it.
func findBinaries() (map[string]string, error) {
	dir, source, err := assetsDir()
	if err != nil {
		return nil, err
	}
	paths := make(map[string]string, len(binaries))
	var missing []string
	for _, name := range binaries {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			missing = append(missing, name)
			continue
		}
		paths[name] = p
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: %s not found in %s (from %s); run `make test`, or `make tools` once before `go test`",
			errMissingBinaries, strings.Join(missing, " and "), dir, source)
	}
	return paths, nil
}

// inCI reports whether the CI environment variable is set to a true value.
func inCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

// skipOrFail ends a test that cannot get an API server. Missing binaries skip
// the test on a developer's machine, but in CI a missing test dependency is a
// failure, never a silent skip. Any other start error is a failure.
func skipOrFail(t testing.TB, err error) {
	t.Helper()
	switch {
	case !errors.Is(err, errMissingBinaries):
		t.Fatalf("testenv: %v", err)
	case inCI():
		t.Fatalf("testenv: %v (CI=true: a missing test dependency fails the test)", err)
	default:
		t.Skipf("testenv: %v", err)
	}
}
