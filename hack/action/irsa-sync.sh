#!/usr/bin/env bash
# irsa-sync.sh is the GitHub Action (action.yml at the repository root): it
# downloads an irsa-sync release archive for the runner, checks it against the
# release's checksums file, runs plan, apply or verify on each bindings file,
# writes the results to the job summary and, for plan on a pull request,
# keeps ONE comment with the plan up to date (found by a hidden marker).
#
# Inputs come as environment variables, set by action.yml:
#   INPUT_COMMAND    plan (default), apply or verify (a plan that fails on
#                    any change: a drift check that writes nothing)
#   INPUT_BINDINGS   bindings files, separated by spaces or newlines
#   INPUT_VERSION    a release tag (v0.1.0) or "latest"; empty: the action's
#                    own ref when that is a release tag, else latest
#   INPUT_ARGS       more arguments for irsa-sync, split on spaces; quotes
#                    ('...' or "...") keep spaces in one argument, as a shell
#                    would, and nothing in them is expanded
#   INPUT_COMMENT    "true": comment the plan on the pull request
#   GH_TOKEN         for gh (the release lookup and the comment)
# and GitHub's own: RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_REPOSITORY,
# GITHUB_EVENT_PATH, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, GITHUB_PATH.
#
# For tests (hack/action/test.sh): IRSA_SYNC_RELEASES, the releases' base
# (a URL, or a local directory holding TAG/ARCHIVE), and IRSA_SYNC_REPO, the
# repository whose releases are used.
set -euo pipefail

readonly marker='<!-- irsa-sync-plan -->'
repo="${IRSA_SYNC_REPO:-irsa-sync/irsa-sync}"
releases="${IRSA_SYNC_RELEASES:-https://github.com/${repo}/releases/download}"
work="${RUNNER_TEMP:-$(mktemp -d)}/irsa-sync-action"
summary="${GITHUB_STEP_SUMMARY:-/dev/null}"

fail() {
	echo "::error::irsa-sync action: $*" >&2
	exit 1
}

output() { [[ -z "${GITHUB_OUTPUT:-}" ]] || echo "$1=$2" >>"${GITHUB_OUTPUT}"; }

# platform prints the release's os_arch for this runner.
platform() {
	local os arch
	case "${RUNNER_OS:-$(uname -s)}" in
	Linux) os=linux ;;
	macOS | Darwin) os=darwin ;;
	Windows | MINGW* | MSYS*) os=windows ;;
	*) fail "runner OS '${RUNNER_OS:-$(uname -s)}' has no release archive (Linux, macOS, Windows)" ;;
	esac
	case "${RUNNER_ARCH:-$(uname -m)}" in
	X64 | x86_64 | amd64) arch=amd64 ;;
	ARM64 | arm64 | aarch64) arch=arm64 ;;
	*) fail "runner architecture '${RUNNER_ARCH:-$(uname -m)}' has no release archive (X64, ARM64)" ;;
	esac
	if [[ "${os}/${arch}" == windows/arm64 ]]; then
		fail "there is no windows/arm64 release archive; use an X64 Windows runner or Linux"
	fi
	echo "${os}_${arch}"
}

# resolve_version prints the release tag to download.
resolve_version() {
	local v="${INPUT_VERSION:-}"
	if [[ -z "${v}" && "${ACTION_REF:-}" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
		v="${ACTION_REF}"
	fi
	if [[ -z "${v}" || "${v}" == latest ]]; then
		v="$(gh api "repos/${repo}/releases/latest" --jq .tag_name)" ||
			fail "cannot find the latest release of ${repo}; set the version input to a tag such as v0.1.0"
	fi
	[[ "${v}" =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]] || fail "version '${v}' is not a release tag such as v0.1.0"
	echo "${v}"
}

# fetch copies one release asset to a file, from a URL or a local directory.
fetch() {
	local tag="$1" name="$2" dest="$3"
	case "${releases}" in
	http://* | https://*)
		curl -fsSL --retry 3 --proto '=https,http' -o "${dest}" "${releases}/${tag}/${name}" ||
			fail "cannot download ${releases}/${tag}/${name}"
		;;
	*)
		cp "${releases}/${tag}/${name}" "${dest}" 2>/dev/null || fail "no ${name} in ${releases}/${tag}"
		;;
	esac
}

sha256() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | awk '{print $1}'
	else
		shasum -a 256 "$1" | awk '{print $1}' # macOS
	fi
}

# install_release downloads, verifies and unpacks the release; it prints the
# binary's path.
install_release() {
	local tag="$1" plat="$2" version="${1#v}" ext=tar.gz exe=irsa-sync
	if [[ "${plat}" == windows_* ]]; then
		ext=zip exe=irsa-sync.exe
	fi
	local archive="irsa-sync_${version}_${plat}.${ext}"
	local sums="irsa-sync_${version}_checksums.txt"
	local dir="${work}/${tag}_${plat}"
	rm -rf "${dir}" && mkdir -p "${dir}"
	fetch "${tag}" "${sums}" "${dir}/${sums}"
	fetch "${tag}" "${archive}" "${dir}/${archive}"
	# Lines are "<sha256>  <name>" (sha256sum's format, as goreleaser writes).
	local want got
	want="$(awk -v n="${archive}" '$2 == n || $2 == "*" n {print $1}' "${dir}/${sums}")"
	[[ -n "${want}" ]] || fail "${sums} of ${tag} lists no ${archive}"
	got="$(sha256 "${dir}/${archive}")"
	[[ "${got}" == "${want}" ]] ||
		fail "checksum mismatch for ${archive}: ${sums} says ${want}, the download is ${got}; not running it"
	case "${ext}" in
	zip) unzip -q -o "${dir}/${archive}" "${exe}" -d "${dir}/bin" ;;
	*) mkdir -p "${dir}/bin" && tar -xzf "${dir}/${archive}" -C "${dir}/bin" "${exe}" ;;
	esac
	[[ -x "${dir}/bin/${exe}" ]] || chmod +x "${dir}/bin/${exe}"
	echo "${dir}/bin/${exe}"
}

# pr_number prints the pull request's number from the event, or nothing.
pr_number() {
	[[ -n "${GITHUB_EVENT_PATH:-}" && -f "${GITHUB_EVENT_PATH}" ]] || return 0
	jq -r '.pull_request.number // empty' "${GITHUB_EVENT_PATH}"
}

# upsert_comment makes the body file the pull request's one plan comment:
# it updates the first comment that starts with the marker, and creates one
# when there is none (or when the token may not edit the one found).
upsert_comment() {
	local pr="$1" body="$2" payload id
	payload="$(mktemp)"
	jq -Rs '{body: .}' "${body}" >"${payload}"
	id="$(gh api --paginate "repos/${GITHUB_REPOSITORY}/issues/${pr}/comments" \
		--jq ".[] | select(.body | startswith(\"${marker}\")) | .id" | head -n1)"
	if [[ -n "${id}" ]] &&
		gh api --method PATCH "repos/${GITHUB_REPOSITORY}/issues/comments/${id}" --input "${payload}" >/dev/null; then
		echo "irsa-sync: updated the plan comment ${id} on #${pr}"
	else
		gh api --method POST "repos/${GITHUB_REPOSITORY}/issues/${pr}/comments" --input "${payload}" >/dev/null ||
			fail "cannot comment on #${pr}: give the job 'pull-requests: write'"
		echo "irsa-sync: commented the plan on #${pr}"
	fi
	rm -f "${payload}"
}

main() {
	local command="${INPUT_COMMAND:-plan}"
	case "${command}" in
	plan | apply | verify) ;;
	*) fail "command '${command}' is not plan, apply or verify" ;;
	esac
	local -a files extra
	read -r -d '' -a files <<<"${INPUT_BINDINGS:-bindings.yaml}" || true
	[[ ${#files[@]} -gt 0 ]] || fail "the bindings input names no file"
	# xargs splits as a shell does with quotes, and expands nothing.
	mapfile -t extra < <(printf '%s' "${INPUT_ARGS:-}" | xargs -r printf '%s\n') || fail "args: unbalanced quotes in '${INPUT_ARGS:-}'"

	local tag plat bin
	tag="$(resolve_version)"
	plat="$(platform)"
	bin="$(install_release "${tag}" "${plat}")"
	echo "irsa-sync: ${tag} for ${plat}, checksum verified: $("${bin}" version)"
	output version "${tag}"
	output path "${bin}"
	[[ -z "${GITHUB_PATH:-}" ]] || dirname "${bin}" >>"${GITHUB_PATH}"

	# Several plans share one comment, so each gets an equal part of GitHub's
	# 65,536-character limit (irsa-sync folds details to fit).
	local budget=$((60000 / ${#files[@]})) comment code worst=0 changes=false
	comment="$(mktemp)"
	echo "${marker}" >"${comment}"
	for f in "${files[@]}"; do
		local out
		out="$(mktemp)"
		set +e
		case "${command}" in
		plan | verify)
			"${bin}" plan -f "${f}" --output markdown --detailed-exitcode --markdown-max-bytes "${budget}" ${extra[@]+"${extra[@]}"} >"${out}"
			;;
		apply)
			"${bin}" apply -f "${f}" ${extra[@]+"${extra[@]}"} >"${out}"
			;;
		esac
		code=$?
		set -e
		[[ ${code} -ne 2 ]] || changes=true
		if [[ ${code} -eq 1 ]] || { [[ ${command} == verify ]] && [[ ${code} -eq 2 ]]; }; then
			worst=1
		fi
		{
			# shellcheck disable=SC2016 # Markdown backticks, not expansions.
			if [[ "${command}" == apply ]]; then
				printf '### irsa-sync apply `%s`: exit %d\n\n```text\n' "${f}" "${code}"
				cat "${out}"
				printf '```\n\n'
			else
				if [[ ${code} -eq 1 && ! -s "${out}" ]]; then
					# shellcheck disable=SC2016
					printf '### irsa-sync plan of `%s` failed\n\nSee the job log.\n' "${f}"
				else
					cat "${out}"
				fi
				printf '\n'
			fi
		} | tee -a "${summary}" >>"${comment}"
		rm -f "${out}"
	done
	output exitcode "${worst}"
	output changes "${changes}"

	if [[ "${command}" == plan && "${INPUT_COMMENT:-true}" == true ]]; then
		local pr
		pr="$(pr_number)"
		if [[ -n "${pr}" ]]; then
			upsert_comment "${pr}" "${comment}"
		else
			echo "irsa-sync: not a pull request event; the plan is in the job summary only"
		fi
	fi
	rm -f "${comment}"
	if [[ "${command}" == verify && "${changes}" == true ]]; then
		echo "::error::irsa-sync: drift: the live state differs from the bindings file; see the job summary" >&2
	fi
	exit "${worst}"
}

main "$@"
