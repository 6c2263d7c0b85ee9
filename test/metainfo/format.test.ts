/** The format's promises: the signature leaves the infohash alone, announce rewriting keeps it valid, keys round-trip. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import bencode from 'bencode';
import { KeyError } from '../../agent/lib/common/errors.ts';
import { parsePublicKeyPem, parseSecretKeyPem } from '../../agent/lib/crypto/keys.ts';
import { withAnnounce } from '../../agent/lib/metainfo/announce.ts';
import { choosePieceLength } from '../../agent/lib/metainfo/piece-length.ts';
import { LIMITS } from '../../agent/lib/metainfo/limits.ts';
import { parseTorrentPlusPlus } from '../../agent/lib/metainfo/parse.ts';
import { verifyParsed } from '../../agent/lib/metainfo/verify.ts';
import { makeAdmin, makeTorrent, tempDir, type Admin } from '../helpers/fixtures.ts';

describe('torrent-file++ format', () => {
  let admin: Admin;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    admin = await makeAdmin();
    dir = await tempDir();
  });
  after(() => dir.cleanup());

  it('infohash is SHA-1 of the info dict alone; stripping signatures leaves it unchanged', async () => {
    const { bytes } = await makeTorrent(dir.path, admin);
    const t = parseTorrentPlusPlus(bytes);
    const top = bencode.decode(bytes) as Record<string, unknown>;
    delete top['signatures'];
    const plain = bencode.decode(bencode.encode(top)) as Record<string, unknown>;
    const plainHash = createHash('sha1').update(bencode.encode(plain['info'])).digest('hex');
    assert.equal(t.infoHash, plainHash);
    assert.equal(t.signatures.length, 1);
  });

  it('setting a tracker URL changes neither infohash nor signature validity', async () => {
    const { bytes } = await makeTorrent(dir.path, admin, { version: 3 });
    const t = parseTorrentPlusPlus(bytes);
    const announced = withAnnounce(t, 'http://127.0.0.1:6969/announce');
    assert.equal(announced.announce, 'http://127.0.0.1:6969/announce');
    assert.equal(announced.infoHash, t.infoHash);
    assert.notDeepEqual(announced.raw, t.raw);
    const u = await verifyParsed(announced, { trusted: [admin.pub], now: Date.now() });
    assert.equal(u.version, 3);
    assert.equal(withAnnounce(announced, undefined).announce, undefined);
  });

  it('chooses about a thousand pieces, within the limits', () => {
    assert.equal(choosePieceLength(1), LIMITS.minPieceLength);
    assert.equal(choosePieceLength(1 << 30), 1 << 20);
    assert.equal(choosePieceLength(Number.MAX_SAFE_INTEGER), LIMITS.maxPieceLength);
    for (const size of [1e5, 1e7, 1e9, 1e11])
      assert.ok(
        Math.ceil(size / choosePieceLength(size)) <= 1024 ||
          choosePieceLength(size) === LIMITS.maxPieceLength,
      );
  });

  it('keys round-trip through PEM and bad PEM gets a coded error', async () => {
    const pub = parsePublicKeyPem(admin.publicPem);
    assert.deepEqual(pub.bytes, admin.pub.bytes);
    const sec = await parseSecretKeyPem(admin.secretPem);
    assert.deepEqual(sec.publicKey.bytes, admin.pub.bytes);
    assert.throws(
      () => parsePublicKeyPem('nothing'),
      (e: unknown) => e instanceof KeyError && e.code === 'KEY_FORMAT',
    );
    assert.throws(
      () => parsePublicKeyPem(admin.secretPem),
      (e: unknown) => e instanceof KeyError && e.code === 'KEY_FORMAT',
    );
    await assert.rejects(parseSecretKeyPem(admin.publicPem), (e: unknown) => e instanceof KeyError);
  });
});
