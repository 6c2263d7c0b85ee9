/**
 * Fuzz-style robustness: thousands of random and mutated inputs go through the
 * parser and verifier. Each must end in a coded MetadataError or a valid result —
 * never another exception, a crash or a hang. The seed is printed so a failure can
 * be replayed with FUZZ_SEED=... .
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import bencode from 'bencode';
import { MetadataError } from '../../agent/lib/common/errors.ts';
import { verifyTorrentPlusPlus } from '../../agent/lib/metainfo/verify.ts';
import { makeAdmin, makeTorrent, tempDir, type Admin } from '../helpers/fixtures.ts';

const SEED = Number(process.env['FUZZ_SEED'] ?? Date.now() % 2 ** 31);

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function mutate(good: Uint8Array, r: () => number): Uint8Array {
  const b = Buffer.from(good);
  const at = Math.floor(r() * b.length);
  switch (Math.floor(r() * 6)) {
    case 0: // flip bits
      for (let i = 0; i < 1 + Math.floor(r() * 4); i++)
        b[Math.floor(r() * b.length)]! ^= 1 << Math.floor(r() * 8);
      return b;
    case 1: // truncate
      return b.subarray(0, at);
    case 2: // insert random bytes
      return Buffer.concat([
        b.subarray(0, at),
        Buffer.from([...Array(1 + Math.floor(r() * 8))].map(() => Math.floor(r() * 256))),
        b.subarray(at),
      ]);
    case 3: // delete a span
      return Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + Math.floor(r() * 16))]);
    case 4: // replace a digit, the bencode length/integer bytes
      for (let i = at; i < b.length; i++)
        if (b[i]! >= 0x30 && b[i]! <= 0x39) return ((b[i] = 0x30 + Math.floor(r() * 10)), b);
      return b;
    default: // splice two copies
      return Buffer.concat([b.subarray(0, at), good.subarray(Math.floor(r() * good.length))]);
  }
}

function randomValue(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 4 ? 2 : 4));
  if (k === 0) return Math.floor((r() - 0.5) * 2 ** 40);
  if (k === 1) return Buffer.from([...Array(Math.floor(r() * 40))].map(() => Math.floor(r() * 256)));
  if (k === 2) return [...Array(Math.floor(r() * 4))].map(() => randomValue(r, depth + 1));
  const keys = [
    'info',
    'signatures',
    'name',
    'length',
    'pieces',
    'piece length',
    'uri',
    'version',
    'sha256',
    'kid',
    'x',
  ];
  return Object.fromEntries(
    [...Array(Math.floor(r() * 5))].map(() => [
      keys[Math.floor(r() * keys.length)]!,
      randomValue(r, depth + 1),
    ]),
  );
}

describe(`fuzzing the torrent-file++ parser (FUZZ_SEED=${SEED})`, () => {
  let admin: Admin;
  let good: Uint8Array;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    admin = await makeAdmin();
    dir = await tempDir();
    good = (await makeTorrent(dir.path, admin, { payload: Buffer.alloc(40_000, 1) })).bytes;
  });
  after(() => dir.cleanup());

  async function outcome(input: Uint8Array): Promise<string> {
    try {
      const u = await verifyTorrentPlusPlus(input, { trusted: [admin.pub], now: Date.now() });
      // A mutation may only survive in unsigned fields: what was verified is the original.
      const o = await verifyTorrentPlusPlus(good, { trusted: [admin.pub], now: Date.now() });
      assert.deepEqual(
        [u.uri, u.version, u.infoHash, u.length, Buffer.from(u.sha256)],
        [o.uri, o.version, o.infoHash, o.length, Buffer.from(o.sha256)],
      );
      return 'valid';
    } catch (e) {
      if (e instanceof MetadataError) return e.code;
      assert.fail(
        `uncoded ${(e as Error)?.constructor?.name}: ${(e as Error)?.message} for input ${Buffer.from(input).toString('hex').slice(0, 200)}`,
      );
    }
  }

  it('5,000 mutations of a valid file end in a coded error or a valid result', async () => {
    const r = rng(SEED);
    const seen = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const o = await outcome(mutate(good, r));
      seen.set(o, (seen.get(o) ?? 0) + 1);
    }
    console.log('mutation outcomes', Object.fromEntries(seen));
    assert.ok((seen.get('MALFORMED') ?? 0) > 1000, 'most mutations are malformed');
    assert.ok((seen.get('BAD_SIGNATURE') ?? 0) > 0, 'some mutations reach the signature check');
  });

  it('3,000 random byte strings and random bencode values end in a coded error', async () => {
    const r = rng(SEED + 1);
    for (let i = 0; i < 1500; i++) {
      const junk = Buffer.from([...Array(Math.floor(r() * 300))].map(() => Math.floor(r() * 256)));
      assert.notEqual(await outcome(junk), 'valid');
      assert.notEqual(await outcome(bencode.encode(randomValue(r, 0))), 'valid');
    }
  });

  it('deep nesting does not overflow into an uncoded error', async () => {
    assert.equal(await outcome(Buffer.from('l'.repeat(200_000) + 'e'.repeat(200_000))), 'MALFORMED');
    assert.equal(await outcome(Buffer.from('d'.repeat(50_000))), 'MALFORMED');
  });
});
