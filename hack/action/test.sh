#!/usr/bin/env bash
# test.sh proves the GitHub Action's script (irsa-sync.sh) against a fake
# release directory and a fake gh on PATH: that it picks the archive of the
# runner's OS and architecture, refuses an archive whose checksum does not
# match (and runs nothing), writes the job summary, creates the plan comment
# when there is none and updates it, never duplicates it, when one with the
# marker exists (on any page). The fake gh evaluates the script's --jq
# filters with the real jq, so the filters are tested too.
#
# Run: bash hack/action/test.sh (make test-action). Needs jq, tar and zip.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
script="${here}/irsa-sync.sh"
for tool in jq tar zip unzip; do
	command -v "${tool}" >/dev/null 2>&1 || {
		echo "test.sh: ${tool} is missing (bash hack/tools.sh action-deps installs it)" >&2
		exit 1
	}
done

tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT
passed=0 failed=0

check() { # check NAME COMMAND...: one assertion
	local name="$1"
	shift
	if "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: ${name}" >&2
		echo "  stdout: $(cat "${tmp}/stdout" 2>/dev/null)" >&2
		echo "  stderr: $(cat "${tmp}/stderr" 2>/dev/null)" >&2
	fi
}
contains() { grep -qF -- "$2" "$1"; }
lacks() { ! grep -qF -- "$2" "$1"; }
equals() { [[ "$1" == "$2" ]]; }

# --- a fake release v9.9.9: one archive per platform, each holding a fake
# irsa-sync that names its platform in everything it prints.
release="${tmp}/releases/v9.9.9"
mkdir -p "${release}"
make_archive() {
	local plat="$1" exe=irsa-sync dir="${tmp}/build/$1"
	[[ "${plat}" != windows_* ]] || exe=irsa-sync.exe
	mkdir -p "${dir}"
	cat >"${dir}/${exe}" <<EOF
#!/usr/bin/env bash
echo "${plat} \$*" >>"\${FAKE_LOG}"
printf '[%s]' "\$@" >>"\${FAKE_LOG}.args"; echo >>"\${FAKE_LOG}.args"
cmd="\$1" file=bindings.yaml
while [[ \$# -gt 0 ]]; do [[ "\$1" != -f ]] || file="\$2"; shift; done
case "\${cmd}" in
version) echo "irsa-sync v9.9.9 (fake ${plat})" ;;
plan) echo "### fake plan ${plat} of \${file} \${FAKE_NOTE:-}"; exit "\${FAKE_EXIT:-2}" ;;
apply) echo "fake apply ${plat} of \${file}"; exit "\${FAKE_EXIT:-0}" ;;
esac
EOF
	chmod +x "${dir}/${exe}"
	if [[ "${plat}" == windows_* ]]; then
		(cd "${dir}" && zip -q "${release}/irsa-sync_9.9.9_${plat}.zip" "${exe}")
	else
		tar -czf "${release}/irsa-sync_9.9.9_${plat}.tar.gz" -C "${dir}" "${exe}"
	fi
}
for plat in linux_amd64 linux_arm64 darwin_amd64 darwin_arm64 windows_amd64; do
	make_archive "${plat}"
done
(cd "${release}" && sha256sum irsa-sync_9.9.9_* >irsa-sync_9.9.9_checksums.txt)

# --- a fake gh: comments of one pull request in a JSON file, served two per
# page (the first page only without --paginate); PATCH of a comment another
# user wrote fails as GitHub's 403 would.
fakebin="${tmp}/bin"
mkdir -p "${fakebin}"
cat >"${fakebin}/gh" <<'EOF'
#!/usr/bin/env bash
set -euo pipefail
echo "gh $*" >>"${FAKE_GH_LOG}"
method=GET paginate=false filter=. input="" path=""
shift # api
while [[ $# -gt 0 ]]; do
	case "$1" in
	--method) method="$2"; shift ;;
	--paginate) paginate=true ;;
	--jq) filter="$2"; shift ;;
	--input) input="$2"; shift ;;
	*) path="$1" ;;
	esac
	shift
done
store="${FAKE_GH_DIR}/comments.json"
case "${method} ${path}" in
"GET repos/irsa-sync/irsa-sync/releases/latest")
	printf '{"tag_name": "%s"}' "${FAKE_LATEST}" | jq -r "${filter}" ;;
"GET repos/org/repo/issues/7/comments")
	jq -c '[range(0; length; 2) as $i | .[$i:$i+2]] | if length == 0 then [[]] else . end | .[]' "${store}" |
		while read -r page; do
			jq -r "${filter}" <<<"${page}"
			[[ "${paginate}" == true ]] || break
		done ;;
"POST repos/org/repo/issues/7/comments")
	jq --slurpfile b "${input}" '. + [{id: ((map(.id) | max // 100) + 1), body: $b[0].body, user: {login: "github-actions[bot]"}}]' \
		"${store}" >"${store}.new" && mv "${store}.new" "${store}" ;;
"PATCH repos/org/repo/issues/comments/"*)
	id="${path##*/}"
	owner="$(jq -r --argjson id "${id}" '.[] | select(.id == $id) | .user.login' "${store}")"
	[[ "${owner}" == "github-actions[bot]" ]] || { echo "gh: HTTP 403: Resource not accessible" >&2; exit 1; }
	jq --slurpfile b "${input}" --argjson id "${id}" 'map(if .id == $id then .body = $b[0].body else . end)' \
		"${store}" >"${store}.new" && mv "${store}.new" "${store}" ;;
*) echo "fake gh: unexpected: ${method} ${path}" >&2; exit 1 ;;
esac
EOF
chmod +x "${fakebin}/gh"

echo '{"pull_request": {"number": 7}}' >"${tmp}/pr-event.json"
echo '{"ref": "refs/heads/main"}' >"${tmp}/push-event.json"

# run_action VAR=VALUE...: runs the script in a clean environment like a
# Linux X64 runner on a pull request, with the given variables on top.
# Its exit code is in ${code}; stdout, stderr, the summary, the outputs and
# the fake irsa-sync's log are files in ${tmp}.
run_action() {
	: >"${tmp}/summary" && : >"${tmp}/outputs" && : >"${tmp}/irsa.log" && : >"${tmp}/gh.log"
	rm -rf "${tmp}/runner"
	mkdir -p "${tmp}/runner"
	set +e
	env -i PATH="${fakebin}:${PATH}" HOME="${tmp}" \
		RUNNER_OS=Linux RUNNER_ARCH=X64 RUNNER_TEMP="${tmp}/runner" \
		GITHUB_REPOSITORY=org/repo GITHUB_EVENT_PATH="${tmp}/pr-event.json" \
		GITHUB_STEP_SUMMARY="${tmp}/summary" GITHUB_OUTPUT="${tmp}/outputs" \
		IRSA_SYNC_RELEASES="${tmp}/releases" FAKE_LOG="${tmp}/irsa.log" \
		FAKE_GH_LOG="${tmp}/gh.log" FAKE_GH_DIR="${tmp}/gh" FAKE_LATEST=v9.9.9 \
		INPUT_COMMAND=plan INPUT_BINDINGS=irsa/bindings.yaml INPUT_VERSION=v9.9.9 INPUT_COMMENT=true \
		"$@" bash "${script}" >"${tmp}/stdout" 2>"${tmp}/stderr"
	code=$?
	set -e
}
comments() { jq length "${tmp}/gh/comments.json"; }
reset_comments() { mkdir -p "${tmp}/gh" && echo "${1:-[]}" >"${tmp}/gh/comments.json"; }
marker='<!-- irsa-sync-plan -->'

# 1. First plan on a pull request: the Linux X64 archive, a summary, one
# new comment starting with the marker.
reset_comments '[{"id": 1, "body": "LGTM", "user": {"login": "alice"}}]'
run_action
check "plan exits 0 with changes" equals "${code}" 0
check "plan ran the linux_amd64 binary" contains "${tmp}/irsa.log" "linux_amd64 plan -f irsa/bindings.yaml --output markdown --detailed-exitcode"
check "summary has the plan" contains "${tmp}/summary" "### fake plan linux_amd64 of irsa/bindings.yaml"
check "outputs name the version" contains "${tmp}/outputs" "version=v9.9.9"
check "outputs say there are changes" contains "${tmp}/outputs" "changes=true"
check "a comment was created" equals "$(comments)" 2
check "the new comment starts with the marker" equals "$(jq -r '.[1].body | split("\n")[0]' "${tmp}/gh/comments.json")" "${marker}"
check "the other comment is untouched" equals "$(jq -r '.[0].body' "${tmp}/gh/comments.json")" LGTM

# 2. The next push: the same comment is updated, not duplicated.
plan_id="$(jq '.[1].id' "${tmp}/gh/comments.json")"
run_action FAKE_NOTE=second-push
check "second plan exits 0" equals "${code}" 0
check "still two comments" equals "$(comments)" 2
check "the plan comment has the new plan" contains <(jq -r '.[1].body' "${tmp}/gh/comments.json") "second-push"
check "it was a PATCH of the plan comment" contains "${tmp}/gh.log" "--method PATCH repos/org/repo/issues/comments/${plan_id}"
check "the summary has the new plan" contains "${tmp}/summary" "second-push"

# 3. The marker comment on the second page of comments is found.
reset_comments "$(jq -n --arg m "${marker}" '[{id: 1, body: "a", user: {login: "x"}}, {id: 2, body: "b", user: {login: "x"}},
	{id: 3, body: "c", user: {login: "x"}}, {id: 4, body: ($m + "\nold"), user: {login: "github-actions[bot]"}}]')"
run_action FAKE_NOTE=third
check "marker on page two: updated, not duplicated" equals "$(comments)" 4
check "marker on page two: its body is the new plan" contains <(jq -r '.[3].body' "${tmp}/gh/comments.json") "third"

# 4. A marker comment another user wrote (the token may not edit it): a new
# comment rather than a failed step.
reset_comments "$(jq -n --arg m "${marker}" '[{id: 5, body: ($m + " quoted"), user: {login: "mallory"}}]')"
run_action
check "unowned marker comment: plan exits 0" equals "${code}" 0
check "unowned marker comment: left as it was" equals "$(jq -r '.[0].body' "${tmp}/gh/comments.json")" "${marker} quoted"
check "unowned marker comment: a comment of our own" equals "$(comments)" 2

# 5. Checksum mismatch: the archive is refused and nothing runs.
reset_comments
cp -r "${tmp}/releases" "${tmp}/releases.good"
echo tampered >>"${release}/irsa-sync_9.9.9_linux_amd64.tar.gz"
run_action
check "checksum mismatch fails" equals "${code}" 1
check "checksum mismatch is named" contains "${tmp}/stderr" "checksum mismatch for irsa-sync_9.9.9_linux_amd64.tar.gz"
check "checksum mismatch: nothing ran" equals "$(wc -c <"${tmp}/irsa.log")" 0
check "checksum mismatch: no comment" equals "$(comments)" 0
check "checksum mismatch: no summary" equals "$(wc -c <"${tmp}/summary")" 0
rm -rf "${tmp}/releases" && mv "${tmp}/releases.good" "${tmp}/releases"

# 6. An archive the checksums file does not list is refused too.
grep -v linux_arm64 "${release}/irsa-sync_9.9.9_checksums.txt" >"${tmp}/sums" && cp "${release}/irsa-sync_9.9.9_checksums.txt" "${tmp}/sums.good"
cp "${tmp}/sums" "${release}/irsa-sync_9.9.9_checksums.txt"
run_action RUNNER_ARCH=ARM64
check "unlisted archive fails" equals "${code}" 1
check "unlisted archive is named" contains "${tmp}/stderr" "lists no irsa-sync_9.9.9_linux_arm64.tar.gz"
cp "${tmp}/sums.good" "${release}/irsa-sync_9.9.9_checksums.txt"

# 7. Each runner gets its own archive.
for runner in "Linux ARM64 linux_arm64" "macOS X64 darwin_amd64" "macOS ARM64 darwin_arm64" "Windows X64 windows_amd64"; do
	read -r os arch plat <<<"${runner}"
	reset_comments
	run_action RUNNER_OS="${os}" RUNNER_ARCH="${arch}"
	check "${os} ${arch}: exits 0" equals "${code}" 0
	check "${os} ${arch}: ran ${plat}" contains "${tmp}/irsa.log" "${plat} plan"
	check "${os} ${arch}: ran no other" equals "$(grep -vc "^${plat} " "${tmp}/irsa.log")" 0
done
run_action RUNNER_OS=Windows RUNNER_ARCH=ARM64
check "Windows ARM64 is refused" contains "${tmp}/stderr" "no windows/arm64 release archive"

# 8. The version: latest asks gh; empty uses the action's tag.
run_action INPUT_VERSION=latest
check "latest resolves through gh" contains "${tmp}/gh.log" "releases/latest"
check "latest runs v9.9.9" contains "${tmp}/outputs" "version=v9.9.9"
run_action INPUT_VERSION= ACTION_REF=v9.9.9
check "the action's tag is the default" equals "${code}" 0
check "the action's tag needs no lookup" lacks "${tmp}/gh.log" "releases/latest"
run_action INPUT_VERSION=main
check "a version that is no tag is refused" contains "${tmp}/stderr" "version 'main' is not a release tag"

# 9. verify fails on drift and never comments; passes in sync.
reset_comments
run_action INPUT_COMMAND=verify
check "verify with changes fails" equals "${code}" 1
check "verify says drift" contains "${tmp}/stderr" "drift"
check "verify makes no comment" equals "$(comments)" 0
check "verify writes the summary" contains "${tmp}/summary" "fake plan linux_amd64"
run_action INPUT_COMMAND=verify FAKE_EXIT=0
check "verify in sync passes" equals "${code}" 0

# 10. A failing plan still comments (the reviewer sees why) and fails.
run_action FAKE_EXIT=1
check "failed plan fails the step" equals "${code}" 1
check "failed plan is still commented" equals "$(comments)" 1

# 11. Several files: one plan each, in ONE comment, each within its share.
reset_comments
run_action INPUT_BINDINGS=$'a/bindings.yaml\nb/bindings.yaml' INPUT_ARGS="--prune --log-level debug"
check "two files: both planned" equals "$(grep -c ' plan -f ' "${tmp}/irsa.log")" 2
check "two files: each within half a comment" contains "${tmp}/irsa.log" "--markdown-max-bytes 30000 --prune --log-level debug"
check "two files: one comment" equals "$(comments)" 1
check "two files: the comment has both" contains <(jq -r '.[0].body' "${tmp}/gh/comments.json") "of b/bindings.yaml"

# 11b. A quoted argument stays one argument; nothing in it is expanded.
reset_comments
: >"${tmp}/irsa.log.args"
run_action INPUT_ARGS="--full-plan-at \"the job summary\" --log-level '\$HOME'"
check "quoted args: one argument" contains "${tmp}/irsa.log.args" "[--full-plan-at][the job summary][--log-level][\$HOME]"

# 12. apply: the output in the summary, no comment; off a pull request.
reset_comments
run_action INPUT_COMMAND=apply GITHUB_EVENT_PATH="${tmp}/push-event.json"
check "apply exits 0" equals "${code}" 0
check "apply summary" contains "${tmp}/summary" "fake apply linux_amd64 of irsa/bindings.yaml"
check "apply makes no comment" equals "$(comments)" 0
run_action GITHUB_EVENT_PATH="${tmp}/push-event.json"
check "plan off a pull request makes no comment" equals "$(comments)" 0
run_action INPUT_COMMENT=false
check "comment: false makes no comment" equals "$(comments)" 0
run_action INPUT_COMMAND=destroy
check "an unknown command is refused" contains "${tmp}/stderr" "command 'destroy' is not plan, apply or verify"

echo "action: ${passed} passed, ${failed} failed"
[[ ${failed} -eq 0 ]]
