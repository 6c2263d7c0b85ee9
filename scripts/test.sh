#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and runs every check and test: format, lint, types, then
# all test files under test/ in one run of node's test runner. Network and end-to-end
# tests need root (network namespaces); CI runs this as root.
# `--except DIR` (repeatable) leaves the test files under DIR out of the run, and says so:
# scripts/test-trixie.sh uses it for the directories that cannot run inside its chroot.
set -euo pipefail
cd "$(dirname "$0")/.."
except=()
while [ $# -gt 0 ]; do
  case $1 in
    --except) [ -d "${2:-}" ] || { echo "test.sh: --except needs a directory: ${2:-}" >&2; exit 2; }
      except+=("${2%/}"); shift 2 ;;
    *) echo "test.sh: unknown argument: $1 (only --except DIR)" >&2; exit 2 ;;
  esac
done
bash scripts/setup.sh

echo "== format (prettier)"; npx prettier --check . --log-level warn
echo "== lint (eslint)";     npx eslint .
echo "== types (tsc)";       npx tsc --noEmit -p tsconfig.json

mapfile -t files < <(find test -name '*.test.ts' | sort)
[ ${#files[@]} -gt 0 ] || { echo "no test files found" >&2; exit 1; }
left=0
for dir in "${except[@]}"; do
  kept=()
  for f in "${files[@]}"; do [[ $f == "$dir"/* ]] && left=$((left + 1)) || kept+=("$f"); done
  files=("${kept[@]}")
done
[ ${#except[@]} -eq 0 ] || echo "== left out: $left test files under ${except[*]}"
# The slow files first, the slowest first (scripts/test-order.txt), then the rest in path
# order: the runner starts files in the order given, and a long file started last would
# end the run alone while the other slot idles.
declare -A present=() placed=()
for f in "${files[@]}"; do present[$f]=1; done
ordered=()
while read -r _ f; do
  [ -n "${present[$f]:-}" ] && [ -z "${placed[$f]:-}" ] && { ordered+=("$f"); placed[$f]=1; }
done < <(grep -vE '^\s*(#|$)' scripts/test-order.txt)
for f in "${files[@]}"; do [ -n "${placed[$f]:-}" ] || ordered+=("$f"); done
times=$(mktemp /tmp/p2pu-file-times.XXXXXX)
trap 'rm -f "$times"' EXIT
echo "== tests (${#ordered[@]} files)"
rc=0
node --import tsx --test --test-concurrency="${TEST_CONCURRENCY:-2}" \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=./scripts/file-times.mjs --test-reporter-destination="$times" \
  "${ordered[@]}" || rc=$?
echo "== slowest test files (seconds, sum of top-level tests; scripts/test-order.txt)"
head -n 15 "$times"
exit "$rc"
