/**
 * Runs the example playbook (ansible/site.yml, role p2p_update) for real with
 * ansible-playbook against a fresh Debian 13 (trixie) root over the chroot connection,
 * then checks what the role left there; and checks the role with ansible-lint. No systemd
 * runs in a chroot, so p2p_update_manage_services is false here. Needs root, like CI.
 * Then the same node is switched to certificates: a real `p2p-update enroll-server`
 * (policy "approve", shared token) runs on the host, which the chroot shares the network
 * with; the play waits, fails asking for approval, and after `ca approve` a re-run enrolls
 * the node without a second request and writes natm's open-mode config.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hashPassword } from '../../agent/enroll-server/password.ts';
import { natmConfig } from '../../agent/natm/config.ts';
import { rendezvousConfig } from '../../agent/rendezvous/config.ts';
import { buildDeb, REPO, sh, TrixieRoot } from './trixie-root.ts';

const ANSIBLE_ENV = {
  ANSIBLE_NOCOLOR: '1',
  ANSIBLE_RETRY_FILES_ENABLED: '0',
  ANSIBLE_FORCE_COLOR: '0',
  ANSIBLE_PIPELINING: '1',
};
const BIN = join(REPO, 'bin/p2p-update');
const TOKEN = 'fleet-enrollment-token-2026';
const IDENTITY = '/var/lib/p2p-update-natm/identity';

interface CaState {
  requests: { id: string; nodeId: string; owner: string; status: string }[];
  nodes: { nodeId: string; owner: string }[];
  keyId: string;
  fingerprint: string;
}

/** Starts `p2p-update enroll-server` and resolves with its URL once it listens. */
function startEnrollServer(config: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'enroll-server', '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`enroll-server did not start: ${out}`)), 30_000);
    const on = (d: Buffer) => {
      out += d.toString();
      const m = / on (http:\/\/127\.0\.0\.1:\d+) /.exec(out);
      if (m) {
        clearTimeout(t);
        resolve({ child, url: m[1]! });
      }
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.once('exit', (code) => reject(new Error(`enroll-server exited ${code}: ${out}`)));
  });
}

describe('Ansible role p2p_update against a clean trixie root', { timeout: 300_000 }, () => {
  let root: TrixieRoot | undefined;
  let built: { deb: string; dir: string } | undefined;
  let work = '';
  let enrollServer: { child: ChildProcess; url: string } | undefined;
  const r = () => root as TrixieRoot;
  const caList = async (): Promise<CaState> => {
    const l = await sh(BIN, ['ca', 'list', '--dir', join(work, 'ca'), '--json']);
    assert.equal(l.code, 0, l.stderr);
    return JSON.parse(l.stdout) as CaState;
  };

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
    // The fleet's root of trust: root keys r1, r2 (both sign roots), update key admin-2026.
    for (const k of ['admin-2026', 'r1', 'r2']) {
      const keygen = await sh(BIN, ['keygen', '--out', join(work, k)]);
      assert.equal(keygen.code, 0, keygen.stderr);
    }
    const init = await sh(BIN, [
      ...['root', 'init', '--root-key', join(work, 'r1.pub'), '--root-key', join(work, 'r2.pub')],
      ...['--update-key', join(work, 'admin-2026.pub'), '--out', join(work, 'fleet.root')],
    ]);
    assert.equal(init.code, 0, init.stderr);
    const signRoot = await sh(BIN, [
      ...[
        'root',
        'sign',
        join(work, 'fleet.root'),
        '--key',
        join(work, 'r1.key'),
        '--key',
        join(work, 'r2.key'),
      ],
    ]);
    assert.equal(signRoot.code, 0, signRoot.stdout + signRoot.stderr);
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
      p2p_update_root_chain: join(work, 'fleet.root'),
      p2p_update_cluster_keys: ['p2pk-cluster-key'],
      p2p_update_rendezvous_servers: ['198.18.0.10:3478'],
      p2p_update_bridge: true,
      p2p_update_manage_services: false,
    };
    writeFileSync(join(work, 'vars.json'), JSON.stringify(vars));
  });
  after(async () => {
    enrollServer?.child.kill('SIGTERM');
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

  it('left a working p2p-update with the node config and the root of trust', async () => {
    const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string })
      .version;
    assert.equal((await r().in(['p2p-update', '--version'])).trim(), version);
    for (const pkg of ['p2p-update', 'nodejs', 'transmission-daemon']) {
      assert.match(await r().in(['dpkg-query', '-W', '-f=${Status}', pkg]), /install ok installed/, pkg);
    }
    assert.deepEqual(
      readFileSync(r().path('etc/p2p-update/fleet.root')),
      readFileSync(join(work, 'fleet.root')),
    );
    const manager = JSON.parse(r().read('etc/p2p-update/manager.json')) as Record<string, unknown>;
    const rpc = JSON.parse(r().read('etc/p2p-update/transmission-rpc.json')) as Record<string, string>;
    assert.equal(manager['root'], '/etc/p2p-update/fleet.root');
    assert.equal('trustedKeys' in manager, false, 'a root, not plain keys');
    assert.equal(
      (await r().in(['stat', '-c', '%U:%G %a', '/etc/p2p-update/fleet.root'])).trim(),
      'root:p2p-update 640',
    );
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
    // Each config readable by its own daemon's group only; deploy.json by root only.
    for (const [file, group] of [
      ['manager', 'p2p-update'],
      ['natm', 'p2p-update-natm'],
      ['deploy', 'root'],
    ]) {
      const mode = await r().in(['stat', '-c', '%U:%G %a', `/etc/p2p-update/${file}.json`]);
      assert.equal(mode.trim(), `root:${group} 640`, `${file}.json`);
    }
    assert.equal(manager['deployers'], undefined, "deployers are the executor's");
    const deploy = JSON.parse(r().read('etc/p2p-update/deploy.json')) as Record<string, unknown>;
    assert.equal(deploy['root'], '/etc/p2p-update/fleet.root', "the executor trusts the manager's root");
    assert.equal('trustedKeys' in deploy, false, 'a root, not plain keys');
    assert.deepEqual(Object.keys(deploy['deployers'] as object).sort(), ['app:/', 'pkg:/', 'puppet:/']);
    // The root verifies a torrent-file++ signed on the controller, inside the node.
    writeFileSync(join(work, 'payload.sh'), '#!/bin/sh\nexit 0\n');
    const signed = await sh(join(REPO, 'bin/p2p-update'), [
      ...['create', join(work, 'payload.sh'), '--uri', 'urn:p2pk:role', '--version', '1'],
      ...['--key', join(work, 'admin-2026.key'), '--out', r().path('tmp/u.torrent')],
    ]);
    assert.equal(signed.code, 0, signed.stderr);
    assert.match(
      await r().in(['p2p-update', 'verify', '/tmp/u.torrent', '--root', '/etc/p2p-update/fleet.root']),
      /^ok: /,
    );
  });

  it('a second run changes nothing', async () => {
    const run = await playbook();
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /node-7\s+: ok=\d+\s+changed=0\s+unreachable=0\s+failed=0/, run.stdout);
  });

  it("with an enrollment server set, a wrong token fails the play with enroll's error", async () => {
    const ca = await sh(BIN, ['ca', 'init', '--dir', join(work, 'ca'), '--cluster', 'fleet']);
    assert.equal(ca.code, 0, ca.stderr);
    writeFileSync(
      join(work, 'enroll.json'),
      JSON.stringify({
        caDir: join(work, 'ca'),
        listen: { host: '127.0.0.1', port: 0 },
        policy: 'approve',
        tokens: [{ token: TOKEN, once: false, label: 'ansible' }],
        adminPasswordHash: await hashPassword('enroll-admin-pw', 2 ** 12),
      }),
    );
    enrollServer = await startEnrollServer(join(work, 'enroll.json'));
    const { url } = enrollServer;
    writeFileSync(
      join(work, 'enroll-vars.json'),
      JSON.stringify({
        p2p_update_cluster_keys: [],
        p2p_update_enroll_server: url,
        p2p_update_enroll_token: TOKEN,
        p2p_update_enroll_ca_fingerprint: (await caList()).fingerprint,
        p2p_update_enroll_timeout: '4s',
        p2p_update_services: ['manager', 'natm', 'rendezvous'],
      }),
    );
    const wrong = 'not-the-enrollment-token';
    const run = await playbook([
      ...['-e', `@${join(work, 'enroll-vars.json')}`],
      ...['-e', JSON.stringify({ p2p_update_enroll_token: wrong })],
    ]);
    assert.notEqual(run.code, 0, run.stdout);
    assert.match(
      run.stdout.replace(/\s+/g, ' '),
      /"msg": "node-7: p2p-update enroll --server http:\/\/127\.0\.0\.1:\d+ failed \(exit 1\): error BAD_TOKEN: /,
      run.stdout,
    );
    assert.ok(!run.stdout.includes(wrong) && !run.stderr.includes(wrong), 'the token is never shown');
    assert.equal((await caList()).requests.length, 0);
  });

  it('the CA is pinned: no fingerprint stops the play; another fingerprint fails WRONG_CA with no request sent', async () => {
    const none = await playbook([
      ...['-e', `@${join(work, 'enroll-vars.json')}`],
      ...['-e', JSON.stringify({ p2p_update_enroll_ca_fingerprint: '' })],
    ]);
    assert.notEqual(none.code, 0, none.stdout);
    assert.match(none.stdout.replace(/\s+/g, ' '), /p2p_update_enroll_ca_fingerprint the CA's fingerprint/);
    const other = `SHA256:${'A'.repeat(43)}`;
    const run = await playbook([
      ...['-e', `@${join(work, 'enroll-vars.json')}`],
      ...['-e', JSON.stringify({ p2p_update_enroll_ca_fingerprint: other })],
    ]);
    assert.notEqual(run.code, 0, run.stdout);
    assert.match(
      run.stdout.replace(/\s+/g, ' '),
      /failed \(exit 1\): error WRONG_CA: the server's CA key SHA256:/,
    );
    assert.equal((await caList()).requests.length, 0);
  });

  it('with the token, the play waits, then fails asking to approve the node', async () => {
    const run = await playbook(['-e', `@${join(work, 'enroll-vars.json')}`]);
    assert.notEqual(run.code, 0, run.stdout);
    const pending = (await caList()).requests;
    assert.equal(pending.length, 1, JSON.stringify(pending));
    const [req] = pending;
    assert.deepEqual([req!.status, req!.owner], ['pending', 'node-7']);
    const said = run.stdout.replace(/\s+/g, ' ');
    assert.match(
      said,
      /"msg": "node-7: the enrollment server \S+ has not issued a certificate within 4s/,
      run.stdout,
    );
    assert.ok(said.includes(`Approve the request of node ${req!.nodeId} (owner node-7)`), run.stdout);
    assert.ok(said.includes(`${enrollServer!.url}/admin`), run.stdout);
    assert.ok(said.includes(`p2p-update ca approve ${req!.id} --dir CA_DIR`), run.stdout);
    assert.ok(!run.stdout.includes(TOKEN) && !run.stderr.includes(TOKEN), 'the token is never shown');
    // Nothing half-done: natm still has its old (cluster key) config.
    assert.equal(
      (JSON.parse(r().read('etc/p2p-update/natm.json')) as Record<string, unknown>)['id'],
      'node-7',
    );
  });

  it('after approval, a re-run enrolls the node: natm in open mode with the certificate node id', async () => {
    const [req] = (await caList()).requests;
    const approve = await sh(BIN, ['ca', 'approve', req!.id, '--dir', join(work, 'ca')]);
    assert.equal(approve.code, 0, approve.stderr);
    const run = await playbook(['-e', `@${join(work, 'enroll-vars.json')}`]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.ok(!run.stdout.includes(TOKEN), 'the token is never shown');

    const state = await caList();
    assert.equal(state.requests.length, 1, 'the re-run sent no new request');
    assert.deepEqual(
      state.nodes.map((n) => [n.nodeId, n.owner]),
      [[req!.nodeId, 'node-7']],
    );
    const list = await sh(BIN, ['ca', 'list', '--dir', join(work, 'ca')]);
    assert.match(list.stdout, new RegExp(`^enrolled ${req!.nodeId}  owner=node-7 `, 'm'));

    const natm = JSON.parse(r().read('etc/p2p-update/natm.json')) as Record<string, unknown>;
    assert.equal(natm['id'], req!.nodeId);
    assert.equal(natm['identityDir'], IDENTITY);
    assert.equal(natm['enrollServer'], enrollServer!.url);
    assert.equal('clusterKeys' in natm, false, 'open mode: no cluster key');
    assert.deepEqual(natm['rendezvous'], ['198.18.0.10:3478']);
    natmConfig(natm); // natm's own config check accepts it (throws otherwise)
    const rdv = JSON.parse(r().read('etc/p2p-update/rendezvous.json')) as Record<string, unknown>;
    assert.equal(rdv['open'], true);
    assert.equal('clusterKeys' in rdv, false);
    assert.equal(rendezvousConfig(rdv).open, true);

    const stat = async (p: string) => (await r().in(['stat', '-c', '%U:%G %a', p])).trim();
    assert.equal(await stat(IDENTITY), 'p2p-update-natm:p2p-update-natm 700');
    assert.equal(await stat(`${IDENTITY}/node.cert`), 'p2p-update-natm:p2p-update-natm 644');
    assert.equal(await stat(`${IDENTITY}/ca.pub`), 'p2p-update-natm:p2p-update-natm 644');
    assert.equal(await stat(`${IDENTITY}/node.key`), 'p2p-update-natm:p2p-update-natm 600');
    assert.equal(r().read(`${IDENTITY.slice(1)}/ca.pub`), readFileSync(join(work, 'ca/ca.pub'), 'utf8'));
    // The natm user reads its identity as natm does at start-up: valid, its keys, this CA.
    const shown = JSON.parse(
      await r().in([
        'runuser',
        '-u',
        'p2p-update-natm',
        '--',
        'p2p-update',
        'enroll',
        '--show',
        '--dir',
        IDENTITY,
      ]),
    ) as Record<string, string>;
    assert.deepEqual(
      [shown['nodeId'], shown['cluster'], shown['owner'], shown['caKeyId']],
      [req!.nodeId, 'fleet', 'node-7', state.keyId],
    );
  });

  it('a second enrolled run changes nothing: same identity, no new request', async () => {
    const key = r().read(`${IDENTITY.slice(1)}/node.key`);
    const natm = r().read('etc/p2p-update/natm.json');
    const run = await playbook(['-e', `@${join(work, 'enroll-vars.json')}`]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /node-7\s+: ok=\d+\s+changed=0\s+unreachable=0\s+failed=0/, run.stdout);
    assert.equal(r().read(`${IDENTITY.slice(1)}/node.key`), key);
    assert.equal(r().read('etc/p2p-update/natm.json'), natm);
    const state = await caList();
    assert.equal(state.requests.length, 1);
    assert.equal(state.nodes.length, 1);
  });

  it('ansible-lint finds nothing in the role and the playbook', async () => {
    const lint = await sh('ansible-lint', ['--offline', '--nocolor', '-p', 'site.yml', 'roles/p2p_update'], {
      env: { ...process.env, ...ANSIBLE_ENV, ANSIBLE_LINT_OFFLINE: '1', HOME: work },
      cwd: join(REPO, 'ansible'),
    });
    assert.equal(lint.code, 0, lint.stdout + lint.stderr);
  });
});
