/**
 * The root document and chain formats (docs/protocol/root.md): what is written reads
 * back the same; every bound and malformation is refused with its code; the largest
 * root the bounds allow passes them.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { MetadataError, type MetadataCode } from '../../agent/lib/common/errors.ts';
import { encode } from '../../agent/lib/metainfo/bencode-strict.ts';
import { signRoot, unsignedRoot } from '../../agent/lib/trust/build-root.ts';
import { isRootChain, parseChain } from '../../agent/lib/trust/chain.ts';
import { ROOT_LIMITS } from '../../agent/lib/trust/limits.ts';
import { parseRoot } from '../../agent/lib/trust/parse-root.ts';
import { edit, type AnyDict } from '../helpers/bencode-edit.ts';
import { makeAdmin, type Admin } from '../helpers/fixtures.ts';
import { body, chainOf, makeRoot, type RootSpec } from '../helpers/roots.ts';

const refused = (code: MetadataCode, re?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof MetadataError, String(e));
  assert.equal(e.code, code, e.message);
  if (re) assert.match(e.message, re);
  return true;
};

describe('root document and chain format', () => {
  let keys: Admin[];
  let spec: RootSpec;

  before(async () => {
    keys = await Promise.all(Array.from({ length: ROOT_LIMITS.maxKeys + 1 }, () => makeAdmin()));
    spec = {
      version: 1,
      rootKeys: keys.slice(0, 2),
      rootThreshold: 2,
      updateKeys: keys.slice(2, 5),
      threshold: 2,
      expires: 1_900_000_000,
      versions: [{ prefix: 'app:', maxJump: 10, maxVersion: 1000 }],
    };
  });

  it('reads back what it writes; signing keeps the signed bytes', async () => {
    const r = unsignedRoot(body(spec));
    assert.equal(r.body.version, 1);
    assert.deepEqual(
      r.body.update.keyIds,
      spec.updateKeys.map((a) => a.pub.keyId),
    );
    assert.deepEqual(r.body.versions, spec.versions);
    const s = await signRoot(r, keys[0]!.secret);
    assert.deepEqual(s.bodyBytes, r.bodyBytes);
    assert.equal(s.signatures.size, 1);
    assert.deepEqual(parseRoot(s.raw), s);
  });

  it('refuses unknown keys, a wrong type, a key under another id, an unknown or absent role key, bad thresholds', async () => {
    const r = (await makeRoot(spec, [])).raw;
    const cases: [string, (t: AnyDict) => void, RegExp][] = [
      ['unknown key', (t) => (t['signed']['delegations'] = 1), /unknown key "delegations"/],
      ['type', (t) => (t['signed']['type'] = Buffer.from('torrent')), /type: expected "p2p-update-root"/],
      [
        'key id',
        (t) => {
          const k = t['signed']['keys'];
          const [a, b] = Object.keys(k);
          [k[a!], k[b!]] = [k[b!], k[a!]];
        },
        /is not the key's/,
      ],
      [
        'role key',
        (t) => (t['signed']['root']['keys'] = [Buffer.from('0123456789abcdef')]),
        /not among the root's keys/,
      ],
      ['empty role', (t) => (t['signed']['update']['keys'] = []), /at least one key id/],
      [
        'threshold 0',
        (t) => (t['signed']['update']['threshold'] = 0),
        /threshold: expected an integer in \[1, 3\]/,
      ],
      [
        'threshold > n',
        (t) => (t['signed']['root']['threshold'] = 3),
        /threshold: expected an integer in \[1, 2\]/,
      ],
      ['version 0', (t) => (t['signed']['version'] = 0), /version/],
      ['no expiry', (t) => delete t['signed']['expires'], /expires/],
      ['empty rule', (t) => (t['signed']['versions'] = [{ prefix: Buffer.from('x:') }]), /at least one of/],
      ['duplicate prefix', (t) => t['signed']['versions'].push(t['signed']['versions'][0]), /listed twice/],
      ['short signature', (t) => (t['signatures']['0123456789abcdef'] = Buffer.alloc(63)), /64 bytes/],
    ];
    for (const [what, change, re] of cases)
      assert.throws(() => parseRoot(edit(r, change)), refused('MALFORMED', re), what);
  });

  it('refuses an update threshold above the 8 signers a torrent-file++ can carry', () => {
    const nine = { ...spec, updateKeys: keys.slice(2, 12), threshold: 9 };
    assert.throws(
      () => unsignedRoot(body(nine)),
      refused('MALFORMED', /threshold: expected an integer in \[1, 8\]/),
    );
    assert.equal(unsignedRoot(body({ ...nine, threshold: 8 })).body.update.threshold, 8);
  });

  it('refuses more keys than the bound, before it checks a signature', () => {
    const many = { ...spec, updateKeys: keys.slice(0, ROOT_LIMITS.maxKeys + 1) };
    assert.throws(
      () => unsignedRoot(body(many)),
      (e: unknown) => e instanceof MetadataError,
    );
  });

  it('the largest root the bounds allow passes them: 16 keys, 32 signatures, 16 rules of 256-byte prefixes', async () => {
    const big: RootSpec = {
      ...spec,
      rootKeys: keys.slice(0, 8),
      updateKeys: keys.slice(8, 16),
      versions: Array.from({ length: ROOT_LIMITS.maxRules }, (_, i) => ({
        prefix: `app:${String(i).padStart(2, '0')}`.padEnd(ROOT_LIMITS.maxPrefixBytes, 'x'),
        maxJump: 2 ** 40,
        maxVersion: Number.MAX_SAFE_INTEGER,
        maxAheadS: 2 ** 40,
      })),
    };
    let r = await makeRoot(big, keys.slice(0, 16));
    const sigs = Object.fromEntries(
      Array.from({ length: ROOT_LIMITS.maxSignatures }, (_, i) => [
        i.toString(16).padStart(16, '0'),
        Buffer.alloc(64, i),
      ]),
    );
    r = parseRoot(edit(r.raw, (t) => (t['signatures'] = sigs)));
    assert.equal(r.signatures.size, ROOT_LIMITS.maxSignatures);
    assert.ok(r.raw.length < ROOT_LIMITS.maxRootBytes, `${r.raw.length} bytes`);
    const over = edit(r.raw, (t) => (t['signatures']['ffffffffffffffff'] = Buffer.alloc(64)));
    assert.throws(() => parseRoot(over), refused('TOO_LARGE'));
  });

  it('refuses an oversized root and a decoding bomb before decoding them', () => {
    assert.throws(
      () => parseRoot(new Uint8Array(ROOT_LIMITS.maxRootBytes + 1).fill(0x64)),
      refused('TOO_LARGE'),
    );
    const bomb = Buffer.from('d6:signedl' + '0:'.repeat(5000) + 'ee');
    assert.throws(() => parseRoot(bomb), refused('TOO_LARGE', /more than 32 items/));
  });

  it('a chain holds consecutive roots, tells itself from a torrent, and is bounded', async () => {
    const v1 = await makeRoot(spec, []);
    const v2 = await makeRoot({ ...spec, version: 2 }, []);
    const v3 = await makeRoot({ ...spec, version: 3 }, []);
    assert.deepEqual(
      parseChain(chainOf(v1, v2, v3)).map((r) => r.body.version),
      [1, 2, 3],
    );
    assert.ok(isRootChain(chainOf(v1)));
    assert.ok(!isRootChain(encode({ info: { length: 1 }, signatures: {} })));
    assert.throws(() => parseChain(chainOf(v1, v3)), refused('MALFORMED', /consecutive/));
    assert.throws(() => parseChain(chainOf(v2, v1)), refused('MALFORMED', /consecutive/));
    assert.throws(() => parseChain(encode({ roots: [] })), refused('MALFORMED'));
    const many = encode({
      roots: Array.from({ length: ROOT_LIMITS.maxChainRoots + 1 }, () => Buffer.from(v1.raw)),
    });
    assert.throws(() => parseChain(many), refused('TOO_LARGE'));
    const bomb = Buffer.from('d5:rootsl' + '0:'.repeat(100_000) + 'ee');
    assert.throws(() => parseChain(bomb), refused('TOO_LARGE'));
  });
});
