#!/usr/bin/env bash
# Sets up and runs the demo: an admin key, a signed update, its verification, and a
# forged copy being refused.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2
exec node --import tsx scripts/demo.ts "$@"
