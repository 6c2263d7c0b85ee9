/**
 * Where the Debian package puts things (packaging/build-deb.sh, the systemd units): the
 * defaults of the commands that read them. No imports, so the CLI's definitions can show
 * them in --help without loading anything.
 */
export const PACKAGE_PATHS = {
  managerConfig: '/etc/p2p-update/manager.json',
  deployConfig: '/etc/p2p-update/deploy.json',
  natmStatsSocket: '/run/p2p-update-natm/natm-stats.sock',
} as const;
