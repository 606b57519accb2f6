#!/usr/bin/env bash
# The CI recipe of a pull request (docs/ci.md): builds a spec's report at two git revisions and compares them.
#
#   scripts/pr-report.sh BASE HEAD [SPEC]
#
# BASE and HEAD are git revisions of the repository the script is run in (branch names, tags, commits); SPEC is
# the spec's path in the repository (default: specs/paper.kd). Each revision is checked out in a git worktree of
# its own, built with `kdrepro build`, and the two results compared with `kdrepro diff`. Writes into OUT:
#
#   OUT/base.pdf, OUT/head.pdf   the two reports (a side that did not build has none)
#   OUT/base/, OUT/head/         the two output directories (results files, Typst sources, figures)
#   OUT/diff.md                  the comment to post: `kdrepro diff --format md`, or why there is no diff
#   OUT/cache/                   the result cache both builds share (keep it between CI runs to skip reruns)
#
# Environment:
#   KDREPRO             the kdrepro executable (default: `kdrepro` on PATH)
#   OUT                 the output directory (default: pr-report)
#   KDREPRO_BUILD_ARGS  extra arguments for both builds, split on spaces (e.g. `--trials 50` for drafts)
#
# Exit status: 0 when HEAD's report was written (whatever its claims) and diff.md says what changed; 1 when HEAD's
# spec does not build (diff.md says so); 2 for wrong arguments or a revision git does not know.
set -euo pipefail
# `set -e` inside command substitutions too: a failing `git worktree add` in `build` stops the script.
shopt -s inherit_errexit

if [[ $# -lt 2 || $# -gt 3 ]]; then
    echo "usage: scripts/pr-report.sh BASE HEAD [SPEC]" >&2
    exit 2
fi
base_rev=$1
head_rev=$2
spec=${3:-specs/paper.kd}
kdrepro=${KDREPRO:-kdrepro}
if ! command -v "$kdrepro" > /dev/null; then
    echo "error: kdrepro not found (set KDREPRO, or install it: cargo install --path .)" >&2
    exit 2
fi
# An absolute path: the builds run inside the worktrees.
kdrepro=$(realpath "$(command -v "$kdrepro")")
if ! "$kdrepro" --version > /dev/null 2>&1; then
    echo "error: $kdrepro does not run" >&2
    exit 2
fi
repo=$(git rev-parse --show-toplevel)
for rev in "$base_rev" "$head_rev"; do
    if ! git -C "$repo" rev-parse --verify --quiet "$rev^{commit}" > /dev/null 2>&1; then
        echo "error: $rev: not a revision of $repo" >&2
        exit 2
    fi
done
# A spec given relative to the current directory (or absolute) is taken relative to the repository's root, as the
# worktrees see it.
if [[ -e $spec ]]; then
    spec=$(realpath --relative-to="$repo" "$spec")
    if [[ $spec == ../* ]]; then
        echo "error: ${3:-$spec}: not inside the repository $repo" >&2
        exit 2
    fi
fi
mkdir -p "${OUT:-pr-report}"
out=$(cd "${OUT:-pr-report}" && pwd)
read -r -a build_args <<< "${KDREPRO_BUILD_ARGS:-}"

# The worktrees live in a temporary directory, removed (with git's record of them) however the script ends.
work=$(mktemp -d)
cleanup() {
    git -C "$repo" worktree remove --force "$work/base" 2> /dev/null || true
    git -C "$repo" worktree remove --force "$work/head" 2> /dev/null || true
    rm -rf "$work"
    git -C "$repo" worktree prune
}
trap cleanup EXIT

# build SIDE REV: builds SPEC at REV into OUT/SIDE; prints kdrepro's exit code (0, 1 and 4 wrote a report), or
# `missing` when the revision has no such spec.
build() {
    local side=$1 rev=$2
    git -C "$repo" worktree add --quiet --detach "$work/$side" "$rev"
    rm -rf "${out:?}/$side" "$out/$side.pdf"
    if [[ ! -f "$work/$side/$spec" ]]; then
        echo missing
        return
    fi
    local code=0
    (cd "$work/$side" && "$kdrepro" build "$spec" --out "$out/$side" --cache "$out/cache" "${build_args[@]}" >&2) ||
        code=$?
    if [[ $code == 0 || $code == 1 || $code == 4 ]]; then
        cp "$out/$side"/*.pdf "$out/$side.pdf"
    fi
    echo "$code"
}

base_code=$(build base "$base_rev")
head_code=$(build head "$head_rev")
written() { [[ $1 == 0 || $1 == 1 || $1 == 4 ]]; }
short() { git -C "$repo" rev-parse --short "$1"; }

{
    if written "$base_code" && written "$head_code"; then
        code=0
        (cd "$out" && "$kdrepro" diff base head --format md) || code=$?
        if [[ $code -gt 1 ]]; then
            echo "kdrepro diff failed (exit $code)" >&2
            exit 1
        fi
    elif ! written "$head_code"; then
        echo "### kdrepro: \`$spec\` does not build at $(short "$head_rev")"
        echo
        if [[ $head_code == missing ]]; then
            echo "The spec is not in this revision (its path is taken relative to the repository's root)."
        else
            echo "\`kdrepro build\` exited with $head_code: see the job's log for the located errors."
        fi
    else
        echo "### kdrepro: no report of \`$spec\` at the base $(short "$base_rev") to compare with"
        echo
        if [[ $base_code == missing ]]; then
            echo "The spec is new in this pull request."
        else
            echo "The base revision's spec does not build (\`kdrepro build\` exited with $base_code)."
        fi
    fi
} > "$out/diff.md"

echo "wrote $out/diff.md" >&2
written "$head_code"
