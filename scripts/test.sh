#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and runs every check and test: format, lint, types, then
# all test files under test/ in one run of node's test runner. Network and end-to-end
# tests need root (network namespaces); CI runs this as root.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

echo "== format (prettier)"; npx prettier --check . --log-level warn
echo "== lint (eslint)";     npx eslint .
echo "== types (tsc)";       npx tsc --noEmit -p tsconfig.json

mapfile -t files < <(find test -name '*.test.ts' | sort)
[ ${#files[@]} -gt 0 ] || { echo "no test files found" >&2; exit 1; }
echo "== tests (${#files[@]} files)"
exec node --import tsx --test --test-concurrency="${TEST_CONCURRENCY:-2}" --test-reporter=spec "${files[@]}"
