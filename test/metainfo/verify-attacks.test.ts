/**
 * One test per attack on a torrent-file++ (docs/protocol/torrent-file-plus-plus.md
 * §Threats). Each builds a real signed torrent, alters it the way an attacker would,
 * and checks that verification refuses it with the right code.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MetadataError, type MetadataCode } from '../../agent/lib/common/errors.ts';
import { encode } from '../../agent/lib/metainfo/bencode-strict.ts';
import { LIMITS } from '../../agent/lib/metainfo/limits.ts';
import { parseTorrentPlusPlus } from '../../agent/lib/metainfo/parse.ts';
import { checkPayload } from '../../agent/lib/metainfo/payload.ts';
import { signDetached, signedMessage } from '../../agent/lib/metainfo/signature.ts';
import { verifyTorrentPlusPlus } from '../../agent/lib/metainfo/verify.ts';
import { edit, signerEntry } from '../helpers/bencode-edit.ts';
import { makeAdmin, makeTorrent, payloadBytes, tempDir, type Admin } from '../helpers/fixtures.ts';

const NOW = Date.parse('2026-11-22T12:00:00Z');

async function refused(raw: Uint8Array, code: MetadataCode, trusted: Admin[]): Promise<void> {
  await assert.rejects(
    verifyTorrentPlusPlus(raw, { trusted: trusted.map((a) => a.pub), now: NOW }),
    (e: unknown) => e instanceof MetadataError && e.code === code,
  );
}

describe('torrent-file++ verification refuses every attack', () => {
  let admin: Admin;
  let mallory: Admin;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let good: Uint8Array;
  let payloadPath: string;

  before(async () => {
    admin = await makeAdmin();
    mallory = await makeAdmin();
    dir = await tempDir();
    ({ bytes: good, payloadPath } = await makeTorrent(dir.path, admin, { version: 7, now: NOW }));
  });
  after(() => dir.cleanup());

  it('accepts the untouched file and reports its facts', async () => {
    const u = await verifyTorrentPlusPlus(good, { trusted: [admin.pub], now: NOW });
    assert.equal(u.uri, 'app:/opt/demo');
    assert.equal(u.version, 7);
    assert.equal(u.length, 100_000);
    assert.equal(u.kid, admin.pub.keyId);
    assert.match(u.infoHash, /^[0-9a-f]{40}$/);
    await checkPayload(payloadPath, u);
  });

  it('altered info dict (renamed file) → BAD_SIGNATURE', async () => {
    await refused(
      edit(good, (t) => (t['info']['name'] = Buffer.from('evil.bin'))),
      'BAD_SIGNATURE',
      [admin],
    );
  });

  it('private flag stripped (to open the swarm to DHT/PEX/LPD) → BAD_SIGNATURE', async () => {
    assert.equal(parseTorrentPlusPlus(good).info.private, true, 'created private by default');
    await refused(
      edit(good, (t) => delete t['info']['private']),
      'BAD_SIGNATURE',
      [admin],
    );
  });

  it('altered piece hashes → BAD_SIGNATURE', async () => {
    const bad = edit(good, (t) => {
      const p = Buffer.from(t['info']['pieces']);
      p[0] = p[0]! ^ 1;
      t['info']['pieces'] = p;
    });
    await refused(bad, 'BAD_SIGNATURE', [admin]);
  });

  for (const [field, value] of [
    ['uri', Buffer.from('app:/etc/shadow')],
    ['version', 8],
    ['sha256', Buffer.alloc(32, 9)],
  ] as const) {
    it(`altered signed ${field} → BAD_SIGNATURE`, async () => {
      await refused(
        edit(good, (t) => (signerEntry(t)['info'][field] = value)),
        'BAD_SIGNATURE',
        [admin],
      );
    });
  }

  it('signature by another key → UNKNOWN_SIGNER', async () => {
    const { bytes } = await makeTorrent(dir.path, mallory, { version: 8, now: NOW, file: 'm.bin' });
    await refused(bytes, 'UNKNOWN_SIGNER', [admin]);
  });

  it('another key claiming the admin key id → BAD_SIGNATURE', async () => {
    await refused(await forgeWithKey(good, mallory), 'BAD_SIGNATURE', [admin]);
  });

  it('signature moved from another torrent of the same size → BAD_SIGNATURE', async () => {
    const other = await makeTorrent(dir.path, admin, {
      version: 7,
      now: NOW,
      file: 'o.bin',
      payload: payloadBytes(100_000, 42),
    });
    const moved = edit(other.bytes, (t) => (t['signatures'] = decodeSignatures(good)));
    await refused(moved, 'BAD_SIGNATURE', [admin]);
  });

  it('truncated file → MALFORMED', async () => {
    await refused(good.subarray(0, good.length - 10), 'MALFORMED', [admin]);
    await refused(good.subarray(0, 1), 'MALFORMED', [admin]);
    await refused(new Uint8Array(0), 'MALFORMED', [admin]);
  });

  it('trailing garbage → MALFORMED', async () => {
    await refused(Buffer.concat([good, Buffer.from('xx')]), 'MALFORMED', [admin]);
  });

  it('non-canonical bencode (unsorted keys, leading zeros) → MALFORMED', async () => {
    // The same entries, with "signatures" written before "info": only the order differs.
    let entries: [string, unknown][] = [];
    edit(good, (t) => (entries = Object.entries(t)));
    const reordered = [...entries].sort(([a], [b]) => (a < b ? 1 : -1));
    const unsorted = Buffer.concat([
      Buffer.from('d'),
      ...reordered.flatMap(([k, v]) => [encode(Buffer.from(k)), encode(v)]),
      Buffer.from('e'),
    ]);
    assert.equal(unsorted.length, good.length);
    await refused(unsorted, 'MALFORMED', [admin]);
    const s = Buffer.from(good).toString('latin1');
    const dup = Buffer.from(s.replace(/e$/, '7:comment1:x7:comment1:ye'), 'latin1');
    await refused(dup, 'MALFORMED', [admin]);
    const leadingZero = Buffer.from(s.replace('7:versioni7e', '7:versioni07e'), 'latin1');
    assert.notEqual(leadingZero.length, good.length);
    await refused(leadingZero, 'MALFORMED', [admin]);
  });

  it('wrong field types → MALFORMED', async () => {
    await refused(
      edit(good, (t) => (signerEntry(t)['info']['version'] = Buffer.from('7'))),
      'MALFORMED',
      [admin],
    );
    await refused(
      edit(good, (t) => (signerEntry(t)['info']['sha256'] = Buffer.alloc(31))),
      'MALFORMED',
      [admin],
    );
    await refused(
      edit(good, (t) => (signerEntry(t)['info']['uri'] = 5)),
      'MALFORMED',
      [admin],
    );
    await refused(
      edit(good, (t) => (t['info']['length'] = -1)),
      'MALFORMED',
      [admin],
    );
    await refused(
      edit(good, (t) => (t['info']['piece length'] = 20_000)),
      'MALFORMED',
      [admin],
    );
    await refused(
      edit(good, (t) => (t['signatures'] = Buffer.from('x'))),
      'MALFORMED',
      [admin],
    );
    await refused(
      edit(good, (t) => (t['unknown'] = 1)),
      'MALFORMED',
      [admin],
    );
    await refused(
      edit(good, (t) => delete t['signatures']),
      'MALFORMED',
      [admin],
    );
    await refused(encode([1, 2]), 'MALFORMED', [admin]);
  });

  it('oversized metadata → TOO_LARGE, before parsing', async () => {
    const big = new Uint8Array(LIMITS.maxMetadataBytes + 1).fill(0x64);
    await refused(big, 'TOO_LARGE', [admin]);
  });

  it('too many pieces → TOO_LARGE', async () => {
    const pieces = LIMITS.maxPieces + 1;
    const bad = edit(good, (t) => {
      t['info']['piece length'] = 16384;
      t['info']['length'] = pieces * 16384;
      t['info']['pieces'] = Buffer.alloc(20);
    });
    await refused(bad, 'TOO_LARGE', [admin]);
  });

  it('expired → EXPIRED', async () => {
    const { bytes } = await makeTorrent(dir.path, admin, {
      now: NOW,
      expires: NOW / 1000 - 60,
      file: 'e.bin',
    });
    await refused(bytes, 'EXPIRED', [admin]);
    // The refusal names the update (the signature was valid) and the local time it used.
    const e = await verifyTorrentPlusPlus(bytes, { trusted: [admin.pub], now: NOW }).catch((x: unknown) => x);
    assert.ok(e instanceof MetadataError);
    const at = new Date((NOW / 1000 - 60) * 1000).toISOString();
    assert.equal(e.message, `expired at ${at}, local clock ${new Date(NOW).toISOString()}`);
    assert.equal(e.signed?.uri, 'app:/opt/demo');
    assert.equal(typeof e.signed?.version, 'number');
    assert.match(e.signed?.infoHash ?? '', /^[0-9a-f]{40}$/);
    const fresh = await verifyTorrentPlusPlus(bytes, { trusted: [admin.pub], now: NOW - 120_000 });
    assert.equal(fresh.expires, NOW / 1000 - 60);
  });

  it('payload of the right length but wrong bytes → PAYLOAD_MISMATCH', async () => {
    const u = await verifyTorrentPlusPlus(good, { trusted: [admin.pub], now: NOW });
    const swapped = join(dir.path, 'swapped.bin');
    await writeFile(swapped, payloadBytes(100_000, 2));
    await assert.rejects(
      checkPayload(swapped, u),
      (e: unknown) => e instanceof MetadataError && e.code === 'PAYLOAD_MISMATCH',
    );
    const short = join(dir.path, 'short.bin');
    await writeFile(short, payloadBytes(99_999));
    await assert.rejects(checkPayload(short, u), /PAYLOAD|bytes/);
  });
});

function decodeSignatures(bytes: Uint8Array): unknown {
  let sigs: unknown;
  edit(bytes, (t) => (sigs = t['signatures']));
  return sigs;
}

/** Re-sign an altered version with another key, but keep the admin's key id as signer name. */
async function forgeWithKey(good: Uint8Array, attacker: Admin): Promise<Uint8Array> {
  let infoBytes: Uint8Array = new Uint8Array();
  let signed: Record<string, unknown> = {};
  edit(good, (t) => {
    infoBytes = encode(t['info']);
    signed = { ...signerEntry(t)['info'], version: 99 };
  });
  const sig = await signDetached(signedMessage(infoBytes, encode(signed)), attacker.secret.sodiumKey);
  return edit(good, (t) => {
    const e = signerEntry(t);
    e['info'] = signed;
    e['signature'] = Buffer.from(sig);
  });
}
