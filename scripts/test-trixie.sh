#!/usr/bin/env bash
# Runs the README's test command on Debian 13 (trixie) from another Debian machine, as
# root: `scripts/test-trixie.sh` runs ./scripts/test.sh, `scripts/test-trixie.sh CMD...`
# runs scripts/setup.sh and then CMD (e.g. `node --import tsx --test test/x.test.ts`).
#
# A trixie root (debootstrap from this machine's own apt mirror, via test/pkg/trixie-base.sh,
# plus Debian's nodejs and npm) is made once and cached in $P2PU_TRIXIE_CACHE
# (/var/tmp/p2pu-trixie). Each run gets a fresh copy of it (an overlay), with the checkout's
# files (tracked and untracked, not ignored) copied to /root/p2p-update, and runs there as
# root in a chroot with /proc /sys /dev /run mounted, in its own mount and PID namespaces:
# when the run ends, every mount and every process it made goes away with them, and the
# copy is deleted. It shares this machine's network namespace (apt and npm reach their
# servers; the tests make their own namespaces). Takes as long as test.sh plus a few
# minutes of set-up (the first run also builds the root).
set -euo pipefail
cache=${P2PU_TRIXIE_CACHE:-/var/tmp/p2pu-trixie}
repo=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" = --inside ]; then # PID 1 of the run's namespaces: mount, chroot, run
  shift
  run=$1 && shift
  root=$run/root
  mount -t overlay overlay -o "lowerdir=$cache/base,upperdir=$run/upper,workdir=$run/work" "$root"
  mount -t proc proc "$root/proc"
  mount -t sysfs sysfs "$root/sys"
  mount --rbind /dev "$root/dev"
  mount -t tmpfs -o mode=755 tmpfs "$root/run"
  mkdir -p "$root/var/cache/apt/archives" "$root/root/.npm"
  mount --bind "$cache/apt-archives" "$root/var/cache/apt/archives"
  mount --bind "$cache/npm" "$root/root/.npm"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  mkdir "$root/root/p2p-update"
  git -C "$repo" ls-files -z --cached --others --exclude-standard |
    tar -C "$repo" --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -C "$root/root/p2p-update" -xf -
  if [ $# -eq 0 ]; then set -- ./scripts/test.sh; else set -- bash -c 'bash scripts/setup.sh && exec "$@"' - "$@"; fi
  # The chroot runs as a child, so this shell (PID 1 here) reaps what the tests orphan; job
  # control on, or that child would start with SIGINT and SIGQUIT ignored.
  set -m
  chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" ${TEST_CONCURRENCY:+TEST_CONCURRENCY=$TEST_CONCURRENCY} \
    bash -c 'cd /root/p2p-update && exec "$@"' - "$@" &
  wait $!
  exit
fi

[ "$(id -u)" -eq 0 ] || { echo "test-trixie: run as root (debootstrap, chroot, mounts)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "test-trixie: apt-get install debootstrap" >&2; exit 1; }
mkdir -p "$cache/apt-archives" "$cache/npm"

# The cached base: minbase trixie + Debian's nodejs and npm (remade after 30 days).
(
  flock 9
  if [ -f "$cache/base/.p2pu-base" ] && [ -z "$(find "$cache/base/.p2pu-base" -mtime +30)" ]; then exit 0; fi
  rm -rf --one-file-system "$cache/base"
  bash "$repo/test/pkg/trixie-base.sh" /var/cache/p2pk-trixie.tar
  mkdir "$cache/base"
  tar -C "$cache/base" -xf /var/cache/p2pk-trixie.tar
  # This machine's own CA certificates (a TLS proxy on the way to the npm registry).
  mkdir -p "$cache/base/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$cache/base/usr/local/share/ca-certificates/" 2>/dev/null || true
  cp /etc/resolv.conf "$cache/base/etc/resolv.conf"
  echo "test-trixie: installing nodejs npm into the base" >&2
  unshare --mount --propagation private bash -c '
    mount -t proc proc "$1/proc" && mount --rbind /dev "$1/dev" &&
    chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive bash -c \
      "apt-get update -qq && apt-get install -y -qq --no-install-recommends ca-certificates nodejs npm >/dev/null && update-ca-certificates >/dev/null && apt-get clean"
  ' - "$cache/base"
  chroot "$cache/base" sh -c 'echo "nodejs $(node --version), npm $(npm --version)"' | tee "$cache/base/.p2pu-base" >&2
) 9>"$cache/lock"

# Runs killed before they could delete their copy: delete it now (their namespaces are gone).
for old in "$cache"/run.*; do
  [ -d "$old" ] || continue
  pid=$(cat "$old/pid" 2>/dev/null || true)
  if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then rm -rf --one-file-system "$old"; fi
done

run=$(mktemp -d "$cache/run.XXXXXX")
echo $$ >"$run/pid"
mkdir "$run/upper" "$run/work" "$run/root"
trap 'rm -rf --one-file-system "$run"' EXIT
echo "test-trixie: $(cat "$cache/base/.p2pu-base"); checkout $repo -> /root/p2p-update" >&2
# Job control on, so the run in the background does not start with SIGINT ignored (the tests
# signal their own children). Stopping: SIGKILL to the run's PID 1 ends every process inside;
# --kill-child does the same if unshare itself is killed.
set -m
unshare --mount --pid --fork --kill-child --propagation private \
  bash "$repo/scripts/test-trixie.sh" --inside "$run" "$@" &
upid=$!
stop() {
  local c
  for c in $(cat "/proc/$upid/task/$upid/children" 2>/dev/null); do kill -KILL "$c" 2>/dev/null || true; done
}
trap stop INT TERM HUP
status=0
wait "$upid" || status=$?
while kill -0 "$upid" 2>/dev/null; do wait "$upid" || status=$?; done
exit "$status"
