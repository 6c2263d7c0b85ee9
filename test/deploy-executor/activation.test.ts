/**
 * Socket activation, for real: systemd-socket-activate (systemd's own tool) listens,
 * and on the first connection starts the executor with the socket as fd 3 and
 * LISTEN_FDS/LISTEN_PID set, as the p2p-update-deploy.socket unit does. The executor
 * serves that socket (it binds nothing itself) and, idle, exits on its own; SIGTERM (what
 * systemd sends at shutdown) stops it at once, not only once idle.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeAdmin } from '../integration/manager-harness/updates.ts';
import { tempDir, waitFor } from '../integration/manager-harness/util.ts';
import { askRaw, BIN } from './bed.ts';

test(
  'started by socket activation: serves the passed socket, exits when idle',
  { timeout: 60_000 },
  async () => {
    const tmp = await tempDir('exec-activation');
    try {
      const admin = await makeAdmin(tmp.path);
      const unbound = join(tmp.path, 'never-bound.sock');
      const config = {
        trustedKeys: [admin.pubPath],
        stateDir: join(tmp.path, 'state'),
        socket: unbound,
        inputDirs: [tmp.path],
        deployers: { 'app:/': { type: 'script', path: '/bin/true' } },
        limits: { idleExitMs: 1500 },
      };
      await writeFile(join(tmp.path, 'deploy.json'), JSON.stringify(config));
      const listen = join(tmp.path, 'activated.sock');
      const p = spawn(
        'systemd-socket-activate',
        ['-l', listen, process.execPath, BIN, 'deploy-executor', '--config', join(tmp.path, 'deploy.json')],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let log = '';
      p.stderr!.on('data', (c: Buffer) => (log += c.toString()));
      const exit = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
      await waitFor('listening', () => existsSync(listen), 30_000, 50);
      const t0 = Date.now();
      const answer = JSON.parse(
        (await askRaw(listen, '{"type":"accepts","uri":"app:/x"}\n')).trim(),
      ) as object;
      assert.deepEqual(answer, { type: 'accepts', uri: 'app:/x', accepted: true, highest: null });
      assert.match(log, /"socket":"fd 3"/);
      assert.equal(existsSync(unbound), false, 'bound nothing of its own');
      assert.equal(await exit, 0, 'idle exit is a clean exit');
      assert.ok(Date.now() - t0 >= 1400, 'not before idleExitMs');
      assert.match(log, /deploy executor stopped/);
    } finally {
      await tmp.remove();
    }
  },
);

test(
  'socket-activated, SIGTERM stops it at once (systemd does not wait for idleExitMs at shutdown)',
  { timeout: 90_000 },
  async () => {
    const tmp = await tempDir('exec-activation-term');
    let child: ChildProcess | undefined;
    try {
      const admin = await makeAdmin(tmp.path);
      const config = {
        trustedKeys: [admin.pubPath],
        stateDir: join(tmp.path, 'state'),
        socket: join(tmp.path, 'never-bound.sock'),
        inputDirs: [tmp.path],
        deployers: { 'app:/': { type: 'script', path: '/bin/true' } },
        limits: { idleExitMs: 600_000 },
      };
      await writeFile(join(tmp.path, 'deploy.json'), JSON.stringify(config));
      const listen = join(tmp.path, 'activated.sock');
      // Without --accept, systemd-socket-activate execs the executor in its own process.
      const p = spawn(
        'systemd-socket-activate',
        ['-l', listen, process.execPath, BIN, 'deploy-executor', '--config', join(tmp.path, 'deploy.json')],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      child = p;
      let log = '';
      p.stderr!.on('data', (c: Buffer) => (log += c.toString()));
      const exit = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
      await waitFor('listening', () => existsSync(listen), 30_000, 50);
      // The answer proves the executor was exec'd and serves; its log line may trail it.
      const answer = (await askRaw(listen, '{"type":"accepts","uri":"app:/x"}\n')).trim();
      assert.match(answer, /"accepted":true/, `the executor answered (log: ${log})`);
      await waitFor('started', () => log.includes('deploy executor started'), 30_000, 50);
      p.kill('SIGTERM');
      assert.equal(await exit, 0, 'a clean stop, well before idleExitMs (the test times out otherwise)');
      assert.match(log, /deploy executor stopped/);
    } finally {
      // On a failure the activator may still wait (never exec'd): it would keep this file, and the run, waiting.
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await tmp.remove();
    }
  },
);
