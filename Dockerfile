# irsa-sync container image: a static binary on distroless, running as
# non-root. Two ways to build the same image:
#
#   from source (default target):
#     docker build --build-arg VERSION="$(git describe --tags --always --dirty)" \
#       --build-arg COMMIT="$(git rev-parse HEAD)" -t irsa-sync:dev .
#   from a release binary (target "release"; goreleaser's dockers_v2 step
#   puts linux/amd64/irsa-sync and linux/arm64/irsa-sync in the context and
#   builds both platforms with buildx):
#     docker buildx build --target release --platform linux/amd64,linux/arm64 .
#
# Base images are pinned by tag, not by digest: no digest of these tags could
# be confirmed from a published source when this was written, and an
# invented or stale digest is worse than a tag. Dependabot (docker
# ecosystem, .github/dependabot.yml) proposes updates.
# TODO: pin both by digest (tag@sha256:...) from the registry's own listing.
# hadolint is not packaged in Debian 12, so this file is not linted by make.

# --- build from source ---------------------------------------------------
# The Go version is go.mod's go directive; the Debian release is named so
# the tag does not move to a new distribution underneath us.
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
# Dependencies first, so that a source change does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
ARG COMMIT=""
# Static (no cgo, so no libc in the image), reproducible paths (-trimpath),
# no symbol tables (-s -w), and the version `irsa-sync version` prints: the
# same flags as `make build` and .goreleaser.yaml.
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/irsa-sync/irsa-sync/internal/cli.Version=${VERSION} -X github.com/irsa-sync/irsa-sync/internal/cli.Commit=${COMMIT}" \
      -o /out/irsa-sync ./cmd/irsa-sync

# --- run -----------------------------------------------------------------
# distroless/static carries CA certificates (for AWS and the Kubernetes API),
# tzdata and a nonroot user (65532), and no shell. static-debian12 rather than
# static: the Debian release does not change under the same tag.
FROM gcr.io/distroless/static-debian12:nonroot AS runtime
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/irsa-sync"]
CMD ["--help"]

# --- release: the binary goreleaser built for TARGETPLATFORM --------------
# BuildKit builds only the stages a target needs, so this one never compiles.
FROM runtime AS release
ARG TARGETPLATFORM
COPY ${TARGETPLATFORM}/irsa-sync /usr/local/bin/irsa-sync

# --- default: the binary built above -------------------------------------
FROM runtime
COPY --from=build /out/irsa-sync /usr/local/bin/irsa-sync
