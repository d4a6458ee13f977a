# irsa-sync container image: a static binary on distroless, running as
# non-root. Build:
#   docker build --build-arg VERSION=v0.1.0 --build-arg COMMIT=$(git rev-parse HEAD) -t irsa-sync:v0.1.0 .

# --- build ---------------------------------------------------------------
FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first, so that a source change does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=unknown
# Static (no cgo, so no libc in the image), reproducible paths (-trimpath),
# no symbol tables (-s -w), and the version `irsa-sync version` prints.
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/irsa-sync/irsa-sync/internal/cli.Version=${VERSION} -X github.com/irsa-sync/irsa-sync/internal/cli.Commit=${COMMIT}" \
      -o /out/irsa-sync ./cmd/irsa-sync

# --- run -----------------------------------------------------------------
# distroless/static carries CA certificates (for AWS and the Kubernetes API),
# tzdata and a nonroot user (65532), and no shell.
FROM gcr.io/distroless/static:nonroot
COPY --from=build /out/irsa-sync /usr/local/bin/irsa-sync
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/irsa-sync"]
CMD ["--help"]
