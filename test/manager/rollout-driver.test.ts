/**
 * Rollout gating in the manager's driver (issue 18): the manager core with a fake
 * Transmission, a fake deploy executor, a fake natm and a fake clock (the store is real, in a
 * temp dir). The fleet view is handed to the gate as natm's `members` rows would be.
 *   - a wave 2 node downloads and seeds (have complete), then waits at its gate: no deploy,
 *     status says what it waits for; once the canary wave has applied, it deploys;
 *   - a node the selector leaves out seeds and never deploys.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { generateKeyPair, parsePublicKeyPem, parseSecretKeyPem } from '../../agent/lib/crypto/keys.ts';
import { createTorrentPlusPlus } from '../../agent/lib/metainfo/create.ts';
import { parseTorrentPlusPlus } from '../../agent/lib/metainfo/parse.ts';
import { planOf } from '../../agent/lib/rollout/plan.ts';
import { PPM, type RolloutPolicy } from '../../agent/lib/rollout/policy.ts';
import { parseTags } from '../../agent/lib/rollout/tags.ts';
import { FakeClock } from '../../agent/lib/simnet/fake-clock.ts';
import type { TorrentProgress } from '../../agent/lib/transmission/progress.ts';
import { validateConfig } from '../../agent/manager/config.ts';
import type { Core } from '../../agent/manager/core.ts';
import { Manager } from '../../agent/manager/manager.ts';
import type { ExecutorPort, NatmPort, TransmissionPort } from '../../agent/manager/ports.ts';
import { ManagerMetrics } from '../../agent/manager/metrics.ts';
import { RolloutGate } from '../../agent/manager/rollout-gate.ts';
import { statusText } from '../../agent/manager/status-view.ts';
import { VersionStore } from '../../agent/manager/store.ts';
import { idsByWave } from '../rollout/fleet-fixture.ts';
import { legacyRoot } from '../../agent/lib/trust/legacy.ts';
import { fixedTrust } from '../../agent/manager/ports.ts';

const URI = 'app:/x';
/** What the update's gate waits for, as the store has it. */
const gateLine = () => bed!.core.store.uri(URI)?.current?.gate ?? '';
let bed: Awaited<ReturnType<typeof makeBed>> | null = null;

afterEach(async () => {
  await bed?.manager.stop();
  if (bed) await rm(bed.dir, { recursive: true, force: true });
  bed = null;
});

/** Every torrent added is complete at once (status 6: seeding). */
function fakeTx(): TransmissionPort {
  const dirs = new Map<string, string>();
  const get = async (h: string): Promise<TorrentProgress | null> =>
    dirs.has(h)
      ? {
          hashString: h,
          ...{ percentDone: 1, leftUntilDone: 0, status: 6, error: 0, errorString: '', corruptEver: 0 },
          ...{ uploadedEver: 0, trackers: [], downloadDir: dirs.get(h) },
        }
      : null;
  return {
    add: async (raw, d) => {
      const h = parseTorrentPlusPlus(raw).infoHash;
      const had = dirs.has(h);
      dirs.set(h, d);
      return had ? 'duplicate' : 'added';
    },
    get,
    ensureTracker: async () => undefined,
    start: async () => undefined,
    stop: async () => undefined,
    verify: async () => undefined,
    reannounce: async () => undefined,
    location: async (h) => (dirs.has(h) ? { downloadDir: dirs.get(h)!, name: 'n' } : null),
    setLocation: async (h, to) => void dirs.set(h, to),
    remove: async (h) => void dirs.delete(h),
  };
}

async function makeBed(tags: string[], overlay = true) {
  const dir = await mkdtemp(join(tmpdir(), 'p2pm-rollout-'));
  const clock = new FakeClock(1_800_000_000_000);
  const kp = await generateKeyPair();
  const deploys: number[] = [];
  const deployedAt: number[] = [];
  const have: string[] = [];
  const executor: ExecutorPort = {
    accepts: async () => ({ accepted: true, highest: null }),
    deploy: async (req, beforeSend) => {
      if (!(await beforeSend())) return null;
      deploys.push(req.version);
      deployedAt.push(clock.now());
      const { uri, version, infoHash } = req;
      return { type: 'applied', uri, version, infoHash, ran: true, durationMs: 1, output: '' };
    },
    rollback: () => Promise.reject(new Error('no rollback in this test')),
  };
  const natm: NatmPort = {
    relay: () => undefined,
    verdict: () => undefined,
    have: (h, complete) => void (complete && have.push(h)),
    state: () => undefined,
  };
  const config = validateConfig({
    trustedKeys: ['/unused.pub'],
    stateDir: join(dir, 'state'),
    inboxDir: join(dir, 'inbox'),
    transmission: { downloadDir: dir, pollMs: 100 },
    tags,
  });
  const gate = new RolloutGate({ tags: parseTags(config.tags), overlay, now: () => clock.now() });
  const core: Core = {
    ...{ store: await VersionStore.open(config.stateDir), tx: fakeTx(), natm, executor, clock },
    ...{ log: silentLogger(), config, trust: fixedTrust(legacyRoot([parsePublicKeyPem(kp.publicPem)])) },
    trackerUrl: () => 'http://127.0.0.1:1/announce',
    gate,
    metrics: new ManagerMetrics(),
  };
  const manager = new Manager(core, (e) => assert.fail(`fatal: ${String(e)}`));
  manager.start();
  const key = await parseSecretKeyPem(kp.secretPem);
  /** Signs version 1 with `policy`, its payload already in its torrent's directory. */
  const publish = async (policy: RolloutPolicy): Promise<string> => {
    await mkdir(join(dir, 'src'), { recursive: true });
    await writeFile(join(dir, 'src', 'p.bin'), 'payload');
    const raw = await createTorrentPlusPlus(join(dir, 'src', 'p.bin'), {
      ...{ uri: URI, version: 1, key, now: clock.now(), rollout: policy },
    });
    const ih = parseTorrentPlusPlus(raw).infoHash;
    await mkdir(join(dir, ih), { recursive: true });
    await writeFile(join(dir, ih, 'p.bin'), 'payload');
    assert.equal((await manager.submit(raw, 'inbox')).kind, 'accepted');
    return ih;
  };
  return { dir, clock, core, manager, gate, deploys, deployedAt, have, publish };
}

/** Lets `ms` of fake time pass in 10 ms steps, yielding to file I/O between steps. */
async function idle(ms: number, stepMs = 10): Promise<void> {
  const b = bed!;
  for (const end = b.clock.now() + ms; b.clock.now() < end;) {
    do await new Promise((r) => setImmediate(r));
    while (process.getActiveResourcesInfo().some((r) => r.startsWith('FSReq')));
    b.clock.advance(stepMs);
  }
}

/**
 * Runs the event loop without moving the fake clock until `pred` holds (at most `realMs` of
 * real time): whatever happens then was not started by a timer.
 */
async function settle(pred: () => boolean, realMs: number, what: string): Promise<void> {
  const end = Date.now() + realMs;
  while (!pred()) {
    if (Date.now() > end) assert.fail(`${what}: not within ${realMs} ms with the fake clock stopped`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** Fake milliseconds until `pred` holds (10 ms steps), failing after `maxMs`. */
async function until(pred: () => boolean, maxMs: number, what: string): Promise<number> {
  const start = bed!.clock.now();
  while (!pred()) {
    if (bed!.clock.now() - start > maxMs) assert.fail(`${what}: not within ${maxMs} ms (fake time)`);
    await idle(10);
  }
  return bed!.clock.now() - start;
}

const policyAt = (issued: number, gate = 900_000, grace = 600): RolloutPolicy => ({
  issued,
  target: 'ring in (canary,main)',
  waves: [
    { fraction: 100_000, start: 0 },
    { fraction: PPM, start: 60, gate },
  ],
  errorThreshold: 100_000,
  grace,
  quorum: 500_000,
});

/** natm's members rows: `self` deploying, the canary wave as given. */
function rows(self: string, canary: readonly string[], applied: number) {
  const row = (id: string, done: boolean) => ({
    ...{ id, status: 'alive', stateSeq: 1, signed: true, tags: 'ring=canary' },
    ...{
      applied: done ? { [URI]: 1 } : {},
      current: done ? null : { uri: URI, version: 1, state: 'deploying' },
    },
  });
  return [{ ...row(self, false), tags: 'ring=main' }, ...canary.map((id, i) => row(id, i < applied))];
}

test('a wave 2 node seeds at once, waits at its gate (status says why), and deploys once the canary applied', async () => {
  bed = await makeBed(['ring=main']);
  const policy = policyAt(Math.floor(bed.clock.now() / 1000));
  const [canary, wave2] = idsByWave(planOf(URI, 1, policy), 10) as [string[], string[]];
  const self = wave2[0]!;
  bed.gate.onMembers({ nodeId: self, members: rows(self, canary, 0) });
  const ih = await bed.publish(policy);
  // Fake time only moves on once the driver waits at its gate (nothing real is then in flight).
  await until(() => gateLine().startsWith('waiting for wave 2 gate'), 600_000, 'held at the wave 2 gate');
  await idle(60_000, 100);
  assert.deepEqual(bed.deploys, [], 'nothing deployed while the canary has not applied');
  assert.deepEqual(bed.have, [ih], 'downloaded and told natm it holds it (seeding)');
  const c = bed.core.store.uri(URI)!.current!;
  assert.equal(c.state, 'deploying');
  assert.match(c.gate ?? '', /^waiting for wave 2 gate \(0\/10 succeeded\)/);
  assert.match(statusText(bed.core.store.data), /\n {4}rollout: waiting for wave 2 gate \(0\/10 succeeded\)/);

  if (bed.gate.onMembers({ nodeId: self, members: rows(self, canary, 8) })) bed.manager.kickAll();
  await settle(
    () => gateLine().includes('(8/10 succeeded)'),
    20_000,
    'the gate re-judged on the fleet change',
  );
  await idle(10_000, 100);
  assert.deepEqual(bed.deploys, [], '8 of 10 is below the 90% gate');
  assert.match(bed.core.store.uri(URI)!.current!.gate ?? '', /\(8\/10 succeeded\)/);

  if (bed.gate.onMembers({ nodeId: self, members: rows(self, canary, 9) })) bed.manager.kickAll();
  // The fake clock stands still: no re-check timer can fire, so only the fleet change can deploy it.
  await settle(() => bed!.deploys.length > 0, 20_000, 'deployed on the fleet change');
  assert.deepEqual(bed.deploys, [1]);
  await until(() => bed!.core.store.uri(URI)!.current!.state === 'applied', 600_000, 'applied');
  assert.equal(bed.core.store.uri(URI)!.current!.state, 'applied');
  assert.equal(bed.core.store.uri(URI)!.current!.gate, null);
});

test('a wave 2 node whose gate opens by time (grace over, quorum met) deploys on the timer, no fleet change needed', async () => {
  bed = await makeBed(['ring=main']);
  const policy = policyAt(Math.floor(bed.clock.now() / 1000), 950_000, 3600);
  const graceOver = (policy.issued + 60 + 3600) * 1000;
  const [canary, wave2] = idsByWave(planOf(URI, 1, policy), 10) as [string[], string[]];
  const self = wave2[0]!;
  // 9 canaries applied, the 10th silent (a member without a record): below 95% of 10 until grace.
  const members = [...rows(self, canary.slice(0, 9), 9), { id: canary[9], status: 'alive', stateSeq: null }];
  bed.gate.onMembers({ nodeId: self, members });
  await bed.publish(policy);
  await until(() => gateLine().startsWith('waiting for wave 2 gate'), 600_000, 'held at the wave 2 gate');
  await idle(graceOver - 1000 - bed.clock.now(), 100);
  assert.deepEqual(bed.deploys, []);
  assert.match(
    bed.core.store.uri(URI)!.current!.gate ?? '',
    /\(9\/10 succeeded\).*1 not seen, 0 lost count as not applied until/,
  );
  await until(() => bed!.deploys.length > 0, 600_000, 'deployed after grace');
  assert.ok(
    bed.deployedAt[0]! >= graceOver,
    `deployed ${graceOver - bed.deployedAt[0]!} ms before start + grace`,
  );
});

test('a node the selector leaves out seeds and never deploys', async () => {
  bed = await makeBed(['ring=lab']);
  const policy = policyAt(Math.floor(bed.clock.now() / 1000));
  const [canary] = idsByWave(planOf(URI, 1, policy), 10) as [string[]];
  const self = canary[0]!;
  bed.gate.onMembers({ nodeId: self, members: rows(self, canary.slice(1), 9) });
  const ih = await bed.publish(policy);
  await until(() => gateLine().startsWith('waiting: not targeted'), 600_000, 'held: not targeted');
  await idle(15 * 60_000, 100);
  assert.deepEqual(bed.deploys, []);
  assert.deepEqual(bed.have, [ih]);
  assert.match(
    bed.core.store.uri(URI)!.current!.gate ?? '',
    /^waiting: not targeted: tags "ring=lab" do not match/,
  );
});
