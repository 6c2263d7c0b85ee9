/**
 * Adding signatures to a torrent-file++ (agent/lib/metainfo/cosign.ts): the infohash stays,
 * every signer signs the same facts, up to the 8 signers the format (and the shape
 * pre-check) allows, all real and all counted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MetadataError } from '../../agent/lib/common/errors.ts';
import { addSignature } from '../../agent/lib/metainfo/cosign.ts';
import { LIMITS } from '../../agent/lib/metainfo/limits.ts';
import { parseTorrentPlusPlus } from '../../agent/lib/metainfo/parse.ts';
import { verifyTorrentPlusPlus } from '../../agent/lib/metainfo/verify.ts';
import { edit } from '../helpers/bencode-edit.ts';
import { makeAdmin, makeTorrent, tempDir, type Admin } from '../helpers/fixtures.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');

describe('adding signatures to a torrent-file++', () => {
  let keys: Admin[];
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let one: Uint8Array;
  before(async () => {
    keys = await Promise.all(Array.from({ length: LIMITS.maxSignatures + 1 }, () => makeAdmin()));
    dir = await tempDir();
    one = (await makeTorrent(dir.path, keys[0]!, { version: 3, now: NOW, expires: NOW / 1000 + 3600 })).bytes;
  });
  after(() => dir.cleanup());

  it('keeps the infohash and the facts; both signers count', async () => {
    const two = await addSignature(one, keys[1]!.secret);
    assert.equal(parseTorrentPlusPlus(two).infoHash, parseTorrentPlusPlus(one).infoHash);
    const u = await verifyTorrentPlusPlus(two, { trusted: keys.map((k) => k.pub), threshold: 2, now: NOW });
    assert.equal(u.signers.length, 2);
    assert.equal(u.version, 3);
    assert.equal(u.expires, NOW / 1000 + 3600);
  });

  it('8 real signatures verify with a threshold of 8; a 9th is refused (TOO_LARGE)', async () => {
    let t = one;
    for (const k of keys.slice(1, LIMITS.maxSignatures)) t = await addSignature(t, k.secret);
    const u = await verifyTorrentPlusPlus(t, { trusted: keys.map((k) => k.pub), threshold: 8, now: NOW });
    assert.equal(u.signers.length, LIMITS.maxSignatures);
    await assert.rejects(
      addSignature(t, keys[LIMITS.maxSignatures]!.secret),
      (e: unknown) => e instanceof MetadataError && e.code === 'TOO_LARGE',
    );
  });

  it('refuses the same key twice, and a file whose signers disagree', async () => {
    await assert.rejects(addSignature(one, keys[0]!.secret), /already signed/);
    const two = await addSignature(one, keys[1]!.secret);
    const disagree = edit(two, (t) => (t['signatures'][keys[1]!.pub.keyId]['info']['version'] = 4));
    await assert.rejects(addSignature(disagree, keys[2]!.secret), /different facts/);
  });
});
