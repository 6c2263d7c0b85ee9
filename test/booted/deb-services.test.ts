/**
 * The Debian package on a booted Debian 13 container, as a user installs it: a real
 * `apt-get install ./p2p-update_*.deb` (apt resolves nodejs and transmission-daemon 4.1
 * from Debian's lists; their .debs are cached in the base root, the container has no
 * route out), the shipped units under real systemd, the services started with the shipped
 * config plus the hand edits a node needs (an admin key, the node enrolled at a real
 * enrollment server, natm's id / enrollServer / rendezvous), their pino lines in the
 * journal, the services coming back after a power-cycle, and `apt-get purge`.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEnrollServer } from '../e2e/harness/enroll-server.ts';
import { BIN } from '../e2e/harness/paths.ts';
import { run } from '../e2e/harness/run.ts';
import { waitUntil } from '../e2e/harness/wait.ts';
import { buildDeb, REPO } from '../pkg/trixie-root.ts';
import { Bed } from './harness/bed.ts';
import type { Container } from './harness/container.ts';
import { serviceLines, unitProps, waitForLine } from './harness/systemd.ts';

const SERVICES = ['rendezvous', 'natm', 'manager'].map((s) => `p2p-update-${s}.service`);
const [, NATM, MANAGER] = SERVICES as [string, string, string];
const TOKEN = 'booted-enrollment-token-2026';

describe('the .deb on a booted Debian 13 container (real systemd)', { timeout: 900_000 }, () => {
  let bed: Bed | undefined;
  let node: Container | undefined;
  let built: { deb: string; dir: string } | undefined;
  let enrollUrl = '';
  let caFingerprint = '';
  let failed = false;
  const n1 = () => node as Container;
  const t = (name: string, fn: () => Promise<void>) =>
    it(name, async () => {
      try {
        await fn();
      } catch (e) {
        failed = true;
        throw e;
      }
    });

  before(async () => {
    built = buildDeb();
    bed = await Bed.create({ prefix: 'p2ps-d-' });
    node = await bed.boot('n1');
    const dir = join(bed.runDir, 'enroll');
    mkdirSync(dir);
    const init = await run(BIN, ['ca', 'init', '--dir', join(dir, 'ca'), '--cluster', 'booted'], {
      timeoutMs: 30_000,
    });
    caFingerprint = /fingerprint (SHA256:\S+) /.exec(init)?.[1] ?? assert.fail(`no fingerprint: ${init}`);
    const server = await startEnrollServer(bed.procs, bed.lan.hubNs, {
      caDir: join(dir, 'ca'),
      dir,
      host: bed.lan.hubIp,
      port: 8470,
      policy: 'auto',
      tokens: [{ token: TOKEN, once: true, label: 'n1' }],
      adminPassword: 'booted-admin-password',
    });
    enrollUrl = server.url;
  });
  after(async () => {
    await bed?.destroy({ keepLogs: failed });
    if (built) rmSync(built.dir, { recursive: true, force: true });
  });

  t('apt-get install ./p2p-update_*.deb resolves and installs its dependencies with apt', async () => {
    assert.notEqual((await n1().exec(['dpkg', '-s', 'nodejs'])).code, 0, 'the base has no nodejs yet');
    await n1().writeFile(`/root/${basename(built!.deb)}`, readFileSync(built!.deb));
    const t0 = Date.now();
    const install = await n1().bash(
      `cd /root && apt-get install -y -q -o Dpkg::Use-Pty=0 --no-install-recommends ./${basename(built!.deb)}`,
      { timeoutMs: 300_000 },
    );
    assert.equal(install.code, 0, install.stdout + install.stderr);
    process.stderr.write(`booted: apt-get install ./${basename(built!.deb)}: ${Date.now() - t0} ms\n`);
    for (const pkg of ['p2p-update', 'nodejs', 'transmission-daemon']) {
      const s = await n1().must(['dpkg-query', '-W', '-f=${Status}', pkg]);
      assert.equal(s, 'install ok installed', pkg);
    }
  });

  t('the units are loaded (not enabled) and transmission-daemon 4.1 runs under systemd', async () => {
    for (const unit of SERVICES) {
      const p = await unitProps(n1(), unit);
      assert.deepEqual(
        [p['LoadState'], p['UnitFileState'], p['ActiveState']],
        ['loaded', 'disabled', 'inactive'],
        unit,
      );
    }
    const td = await unitProps(n1(), 'transmission-daemon.service');
    assert.equal(td['ActiveState'], 'active');
    const version = await n1().exec(['transmission-daemon', '--version']);
    assert.match(version.stdout + version.stderr, /^transmission-daemon 4\.1\./m);
    // postinst locked its RPC to loopback and restarted it: it answers there, with auth.
    const rpc = await n1().exec(['bash', '-c', 'exec 3<>/dev/tcp/127.0.0.1/9091 && echo open']);
    assert.equal(rpc.stdout.trim(), 'open', rpc.stderr);
  });

  t('with the shipped config unedited, natm and the manager stop at start-up and say why', async () => {
    await n1().must(['systemctl', 'start', NATM, MANAGER]);
    const natm = await waitForLine(n1(), NATM, /^error /);
    const manager = await waitForLine(n1(), MANAGER, /^error /);
    await n1().must(['systemctl', 'stop', NATM, MANAGER]);
    assert.equal(
      natm,
      'error NOT_FOUND: /var/lib/p2p-update/identity/node.cert missing: run p2p-update enroll first',
    );
    assert.equal(manager, 'error MALFORMED: /etc/p2p-update/fleet.root: cannot read the root chain (ENOENT)');
  });

  t(
    'with a root of trust, an enrolled identity and natm pointed at them, the three services run',
    async () => {
      await n1().writeFile('/etc/p2p-update/fleet.root', await fleetRoot(bed!.runDir), '0640');
      await n1().must(['chown', 'root:p2p-update', '/etc/p2p-update/fleet.root']);
      const enrolled = await n1().must([
        ...['runuser', '-u', 'p2p-update', '--', 'p2p-update', 'enroll', '--server', enrollUrl],
        ...['--token', TOKEN, '--dir', '/var/lib/p2p-update/identity', '--owner', 'n1', '--timeout', '60s'],
        // Plain HTTP on the bed's hub (off the node): --insecure; the fingerprint pins the CA.
        ...['--ca-fingerprint', caFingerprint, '--insecure'],
      ]);
      const nodeId = /enrolled: node ([0-9a-f]{32}) /.exec(enrolled)?.[1];
      assert.ok(nodeId, enrolled);
      const natm = JSON.parse(await n1().readFile('/etc/p2p-update/natm.json')) as Record<string, unknown>;
      // The hand edits natm.json needs (nothing else in any shipped file is changed):
      const edited = { ...natm, id: nodeId, enrollServer: enrollUrl, rendezvous: [`${bed!.ip('n1')}:3478`] };
      await n1().writeFile('/etc/p2p-update/natm.json', `${JSON.stringify(edited, null, 2)}\n`, '0640');

      await n1().must(['systemctl', 'start', ...SERVICES]);
      await waitForLine(n1(), NATM, /"msg":"external endpoint learned"/);
      await waitForLine(n1(), MANAGER, /"msg":"natm connected"/);
      const first = await Promise.all(SERVICES.map((u) => unitProps(n1(), u)));
      await new Promise((r) => setTimeout(r, 6000)); // longer than RestartSec: a crash loop shows
      for (const [i, unit] of SERVICES.entries()) {
        const p = await unitProps(n1(), unit);
        assert.deepEqual([p['ActiveState'], p['SubState']], ['active', 'running'], unit);
        assert.equal(p['MainPID'], first[i]!['MainPID'], `${unit} was restarted`);
        const user = await n1().must(['ps', '-o', 'user=', '-p', p['MainPID']!]);
        assert.equal(user.trim(), 'p2p-update', `${unit} runs unprivileged`);
      }
    },
  );

  t('journalctl -u p2p-update-manager -o json holds the pino lines of the running service', async () => {
    for (const unit of [MANAGER, NATM]) {
      const { InvocationID } = await unitProps(n1(), unit);
      const lines = (await serviceLines(n1(), unit)).filter((l) => l.invocation === InvocationID);
      assert.ok(lines.length >= 2, `${unit}: ${lines.length} lines`);
      for (const l of lines) {
        assert.ok(l.json, `${unit}: not a pino line: ${l.message}`);
        assert.equal(typeof l.json['level'], 'number', l.message);
        assert.equal(typeof l.json['msg'], 'string', l.message);
        assert.ok(!Number.isNaN(Date.parse(String(l.json['time']))), l.message);
      }
    }
    const started = (await serviceLines(n1(), MANAGER)).find((l) => l.json?.['msg'] === 'manager started');
    assert.equal(started?.json?.['name'], 'p2p-update-manager');
    assert.equal(started?.json?.['stateDir'], '/var/lib/p2p-update');
  });

  t('enabled, the services start again on their own after a power-cycle', async () => {
    await n1().must(['systemctl', 'enable', ...SERVICES]);
    await n1().powerCycle();
    await waitUntil(
      'the three services to be active after the boot',
      async () =>
        (await Promise.all(SERVICES.map((u) => unitProps(n1(), u)))).every(
          (p) => p['ActiveState'] === 'active',
        ),
      60_000,
    );
    await waitForLine(n1(), MANAGER, /"msg":"natm connected"/);
  });

  t('apt-get purge removes the services, users, config, state and unit links', async () => {
    const purge = await n1().exec(['apt-get', 'purge', '-y', '-q', '-o', 'Dpkg::Use-Pty=0', 'p2p-update']);
    assert.equal(purge.code, 0, purge.stdout + purge.stderr);
    for (const unit of SERVICES) assert.equal((await unitProps(n1(), unit))['LoadState'], 'not-found', unit);
    const procs = await n1().must(['ps', '-eo', 'user=,args=']);
    assert.doesNotMatch(procs, /p2p-update/, procs);
    for (const p of ['/etc/p2p-update', '/var/lib/p2p-update', '/run/p2p-update', '/usr/lib/p2p-update']) {
      assert.equal((await n1().exec(['test', '-e', p])).code, 1, `${p} left behind`);
    }
    assert.notEqual((await n1().exec(['getent', 'passwd', 'p2p-update'])).code, 0, 'user left behind');
    assert.notEqual((await n1().exec(['getent', 'group', 'p2p-update'])).code, 0, 'group left behind');
    assert.doesNotMatch(await n1().must(['getent', 'group', 'debian-transmission']), /p2p-update/);
    const links = await n1().must(['find', '/etc/systemd', '/var/lib/systemd', '-name', '*p2p-update*']);
    assert.equal(links.trim(), '');
    assert.equal((await n1().exec(['dpkg-query', '-W', 'p2p-update'])).code, 1, 'dpkg still knows it');
    assert.equal((await unitProps(n1(), 'transmission-daemon.service'))['ActiveState'], 'active');
  });
});

/** A fresh admin key on the controller side, and a root of trust (v1) naming it; returns the root chain. */
async function fleetRoot(dir: string): Promise<Buffer> {
  const cli = (args: string[]) => run(join(REPO, 'bin/p2p-update'), args, { timeoutMs: 30_000 });
  await cli(['keygen', '--out', join(dir, 'admin')]);
  const pub = join(dir, 'admin.pub');
  await cli(['root', 'init', '--root-key', pub, '--update-key', pub, '--out', join(dir, 'fleet.root')]);
  await cli(['root', 'sign', join(dir, 'fleet.root'), '--key', join(dir, 'admin.key')]);
  return readFileSync(join(dir, 'fleet.root'));
}
