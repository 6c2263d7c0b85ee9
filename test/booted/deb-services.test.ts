/**
 * The Debian package on a booted Debian 13 container, as a user installs it: a real
 * `apt-get install ./p2p-update_*.deb` (apt resolves nodejs and transmission-daemon 4.1
 * from Debian's lists; their .debs are cached in the base root, the container has no
 * route out), the shipped units under real systemd, the services started with the shipped
 * config plus the hand edits a node needs (a root of trust naming the admin key, the node enrolled at a real
 * enrollment server as natm's user, natm's id / enrollServer / rendezvous), each daemon
 * under its own user; then (issue 14's "Done when") signed updates deployed as root through
 * the executor with deploy.json unedited: a real .deb (pkg:/) and the example script
 * (app:/), while the manager and natm stay unprivileged and cannot write outside their own
 * directories (puppet:/: test/integration/manager-puppet.test.ts). Then their pino lines
 * in the journal, memory and systemd's exposure score per service, the services back after
 * a power-cycle, each killed during a deploy and a power cut (restart-cases.ts), and
 * `apt-get purge`.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEnrollServer } from '../e2e/harness/enroll-server.ts';
import { BIN } from '../e2e/harness/paths.ts';
import { run } from '../e2e/harness/run.ts';
import { waitUntil } from '../e2e/harness/wait.ts';
import { buildDeb } from '../pkg/trixie-root.ts';
import { Bed } from './harness/bed.ts';
import type { Container } from './harness/container.ts';
import { HELLO, helloDeb } from './harness/hello-deb.ts';
import * as node from './harness/p2pu-node.ts';
import {
  connectsAs,
  credentialsOf,
  processPrivileges,
  succeedsAs,
  type Credentials,
} from './harness/privileges.ts';
import { restartCases } from './restart-cases.ts';
import { adminKey, fleetRoot, randomPayload, sign, type AdminKey } from './harness/releases.ts';
import { exposure, serviceProcess } from './harness/service-stats.ts';
import { serviceLines, unitProps, waitForLine } from './harness/systemd.ts';

const { UNITS, USERS } = node;
const DAEMONS = ['rendezvous', 'natm', 'manager'] as const;
const SERVICES = DAEMONS.map((d) => UNITS[d]);
const TOKEN = 'booted-enrollment-token-2026';
const report = (o: object) => process.stderr.write(`booted: ${JSON.stringify(o)}\n`);

describe('the .deb on a booted Debian 13 container (real systemd)', { timeout: 900_000 }, () => {
  let bed: Bed | undefined;
  let c: Container | undefined;
  let built: { deb: string; dir: string } | undefined;
  let admin: AdminKey;
  let enrollUrl = '';
  let caFingerprint = '';
  let failed = false;
  const n1 = () => c as Container;
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
    c = await bed.boot('n1');
    report({ bootMs: c.bootMs });
    const dir = join(bed.runDir, 'enroll');
    mkdirSync(dir);
    admin = await adminKey(join(bed.runDir, 'admin'));
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
    report({ installMs: await node.installDeb(n1(), built!.deb) });
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
    await n1().must(['systemctl', 'start', UNITS.natm, UNITS.manager]);
    const natm = await waitForLine(n1(), UNITS.natm, /^error /);
    const manager = await waitForLine(n1(), UNITS.manager, /^error /);
    await n1().must(['systemctl', 'stop', UNITS.natm, UNITS.manager]);
    assert.equal(
      natm,
      `error NOT_FOUND: ${node.IDENTITY_DIR}/node.cert missing: run p2p-update enroll first`,
    );
    assert.equal(manager, 'error MALFORMED: /etc/p2p-update/fleet.root: cannot read the root chain (ENOENT)');
  });

  t(
    'with a root of trust and an enrolled identity, the three services run, each as its own user',
    async () => {
      await node.addRoot(n1(), await fleetRoot(admin, join(bed!.runDir, 'admin')));
      const id = await node.enroll(n1(), enrollUrl, TOKEN, caFingerprint);
      // The hand edits natm.json needs (nothing else in any shipped file is changed):
      await node.editNatm(n1(), { id, enrollServer: enrollUrl, rendezvous: [`${bed!.ip('n1')}:3478`] });
      await n1().must(['systemctl', 'start', ...SERVICES]);
      await waitForLine(n1(), UNITS.natm, /"msg":"external endpoint learned"/);
      await waitForLine(n1(), UNITS.manager, /"msg":"natm connected"/);
      const first = await Promise.all(SERVICES.map((u) => unitProps(n1(), u)));
      await new Promise((r) => setTimeout(r, 6000)); // longer than RestartSec: a crash loop shows
      for (const [i, d] of DAEMONS.entries()) {
        const p = await unitProps(n1(), UNITS[d]);
        assert.deepEqual([p['ActiveState'], p['SubState']], ['active', 'running'], d);
        assert.equal(p['MainPID'], first[i]!['MainPID'], `${d} was restarted`);
        assert.equal((await serviceProcess(n1(), UNITS[d])).user, USERS[d], `${d} runs as ${USERS[d]}`);
        const priv = await processPrivileges(n1(), Number(p['MainPID']));
        assert.equal(priv.capEff, '0000000000000000', `${d}: no capabilities`);
        assert.equal(priv.capBnd, '0000000000000000', `${d}: none can be regained`);
        assert.equal(priv.noNewPrivs, '1', d);
        assert.equal(priv.seccomp, '2', `${d}: a system call filter`);
      }
      const managerGroups = await processPrivileges(n1(), Number(first[2]!['MainPID']));
      assert.ok(managerGroups.groups.includes('p2p-update-natm'), `manager: ${managerGroups.groups}`);
    },
  );

  t(
    'done when: a signed .deb (pkg:/) is installed as root through the executor, deploy.json unedited',
    async () => {
      const dir = join(bed!.runDir, 'releases');
      mkdirSync(dir, { recursive: true });
      const s = await sign(admin, await helloDeb(dir, 1), 'pkg:/p2pu-hello', 1);
      const t0 = Date.now();
      await node.publish(n1(), s);
      report({ deployer: 'pkg', publishToAppliedMs: await node.waitApplied(n1(), s.uri, 1, 120_000, t0) });
      assert.equal(
        await n1().must(['dpkg-query', '-W', '-f=${Status} ${Version}', HELLO.pkg]),
        'install ok installed 1.0',
      );
      assert.equal((await n1().readFile(HELLO.versionFile)).trim(), '1');
      const hello = await unitProps(n1(), HELLO.unit);
      assert.deepEqual([hello['ActiveState'], hello['UnitFileState']], ['active', 'enabled']);
      await waitForLine(n1(), HELLO.unit, /^p2pu-hello 1 up$/);
      const started = (await serviceLines(n1(), UNITS.executor)).find(
        (l) => l.json?.['msg'] === 'deploy started',
      );
      assert.equal(started?.json?.['user'], 'root');
      assert.equal(started?.json?.['cmd'], 'apt-get');
      // ... while the manager and natm, which handled the update, stayed unprivileged.
      for (const d of ['manager', 'natm'] as const)
        assert.equal((await serviceProcess(n1(), UNITS[d])).user, USERS[d], d);
    },
  );

  t('done when: the example script (app:/) writes its root-owned marker', async () => {
    const dir = join(bed!.runDir, 'releases');
    const s = await sign(admin, randomPayload(dir, 'demo-v1.bin', 256 * 1024), 'app:/opt/demo', 1);
    const t0 = Date.now();
    await node.publish(n1(), s);
    report({ deployer: 'app', publishToAppliedMs: await node.waitApplied(n1(), s.uri, 1, 60_000, t0) });
    assert.equal((await n1().readFile(`${node.DEMO_DIR}/marker`)).trim(), 'app:/opt/demo 1');
    assert.equal((await n1().must(['stat', '-c', '%U', `${node.DEMO_DIR}/marker`])).trim(), 'root');
    const sum = await n1().must(['sha256sum', `${node.DEMO_DIR}/payload`]);
    assert.equal(sum.split(' ')[0], s.sha256);
    assert.deepEqual(await node.deployLog(n1()), ['begin app:/opt/demo 1', 'applied app:/opt/demo 1']);
  });

  t('each daemon, with its own credentials, can write its own state and nothing of the others', async () => {
    const store = '/var/lib/p2p-update/store.json';
    const record = '/var/lib/p2p-update-deploy/record.json';
    const before = { store: await n1().readFile(store), record: await n1().readFile(record) };
    assert.match(before.record, /pkg:\/p2pu-hello/, 'the executor recorded its deploys');
    const natm = await credentialsOf(n1(), UNITS.natm);
    const manager = await credentialsOf(n1(), UNITS.manager);
    const rdv = await credentialsOf(n1(), UNITS.rendezvous);
    const refused = async (who: Credentials, scripts: string[]) => {
      for (const script of scripts)
        assert.equal(await succeedsAs(n1(), who, script), false, `${who.unit}: ${script}`);
    };
    // What each needs (so the refusals below are not a broken setup):
    const probe = (dir: string) => `touch ${dir}/.probe && rm ${dir}/.probe`;
    assert.ok(await succeedsAs(n1(), natm, probe(node.IDENTITY_DIR)), 'natm: its identity');
    assert.ok(await succeedsAs(n1(), manager, probe('/var/lib/p2p-update')), 'manager: its state');
    assert.ok(await connectsAs(n1(), manager, '/run/p2p-update-deploy.sock'), 'manager -> executor');
    assert.ok(await connectsAs(n1(), manager, '/run/p2p-update-natm/natm.sock'), 'manager -> natm');
    // natm (it parses every packet): not the manager's store (issue 16's erased floor), its
    // torrents or inbox, not the executor's record, config or socket, not the RPC password.
    await refused(natm, [
      `echo '{}' > ${store}`,
      `rm -f ${store}`,
      `mv ${store} ${store}.x`,
      'touch /var/lib/p2p-update/inbox/x.torrent',
      'touch /var/lib/p2p-update/torrents/x.torrent',
      `echo '{}' > ${record}`,
      `rm -f ${record}`,
      'echo >> /etc/p2p-update/deploy.json',
      'echo >> /etc/p2p-update/natm.json',
      'cat /etc/p2p-update/transmission-rpc.json',
      'touch /etc/p2p-update/keys-probe',
    ]);
    assert.equal(await connectsAs(n1(), natm, '/run/p2p-update-deploy.sock'), false, 'natm -> executor');
    // The manager: not natm's identity (its node key), not the executor's record or config.
    await refused(manager, [
      `ls ${node.IDENTITY_DIR}`,
      `cat ${node.IDENTITY_DIR}/node.key`,
      `echo '{}' > ${record}`,
      `rm -f ${record}`,
      'echo >> /etc/p2p-update/deploy.json',
    ]);
    // The rendezvous: nothing of the others'.
    await refused(rdv, [
      'cat /etc/p2p-update/natm.json',
      'cat /etc/p2p-update/manager.json',
      `ls ${node.IDENTITY_DIR}`,
      `echo '{}' > ${store}`,
    ]);
    assert.equal(await connectsAs(n1(), rdv, '/run/p2p-update-natm/natm.sock'), false, 'rdv -> natm');
    assert.deepEqual({ store: await n1().readFile(store), record: await n1().readFile(record) }, before);
  });

  t('journalctl -u shows each service’s pino lines; memory and exposure per service', async () => {
    for (const unit of [UNITS.manager, UNITS.natm, UNITS.rendezvous]) {
      const { InvocationID } = await unitProps(n1(), unit);
      const lines = (await serviceLines(n1(), unit)).filter((l) => l.invocation === InvocationID);
      assert.ok(lines.length >= 1, `${unit}: ${lines.length} lines`);
      for (const l of lines) {
        assert.ok(l.json, `${unit}: not a pino line: ${l.message}`);
        assert.equal(typeof l.json['level'], 'number', l.message);
        assert.equal(typeof l.json['msg'], 'string', l.message);
        assert.ok(!Number.isNaN(Date.parse(String(l.json['time']))), l.message);
      }
    }
    const started = (await serviceLines(n1(), UNITS.manager)).find(
      (l) => l.json?.['msg'] === 'manager started',
    );
    assert.equal(started?.json?.['name'], 'p2p-update-manager');
    assert.equal(started?.json?.['stateDir'], '/var/lib/p2p-update');
    const deployed = (await serviceLines(n1(), UNITS.executor)).filter(
      (l) => l.json?.['msg'] === 'deploy succeeded',
    );
    assert.equal(deployed.length, 2, 'the executor logged pkg:/ and app:/');
    // Idle under systemd: each main process's RSS and PSS (the executor exits when idle).
    const idle: Record<string, object> = {};
    for (const unit of [...SERVICES, UNITS.executor, 'transmission-daemon.service']) {
      const p = await serviceProcess(n1(), unit).catch(() => undefined);
      const e = await exposure(n1(), unit);
      idle[unit] = p ? { user: p.user, rssKiB: p.rssKiB, pssKiB: p.pssKiB, exposure: e } : { exposure: e };
      if (unit !== UNITS.executor && unit !== 'transmission-daemon.service')
        assert.ok(e <= 2.5, `${unit}: systemd-analyze security exposure ${e}`);
    }
    report({ idle });
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
    await waitForLine(n1(), UNITS.manager, /"msg":"natm connected"/);
  });

  // natm, the manager and the executor killed during a deploy; a power cut (restart-cases.ts).
  restartCases(t, { c: n1, admin: () => admin, dir: () => join(bed!.runDir, 'releases') });

  t(
    'apt-get purge removes the services, users, config, state, the executor’s record and unit links',
    async () => {
      const purge = await n1().exec(['apt-get', 'purge', '-y', '-q', '-o', 'Dpkg::Use-Pty=0', 'p2p-update']);
      assert.equal(purge.code, 0, purge.stdout + purge.stderr);
      for (const unit of [...SERVICES, UNITS.executor, 'p2p-update-deploy.socket'])
        assert.equal((await unitProps(n1(), unit))['LoadState'], 'not-found', unit);
      const procs = await n1().must(['ps', '-eo', 'user=,args=']);
      assert.doesNotMatch(procs, /p2p-update/, procs);
      for (const p of [
        ...[
          '/etc/p2p-update',
          '/var/lib/p2p-update',
          '/var/lib/p2p-update-natm',
          '/var/lib/p2p-update-deploy',
        ],
        ...[
          '/run/p2p-update-natm',
          '/run/p2p-update-rdv',
          '/run/p2p-update-deploy.sock',
          '/usr/lib/p2p-update',
        ],
      ])
        assert.equal((await n1().exec(['test', '-e', p])).code, 1, `${p} left behind`);
      for (const user of Object.values(USERS).filter((u) => u !== 'root')) {
        assert.notEqual((await n1().exec(['getent', 'passwd', user])).code, 0, `user ${user} left behind`);
        assert.notEqual((await n1().exec(['getent', 'group', user])).code, 0, `group ${user} left behind`);
      }
      assert.doesNotMatch(await n1().must(['getent', 'group', 'debian-transmission']), /p2p-update/);
      // Unit links, and no transient deploy unit left loaded.
      const links = await n1().bash(
        "find /etc/systemd /var/lib/systemd /run/systemd/transient -name '*p2p-update*' 2>/dev/null; true",
      );
      assert.equal(links.stdout.trim(), '');
      assert.equal((await n1().exec(['dpkg-query', '-W', 'p2p-update'])).code, 1, 'dpkg still knows it');
      assert.equal((await unitProps(n1(), 'transmission-daemon.service'))['ActiveState'], 'active');
      // What the deploys installed is the admin's, not the package's: it stays.
      assert.equal((await unitProps(n1(), HELLO.unit))['ActiveState'], 'active');
    },
  );
});
