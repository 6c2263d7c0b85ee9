#!/usr/bin/env bash
# Runs the README's test command on Debian 13 (trixie) from another Debian machine, as
# root: `scripts/test-trixie.sh` runs ./scripts/test.sh, `scripts/test-trixie.sh CMD...`
# runs scripts/setup.sh and then CMD (e.g. `node --import tsx --test test/x.test.ts`),
# `scripts/test-trixie.sh --bare CMD...` runs CMD in the fresh root without setup.
#
# Left out of the suite here: test/booted and test/pkg. They run on Debian 13 already, by
# construction, on any host: test/pkg debootstraps and chroots its own trixie roots, and
# test/booted boots its own trixie containers with systemd-nspawn, which needs what a chroot
# cannot give (a cgroup hierarchy, an overlay upper directory that is not itself an overlay).
# Run on the Debian 12 host (scripts/test.sh), they test Debian 13 there.
#
# A trixie root (debootstrap from this machine's own apt mirror, via test/pkg/trixie-base.sh,
# plus Debian's nodejs and npm) is made once and cached in $P2PU_TRIXIE_CACHE
# (/var/tmp/p2pu-trixie). Each run gets a fresh copy of it (an overlay), with the checkout's
# files (tracked and untracked, not ignored) copied to /root/p2p-update, and runs there as
# root in a chroot with /proc /sys /run mounted and a /dev of its own (below), in its own
# mount and PID namespaces: when the run ends, every mount and every process it made goes
# away with them, and so does the copy (its writable layer is a tmpfs of that namespace,
# at most $P2PU_TRIXIE_TMPFS, 8g: deleting a run's gigabyte from disk took minutes). It
# shares this machine's network namespace (apt and npm reach their servers; the tests make
# their own namespaces). Takes as long as test.sh plus a few minutes of set-up (the first
# run also builds the root).
#
# /dev: never the host's. A bind of the host's /dev let the chroot change the host's device
# nodes (a run left the host's /dev/null mode 0644, which broke every other test on the
# machine). The chroot gets a tmpfs with its own null zero full random urandom tty (mknod),
# its own devpts instance (newinstance, ptmx), a /dev/shm tmpfs and the fd/std* links; no
# test needs /dev/net/tun or a disk. After the run the host's nodes are checked: a changed
# mode, owner or device fails the run.
set -euo pipefail
cache=${P2PU_TRIXIE_CACHE:-/var/tmp/p2pu-trixie}
repo=$(cd "$(dirname "$0")/.." && pwd)

# mkdev ROOT: a /dev of its own for the chroot at ROOT (see above); nothing of the host's.
mkdev() {
  local dev=$1/dev node name major minor
  mount -t tmpfs -o mode=755,nosuid,noexec,size=1m tmpfs "$dev"
  for node in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
    IFS=: read -r name major minor <<<"$node"
    mknod -m 666 "$dev/$name" c "$major" "$minor"
  done
  mkdir -m 755 "$dev/pts" && mkdir -m 1777 "$dev/shm"
  mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5,nosuid,noexec devpts "$dev/pts"
  ln -s pts/ptmx "$dev/ptmx"
  mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$dev/shm"
  ln -s /proc/self/fd "$dev/fd"
  ln -s /proc/self/fd/0 "$dev/stdin" && ln -s /proc/self/fd/1 "$dev/stdout" && ln -s /proc/self/fd/2 "$dev/stderr"
}
export -f mkdev
# The host's device nodes a chroot could be tempted to touch: mode, owner, type, device.
HOST_NODES=(/dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty /dev/ptmx)
hostdev() { stat -c '%n %a %U:%G %F %t:%T' "${HOST_NODES[@]}"; }

if [ "${1:-}" = --inside ]; then # PID 1 of the run's namespaces: mount, chroot, run
  shift
  run=$1 && shift
  root=$run/root
  mount -t tmpfs -o "mode=700,size=${P2PU_TRIXIE_TMPFS:-8g}" tmpfs "$run/rw"
  mkdir "$run/rw/upper" "$run/rw/work"
  mount -t overlay overlay -o "lowerdir=$cache/base,upperdir=$run/rw/upper,workdir=$run/rw/work" "$root"
  mount -t proc proc "$root/proc"
  mount -t sysfs sysfs "$root/sys"
  mkdev "$root"
  mount -t tmpfs -o mode=755 tmpfs "$root/run"
  mkdir -p "$root/var/cache/apt/archives" "$root/root/.npm"
  mount --bind "$cache/apt-archives" "$root/var/cache/apt/archives"
  mount --bind "$cache/npm" "$root/root/.npm"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  mkdir "$root/root/p2p-update"
  git -C "$repo" ls-files -z --cached --others --exclude-standard |
    tar -C "$repo" --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -C "$root/root/p2p-update" -xf -
  if [ -n "${P2PU_TRIXIE_OUT:-}" ]; then # bench-trixie.sh: the run's bench/out is this host directory
    mkdir -p "$root/root/p2p-update/bench/out"
    mount --bind "$P2PU_TRIXIE_OUT" "$root/root/p2p-update/bench/out"
  fi
  if [ $# -eq 0 ]; then
    echo "test-trixie: the suite without test/booted and test/pkg (they make their own Debian 13 roots; see the header)" >&2
    set -- ./scripts/test.sh --except test/booted --except test/pkg
  elif [ "$1" = --bare ]; then
    shift
  else
    set -- bash -c 'bash scripts/setup.sh && exec "$@"' - "$@"
  fi
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
    mount -t proc proc "$1/proc" && mkdev "$1" &&
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
mkdir "$run/rw" "$run/root"
trap 'rm -rf --one-file-system "$run"' EXIT
echo "test-trixie: $(cat "$cache/base/.p2pu-base"); checkout $repo -> /root/p2p-update" >&2
# Job control on, so the run in the background does not start with SIGINT ignored (the tests
# signal their own children). Stopping: SIGKILL to the run's PID 1 ends every process inside;
# --kill-child does the same if unshare itself is killed.
set -m
devs_before=$(hostdev)
null_before=$(stat -c '%a %z' /dev/null)
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
devs_after=$(hostdev)
null_after=$(stat -c '%a %z' /dev/null)
echo "test-trixie: host /dev/null (mode, ctime) before: $null_before, after: $null_after" >&2
if [ "$devs_before" != "$devs_after" ]; then
  echo "test-trixie: FAILED: the host's device nodes changed during the run (mode owner type device):" >&2
  diff <(echo "$devs_before") <(echo "$devs_after") >&2 || true
  exit 3
fi
[ "$null_before" = "$null_after" ] ||
  echo "test-trixie: warning: the host's /dev/null changed its ctime (mode unchanged) during the run" >&2
exit "$status"
