#!/bin/bash
# The booted layer, run inside a fresh trixie minbase root (test/pkg/trixie-base.sh) by
# base-root.ts: what a booted Debian 13 node has before p2p-update arrives. Its text is part
# of the cache key, so any change here rebuilds the cached root.
# Usage (inside the chroot): base-layer.sh PACKAGE...   (p2p-update's Depends, fetched only)
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt_get() { apt-get -y -q -o Dpkg::Use-Pty=0 --no-install-recommends "$@"; }

apt-get update -q
# systemd as PID 1, D-Bus, sshd (Ansible over SSH), python3 + python3-apt (Ansible's apt
# module), ca-certificates (nodejs's TLS roots), iproute2 (to look at the network inside).
apt_get install systemd systemd-sysv dbus openssh-server python3 python3-apt ca-certificates \
  iproute2 procps less
# What `apt-get install ./p2p-update_*.deb` will pull, fetched into apt's archive now: the
# containers have no route to the mirror, and apt resolves the install from these lists.
apt_get install --download-only "$@"

# Per-container identity is written by the harness before each boot: machine-id, hostname,
# SSH host key. Nothing here may be shared by two containers.
rm -f /etc/ssh/ssh_host_* /etc/machine-id /var/lib/dbus/machine-id
: >/etc/machine-id
# No login prompt on the console; journald keeps the journal on disk (survives a power-cycle).
systemctl mask console-getty.service getty@tty1.service
mkdir -p /var/log/journal
