/**
 * Installs the real .deb into a fresh Debian 13 (trixie) minbase root with apt, so apt
 * resolves nodejs and transmission-daemon from Debian, then checks the CLI, the units,
 * the transmission-daemon RPC lock-down, an upgrade in place and a purge. Needs root
 * (debootstrap, chroot, mount, unshare), like CI.
 */
import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildDeb, REPO, sh, TrixieRoot } from './trixie-root.ts';
import { completionScript } from '../../admin-tools/cli/completion.ts';
import { buildProgram } from '../../admin-tools/cli/program.ts';
import { commandTree } from '../../admin-tools/cli/tree.ts';
import { parseConfig } from '../../agent/lib/config/load.ts';
import { PROCESS_CONFIGS } from '../../scripts/config/processes.ts';

const UNITS = ['p2p-update-manager.service', 'p2p-update-natm.service', 'p2p-update-rendezvous.service'];
const EXECUTOR_UNITS = ['p2p-update-deploy.socket', 'p2p-update-deploy.service'];
/** Each daemon's user (= its group), state dir and runtime dir. */
const USERS = {
  manager: { user: 'p2p-update', state: 'p2p-update', run: undefined },
  natm: { user: 'p2p-update-natm', state: 'p2p-update-natm', run: 'p2p-update-natm' },
  rendezvous: { user: 'p2p-update-rdv', state: undefined, run: 'p2p-update-rdv' },
} as const;
const CONFIGS = ['manager', 'natm', 'rendezvous', 'deploy'].filter((n) =>
  existsSync(join(REPO, `docs/config/${n}.example.json`)),
);

describe('Debian package on a clean trixie root', { timeout: 300_000 }, () => {
  let root: TrixieRoot | undefined;
  let built: { deb: string; dir: string } | undefined;
  const r = () => root as TrixieRoot;

  before(async () => {
    built = buildDeb();
    root = await TrixieRoot.fresh();
  });
  after(async () => {
    await root?.cleanup();
    if (built) rmSync(built.dir, { recursive: true, force: true });
  });

  it('builds p2p-update_<version>_all.deb with the declared relations', async () => {
    const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string })
      .version;
    assert.equal(built?.deb.endsWith(`/p2p-update_${version}_all.deb`), true, built?.deb);
    const fields = await sh('dpkg-deb', [
      '-f',
      built!.deb,
      'Depends',
      'Recommends',
      'Suggests',
      'Architecture',
    ]);
    assert.match(fields.stdout, /Depends: nodejs \(>= 20\), transmission-daemon/);
    assert.doesNotMatch(fields.stdout, /Recommends/, 'nothing pulled in by default');
    assert.match(fields.stdout, /Suggests: puppet/);
    assert.match(fields.stdout, /Architecture: all/);
  });

  it('lintian reports no errors', async () => {
    const lint = await sh('lintian', ['--fail-on', 'error', built!.deb]);
    assert.equal(lint.code, 0, lint.stdout + lint.stderr);
    assert.doesNotMatch(lint.stdout, /^E: /m);
  });

  it('apt-get install ./p2p-update_*.deb pulls nodejs and transmission-daemon from Debian', async () => {
    assert.notEqual(
      (await r().chroot(['dpkg', '-s', 'nodejs'])).code,
      0,
      'root is not clean: nodejs present',
    );
    await r().in(['apt-get', 'update', '-q']);
    // systemd: present on any real node, and needed for `systemd-analyze verify` below.
    await r().aptInstall(['--no-install-recommends', 'systemd']);
    copyFileSync(built!.deb, r().path('tmp/p2p-update.deb'));
    await r().aptInstall(['--no-install-recommends', '/tmp/p2p-update.deb']);
    for (const pkg of ['p2p-update', 'nodejs', 'transmission-daemon']) {
      assert.match(await r().in(['dpkg-query', '-W', '-f=${Status}', pkg]), /install ok installed/, pkg);
    }
  });

  it('p2p-update runs --version, keygen, create, verify and show', async () => {
    const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string })
      .version;
    assert.equal((await r().in(['p2p-update', '--version'])).trim(), version);
    assert.match(await r().in(['p2p-update', '--help']), /keygen/);
    writeFileSync(r().path('tmp/payload.sh'), '#!/bin/sh\necho deployed\n');
    await r().in(['p2p-update', 'keygen', '--out', '/tmp/admin']);
    await r().in(['p2p-update', 'keygen', '--out', '/tmp/other']);
    const create = ['create', '/tmp/payload.sh', '--uri', 'urn:p2pk:test', '--version', '7'];
    await r().in(['p2p-update', ...create, '--key', '/tmp/admin.key', '--out', '/tmp/u.torrent']);
    const ok = await r().in([
      'p2p-update',
      'verify',
      '/tmp/u.torrent',
      '--pub',
      '/tmp/admin.pub',
      '--payload',
      '/tmp/payload.sh',
    ]);
    assert.match(ok, /^ok: /);
    const wrongKey = await r().chroot(['p2p-update', 'verify', '/tmp/u.torrent', '--pub', '/tmp/other.pub']);
    assert.equal(wrongKey.code, 1);
    assert.match(wrongKey.stderr, /error UNKNOWN_SIGNER/);
    assert.match(await r().in(['p2p-update', 'show', '/tmp/u.torrent']), /urn:p2pk:test/);
  });

  it('every command answers help; the man page and both completions, generated, cover them all', async () => {
    const program = buildProgram({ exit: () => undefined });
    const paths = commandTree(program)
      .filter((e) => e.path.length > 0)
      .map((e) => e.path);
    for (const path of paths) {
      const h = await r().chroot(['p2p-update', 'help', ...path]);
      assert.equal(h.code, 0, `help ${path.join(' ')}: ${h.stderr}`);
      assert.match(h.stdout, new RegExp(`^Usage: p2p-update ${path.join(' ')} `));
    }
    const bad = await r().chroot(['p2p-update', 'show', '/tmp/x', '--bogus']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, "usage error: unknown option '--bogus'; see p2p-update show --help\n");
    const man = (await sh('zcat', [r().path('usr/share/man/man1/p2p-update.1.gz')])).stdout;
    for (const path of paths)
      assert.ok(man.includes(`.SS "p2p\\-update ${path.join(' ').replace(/-/g, '\\-')}`), path.join(' '));
    const rendered = await sh('sh', [
      '-c',
      `zcat ${r().path('usr/share/man/man1/p2p-update.1.gz')} | groff -man -Tutf8 -ww -z`,
    ]);
    assert.equal(rendered.stderr, '', 'groff has no warning about the man page');
    assert.equal(
      r().read('usr/share/bash-completion/completions/p2p-update'),
      completionScript(program, 'bash'),
    );
    assert.equal(r().read('usr/share/zsh/vendor-completions/_p2p-update'), completionScript(program, 'zsh'));
    const words = await r().chroot([
      'bash',
      '-c',
      'source /usr/share/bash-completion/completions/p2p-update; COMP_WORDS=(p2p-update ca re); COMP_CWORD=2; _p2p_update; echo "${COMPREPLY[*]}"',
    ]);
    assert.equal(words.stdout.trim(), 'reject revoke', words.stderr);
  });

  it('ships config references and editor schemas; the shipped configs validate against them', () => {
    for (const p of PROCESS_CONFIGS) {
      assert.equal(
        r().read(`usr/share/p2p-update/schema/${p.name}.schema.json`),
        readFileSync(join(REPO, `docs/config/${p.name}.schema.json`), 'utf8'),
      );
      assert.ok(existsSync(r().path(`usr/share/doc/p2p-update/config/${p.name}.md.gz`)), p.name);
      const installed = `etc/p2p-update/${p.name}.json`;
      if (existsSync(r().path(installed)))
        assert.doesNotThrow(() => parseConfig(p.schema, JSON.parse(r().read(installed))), installed);
    }
  });

  it('ships the three systemd units, each under its own user, hardened and valid for systemd-analyze verify', async () => {
    for (const unit of UNITS) {
      const text = r().read(`usr/lib/systemd/system/${unit}`);
      const name = unit.replace(/^p2p-update-|\.service$/g, '');
      assert.match(
        text,
        new RegExp(`^ExecStart=/usr/bin/p2p-update ${name} --config /etc/p2p-update/${name}.json$`, 'm'),
      );
      const own = USERS[name as keyof typeof USERS];
      for (const line of [
        `User=${own.user}`,
        `Group=${own.user}`,
        'NoNewPrivileges=yes',
        'ProtectSystem=strict',
        'Restart=on-failure',
        'CapabilityBoundingSet=',
        'SystemCallFilter=@system-service',
        'SystemCallArchitectures=native',
      ]) {
        assert.match(text, new RegExp(`^${line}$`, 'm'), `${unit}: ${line}`);
      }
      assert.match(text, /^MemoryMax=\d+M$/m, `${unit}: MemoryMax`);
      assert.match(text, /^TasksMax=\d+$/m, `${unit}: TasksMax`);
      assert.match(text, /^RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6( AF_NETLINK)?$/m, unit);
      // Nothing shared by two daemons: no ReadWritePaths, only their own directories.
      assert.doesNotMatch(text, /^ReadWritePaths=/m, `${unit}: ReadWritePaths`);
      for (const [key, dir] of [
        ['StateDirectory', own.state],
        ['RuntimeDirectory', own.run],
      ] as const) {
        if (dir) assert.match(text, new RegExp(`^${key}=${dir}$`, 'm'), `${unit}: ${key}`);
        else assert.doesNotMatch(text, new RegExp(`^${key}=`, 'm'), `${unit}: no ${key}`);
      }
    }
    const manager = r().read('usr/lib/systemd/system/p2p-update-manager.service');
    assert.match(manager, /^SupplementaryGroups=p2p-update-natm$/m, "the manager reaches natm's socket");
    const verify = await r().chroot(['systemd-analyze', 'verify', '--man=no', ...UNITS, ...EXECUTOR_UNITS]);
    assert.equal(verify.code, 0, verify.stderr);
    assert.equal(verify.stderr.trim(), '', verify.stderr);
    for (const unit of UNITS) {
      // systemd's own exposure score (0 safest .. 10), "OK" up to 4.
      const path = `/usr/lib/systemd/system/${unit}`;
      const sec = await r().chroot(['systemd-analyze', 'security', '--offline=yes', '--no-pager', path]);
      const score = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(sec.stdout)?.[1]);
      assert.ok(score <= 4, `${unit}: exposure ${score}\n${sec.stdout.slice(-2000)}`);
    }
  });

  it('ships the deploy executor as a root service behind a root:p2p-update 0660 socket', async () => {
    const socket = r().read('usr/lib/systemd/system/p2p-update-deploy.socket');
    for (const line of [
      'ListenStream=/run/p2p-update-deploy.sock',
      'SocketUser=root',
      'SocketGroup=p2p-update',
      'SocketMode=0660',
    ])
      assert.match(socket, new RegExp(`^${line}$`, 'm'), line);
    const service = r().read('usr/lib/systemd/system/p2p-update-deploy.service');
    assert.match(
      service,
      /^ExecStart=\/usr\/bin\/p2p-update deploy-executor --config \/etc\/p2p-update\/deploy\.json$/m,
    );
    assert.match(service, /^User=root$/m);
    assert.match(service, /^ReadWritePaths=\/var\/lib\/p2p-update-deploy$/m);
    const manager = r().read('usr/lib/systemd/system/p2p-update-manager.service');
    assert.match(manager, /^Wants=.*p2p-update-deploy\.socket/m, 'the manager pulls the socket in');
    const path = '/usr/lib/systemd/system/p2p-update-deploy.service';
    const sec = await r().chroot(['systemd-analyze', 'security', '--offline=yes', '--no-pager', path]);
    const score = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(sec.stdout)?.[1]);
    assert.ok(score <= 4, `exposure ${score}\n${sec.stdout.slice(-2000)}`);
    assert.equal(
      (await r().in(['stat', '-c', '%U:%G %a', '/var/lib/p2p-update-deploy'])).trim(),
      'root:root 711',
    );
  });

  it('made a system user per daemon, the state dirs and the example configs as conffiles', async () => {
    for (const [user, home] of [
      ['p2p-update', '/var/lib/p2p-update'],
      ['p2p-update-natm', '/var/lib/p2p-update-natm'],
      ['p2p-update-rdv', '/nonexistent'],
    ]) {
      const entry = await r().in(['getent', 'passwd', user!]);
      assert.match(entry, new RegExp(`^${user}:x:\\d+:\\d+:.*:${home}:/usr/sbin/nologin$`, 'm'));
      // Its own group, and no other daemon's (the manager's group reaches the executor).
      const groups = (await r().in(['id', '-nG', user!])).trim().split(' ');
      assert.deepEqual(
        groups.filter((g) => g.startsWith('p2p-update')),
        [user],
        `${user}: groups ${groups.join(' ')}`,
      );
    }
    assert.equal((await r().in(['stat', '-c', '%U %a', '/var/lib/p2p-update'])).trim(), 'p2p-update 755');
    const natmDir = await r().in(['stat', '-c', '%U:%G %a', '/var/lib/p2p-update-natm']);
    assert.equal(natmDir.trim(), 'p2p-update-natm:p2p-update-natm 700');
    const owners = {
      manager: 'p2p-update',
      natm: 'p2p-update-natm',
      rendezvous: 'p2p-update-rdv',
      deploy: 'root',
    };
    for (const name of CONFIGS) {
      const mode = await r().in(['stat', '-c', '%U:%G %a', `/etc/p2p-update/${name}.json`]);
      assert.equal(mode.trim(), `root:${owners[name as keyof typeof owners]} 640`, `${name}.json`);
    }
    const downloads = await r().in(['stat', '-c', '%U:%G %a', '/var/lib/p2p-update/downloads']);
    assert.equal(downloads.trim(), 'p2p-update:debian-transmission 2770');
    assert.match(await r().in(['id', '-nG', 'p2p-update']), /\bdebian-transmission\b/);
    const conffiles = await r().in(['dpkg-query', '-W', '-f=${Conffiles}', 'p2p-update']);
    const shipped = readdirSync(r().path('etc/p2p-update')).filter((f) => f !== 'transmission-rpc.json');
    assert.deepEqual(shipped.sort(), CONFIGS.map((n) => `${n}.json`).sort());
    for (const name of CONFIGS) {
      assert.match(conffiles, new RegExp(`/etc/p2p-update/${name}.json [0-9a-f]{32}`));
      assert.equal(
        r().read(`etc/p2p-update/${name}.json`),
        readFileSync(join(REPO, `docs/config/${name}.example.json`), 'utf8'),
      );
    }
  });

  it('locks transmission-daemon RPC to loopback with generated credentials (real daemon)', async () => {
    const creds = JSON.parse(r().read('etc/p2p-update/transmission-rpc.json')) as Record<string, string>;
    assert.equal(creds['url'], 'http://127.0.0.1:9091/transmission/rpc');
    assert.ok((creds['password'] ?? '').length >= 24, 'password is long and random');
    const mode = await r().in(['stat', '-c', '%U:%G %a', '/etc/p2p-update/transmission-rpc.json']);
    assert.equal(mode.trim(), 'root:p2p-update 640');
    const settings = JSON.parse(r().read('etc/transmission-daemon/settings.json')) as Record<string, unknown>;
    assert.equal(settings['rpc-bind-address'], '127.0.0.1');
    assert.equal(settings['rpc-authentication-required'], true);
    // The daemon of the root, in a network namespace of its own so port 9091 is ours.
    copyFileSync(join(REPO, 'test/pkg/rpc-probe.mjs'), r().path('tmp/rpc-probe.mjs'));
    const script = [
      'ip link set lo up',
      `chroot --userspec=debian-transmission:debian-transmission ${r().dir} transmission-daemon -f -g /var/lib/transmission-daemon/info --log-level=error & t=$!`,
      `timeout 60 chroot ${r().dir} node /tmp/rpc-probe.mjs; rc=$?`,
      'kill $t; wait $t; exit $rc',
    ].join('\n');
    const probe = await sh('unshare', ['--net', 'sh', '-c', script]);
    assert.equal(probe.code, 0, probe.stderr);
    const status = JSON.parse(probe.stdout.split('\n').find((l) => l.startsWith('{"url"')) ?? '{}') as Record<
      string,
      unknown
    >;
    assert.deepEqual(status, { url: creds['url'], noAuth: 401, ok: 200, wrong: 401, result: 'success' });
    // The daemon hashed the password; running the set-up again changes nothing.
    const check = await r().chroot(['node', '/usr/lib/p2p-update/transmission-setup.js', '--check']);
    assert.equal(check.code, 0, check.stderr);
  });

  it('an upgrade in place keeps config, state, credentials and the user', async () => {
    const edited = CONFIGS[0] ? `etc/p2p-update/${CONFIGS[0]}.json` : undefined;
    if (edited) writeFileSync(r().path(edited), r().read(edited).replace('{', '{\n  "_p2pk_edited": true,'));
    writeFileSync(r().path('var/lib/p2p-update/state.json'), '{"kept":true}\n');
    const creds = r().read('etc/p2p-update/transmission-rpc.json');
    const uid = await r().in(['id', '-u', 'p2p-update']);
    // An identity where natm kept it before it had its own user moves to natm's state dir.
    const natmDir = r().path('var/lib/p2p-update-natm');
    rmSync(natmDir, { recursive: true });
    await r().in(['install', '-d', '-o', 'p2p-update', '-m', '0700', '/var/lib/p2p-update/identity']);
    writeFileSync(r().path('var/lib/p2p-update/identity/node.cert'), 'cert\n');
    await r().in(['dpkg', '-i', '/tmp/p2p-update.deb']);
    assert.equal(r().read('var/lib/p2p-update-natm/identity/node.cert'), 'cert\n');
    const moved = await r().in(['stat', '-c', '%U %a', '/var/lib/p2p-update-natm/identity/node.cert']);
    assert.equal(moved.trim().split(' ')[0], 'p2p-update-natm');
    assert.equal(
      (await r().in(['readlink', '/var/lib/p2p-update/identity'])).trim(),
      '/var/lib/p2p-update-natm/identity',
      'a natm.json naming the old path still finds it',
    );
    if (edited) assert.match(r().read(edited), /_p2pk_edited/);
    assert.equal(r().read('var/lib/p2p-update/state.json'), '{"kept":true}\n');
    assert.equal(r().read('etc/p2p-update/transmission-rpc.json'), creds);
    assert.equal(await r().in(['id', '-u', 'p2p-update']), uid);
  });

  it('remove keeps config and state; purge leaves nothing behind', async () => {
    await r().in(['systemctl', 'enable', UNITS[0]!]);
    const link = r().path(`etc/systemd/system/multi-user.target.wants/${UNITS[0]}`);
    assert.equal(lstatSync(link).isSymbolicLink(), true);
    await r().in(['apt-get', 'remove', '-y', '-q', 'p2p-update']);
    assert.equal(existsSync(r().path('usr/lib/p2p-update')), false);
    assert.equal(existsSync(r().path('usr/bin/p2p-update')), false);
    assert.ok(existsSync(r().path('etc/p2p-update/transmission-rpc.json')));
    assert.ok(existsSync(r().path('var/lib/p2p-update/state.json')));
    await r().in(['apt-get', 'purge', '-y', '-q', 'p2p-update']);
    for (const p of [
      'etc/p2p-update',
      'var/lib/p2p-update',
      'var/lib/p2p-update-deploy',
      'var/lib/p2p-update-natm',
      'usr/lib/p2p-update',
      'run/p2p-update-natm',
      'run/p2p-update-rdv',
    ]) {
      assert.equal(existsSync(r().path(p)), false, `${p} left behind`);
    }
    for (const user of ['p2p-update', 'p2p-update-natm', 'p2p-update-rdv']) {
      assert.notEqual((await r().chroot(['getent', 'passwd', user])).code, 0, `user ${user} left behind`);
      assert.notEqual((await r().chroot(['getent', 'group', user])).code, 0, `group ${user} left behind`);
    }
    const leftovers = await r().in(['find', '/etc/systemd', '/var/lib/systemd', '-name', '*p2p-update*']);
    assert.equal(leftovers.trim(), '');
    assert.equal(
      (await r().chroot(['dpkg-query', '-W', 'p2p-update'])).code,
      1,
      'package still known to dpkg',
    );
  });
});
