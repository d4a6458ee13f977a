# irsa-sync developer entry points. `make test` is the full check that CI runs
# (.ci/run and .github/workflows/ci.yml call exactly that).

# Binaries for tests that need a real API server (test/testenv):
# kube-apiserver and etcd, put there by hack/tools.sh.
TOOLS_BIN := $(CURDIR)/.cache/bin

GO ?= go

.PHONY: all tools test test-short bench build fuzz fuzz-smoke release-check release-snapshot test-action lint lint-shell

# The version `irsa-sync version` prints: the nearest tag, commits since and
# the commit (v0.1.0-3-g0123abc, -dirty with local changes), or the commit
# alone before the first tag. Outside a git checkout both are empty and the
# binary falls back to Go's build information. .goreleaser.yaml stamps the
# same two variables.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null)
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null)
CLI_PKG := github.com/irsa-sync/irsa-sync/internal/cli
LDFLAGS := -s -w -X $(CLI_PKG).Version=$(VERSION) -X $(CLI_PKG).Commit=$(COMMIT)

all: build

## tools: build kube-apiserver and provide etcd in .cache/bin (idempotent).
tools:
	bash hack/tools.sh

## test: formatting, vet, lint, then every test with the race detector against a
## real kube-apiserver. This is the command CI runs.
test: tools
	@unformatted="$$(find . -name '*.go' -not -path './.cache/*' -not -path './.git/*' -print0 | xargs -0 -r gofmt -l)"; \
	if [ -n "$$unformatted" ]; then \
		echo "gofmt: these files need formatting (run gofmt -w):"; \
		echo "$$unformatted"; \
		exit 1; \
	fi
	$(GO) vet ./...
	$(MAKE) lint
	KUBEBUILDER_ASSETS=$(TOOLS_BIN) $(GO) test -race -count=1 ./...
	$(MAKE) fuzz-smoke
	$(MAKE) release-check
	$(MAKE) test-action
	$(MAKE) lint-shell

## test-short: the tests alone, without building tools; tests that need an API
## server skip themselves (they fail instead when CI=true).
test-short:
	$(GO) test -count=1 ./...

## bench: run the benchmarks only (no tests, no tools needed); see
## docs/performance.md. IRSA_BENCH_LARGE=1 adds the 10,000-role estates
## (4-5 minutes more); IRSA_BENCH_LATENCY sets the AWS emulator's delay
## per call (default 50ms).
bench:
	$(GO) test -run '^$$' -bench . -benchmem -timeout 60m ./...

## build: the irsa-sync binary in bin/, stamped with VERSION and COMMIT.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/irsa-sync ./cmd/irsa-sync

## release-check: goreleaser validates .goreleaser.yaml (make test runs it).
release-check:
	bash hack/tools.sh goreleaser
	$(TOOLS_BIN)/goreleaser check

## release-snapshot: every release archive and the checksums in dist/, as a
## tag would make them, without publishing. The container images need a
## Docker engine and are skipped; so is signing.
release-snapshot:
	bash hack/tools.sh goreleaser
	$(TOOLS_BIN)/goreleaser release --snapshot --clean --skip=docker,publish,sign

## test-action: the GitHub Action's script against a fake gh and a fake
## release directory (make test runs it).
test-action:
	bash hack/tools.sh action-deps
	bash hack/action/test.sh

## lint: golangci-lint over the whole module with the linters of
## .golangci.yml (make test runs it); builds only golangci-lint if missing.
lint:
	bash hack/tools.sh golangci-lint
	$(TOOLS_BIN)/golangci-lint run ./...

## lint-shell: shellcheck of every shell script (make test runs it).
lint-shell:
	bash hack/tools.sh shellcheck
	shellcheck -x hack/*.sh hack/action/*.sh .ci/run

## fuzz: each fuzz target for FUZZTIME executions (or a duration such as
## 30s); an input that fails is written to its package's testdata/fuzz, to
## be checked in as a seed. Counts, not durations, by default: Go 1.26's
## fuzz coordinator can fail a target with a bare "context deadline
## exceeded" when a duration ends on a loaded machine (go.dev/issue/75804,
## fixed in Go 1.27); a count has no deadline to race.
FUZZTIME ?= 400000x
FUZZ_TARGETS := FuzzLoad:./internal/config FuzzParse:./internal/policy FuzzForRole:./internal/trust
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "fuzz $${t%%:*} ($${t#*:}) for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$${t%%:*}$$" -fuzztime $(FUZZTIME) "$${t#*:}"; \
	done

## fuzz-smoke: every fuzz target briefly, after the tests (make test runs it).
fuzz-smoke:
	$(MAKE) fuzz FUZZTIME=60000x
