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
# order: a long file started last would end the run alone while the other slot idles
# (scripts/run-tests.ts keeps this order; `node --test` sorts its files by path). Files
# marked `wait` there spend most of their time waiting on the daemons' clocks (wave starts,
# announce intervals, stalls), not computing: they run one at a time in a second runner
# beside the main one.
declare -A present=() placed=()
for f in "${files[@]}"; do present[$f]=1; done
ordered=()
waiting=()
while read -r _ f lane; do
  [ -n "${present[$f]:-}" ] && [ -z "${placed[$f]:-}" ] || continue
  placed[$f]=1
  if [ "${lane:-}" = wait ] && [ "${TEST_CONCURRENCY:-2}" -gt 1 ]; then waiting+=("$f"); else ordered+=("$f"); fi
done < <(grep -vE '^\s*(#|$)' scripts/test-order.txt)
for f in "${files[@]}"; do [ -n "${placed[$f]:-}" ] || ordered+=("$f"); done

run_tests() { # CONCURRENCY TIMES-FILE FILE... (in this order: scripts/run-tests.ts)
  node --import tsx scripts/run-tests.ts --concurrency "$1" --times "$2" "${@:3}"
}
out=$(mktemp -d /tmp/p2pu-test.XXXXXX)
wpid=""
trap '[ -z "$wpid" ] || kill "$wpid" 2>/dev/null; rm -rf "$out"' EXIT
echo "== tests (${#ordered[@]} files; ${#waiting[@]} more beside them, their output after)"
if [ ${#waiting[@]} -gt 0 ]; then
  run_tests 1 "$out/times-wait" "${waiting[@]}" >"$out/wait.log" 2>&1 &
  wpid=$!
fi
rc=0
[ ${#ordered[@]} -eq 0 ] || run_tests "${TEST_CONCURRENCY:-2}" "$out/times-main" "${ordered[@]}" || rc=$?
if [ -n "$wpid" ]; then
  wrc=0
  wait "$wpid" || wrc=$?
  wpid=""
  echo "== tests that mostly wait (${waiting[*]})"
  cat "$out/wait.log"
  [ "$wrc" -eq 0 ] || rc=$wrc
fi
echo "== slowest test files (seconds, sum of top-level tests; scripts/test-order.txt)"
cat "$out"/times-* 2>/dev/null | sort -rn | head -n 15 || true
exit "$rc"
