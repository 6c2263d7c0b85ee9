/**
 * The manager's acceptance path under a root of trust (agent/manager/trust-state.ts,
 * intake.ts, intake-root.ts): the real TrustState over an anchor file and stateDir, the
 * real store and Manager.submit, natm faked to record relays and verdicts. One test per
 * attack: one leaked key, fast-forward, a rotation by the new keys only, an old root
 * replayed, a tampered persisted chain.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { systemClock } from '../../agent/lib/common/clock.ts';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { addSignature } from '../../agent/lib/metainfo/cosign.ts';
import { parseChain } from '../../agent/lib/trust/chain.ts';
import type { SignedRoot } from '../../agent/lib/trust/model.ts';
import { ROOT_URI } from '../../agent/lib/trust/root-uri.ts';
import { validateConfig } from '../../agent/manager/config.ts';
import type { Core } from '../../agent/manager/core.ts';
import type { Outcome } from '../../agent/manager/intake.ts';
import { Inbox } from '../../agent/manager/inbox.ts';
import { Manager } from '../../agent/manager/manager.ts';
import { ManagerMetrics } from '../../agent/manager/metrics.ts';
import { RolloutGate } from '../../agent/manager/rollout-gate.ts';
import { NO_NATM, type NatmPort, type TransmissionPort } from '../../agent/manager/ports.ts';
import { VersionStore } from '../../agent/manager/store.ts';
import { rootChainPath, TrustState } from '../../agent/manager/trust-state.ts';
import { makeAdmin, makeTorrent, tempDir, type Admin } from '../helpers/fixtures.ts';
import { chainOf, DAY_S, makeRoot, type RootSpec } from '../helpers/roots.ts';

const NOW_S = Math.floor(Date.now() / 1000);
const TOP = Number.MAX_SAFE_INTEGER;

describe('manager intake under a root of trust', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let k: Admin[];
  let spec1: RootSpec;
  let spec2: RootSpec;
  let v1: SignedRoot;
  let v2: SignedRoot;
  let relays: { uri: string; version: number }[];
  let verdicts: string[];
  const p = (f: string) => join(dir.path, f);
  const config = (anchor: object) =>
    validateConfig({
      ...anchor,
      stateDir: p('state'),
      inboxDir: p('inbox'),
      transmission: { downloadDir: p('dl') },
    });
  const managerOf = async (anchor: object): Promise<{ m: Manager; core: Core }> => {
    const c = config(anchor);
    const natm: NatmPort = {
      ...NO_NATM,
      relay: (m) => void relays.push({ uri: m.uri, version: m.version }),
      verdict: (m) => void verdicts.push(m.code),
    };
    const core: Core = {
      store: await VersionStore.open(c.stateDir),
      tx: {} as TransmissionPort, // never reached: the manager is not started
      natm,
      executor: {
        // A deployer for app:/ and, to show the reserved URI is refused anyway, p2p-update:.
        accepts: (uri) =>
          Promise.resolve({
            accepted: uri.startsWith('app:/') || uri.startsWith('p2p-update:'),
            highest: null,
          }),
        deploy: () => Promise.reject(new Error('no deploy here')),
        rollback: () => Promise.reject(new Error('no rollback here')),
      },
      clock: systemClock,
      log: silentLogger(),
      config: c,
      trust: await TrustState.open(c),
      metrics: new ManagerMetrics(),
      trackerUrl: () => 'http://127.0.0.1:1/announce',
      gate: new RolloutGate({ tags: new Map(), overlay: false, now: () => Date.now() }),
    };
    return { m: new Manager(core, () => undefined), core };
  };
  const torrent = async (by: Admin[], version: number, uri = 'app:/demo') => {
    let t = (await makeTorrent(dir.path, by[0]!, { version, uri, file: `p${version}.bin` })).bytes;
    for (const a of by.slice(1)) t = await addSignature(t, a.secret);
    return t;
  };
  const code = (o: Outcome) => (o.kind === 'refused' ? o.code : o.kind);

  beforeEach(async () => {
    dir = await tempDir();
    k = await Promise.all(Array.from({ length: 7 }, () => makeAdmin()));
    relays = [];
    verdicts = [];
    const versions = [{ prefix: 'app:/', maxJump: 100 }];
    spec1 = {
      version: 1,
      rootKeys: [k[0]!, k[1]!],
      rootThreshold: 2,
      updateKeys: [k[2]!, k[3]!, k[4]!],
      threshold: 2,
      expires: NOW_S + 30 * DAY_S,
      versions,
    };
    spec2 = { ...spec1, version: 2, rootKeys: [k[5]!], rootThreshold: 1, updateKeys: [k[3]!, k[4]!, k[6]!] };
    v1 = await makeRoot(spec1, [k[0]!, k[1]!]);
    v2 = await makeRoot(spec2, [k[0]!, k[1]!, k[5]!]);
    await writeFile(p('fleet.root'), chainOf(v1));
  });
  afterEach(() => dir.cleanup());

  it('one leaked update key: refused THRESHOLD, recorded, told to natm; two keys: accepted', async () => {
    const { m, core } = await managerOf({ root: p('fleet.root') });
    assert.equal(code(await m.submit(await torrent([k[2]!], 5), 'natm')), 'THRESHOLD');
    assert.deepEqual(verdicts, ['THRESHOLD']);
    assert.equal(core.store.data.refusals[0]?.code, 'THRESHOLD');
    assert.equal(code(await m.submit(await torrent([k[2]!, k[3]!], 5), 'natm')), 'accepted');
    assert.equal(core.store.uri('app:/demo')?.highestAccepted, 5);
  });

  it('fast-forward: version 2^53 − 1 with two keys is refused above highest + max jump; within it is taken', async () => {
    const { m, core } = await managerOf({ root: p('fleet.root') });
    await m.submit(await torrent([k[2]!, k[3]!], 5), 'inbox');
    assert.equal(code(await m.submit(await torrent([k[2]!, k[3]!], TOP), 'natm')), 'FAST_FORWARD');
    assert.equal(code(await m.submit(await torrent([k[2]!, k[3]!], 106), 'natm')), 'FAST_FORWARD');
    assert.equal(core.store.uri('app:/demo')?.highestAccepted, 5, 'the floor did not move');
    assert.equal(code(await m.submit(await torrent([k[2]!, k[3]!], 105), 'natm')), 'accepted');
  });

  it('a root chain is taken, persisted and relayed; the retired key then counts for nothing; an old root is refused', async () => {
    const { m, core } = await managerOf({ root: p('fleet.root') });
    const o = await m.submit(chainOf(v1, v2), 'natm');
    assert.deepEqual(o.kind === 'root' && [o.version, o.fresh], [2, true]);
    assert.deepEqual(relays, [{ uri: ROOT_URI, version: 2 }]);
    assert.equal(core.trust.root.body.version, 2);
    assert.equal(code(await m.submit(await torrent([k[2]!, k[3]!], 5), 'natm')), 'THRESHOLD');
    assert.equal(code(await m.submit(await torrent([k[3]!, k[6]!], 5), 'natm')), 'accepted');
    assert.equal(code(await m.submit(chainOf(v1), 'natm')), 'ROOT_ROLLBACK');
    const again = await m.submit(chainOf(v1, v2), 'natm');
    assert.deepEqual(again.kind === 'root' && again.fresh, false);
    assert.equal(relays.filter((r) => r.uri === ROOT_URI).length, 1, 'the root chain relayed once');
    assert.equal(core.trust.keptPath, rootChainPath(core.config.stateDir), 'handed to the executor');
    // A restart resumes version 2 from stateDir/root.chain.
    const resumed = await TrustState.open(config({ root: p('fleet.root') }));
    assert.deepEqual([resumed.root.body.version, resumed.keptPath], [2, rootChainPath(core.config.stateDir)]);
  });

  it('a rotation signed only by the new root keys is refused THRESHOLD; nothing kept or relayed', async () => {
    const { m, core } = await managerOf({ root: p('fleet.root') });
    assert.equal(code(await m.submit(chainOf(v1, await makeRoot(spec2, [k[5]!])), 'natm')), 'THRESHOLD');
    assert.deepEqual(verdicts, ['THRESHOLD']);
    assert.deepEqual(relays, []);
    assert.equal(core.trust.root.body.version, 1);
    assert.equal(core.store.data.refusals[0]?.uri, ROOT_URI);
  });

  it('under an expired root an update is refused ROOT_EXPIRED without a verdict, so natm may offer it again', async () => {
    const stale = await makeRoot({ ...spec1, expires: NOW_S - 60 }, [k[0]!, k[1]!]);
    await writeFile(p('fleet.root'), chainOf(stale));
    const { m } = await managerOf({ root: p('fleet.root') });
    assert.equal(code(await m.submit(await torrent([k[2]!, k[3]!], 5), 'natm')), 'ROOT_EXPIRED');
    assert.equal(code(await m.submit(await torrent([k[2]!], 6), 'natm')), 'ROOT_EXPIRED');
    assert.deepEqual(verdicts, []);
  });

  it("an update may not use the root chains' URI", async () => {
    const { m } = await managerOf({ root: p('fleet.root') });
    assert.equal(
      code(await m.submit(await torrent([k[2]!, k[3]!], 3, ROOT_URI), 'natm')),
      'URI_NOT_ACCEPTED',
    );
  });

  it('start-up: a tampered or unreachable persisted chain stops it; a newer anchor wins', async () => {
    const c = config({ root: p('fleet.root') });
    const { m } = await managerOf({ root: p('fleet.root') });
    await m.submit(chainOf(v1, v2), 'inbox');
    const forged = await makeRoot({ ...spec2, version: 3 }, [k[6]!]);
    await writeFile(rootChainPath(c.stateDir), chainOf(v2, forged));
    await assert.rejects(TrustState.open(c), /THRESHOLD.*refusing to start/);
    // A root signed only by itself, written into stateDir: it does not walk from the anchor.
    const self = await makeRoot({ ...spec1, version: 9, rootKeys: [k[6]!], rootThreshold: 1 }, [k[6]!]);
    await writeFile(rootChainPath(c.stateDir), chainOf(self));
    await assert.rejects(TrustState.open(c), /ROOT_GAP|lacks version 2/);
    const v3 = await makeRoot({ ...spec2, version: 3 }, [k[5]!]);
    await writeFile(rootChainPath(c.stateDir), chainOf(v2));
    await writeFile(p('fleet.root'), chainOf(v1, v2, v3)); // re-installed with a newer anchor
    const t = await TrustState.open(c);
    assert.equal(t.root.body.version, 3);
    assert.equal(t.keptPath, null, 'the older persisted chain is not handed to the executor');
  });

  it('keeps and spreads only verified roots: a chain padded with a forged old root is stored without it', async () => {
    const { m, core } = await managerOf({ root: p('fleet.root') });
    const forged1 = await makeRoot({ ...spec1, expires: spec1.expires + 1 }, [k[6]!]);
    const o = await m.submit(chainOf(forged1, v2), 'natm');
    assert.equal(o.kind, 'root');
    const kept = parseChain(core.trust.chain!);
    assert.deepEqual(
      kept.map((r) => Buffer.from(r.raw).equals(Buffer.from(r.body.version === 1 ? v1.raw : v2.raw))),
      [true, true],
    );
  });

  it('the inbox takes X.root like X.torrent: a newer chain is trusted and removed, a refused one kept in refused/', async () => {
    const { m, core } = await managerOf({ root: p('fleet.root') });
    await mkdir(p('inbox'), { recursive: true });
    const inbox = new Inbox(
      {
        submit: (raw, payload) => m.submit(raw, 'inbox', payload),
        awaiting: async () => [],
        log: silentLogger(),
      },
      { dir: p('inbox'), settleMs: 50, incompleteMs: 60_000 },
    );
    await inbox.start();
    try {
      await writeFile(p('inbox/bad.root'), chainOf(v1, await makeRoot(spec2, [k[5]!])));
      await writeFile(p('inbox/fleet.root'), chainOf(v1, v2));
      for (let i = 0; i < 600 && (await readdir(p('inbox'))).some((f) => f.endsWith('.root')); i++)
        await delay(50);
      await inbox.settled();
      assert.equal(core.trust.root.body.version, 2);
      assert.deepEqual((await readdir(p('inbox'))).sort(), ['refused']);
      assert.match(await readFile(p('inbox/refused/bad.root.reason'), 'utf8'), /^THRESHOLD: /);
    } finally {
      await inbox.stop();
    }
  });

  it('plain trustedKeys: one key is enough (as before); root version 1 signed by one of them takes over', async () => {
    await writeFile(p('k2.pub'), k[2]!.publicPem);
    const { m, core } = await managerOf({ trustedKeys: [p('k2.pub')] });
    assert.equal(code(await m.submit(await torrent([k[2]!], 5), 'natm')), 'accepted');
    const first = await makeRoot(spec1, [k[2]!, k[0]!, k[1]!]);
    const o = await m.submit(chainOf(first), 'inbox');
    assert.equal(o.kind, 'root');
    assert.equal(core.trust.root.body.version, 1);
    assert.equal(code(await m.submit(await torrent([k[2]!], 6), 'natm')), 'THRESHOLD');
    assert.deepEqual(relays.at(-1), { uri: ROOT_URI, version: 1 });
  });
});
