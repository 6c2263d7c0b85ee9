/**
 * A restarted executor kills the deploy an earlier run left behind (its recorded process
 * group) and records it as not applied, but only kills when that group is still the
 * deploy: after a power loss the recorded id can name an unrelated process group, which
 * must survive.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { systemClock } from '../../agent/lib/common/clock.ts';
import { createLogger } from '../../agent/lib/common/logger.ts';
import { deployEnv, SAFE_PATH } from '../../agent/lib/deploy/deployers.ts';
import type { ExecutorCore } from '../../agent/deploy-executor/core.ts';
import { RecordFile } from '../../agent/deploy-executor/record.ts';
import { started } from '../../agent/deploy-executor/record-rules.ts';
import { recoverInterrupted } from '../../agent/deploy-executor/recover.ts';

const URI = 'app:/reap';
const FILE = '/var/lib/p2pu-test/work/app-4.tar';

/** Runs recovery over a record that shows version 4 of URI running in group `pgid`. */
async function reapLeftover(pgid: number): Promise<RecordFile> {
  const dir = await mkdtemp(join(tmpdir(), 'p2pu-recover-'));
  try {
    const record = await RecordFile.open(dir);
    await record.update((d) =>
      started(d, URI, { version: 4, infoHash: 'a'.repeat(40), startedAt: 1, file: FILE, pgid, unit: null }),
    );
    const core = {
      record,
      log: createLogger({ level: 'silent' }),
      clock: systemClock,
    } as unknown as ExecutorCore;
    await recoverInterrupted(core);
    assert.equal(record.data.uris[URI]?.running, null, 'recorded as no longer running');
    assert.equal(record.data.uris[URI]?.applied, null, 'and not applied');
    assert.equal(record.data.uris[URI]?.floor?.version, 4, 'the floor stays');
    return record;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Alive and not a zombie (this machine's init may not reap orphans). */
const alive = async (pid: number): Promise<boolean> => {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return stat !== null && stat.split(') ')[1]?.[0] !== 'Z';
};

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 250 && (await alive(pid)); i++) await delay(20);
  return !(await alive(pid));
}

/** A process group of its own running `script`; returns its id (= the leader's pid). */
function group(script: string, env: Record<string, string>): number {
  const p = spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore', env });
  p.unref();
  assert.ok(p.pid !== undefined);
  return p.pid;
}

const childOf = async (pgid: number): Promise<number> => {
  for (let i = 0; i < 100; i++) {
    const kids = await readFile(`/proc/${pgid}/task/${pgid}/children`, 'utf8').catch(() => '');
    const pid = Number(kids.trim().split(' ')[0]);
    if (pid > 0) return pid;
    await delay(20);
  }
  throw new Error('no child');
};

test('an unrelated process group with the recorded id is left alone', async (t) => {
  const pgid = group('exec sleep 30', { PATH: SAFE_PATH });
  t.after(() => process.kill(-pgid, 'SIGKILL'));
  await delay(100);
  await reapLeftover(pgid);
  await delay(200);
  assert.equal(await alive(pgid), true, 'a group that is not our deploy survives');
});

test('a deploy of another version is not this deploy either', async (t) => {
  const env = deployEnv(URI, 3, FILE);
  const pgid = group('exec sleep 30', env);
  t.after(() => process.kill(-pgid, 'SIGKILL'));
  await delay(100);
  await reapLeftover(pgid);
  await delay(200);
  assert.equal(await alive(pgid), true);
});

test('the left-behind deploy is killed with its group, also when only a child is left', async () => {
  const env = deployEnv(URI, 4, FILE);
  const leader = group('sleep 30 & wait', env);
  const child = await childOf(leader);
  await reapLeftover(leader);
  assert.equal(await gone(leader), true, 'leader killed');
  assert.equal(await gone(child), true, 'child killed');
  // The leader has exited; its child still runs in the group with the deploy's env.
  const orphanLeader = group('sleep 30 & exit 0', env);
  // Wait for the shell to exit, leaving its child alone in the group (≤ 5 s).
  for (let i = 0; i < 50 && (await findInGroup(orphanLeader)).length !== 1; i++) await delay(100);
  assert.equal((await findInGroup(orphanLeader)).length, 1, 'the child runs on in the group');
  await reapLeftover(orphanLeader);
  await delay(100);
  const left = await findInGroup(orphanLeader);
  assert.deepEqual(left, [], 'nothing of the group is left');
});

async function findInGroup(pgid: number): Promise<number[]> {
  const out: number[] = [];
  for (const p of await readdir('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    const stat = await readFile(`/proc/${p}/stat`, 'utf8').catch(() => '');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (f[0] !== 'Z' && Number(f[2]) === pgid) out.push(Number(p));
  }
  return out;
}
