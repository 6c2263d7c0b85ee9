/**
 * Health-check failures and rollbacks in the manager's driver (issue 18 item 3): the manager
 * core with a fake Transmission, a fake deploy executor (answers `unhealthy` for chosen
 * versions, `rolled-back` to the version it applied before), a fake clock and a real store.
 *   - unhealthy → rolling-back → the executor is asked to roll back that very update →
 *     rolled-back; applied is the previous version again, failed and rolledBack name the bad
 *     one in the state for natm; the bad version is never accepted again, a higher one is;
 *   - the admin's rollback (Manager.rollBack) of an applied update, and its refusals;
 *   - `rollout abort --rollback` rolls the applied update back; a plain abort does not;
 *   - a rollback the executor refuses for good (NO_PREVIOUS) ends failed;
 *   - a rollback whose restored version fails its health check ends rollback-unhealthy,
 *     reported to the fleet, and nothing is rolled back again.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { generateKeyPair, parsePublicKeyPem, parseSecretKeyPem } from '../../agent/lib/crypto/keys.ts';
import type { ExecutorRequest, ExecutorResponse } from '../../agent/lib/ipc/executor-protocol.ts';
import { createTorrentPlusPlus } from '../../agent/lib/metainfo/create.ts';
import { signControl } from '../../agent/lib/rollout/control.ts';
import { parseTorrentPlusPlus } from '../../agent/lib/metainfo/parse.ts';
import { FakeClock } from '../../agent/lib/simnet/fake-clock.ts';
import { legacyRoot } from '../../agent/lib/trust/legacy.ts';
import { validateConfig } from '../../agent/manager/config.ts';
import type { Core } from '../../agent/manager/core.ts';
import { Manager } from '../../agent/manager/manager.ts';
import { ManagerMetrics } from '../../agent/manager/metrics.ts';
import { natmState } from '../../agent/manager/natm-state.ts';
import { fixedTrust, type ExecutorPort, type NatmPort } from '../../agent/manager/ports.ts';
import { RolloutGate } from '../../agent/manager/rollout-gate.ts';
import { VersionStore } from '../../agent/manager/store.ts';
import { fakeTx } from './rollout-bed.ts';

const URI = 'app:/svc';
let bed: Awaited<ReturnType<typeof makeBed>> | null = null;

afterEach(async () => {
  // A step may sleep on the fake clock without a stop signal (e.g. waiting for the daemon): move it on.
  let done = false;
  const stopping = bed?.manager.stop().finally(() => (done = true));
  while (bed && !done) {
    bed.clock.advance(100);
    await new Promise((r) => setTimeout(r, 1));
  }
  await stopping;
  if (bed) await rm(bed.dir, { recursive: true, force: true });
  bed = null;
});

async function makeBed() {
  const dir = await mkdtemp(join(tmpdir(), 'p2pm-rollback-'));
  const clock = new FakeClock(1_800_000_000_000);
  const kp = await generateKeyPair();
  const asked: string[] = [];
  const sick = new Set<number>();
  /** Versions whose health check fails also when a rollback restores them. */
  const sickRestored = new Set<number>();
  let refuseRollback: ExecutorResponse | null = null;
  const applied: { version: number; infoHash: string }[] = [];
  const executor: ExecutorPort = {
    accepts: async () => ({ accepted: true, highest: null }),
    deploy: async (req, beforeSend) => {
      if (!(await beforeSend())) return null;
      const { uri, version, infoHash } = req;
      asked.push(`deploy ${version}`);
      applied.push({ version, infoHash });
      if (sick.has(version))
        return {
          type: 'unhealthy',
          uri,
          version,
          infoHash,
          ran: true,
          reason: 'health check DEPLOY_EXIT',
          output: '',
        };
      return { type: 'applied', uri, version, infoHash, ran: true, durationMs: 1, output: '' };
    },
    rollback: async (req: Extract<ExecutorRequest, { type: 'rollback' }>, beforeSend) => {
      if (!(await beforeSend())) return null;
      asked.push(`rollback ${req.version} ${req.infoHash}`);
      if (refuseRollback) return refuseRollback;
      const to = applied[applied.length - 2]!;
      const { uri, version, infoHash } = req;
      const back = { type: 'rolled-back' as const, uri, version, infoHash, to, durationMs: 1 };
      if (sickRestored.has(to.version))
        return {
          ...back,
          output: 'down',
          health: 'failed',
          healthReason: 'health check DEPLOY_EXIT: exit 1',
        };
      return { ...back, output: '', health: 'ok' };
    },
  };
  const natm: NatmPort = {
    relay: () => undefined,
    verdict: () => undefined,
    have: () => undefined,
    state: () => undefined,
  };
  const config = validateConfig({
    trustedKeys: ['/unused.pub'],
    stateDir: join(dir, 'state'),
    inboxDir: join(dir, 'inbox'),
    transmission: { downloadDir: dir, pollMs: 100 },
    deploy: { backoffMs: 1000 },
  });
  const core: Core = {
    ...{ store: await VersionStore.open(config.stateDir), tx: fakeTx(), natm, executor, clock },
    ...{ log: silentLogger(), config, trust: fixedTrust(legacyRoot([parsePublicKeyPem(kp.publicPem)])) },
    trackerUrl: () => 'http://127.0.0.1:1/announce',
    gate: new RolloutGate({ tags: new Map(), overlay: false, now: () => clock.now() }),
    metrics: new ManagerMetrics(),
  };
  const manager = new Manager(core, (e) => assert.fail(`fatal: ${String(e)}`));
  manager.start();
  const key = await parseSecretKeyPem(kp.secretPem);
  const publish = async (version: number): Promise<{ kind: string; infoHash: string }> => {
    await mkdir(join(dir, 'src'), { recursive: true });
    await writeFile(join(dir, 'src', 'p.bin'), `payload ${version}`);
    const raw = await createTorrentPlusPlus(join(dir, 'src', 'p.bin'), {
      uri: URI,
      version,
      key,
      now: clock.now(),
    });
    const ih = parseTorrentPlusPlus(raw).infoHash;
    await mkdir(join(dir, ih), { recursive: true });
    await writeFile(join(dir, ih, 'p.bin'), `payload ${version}`);
    return { kind: (await manager.submit(raw, 'inbox')).kind, infoHash: ih };
  };
  const setRefusal = (r: ExecutorResponse | null) => void (refuseRollback = r);
  return { dir, clock, core, manager, asked, sick, sickRestored, publish, setRefusal, key };
}

/** Fake milliseconds until `pred` holds (10 ms steps, yielding to file I/O), failing after `maxMs`. */
async function until(pred: () => boolean, maxMs: number, what: string): Promise<void> {
  const b = bed!;
  const start = b.clock.now();
  while (!pred()) {
    if (b.clock.now() - start > maxMs) assert.fail(`${what}: not within ${maxMs} ms (fake time)`);
    do await new Promise((r) => setImmediate(r));
    while (process.getActiveResourcesInfo().some((r) => r.startsWith('FSReq')));
    b.clock.advance(10);
  }
}

const cur = () => bed!.core.store.uri(URI);

test('unhealthy → rolled back to the previous version; failed and rolledBack reported; the bad version never again, a higher one proceeds', async () => {
  bed = await makeBed();
  await bed.publish(1);
  await until(() => cur()?.current?.state === 'applied', 600_000, 'v1 applied');
  bed.sick.add(2);
  const v2 = await bed.publish(2);
  await until(() => cur()?.current?.state === 'rolled-back', 600_000, 'v2 rolled back');
  assert.deepEqual(bed.asked, ['deploy 1', 'deploy 2', `rollback 2 ${v2.infoHash}`]);
  const r = cur()!;
  assert.deepEqual([r.applied, r.failed, r.rolledBack, r.highestAccepted], [1, 2, 2, 2]);
  assert.match(r.current!.lastError ?? '', /^HEALTH_FAILED: health check DEPLOY_EXIT/);
  const s = natmState(bed.core.store.data);
  assert.deepEqual(s.applied, { [URI]: 1 });
  assert.deepEqual([s.failed, s.rolledBack], [{ [URI]: 2 }, { [URI]: 2 }]);
  assert.deepEqual(s.current, { uri: URI, version: 2, state: 'rolled-back', progress: 1 });
  assert.equal((await bed.publish(2)).kind, 'duplicate', 'the same torrent again changes nothing');
  await until(() => true, 5000, 'idle');
  assert.equal(bed.asked.length, 3, 'nothing asked again for v2');
  await bed.publish(3);
  await until(() => cur()?.current?.state === 'applied' && cur()!.current!.version === 3, 600_000, 'v3');
  assert.deepEqual([cur()!.applied, cur()!.failed, cur()!.rolledBack], [3, 2, 2], 'the record of v2 stays');
});

test("the admin's rollBack of the applied update rolls it back; anything else is refused with a code", async () => {
  bed = await makeBed();
  await bed.publish(1);
  await until(() => cur()?.current?.state === 'applied', 600_000, 'v1 applied');
  const v2 = await bed.publish(2);
  await until(() => cur()?.current?.state === 'applied' && cur()!.current!.version === 2, 600_000, 'v2');
  assert.deepEqual(await bed.manager.rollBack(URI, 1, 'abort'), {
    ok: false,
    code: 'NOT_CURRENT',
    reason: `${URI}@1 is not this node's current update (2 is)`,
  });
  assert.equal((await bed.manager.rollBack('app:/other', 1, 'abort')).ok, false);
  assert.deepEqual(await bed.manager.rollBack(URI, 2, 'rollout aborted by the admin'), { ok: true });
  await until(() => cur()?.current?.state === 'rolled-back', 600_000, 'v2 rolled back');
  assert.deepEqual(bed.asked.slice(-1), [`rollback 2 ${v2.infoHash}`]);
  assert.deepEqual(
    [cur()!.applied, cur()!.failed, cur()!.rolledBack],
    [1, undefined, 2],
    'not failed: aborted',
  );
  assert.deepEqual(await bed.manager.rollBack(URI, 2, 'again'), { ok: true }, 'idempotent');
  await until(() => true, 5000, 'idle');
  assert.equal(bed.asked.filter((a) => a.startsWith('rollback')).length, 1, 'asked once');
});

test('an abort --rollback of the applied update rolls it back; a plain abort and one for another version do not', async () => {
  bed = await makeBed();
  await bed.publish(1);
  await until(() => cur()?.current?.state === 'applied', 600_000, 'v1 applied');
  const v2 = await bed.publish(2);
  await until(() => cur()?.current?.state === 'applied' && cur()!.current!.version === 2, 600_000, 'v2');
  const control = (version: number, seq: number, rollback: boolean) =>
    signControl({ uri: URI, version, seq, action: 'abort', rollback, issued: 1_800_000_000 }, [bed!.key]);
  assert.equal((await bed.manager.submit(await control(2, 1, false), 'natm')).kind, 'control');
  assert.equal((await bed.manager.submit(await control(1, 1, true), 'natm')).kind, 'control');
  await until(() => true, 5000, 'idle');
  assert.equal(
    cur()?.current?.state,
    'applied',
    'a plain abort, or one of another version, rolls nothing back',
  );
  assert.equal((await bed.manager.submit(await control(2, 2, true), 'natm')).kind, 'control');
  await until(() => cur()?.current?.state === 'rolled-back', 600_000, 'v2 rolled back by the abort');
  assert.deepEqual(bed.asked.slice(-1), [`rollback 2 ${v2.infoHash}`]);
  assert.deepEqual([cur()!.applied, cur()!.failed, cur()!.rolledBack], [1, undefined, 2]);
  await until(() => true, 5000, 'idle');
  assert.equal(bed.asked.filter((a) => a.startsWith('rollback')).length, 1, 'asked once');
});

test('a rollback the executor refuses for good (NO_PREVIOUS) ends failed; a passing refusal is retried', async () => {
  bed = await makeBed();
  bed.sick.add(1);
  bed.setRefusal({ type: 'refused', code: 'BUSY', reason: '8 connections are served already' });
  await bed.publish(1);
  await until(() => bed!.asked.filter((a) => a.startsWith('rollback')).length === 2, 600_000, 'retried');
  assert.equal(cur()!.current!.state, 'rolling-back');
  bed.setRefusal({
    type: 'refused',
    code: 'NO_PREVIOUS',
    reason: 'app:/svc: no earlier healthy update is kept here',
  });
  await until(() => cur()?.current?.state === 'failed', 600_000, 'failed');
  assert.match(cur()!.current!.lastError ?? '', /rollback refused by the deploy executor: NO_PREVIOUS/);
  assert.deepEqual([cur()!.applied, cur()!.failed, cur()!.rolledBack], [null, 1, undefined]);
});

test('the restored version fails its health check too: rollback-unhealthy, reported, never a second rollback', async () => {
  bed = await makeBed();
  await bed.publish(1);
  await until(() => cur()?.current?.state === 'applied', 600_000, 'v1 applied');
  bed.sick.add(2);
  bed.sickRestored.add(1);
  const v2 = await bed.publish(2);
  await until(() => cur()?.current?.state === 'rollback-unhealthy', 600_000, 'v2 rollback-unhealthy');
  const r = cur()!;
  assert.deepEqual([r.applied, r.failed, r.rolledBack, r.highestAccepted], [1, 2, 2, 2]);
  assert.match(r.current!.lastError ?? '', /^ROLLBACK_UNHEALTHY: v1 restored, its health check DEPLOY_EXIT/);
  const s = natmState(bed.core.store.data);
  assert.deepEqual(s.current, { uri: URI, version: 2, state: 'rollback-unhealthy', progress: 1 });
  assert.deepEqual([s.failed, s.rolledBack], [{ [URI]: 2 }, { [URI]: 2 }]);
  // No loop: neither the driver nor the admin's rollBack asks the executor again.
  assert.deepEqual(await bed.manager.rollBack(URI, 2, 'again'), { ok: true }, 'nothing to do');
  await until(() => true, 30_000, 'idle');
  assert.deepEqual(bed.asked, ['deploy 1', 'deploy 2', `rollback 2 ${v2.infoHash}`], 'one rollback, once');
  await bed.publish(3);
  await until(() => cur()?.current?.state === 'applied' && cur()!.current!.version === 3, 600_000, 'v3');
});
