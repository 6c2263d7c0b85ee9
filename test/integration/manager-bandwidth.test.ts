/**
 * The manager sets the configured speed limits on a real transmission-daemon (loopback
 * only, no torrents, DHT/LPD/port forwarding off): also when the daemon starts after the
 * manager (the keeper retries), and with a weekly window the daemon's own scheduler turns
 * the alternative limits on inside it and off outside it. The daemon runs on UTC.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { TransmissionRpc } from '../../agent/lib/transmission/rpc.ts';
import { validateConfig } from '../../agent/manager/config.ts';
import { startManager, type Running } from '../../agent/manager/main.ts';
import { makeAdmin, tempDir } from '../helpers/fixtures.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let daemon: ChildProcess | null = null;
let rpcPort = 0;
let rpc: TransmissionRpc;
let running: Running | null = null;

async function freePort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function startDaemon(): Promise<void> {
  const conf = join(dir.path, 'daemon');
  await mkdir(join(conf, 'dl'), { recursive: true });
  await writeFile(
    join(conf, 'settings.json'),
    JSON.stringify({
      'download-dir': join(conf, 'dl'),
      'rpc-bind-address': '127.0.0.1',
      'rpc-port': rpcPort,
      'rpc-whitelist': '127.0.0.1',
      'rpc-authentication-required': false,
      'bind-address-ipv4': '127.0.0.1',
      'peer-port': await freePort(),
      'peer-port-random-on-start': false,
      'dht-enabled': false,
      'lpd-enabled': false,
      'pex-enabled': false,
      'port-forwarding-enabled': false,
    }),
  );
  daemon = spawn('transmission-daemon', ['-f', '-g', conf], {
    stdio: 'ignore',
    env: { ...process.env, TZ: 'UTC' },
  });
}

/** Polls session-get (bounded: 20 s) until `pred` holds; returns the last answer. */
async function until(
  pred: (s: Record<string, unknown>) => boolean,
  what: string,
): Promise<Record<string, unknown>> {
  let last: Record<string, unknown> = {};
  for (const end = Date.now() + 20_000; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
    last = await rpc.call('session-get').catch(() => ({}));
    if (pred(last)) return last;
  }
  assert.fail(`${what}: not within 20 s; last session-get ${JSON.stringify(last).slice(0, 400)}`);
}

async function runManager(bandwidth: unknown): Promise<void> {
  await running?.stop();
  const admin = await makeAdmin();
  await writeFile(join(dir.path, 'admin.pub'), admin.publicPem);
  const config = validateConfig({
    trustedKeys: [join(dir.path, 'admin.pub')],
    stateDir: join(dir.path, 'state'),
    inboxDir: join(dir.path, 'inbox'),
    executorSocket: join(dir.path, 'executor.sock'),
    transmission: { url: `http://127.0.0.1:${rpcPort}/transmission/rpc`, downloadDir: join(dir.path, 'dl') },
    tracker: { port: 0 },
    bandwidth,
  });
  running = await startManager(config, { log: silentLogger() });
}

/** "HH:MM" of now + `min` minutes, UTC. */
const hhmm = (min: number): string => {
  const m = (((Math.floor(Date.now() / 60_000) + min) % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};
const allDays = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

before(async () => {
  dir = await tempDir('p2pu-bw-');
  rpcPort = await freePort();
  rpc = new TransmissionRpc({ url: `http://127.0.0.1:${rpcPort}/transmission/rpc`, timeoutMs: 2000 });
});

after(async () => {
  await running?.stop();
  if (daemon && daemon.exitCode === null) {
    daemon.kill('SIGTERM');
    await once(daemon, 'exit');
  }
  await dir.cleanup();
});

test('limits set on a daemon that starts after the manager', async () => {
  await runManager({ downloadKBps: 1234, uploadKBps: 321 });
  await new Promise((r) => setTimeout(r, 500)); // the first attempt fails: no daemon yet
  await startDaemon();
  const s = await until((s) => s['speed-limit-down-enabled'] === true, 'download limit on');
  assert.equal(s['speed-limit-down'], 1234);
  assert.equal(s['speed-limit-up'], 321);
  assert.equal(s['speed-limit-up-enabled'], true);
  assert.equal(s['alt-speed-time-enabled'], false);
});

test("a window around now: the daemon's scheduler turns the alternative limits on", async () => {
  const window = { days: allDays, from: hhmm(-30), to: hhmm(30), downloadKBps: 40, uploadKBps: 20 };
  await runManager({ downloadKBps: 1234, window });
  const s = await until((s) => s['alt-speed-enabled'] === true, 'alternative limits on');
  assert.equal(s['alt-speed-time-enabled'], true);
  assert.equal(s['alt-speed-down'], 40);
  assert.equal(s['alt-speed-up'], 20);
  assert.equal(s['alt-speed-time-day'], 127);
  assert.equal(s['speed-limit-up-enabled'], false, 'no upload limit outside the window');
});

test('a window later today: the alternative limits go off again; no section at all leaves them', async () => {
  const from = hhmm(120);
  const window = { days: allDays, from, to: hhmm(180), downloadKBps: 40, uploadKBps: 20 };
  await runManager({ window });
  const s = await until((s) => s['alt-speed-enabled'] === false, 'alternative limits off');
  assert.equal(s['alt-speed-time-begin'], Number(from.slice(0, 2)) * 60 + Number(from.slice(3)));
  await rpc.call('session-set', { 'speed-limit-down': 77, 'speed-limit-down-enabled': true });
  await runManager(undefined);
  await new Promise((r) => setTimeout(r, 1000));
  const left = await rpc.call('session-get');
  assert.equal(left['speed-limit-down'], 77, 'without a bandwidth section the manager sets nothing');
});
