/**
 * A real Debian package to deploy through `pkg:/`: p2pu-hello_<version>_all.deb, built with
 * dpkg-deb on the controller. It installs /usr/share/p2pu-hello/VERSION and a service,
 * p2pu-hello.service, that its postinst enables and (re)starts, the way Debian packages
 * do; its prerm stops it and its postrm forgets it. Only root can install it.
 */
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../e2e/harness/run.ts';

export const HELLO = {
  pkg: 'p2pu-hello',
  unit: 'p2pu-hello.service',
  versionFile: '/usr/share/p2pu-hello/VERSION',
} as const;

const UNIT = `[Unit]
Description=p2pu-hello: a package deployed by p2p-update (test)

[Service]
ExecStart=/bin/sh -c 'echo "p2pu-hello $(cat ${HELLO.versionFile}) up"; exec sleep infinity'

[Install]
WantedBy=multi-user.target
`;

const POSTINST = `#!/bin/sh
set -e
if [ "$1" = configure ] && [ -d /run/systemd/system ]; then
	systemctl daemon-reload
	systemctl enable ${HELLO.unit}
	systemctl restart ${HELLO.unit}
fi
`;

const PRERM = `#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then systemctl stop ${HELLO.unit} || true; fi
`;

const POSTRM = `#!/bin/sh
set -e
if [ "$1" = purge ]; then rm -f /etc/systemd/system/multi-user.target.wants/${HELLO.unit}; fi
`;

/** Builds p2pu-hello_<version>_all.deb in `dir`; returns its path. */
export async function helloDeb(dir: string, version: number): Promise<string> {
  const stage = join(dir, `hello-${version}`);
  rmSync(stage, { recursive: true, force: true });
  const file = (path: string, text: string, mode = 0o644) => {
    mkdirSync(join(stage, path, '..'), { recursive: true });
    writeFileSync(join(stage, path), text);
    chmodSync(join(stage, path), mode);
  };
  file(HELLO.versionFile, `${version}\n`);
  file(`usr/lib/systemd/system/${HELLO.unit}`, UNIT);
  file(
    'DEBIAN/control',
    [
      `Package: ${HELLO.pkg}`,
      `Version: ${version}.0`,
      'Architecture: all',
      'Maintainer: p2p-update tests <tests@p2p-update.invalid>',
      'Description: a package deployed by p2p-update in the booted tests',
      '',
    ].join('\n'),
  );
  file('DEBIAN/postinst', POSTINST, 0o755);
  file('DEBIAN/prerm', PRERM, 0o755);
  file('DEBIAN/postrm', POSTRM, 0o755);
  const deb = join(dir, `${HELLO.pkg}_${version}.0_all.deb`);
  await run('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', stage, deb], { timeoutMs: 60_000 });
  rmSync(stage, { recursive: true, force: true });
  return deb;
}
