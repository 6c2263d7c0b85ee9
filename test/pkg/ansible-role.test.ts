/**
 * Runs the example playbook (ansible/site.yml, role p2p_update) for real with
 * ansible-playbook against a fresh Debian 13 (trixie) root over the chroot connection,
 * then checks what the role left there; and checks the role with ansible-lint. No systemd
 * runs in a chroot, so p2p_update_manage_services is false here. Needs root, like CI.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildDeb, REPO, sh, TrixieRoot } from './trixie-root.ts';

const ANSIBLE_ENV = {
  ANSIBLE_NOCOLOR: '1',
  ANSIBLE_RETRY_FILES_ENABLED: '0',
  ANSIBLE_FORCE_COLOR: '0',
  ANSIBLE_PIPELINING: '1',
};

describe('Ansible role p2p_update against a clean trixie root', { timeout: 300_000 }, () => {
  let root: TrixieRoot | undefined;
  let built: { deb: string; dir: string } | undefined;
  let work = '';
  const r = () => root as TrixieRoot;

  const playbook = (extra: string[] = []) =>
    sh(
      'ansible-playbook',
      [
        '-i',
        join(work, 'inventory.ini'),
        '-e',
        `@${join(work, 'vars.json')}`,
        ...extra,
        join(REPO, 'ansible/site.yml'),
      ],
      { env: { ...process.env, ...ANSIBLE_ENV, ANSIBLE_LOCAL_TEMP: join(work, 'tmp'), HOME: work } },
    );

  before(async () => {
    work = mkdtempSync('/tmp/p2pk-ansible-');
    built = buildDeb();
    root = await TrixieRoot.fresh();
    // The chroot connection runs modules with the root's own python.
    await r().in(['apt-get', 'update', '-q']);
    await r().aptInstall(['--no-install-recommends', 'python3', 'python3-apt']);
    const keygen = await sh(join(REPO, 'bin/p2p-update'), ['keygen', '--out', join(work, 'admin-2026')]);
    assert.equal(keygen.code, 0, keygen.stderr);
    writeFileSync(
      join(work, 'inventory.ini'),
      [
        '[p2p_update_nodes]',
        `node-7 ansible_host=${r().dir} ansible_connection=community.general.chroot ansible_python_interpreter=/usr/bin/python3`,
        '[p2p_update_rendezvous]',
        '',
      ].join('\n'),
    );
    const vars = {
      p2p_update_deb: built.deb,
      p2p_update_admin_public_keys: [join(work, 'admin-2026.pub')],
      p2p_update_cluster_keys: ['p2pk-cluster-key'],
      p2p_update_rendezvous_servers: ['198.18.0.10:3478'],
      p2p_update_bridge: true,
      p2p_update_manage_services: false,
    };
    writeFileSync(join(work, 'vars.json'), JSON.stringify(vars));
  });
  after(async () => {
    await root?.cleanup();
    if (built) rmSync(built.dir, { recursive: true, force: true });
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ansible-playbook site.yml installs and configures the node', async () => {
    const run = await playbook();
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /p2p-update \d+\.\d+\.\d+ on node-7: manager, natm \(services not managed\)/);
    assert.match(run.stdout, /node-7\s+: ok=\d+\s+changed=[1-9]\d*\s+unreachable=0\s+failed=0/);
  });

  it('left a working p2p-update with the node config and the admin key', async () => {
    const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string })
      .version;
    assert.equal((await r().in(['p2p-update', '--version'])).trim(), version);
    for (const pkg of ['p2p-update', 'nodejs', 'transmission-daemon']) {
      assert.match(await r().in(['dpkg-query', '-W', '-f=${Status}', pkg]), /install ok installed/, pkg);
    }
    assert.equal(
      r().read('etc/p2p-update/keys/admin-2026.pub'),
      readFileSync(join(work, 'admin-2026.pub'), 'utf8'),
    );
    const manager = JSON.parse(r().read('etc/p2p-update/manager.json')) as Record<string, unknown>;
    const rpc = JSON.parse(r().read('etc/p2p-update/transmission-rpc.json')) as Record<string, string>;
    assert.deepEqual(manager['trustedKeys'], ['/etc/p2p-update/keys/admin-2026.pub']);
    assert.deepEqual(manager['transmission'], {
      url: rpc['url'],
      username: rpc['username'],
      password: rpc['password'],
      downloadDir: '/var/lib/p2p-update/downloads',
    });
    const natm = JSON.parse(r().read('etc/p2p-update/natm.json')) as Record<string, unknown>;
    assert.equal(natm['id'], 'node-7');
    assert.equal(natm['bridge'], true);
    assert.deepEqual(natm['rendezvous'], ['198.18.0.10:3478']);
    const mode = await r().in(['stat', '-c', '%U:%G %a', '/etc/p2p-update/manager.json']);
    assert.equal(mode.trim(), 'root:p2p-update 640');
    // The admin key verifies a torrent-file++ signed on the controller, inside the node.
    writeFileSync(join(work, 'payload.sh'), '#!/bin/sh\nexit 0\n');
    const signed = await sh(join(REPO, 'bin/p2p-update'), [
      ...['create', join(work, 'payload.sh'), '--uri', 'urn:p2pk:role', '--version', '1'],
      ...['--key', join(work, 'admin-2026.key'), '--out', r().path('tmp/u.torrent')],
    ]);
    assert.equal(signed.code, 0, signed.stderr);
    assert.match(
      await r().in([
        'p2p-update',
        'verify',
        '/tmp/u.torrent',
        '--pub',
        '/etc/p2p-update/keys/admin-2026.pub',
      ]),
      /^ok: /,
    );
  });

  it('a second run changes nothing', async () => {
    const run = await playbook();
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /node-7\s+: ok=\d+\s+changed=0\s+unreachable=0\s+failed=0/, run.stdout);
  });

  it('ansible-lint finds nothing in the role and the playbook', async () => {
    const lint = await sh('ansible-lint', ['--offline', '--nocolor', '-p', 'site.yml', 'roles/p2p_update'], {
      env: { ...process.env, ...ANSIBLE_ENV, ANSIBLE_LINT_OFFLINE: '1', HOME: work },
      cwd: join(REPO, 'ansible'),
    });
    assert.equal(lint.code, 0, lint.stdout + lint.stderr);
  });
});
