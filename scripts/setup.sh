#!/usr/bin/env bash
# Installs everything the demo and the tests need on a fresh Debian machine:
# the Debian packages in scripts/deb-packages.txt (apt-get) and the npm packages
# pinned in package-lock.json (npm ci). Idempotent: installed packages are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t pkgs < <(grep -vE '^\s*(#|$)' scripts/deb-packages.txt)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to apt-get install: ${missing[*]}" >&2; exit 1; }
    SUDO=sudo
  fi
  echo "setup: installing Debian packages: ${missing[*]}"
  # Packages such as transmission-daemon and coturn start a system service on install;
  # our tests run their own instances, so keep the system ones from starting.
  created_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    created_policy=1
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  [ -z "$created_policy" ] || $SUDO rm -f /usr/sbin/policy-rc.d
fi

if [ -L node_modules ]; then
  # A worktree sharing another checkout's install: npm ci would empty that one.
  echo "setup: node_modules is a symlink (a shared install): not running npm ci on it" >&2
elif [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
