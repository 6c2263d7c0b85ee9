/**
 * One test per attack on the root of trust (docs/security.md §TUF and Uptane threats),
 * against the pure verifier: real keys, real roots and torrents, altered the way an
 * attacker would; each must be refused with its code.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MetadataError, type MetadataCode } from '../../agent/lib/common/errors.ts';
import { addSignature } from '../../agent/lib/metainfo/cosign.ts';
import { advance, walkAnchor } from '../../agent/lib/trust/advance.ts';
import { checkCeiling } from '../../agent/lib/trust/ceiling.ts';
import { parseChain } from '../../agent/lib/trust/chain.ts';
import { legacyRoot } from '../../agent/lib/trust/legacy.ts';
import type { SignedRoot } from '../../agent/lib/trust/model.ts';
import { parseRoot } from '../../agent/lib/trust/parse-root.ts';
import { verifyUpdate } from '../../agent/lib/trust/verify-update.ts';
import { edit } from '../helpers/bencode-edit.ts';
import { makeAdmin, makeTorrent, tempDir, type Admin } from '../helpers/fixtures.ts';
import { chainOf, DAY_S, makeRoot, type RootSpec } from '../helpers/roots.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const NOW_S = NOW / 1000;
const TOP = Number.MAX_SAFE_INTEGER; // 2^53 − 1

const refused = (code: MetadataCode) => (e: unknown) => {
  assert.ok(e instanceof MetadataError, String(e));
  assert.equal(e.code, code, e.message);
  return true;
};

describe('root of trust refuses every attack', () => {
  let r: Admin[]; // root keys of v1
  let u: Admin[]; // update keys of v1
  let n: Admin[]; // root and update keys of v2 (after a compromise)
  let v1: SignedRoot;
  let spec1: RootSpec;
  let spec2: RootSpec;
  let v2: SignedRoot;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  /** A torrent of version `version` signed by `by` (first creates, the rest add signatures). */
  const torrent = async (by: Admin[], version = 8, uri = 'app:/opt/demo'): Promise<Uint8Array> => {
    let t = (await makeTorrent(dir.path, by[0]!, { version, uri, now: NOW, file: `t${version}.bin` })).bytes;
    for (const a of by.slice(1)) t = await addSignature(t, a.secret);
    return t;
  };

  before(async () => {
    const keys = await Promise.all(Array.from({ length: 10 }, () => makeAdmin()));
    r = keys.slice(0, 3);
    u = keys.slice(3, 6);
    n = keys.slice(6, 10);
    dir = await tempDir();
    const versions = [
      { prefix: '', maxJump: 1000, maxVersion: 2 ** 32 - 1 },
      { prefix: 'time:', maxAheadS: DAY_S },
    ];
    spec1 = {
      version: 1,
      rootKeys: r,
      rootThreshold: 2,
      updateKeys: u,
      threshold: 2,
      expires: NOW_S + 365 * DAY_S,
      versions,
    };
    v1 = await makeRoot(spec1, [r[0]!, r[1]!]);
    // v2 retires r[2] and u[0] (say they leaked): new root keys n0, n1; update keys u1, u2, n2.
    spec2 = { ...spec1, version: 2, rootKeys: [n[0]!, n[1]!], updateKeys: [u[1]!, u[2]!, n[2]!] };
    v2 = await makeRoot(spec2, [r[0]!, r[1]!, n[0]!, n[1]!]);
  });
  after(() => dir.cleanup());

  it('accepts an update signed by 2 of 3 update keys, and names both signers', async () => {
    const up = await verifyUpdate(await torrent([u[0]!, u[1]!]), v1.body, NOW);
    assert.deepEqual([...up.signers].sort(), [u[0]!.pub.keyId, u[1]!.pub.keyId].sort());
  });

  it('a leaked single update key signs an update: refused under k = 2 (THRESHOLD)', async () => {
    await assert.rejects(verifyUpdate(await torrent([u[0]!]), v1.body, NOW), refused('THRESHOLD'));
  });

  it('the same signature under a second signer name does not count twice', async () => {
    const t = await torrent([u[0]!]);
    const kid0 = u[0]!.pub.keyId;
    const kid1 = u[1]!.pub.keyId;
    // Copied as it is: the entry's signed kid is not its name (MALFORMED)...
    const copied = edit(t, (top) => (top['signatures'][kid1] = top['signatures'][kid0]));
    await assert.rejects(verifyUpdate(copied, v1.body, NOW), refused('MALFORMED'));
    // ... renamed inside too: the signature does not cover the new kid (BAD_SIGNATURE).
    const renamed = edit(t, (top) => {
      const e = structuredClone(top['signatures'][kid0]);
      e['info']['kid'] = Buffer.from(kid1);
      top['signatures'][kid1] = e;
    });
    await assert.rejects(verifyUpdate(renamed, v1.body, NOW), refused('BAD_SIGNATURE'));
    // And one signer twice in the dict is not canonical bencode.
    const s = Buffer.from(t).toString('latin1');
    const entry = s.slice(s.indexOf(`16:${kid0}`), s.length - 2);
    const twice = Buffer.from(s.slice(0, s.length - 2) + entry + 'ee', 'latin1');
    await assert.rejects(verifyUpdate(twice, v1.body, NOW), refused('MALFORMED'));
  });

  it('a root listing one key twice in a role is refused (one key, one vote)', () => {
    const twice = edit(v1.raw, (top) => {
      const keys = top['signed']['update']['keys'];
      keys.push(keys[0]);
      keys.sort(); // a list keeps its order; sorted or not, the duplicate is refused
    });
    assert.throws(() => parseRoot(twice), refused('MALFORMED'));
  });

  it('mix-and-match: signatures of two different signed facts do not add up to the threshold', async () => {
    // Two real updates over the same file (same info dict): version 8 by u0, version 9 by u1.
    const a = (await makeTorrent(dir.path, u[0]!, { version: 8, now: NOW, file: 'mm.bin' })).bytes;
    const b = (await makeTorrent(dir.path, u[1]!, { version: 9, now: NOW, file: 'mm.bin' })).bytes;
    let entry: unknown;
    edit(b, (top) => (entry = top['signatures'][u[1]!.pub.keyId]));
    const mixed = edit(a, (top) => (top['signatures'][u[1]!.pub.keyId] = entry));
    await assert.rejects(verifyUpdate(mixed, v1.body, NOW), refused('THRESHOLD'));
    // Each grafted signature is valid on its own (1 of n would see two conflicting updates).
    const one = legacyRoot([u[0]!.pub, u[1]!.pub]);
    await assert.rejects(verifyUpdate(mixed, one.body, NOW), refused('BAD_SIGNATURE'));
  });

  it('root keys are not update keys: 2 root keys sign an update → UNKNOWN_SIGNER', async () => {
    await assert.rejects(
      verifyUpdate(await torrent([r[0]!, r[1]!]), v1.body, NOW),
      refused('UNKNOWN_SIGNER'),
    );
  });

  it('a leaked key signs version 2^53 − 1: above the ceiling (FAST_FORWARD), with or without a record', () => {
    for (const highest of [7, undefined])
      assert.throws(
        () => checkCeiling(v1.body, { uri: 'app:/opt/demo', version: TOP }, highest, NOW),
        refused('FAST_FORWARD'),
      );
    assert.throws(
      () => checkCeiling(v1.body, { uri: 'app:/opt/demo', version: 1008 }, 7, NOW),
      refused('FAST_FORWARD'),
    );
    checkCeiling(v1.body, { uri: 'app:/opt/demo', version: 1007 }, 7, NOW);
    checkCeiling(v1.body, { uri: 'app:/opt/demo', version: 2 ** 32 - 1 }, undefined, NOW); // a late joiner
  });

  it('timestamp versions: at most max ahead of the clock, whatever the record', () => {
    const uri = 'time:/etc/motd';
    checkCeiling(v1.body, { uri, version: NOW_S + 3600 }, NOW_S - 90 * DAY_S, NOW);
    assert.throws(
      () => checkCeiling(v1.body, { uri, version: NOW_S + 2 * DAY_S }, undefined, NOW),
      refused('FAST_FORWARD'),
    );
    assert.throws(() => checkCeiling(v1.body, { uri, version: TOP }, NOW_S, NOW), refused('FAST_FORWARD'));
  });

  it('an anchor not signed by its own root threshold is refused', async () => {
    const half = await makeRoot(spec1, [r[0]!]);
    await assert.rejects(walkAnchor([half]), refused('THRESHOLD'));
    assert.equal((await walkAnchor([v1])).body.version, 1);
  });

  it('rotation: v2 signed by the old threshold and its own is accepted', async () => {
    const a = await advance(v1, parseChain(chainOf(v1, v2)));
    assert.equal(a.root.body.version, 2);
    assert.deepEqual(
      a.accepted.map((x) => x.body.version),
      [2],
    );
  });

  it('a rotation signed only by the new keys is refused (THRESHOLD)', async () => {
    const forged = await makeRoot(spec2, [n[0]!, n[1]!]);
    await assert.rejects(advance(v1, [forged]), refused('THRESHOLD'));
  });

  it('a rotation signed only by the old keys is refused (THRESHOLD: the new keys must sign too)', async () => {
    const half = await makeRoot(spec2, [r[0]!, r[1]!, n[0]!]);
    await assert.rejects(advance(v1, [half]), refused('THRESHOLD'));
  });

  it('one leaked old root key cannot rotate (1 of 2 old signatures)', async () => {
    const evil = { ...spec2, rootKeys: [n[3]!], rootThreshold: 1 };
    await assert.rejects(advance(v1, [await makeRoot(evil, [r[2]!, n[3]!])]), refused('THRESHOLD'));
  });

  it('an old root replayed after rotation is refused (ROOT_ROLLBACK); the same root again changes nothing', async () => {
    await assert.rejects(advance(v2, [v1]), refused('ROOT_ROLLBACK'));
    const again = await advance(v2, parseChain(chainOf(v1, v2)));
    assert.equal(again.accepted.length, 0);
    const other = await makeRoot({ ...spec2, expires: spec2.expires + 1 }, [r[0]!, r[1]!, n[0]!, n[1]!]);
    await assert.rejects(advance(v2, [other]), refused('ROOT_ROLLBACK'));
  });

  it('a chain that skips a version is refused (ROOT_GAP); the full chain walks every step', async () => {
    const spec3 = { ...spec2, version: 3 };
    const v3 = await makeRoot(spec3, [n[0]!, n[1]!]);
    await assert.rejects(advance(v1, [v3]), refused('ROOT_GAP'));
    assert.equal((await advance(v1, parseChain(chainOf(v1, v2, v3)))).root.body.version, 3);
  });

  it('mix-and-match: signatures copied from another root verify nothing', async () => {
    const sigs = Object.fromEntries([...v1.signatures].map(([k, s]) => [k, Buffer.from(s)]));
    const unsigned = await makeRoot(spec2, [n[0]!, n[1]!]);
    const grafted = edit(unsigned.raw, (top) => Object.assign(top['signatures'], sigs));
    await assert.rejects(advance(v1, [parseRoot(grafted)]), refused('THRESHOLD'));
  });

  it('after rotation, the retired update key and the retired root key count for nothing', async () => {
    await assert.rejects(verifyUpdate(await torrent([u[0]!, u[1]!]), v2.body, NOW), refused('THRESHOLD'));
    await verifyUpdate(await torrent([u[1]!, n[2]!]), v2.body, NOW);
  });

  it('an expired root takes no update (ROOT_EXPIRED), but still hands over to its successor', async () => {
    const late = (spec1.expires + 1) * 1000;
    const t = await torrent([u[1]!, u[2]!]);
    await assert.rejects(verifyUpdate(t, v1.body, late), refused('ROOT_EXPIRED'));
    const fresh = { ...spec2, expires: spec1.expires + 365 * DAY_S };
    const next = await advance(v1, [await makeRoot(fresh, [r[0]!, r[1]!, n[0]!, n[1]!])]);
    await verifyUpdate(t, next.root.body, late);
  });

  it('plain trusted keys (no root): 1 of n as before; one of them may hand over to root version 1, for good', async () => {
    const legacy = legacyRoot([u[0]!.pub, u[1]!.pub]);
    await verifyUpdate(await torrent([u[0]!]), legacy.body, NOW);
    const first = await makeRoot(spec1, [u[0]!, r[0]!, r[1]!]);
    const a = await advance(legacy, [first]);
    assert.equal(a.root.body.version, 1);
    await assert.rejects(verifyUpdate(await torrent([u[0]!]), a.root.body, NOW), refused('THRESHOLD'));
    await assert.rejects(
      advance(legacy, [await makeRoot(spec1, [n[3]!, r[0]!, r[1]!])]),
      refused('THRESHOLD'),
    );
  });
});
