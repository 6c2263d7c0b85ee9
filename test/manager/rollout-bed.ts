/**
 * The bed of the manager's rollout tests (rollout-driver, rollout-control): the manager core
 * with a fake Transmission (every torrent complete at once), a fake deploy executor, a fake
 * natm recording relays and verdicts, and a fake clock; the store and the control book are
 * real, in a temp dir. `publish` signs version 1 of URI (with a policy, or none).
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { generateKeyPair, parsePublicKeyPem, parseSecretKeyPem } from '../../agent/lib/crypto/keys.ts';
import { createTorrentPlusPlus } from '../../agent/lib/metainfo/create.ts';
import { parseTorrentPlusPlus } from '../../agent/lib/metainfo/parse.ts';
import type { RolloutPolicy } from '../../agent/lib/rollout/policy.ts';
import { parseTags } from '../../agent/lib/rollout/tags.ts';
import { FakeClock } from '../../agent/lib/simnet/fake-clock.ts';
import type { TorrentProgress } from '../../agent/lib/transmission/progress.ts';
import { legacyRoot } from '../../agent/lib/trust/legacy.ts';
import { validateConfig } from '../../agent/manager/config.ts';
import { ControlBook } from '../../agent/manager/control-book.ts';
import type { Core } from '../../agent/manager/core.ts';
import { Manager } from '../../agent/manager/manager.ts';
import { ManagerMetrics } from '../../agent/manager/metrics.ts';
import {
  fixedTrust,
  type ExecutorPort,
  type NatmPort,
  type TransmissionPort,
} from '../../agent/manager/ports.ts';
import { RolloutGate } from '../../agent/manager/rollout-gate.ts';
import { VersionStore } from '../../agent/manager/store.ts';

export const URI = 'app:/x';
export type Bed = Awaited<ReturnType<typeof makeBed>>;

/** Every torrent added is complete at once (status 6: seeding). */
export function fakeTx(): TransmissionPort {
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

export async function makeBed(tags: string[], overlay = true) {
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
  const relays: { uri: string; version: number; id: string }[] = [];
  const verdicts: { id: string; code: string }[] = [];
  const natm: NatmPort = {
    relay: (m) => void relays.push({ uri: m.uri, version: m.version, id: m.id }),
    verdict: (m) => void verdicts.push({ id: m.id, code: m.code }),
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
  const controls = await ControlBook.open(config.stateDir);
  const gate = new RolloutGate({ tags: parseTags(config.tags), overlay, now: () => clock.now(), controls });
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
  const publish = async (policy?: RolloutPolicy): Promise<string> => {
    await mkdir(join(dir, 'src'), { recursive: true });
    await writeFile(join(dir, 'src', 'p.bin'), 'payload');
    const raw = await createTorrentPlusPlus(join(dir, 'src', 'p.bin'), {
      ...{ uri: URI, version: 1, key, now: clock.now(), ...(policy ? { rollout: policy } : {}) },
    });
    const ih = parseTorrentPlusPlus(raw).infoHash;
    await mkdir(join(dir, ih), { recursive: true });
    await writeFile(join(dir, ih, 'p.bin'), 'payload');
    assert.equal((await manager.submit(raw, 'inbox')).kind, 'accepted');
    return ih;
  };
  return { dir, clock, core, manager, gate, deploys, deployedAt, have, publish, relays, verdicts, key };
}

/** Lets `ms` of fake time pass in 10 ms steps, yielding to file I/O between steps. */
export async function idleOn(b: Bed, ms: number, stepMs = 10): Promise<void> {
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
export async function settle(pred: () => boolean, realMs: number, what: string): Promise<void> {
  const end = Date.now() + realMs;
  while (!pred()) {
    if (Date.now() > end) assert.fail(`${what}: not within ${realMs} ms with the fake clock stopped`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** Fake milliseconds until `pred` holds (10 ms steps), failing after `maxMs`. */
export async function untilOn(b: Bed, pred: () => boolean, maxMs: number, what: string): Promise<number> {
  const start = b.clock.now();
  while (!pred()) {
    if (b.clock.now() - start > maxMs) assert.fail(`${what}: not within ${maxMs} ms (fake time)`);
    await idleOn(b, 10);
  }
  return b.clock.now() - start;
}
