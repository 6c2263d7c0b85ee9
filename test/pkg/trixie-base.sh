#!/usr/bin/env bash
# Makes (once) the cached tarball of a clean Debian 13 (trixie) minbase root that the
# package tests unpack a fresh copy of. Usage: trixie-base.sh TARBALL
# The mirror and any apt proxy are this machine's own apt configuration, since Debian's
# archive is reached only through it. Concurrent callers wait on a lock; a tarball older
# than 30 days is made again.
set -euo pipefail
tarball=$1
exec 9>"$tarball.lock"
flock 9
if [ -s "$tarball" ] && [ -z "$(find "$tarball" -mtime +30)" ]; then exit 0; fi

mirror() { # first Debian (non-security) archive URI among the enabled apt sources
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk 'BEGIN{RS=""; FS="\n"} !/Enabled: *no/ && !/Suites:[^\n]*-security/ {
           for (i = 1; i <= NF; i++) if ($i ~ /^URIs:/) { split($i, u, " "); print u[2] } }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk '$1 == "deb" && $0 !~ /-security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' "$f"
  done
}
url=$(mirror | grep -m1 -E '/debian/?$' || true)
url=${url:-http://deb.debian.org/debian}
eval "$(apt-config shell http_proxy Acquire::http::Proxy https_proxy Acquire::https::Proxy)"
export http_proxy https_proxy

work=$(mktemp -d "$(dirname "$tarball")/p2pk-debootstrap.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "trixie-base: debootstrap --variant=minbase trixie from $url" >&2
debootstrap --variant=minbase trixie "$work/root" "$url" >"$work/log" 2>&1 || {
  tail -20 "$work/log" >&2
  exit 1
}
if [ -n "${http_proxy:-}" ]; then
  echo "Acquire::http::Proxy \"$http_proxy\";" >"$work/root/etc/apt/apt.conf.d/01proxy"
fi
rm -f "$work/root/var/cache/apt/archives/"*.deb
find "$work/root/var/lib/apt/lists" -maxdepth 1 -type f -delete
tar -C "$work/root" -cf "$work/root.tar" .
mv "$work/root.tar" "$tarball"
