/**
 * A restarted natm is not deaf (real processes on loopback UDP): a rendezvous and two
 * enrolled natm processes (certificate sessions, open mode, default keepalive: pathTimeout
 * 50 s), each with the manager's own IPC client (agent/manager/natm-client.ts: reconnects
 * with backoff 0.5 s doubling to 10 s). b's natm is killed with SIGKILL and started again
 * with the same identity and port; a publishes at once, while b's manager has not
 * reconnected yet (as after `systemctl kill` with Type=simple). The notification must reach
 * b's manager well before a path could time out (< 15 s; it took ~69 s when natm dropped a
 * notification it could not hand to an absent manager and waited offerTimeoutMs, 60 s,
 * before offering it again). Then the same for b's manager restarted while a publishes, and
 * for b's natm restarted on another port (the rendezvous and a must take b's new endpoint
 * from its fresh, authenticated packets at once, not keep the old one until it times out).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CaStore } from '../../agent/lib/ca/ca-store.ts';
import { systemClock } from '../../agent/lib/common/clock.ts';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { NatmClient } from '../../agent/manager/natm-client.ts';
import { enrolledDir } from '../membership/enrolled-dir.ts';
import { freeUdpPort, Procs, waitFor } from './procs.ts';

const BOUND_MS = 15_000;
const URI = 'app:/opt/restart';
const procs = await new Procs().init();
const managers: NatmClient[] = [];
after(async () => {
  for (const m of managers) await m.stop();
  await procs.cleanup();
});

interface Manager {
  client: NatmClient;
  /** id → ms at which the notification reached this manager. */
  got: Map<string, number>;
}
const versions = new Map<string, number>();

/** The manager's IPC client, answering each notification as a manager that verified it. */
function manager(dir: string, name: string): Manager {
  const got = new Map<string, number>();
  const client: NatmClient = new NatmClient(
    {
      clock: systemClock,
      log: silentLogger(),
      onConnect: async () => {},
      onMessage: (m) => {
        if (m.type !== 'notification' || got.has(m.id)) return;
        got.set(m.id, Date.now());
        const version = versions.get(m.id)!;
        client.relay({ id: m.id, uri: URI, version, infoHash: infoHash(m.torrent), torrent: m.torrent });
      },
      stateMessage: () => ({ applied: {}, current: null }),
      btPort: async () => 51413,
    },
    { path: join(dir, `${name}-ipc.sock`), agentVersion: 'test' },
  );
  managers.push(client);
  client.start();
  return { client, got };
}

const infoHash = (bytes: Uint8Array) => createHash('sha1').update(bytes).digest('hex');

/** A new notification relayed by `m` (its natm announces and serves it). */
function publish(m: Manager): string {
  const torrent = new Uint8Array(randomBytes(1500));
  const id = createHash('sha256').update(torrent).digest('hex');
  const version = versions.size + 1;
  versions.set(id, version);
  m.got.set(id, Date.now());
  m.client.relay({ id, uri: URI, version, infoHash: infoHash(torrent), torrent });
  return id;
}

const ids: string[] = [];
let natmB: ReturnType<Procs['cli']>;
let cfgB = '';
let ma: Manager;
let mb: Manager;

before(async () => {
  const ca0 = join(procs.dir, 'ca');
  await CaStore.init(ca0, { cluster: 'restart' });
  const ca = await CaStore.open(ca0);
  const rdvPort = await freeUdpPort();
  const rdvCfg = await procs.file('rdv.json', {
    id: 'rdv',
    listen: `127.0.0.1:${rdvPort}`,
    open: true,
    logLevel: 'warn',
  });
  procs.cli(['rendezvous', '--config', rdvCfg]);
  const cfgs: string[] = [];
  for (const name of ['a', 'b']) {
    const identityDir = join(procs.dir, name);
    const keys = await enrolledDir(ca, identityDir, { cluster: 'restart', owner: name });
    ids.push(keys.nodeId);
    cfgs.push(
      await procs.file(`${name}.json`, {
        id: keys.nodeId,
        listen: `127.0.0.1:${await freeUdpPort()}`,
        rendezvous: [`127.0.0.1:${rdvPort}`],
        identityDir,
        ipcSocket: join(procs.dir, `${name}-ipc.sock`),
        logLevel: 'info', // 'natm started' says the restarted one is up
      }),
    );
  }
  procs.cli(['natm', '--config', cfgs[0]!]);
  cfgB = cfgs[1]!;
  natmB = procs.cli(['natm', '--config', cfgB]);
  ma = manager(procs.dir, 'a');
  mb = manager(procs.dir, 'b');
});

/** Starts b's natm again (the process was killed), publishes at once: the delay to b's manager. */
async function restartB(what: string): Promise<number> {
  natmB = procs.cli(['natm', '--config', cfgB]);
  await waitFor("b's natm listening again", () => natmB.out().includes('natm started') || undefined, 20_000);
  const ms = await reachB(`the notification at b after ${what}`);
  console.log(`restart-udp: ${JSON.stringify({ restarted: what, publishToManagerMs: ms })}`);
  return ms;
}

/** Publishes at a until b's manager got one notification (`what` for the message); its delay. */
async function reachB(what: string): Promise<number> {
  const id = publish(ma);
  const t0 = Date.now();
  await waitFor(what, () => mb.got.get(id), 120_000);
  return mb.got.get(id)! - t0;
}

test('b hears a notification published at a (warm-up, paths and sessions up)', async () => {
  await waitFor('both managers connected', () => ma.client.connected && mb.client.connected, 20_000);
  await waitFor('b to hear a', async () => (await reachB('warm-up notification at b')) >= 0, 60_000);
});

test("b's natm killed (SIGKILL) and restarted: the next notification reaches b's manager at once", async () => {
  const gone = new Promise((r) => natmB.once('exit', r));
  natmB.kill('SIGKILL');
  await gone;
  // Down long enough for a to declare b dead (SWIM suspicion 4 s), as systemd's RestartSec=5s.
  await new Promise((r) => setTimeout(r, 6000));
  const ms = await restartB('natm');
  assert.ok(ms < BOUND_MS, `b's manager heard it after ${ms} ms (bound ${BOUND_MS}, pathTimeout 50000)`);
});

test("b's manager restarted while a publishes: it gets the notification when it reconnects", async () => {
  await mb.client.stop();
  const id = publish(ma);
  const t0 = Date.now();
  // The notification reaches b's natm while no manager is connected.
  await new Promise((r) => setTimeout(r, 3000));
  const fresh = (mb = manager(procs.dir, 'b'));
  await waitFor("the notification at b's new manager", () => fresh.got.get(id), 120_000);
  const ms = fresh.got.get(id)! - t0;
  console.log(`restart-udp: ${JSON.stringify({ restarted: 'manager', publishToManagerMs: ms })}`);
  assert.ok(ms < BOUND_MS, `b's new manager heard it after ${ms} ms (bound ${BOUND_MS})`);
});

test("b's natm killed and restarted on another port: a and the rendezvous take the new endpoint at once", async () => {
  const gone = new Promise((r) => natmB.once('exit', r));
  natmB.kill('SIGKILL');
  await gone;
  const cfg = JSON.parse(await readFile(cfgB, 'utf8')) as { listen: string };
  cfg.listen = `127.0.0.1:${await freeUdpPort()}`;
  await writeFile(cfgB, JSON.stringify(cfg));
  await new Promise((r) => setTimeout(r, 6000));
  const ms = await restartB('natm on a new port');
  assert.ok(ms < BOUND_MS, `b's manager heard it after ${ms} ms (bound ${BOUND_MS}, pathTimeout 50000)`);
});
