#!/usr/bin/env bash
# tools.sh makes the binaries that tests with a real API server need
# (test/testenv) available in .cache/bin:
#
#   kube-apiserver  built from test/tools/kube-apiserver (a Go module of its
#                   own, so the root go.mod never requires k8s.io/kubernetes);
#                   about 5 minutes and 1 GB of module cache the first time.
#   etcd            copied from the system's etcd, installing Debian's
#                   etcd-server package with apt-get when there is none.
#   goreleaser      built from the Go module proxy at goreleaser_version
#                   (make release-check, make release-snapshot); a few
#                   minutes the first time.
#   golangci-lint   built from the Go module proxy at golangci_lint_version
#                   (make lint); a few minutes the first time.
#   jq, zip, unzip, shellcheck
#                   Debian's packages, when missing (make test-action,
#                   make lint-shell). hadolint is not packaged in Debian
#                   12, so the Dockerfile is not linted.
#
# It is idempotent: each step is skipped when its binary is already there at
# the expected version. Copies (not symlinks) keep .cache/bin self-contained,
# so a CI cache of that directory restores a working set.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="${root}/.cache/bin"
kas_module="${root}/test/tools/kube-apiserver"

# The Kubernetes version is the one test/tools/kube-apiserver/go.mod requires.
k8s_version="$(cd "${kas_module}" && go list -m -f '{{.Version}}' k8s.io/kubernetes)"
if [[ ! "${k8s_version}" =~ ^v1\.([0-9]+)\.[0-9]+$ ]]; then
	echo "tools.sh: cannot read the k8s.io/kubernetes version from ${kas_module}/go.mod" >&2
	exit 1
fi
k8s_minor="${BASH_REMATCH[1]}"

mkdir -p "${bin_dir}"

log() { echo "tools.sh: $*"; }

# as_root runs a command as root: directly when we are root, through sudo
# otherwise (GitHub-hosted runners), and fails clearly when neither works.
as_root() {
	if [[ "$(id -u)" == 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		echo "tools.sh: need root (or sudo) to run: $*" >&2
		return 1
	fi
}

apt_install() {
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# kube-apiserver: rebuild only when missing or of another version. The version
# is stamped with -X flags; without them it reports v0.0.0, which kubectl and
# envtest cannot parse.
ensure_kube_apiserver() {
	local target="${bin_dir}/kube-apiserver" have=""
	if [[ -x "${target}" ]]; then
		have="$("${target}" --version 2>/dev/null | awk '{print $2}' || true)"
	fi
	if [[ "${have}" == "${k8s_version}" ]]; then
		log "kube-apiserver ${k8s_version}: already in ${target}"
		return
	fi
	log "kube-apiserver ${k8s_version}: building (have '${have:-none}'; takes minutes the first time)"
	local start=${SECONDS}
	local ldflags="-s -w"
	ldflags+=" -X k8s.io/component-base/version.gitVersion=${k8s_version}"
	ldflags+=" -X k8s.io/component-base/version.gitMajor=1"
	ldflags+=" -X k8s.io/component-base/version.gitMinor=${k8s_minor}"
	# Build next to the target and rename, so an interrupted build never
	# leaves a binary that looks complete.
	(cd "${kas_module}" && go build -trimpath -buildvcs=false -ldflags "${ldflags}" -o "${target}.tmp" .)
	mv -f "${target}.tmp" "${target}"
	log "kube-apiserver ${k8s_version}: built in $((SECONDS - start))s: $("${target}" --version)"
}

# etcd: any 3.4+ serves kube-apiserver; Debian 12 ships 3.4.23 as etcd-server.
ensure_etcd() {
	local target="${bin_dir}/etcd"
	if [[ -x "${target}" ]] && "${target}" --version >/dev/null 2>&1; then
		log "etcd: already in ${target} ($("${target}" --version | head -n1))"
		return
	fi
	if ! command -v etcd >/dev/null 2>&1; then
		log "etcd: not installed; installing Debian package etcd-server"
		# Refresh the package lists first when apt does not know the package,
		# and once more when the install fails (stale lists name removed files).
		if ! apt-cache show etcd-server >/dev/null 2>&1; then
			as_root apt-get update -qq
		fi
		if ! apt_install etcd-server; then
			as_root apt-get update -qq
			apt_install etcd-server
		fi
	fi
	local system_etcd
	system_etcd="$(command -v etcd)"
	install -m 0755 "${system_etcd}" "${target}"
	log "etcd: copied ${system_etcd} to ${target} ($("${target}" --version | head -n1))"
}

# ensure_go_tool NAME VERSION PACKAGE: a pinned Go tool built with
# `go install` into .cache/bin, skipped when the binary there records that
# module version (read with `go version -m`, without running it).
ensure_go_tool() {
	local name="$1" version="$2" pkg="$3"
	local target="${bin_dir}/${name}" have=""
	if [[ -x "${target}" ]]; then
		have="$(go version -m "${target}" 2>/dev/null | awk '$1 == "mod" {print $3; exit}' || true)"
	fi
	if [[ "${have}" == "${version}" ]]; then
		log "${name} ${version}: already in ${target}"
		return
	fi
	log "${name} ${version}: building (have '${have:-none}'; takes minutes the first time)"
	local start=${SECONDS} tmp
	tmp="$(mktemp -d)"
	# GOFLAGS cleared so a -mod setting of the caller does not apply to
	# another module; built in a temporary GOBIN and moved, as above.
	GOFLAGS='' GOBIN="${tmp}" go install -trimpath "${pkg}@${version}"
	mv -f "${tmp}/${name}" "${target}"
	rmdir "${tmp}"
	log "${name} ${version}: built in $((SECONDS - start))s"
}

# goreleaser: v2.15.1 is the newest release whose dependencies build with
# this repository's Go.
goreleaser_version=v2.15.1
ensure_goreleaser() {
	ensure_go_tool goreleaser "${goreleaser_version}" github.com/goreleaser/goreleaser/v2
}

# golangci-lint: v2.15.0 builds with this repository's Go; raising it may
# bring new findings, so it moves on purpose, not by itself.
golangci_lint_version=v2.15.0
ensure_golangci_lint() {
	ensure_go_tool golangci-lint "${golangci_lint_version}" github.com/golangci/golangci-lint/v2/cmd/golangci-lint
}

# apt_tools installs each Debian package whose command is missing: the
# action test's jq, zip and unzip (on most machines already), shellcheck.
apt_tools() {
	local missing=() cmd
	for cmd in "$@"; do
		command -v "${cmd}" >/dev/null 2>&1 || missing+=("${cmd}")
	done
	if [[ ${#missing[@]} -eq 0 ]]; then
		log "$*: already installed"
		return
	fi
	log "${missing[*]}: installing Debian packages"
	if ! apt_install "${missing[@]}"; then
		as_root apt-get update -qq
		apt_install "${missing[@]}"
	fi
}

# With arguments, only the named tools (make release-check needs goreleaser
# alone); without, all of them.
tools=("$@")
if [[ ${#tools[@]} -eq 0 ]]; then
	tools=(kube-apiserver etcd goreleaser golangci-lint action-deps shellcheck)
fi
for tool in "${tools[@]}"; do
	case "${tool}" in
	kube-apiserver) ensure_kube_apiserver ;;
	etcd) ensure_etcd ;;
	goreleaser) ensure_goreleaser ;;
	golangci-lint) ensure_golangci_lint ;;
	action-deps) apt_tools jq zip unzip ;;
	shellcheck) apt_tools shellcheck ;;
	*)
		echo "tools.sh: unknown tool '${tool}' (known: kube-apiserver etcd goreleaser golangci-lint action-deps shellcheck)" >&2
		exit 2
		;;
	esac
done
log "done; tests find these through KUBEBUILDER_ASSETS=${bin_dir}"
