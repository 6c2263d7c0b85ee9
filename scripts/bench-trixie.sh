#!/usr/bin/env bash
# Runs a bench on Debian 13 (trixie) with its Transmission 4.1, from this Debian machine, as
# root: `scripts/bench-trixie.sh bench/fig2.ts --rounds 3` runs
# `node --import tsx bench/fig2.ts --rounds 3` in a fresh copy of scripts/test-trixie.sh's
# cached trixie root (after scripts/setup.sh there: transmission-daemon 4.1 and the other
# Debian packages, npm ci). The root's bench/out is this checkout's bench/out (a bind
# mount), so the JSON and SVG stay after the copy is gone; the JSON's
# `host.transmission` names the daemon the bench talked to. Heavy: run it under
# `flock /tmp/p2pu-heavy.lock` like any bench.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: scripts/bench-trixie.sh bench/NAME.ts [ARGS...]" >&2; exit 2; }
case "$1" in
  bench/*.ts) ;;
  *) echo "bench-trixie: the first argument is a bench file (bench/NAME.ts), not $1" >&2; exit 2 ;;
esac
mkdir -p "$repo/bench/out"
P2PU_TRIXIE_OUT="$repo/bench/out" exec bash "$repo/scripts/test-trixie.sh" node --import tsx "$@"
