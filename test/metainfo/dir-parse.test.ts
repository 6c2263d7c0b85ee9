/**
 * Directory torrents at every bound of the parser (docs/protocol/torrent-file-plus-plus.md
 * §Directory payloads): each is signed by the trusted admin, so only the directory rules
 * can refuse it; each bound is tried at the bound (accepted) and one past it (refused with
 * its code), and every path attack in info `files` and in the signed manifest.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { MetadataError, type MetadataCode } from '../../agent/lib/common/errors.ts';
import { PATH_LIMITS } from '../../agent/lib/metainfo/file-path.ts';
import { LIMITS } from '../../agent/lib/metainfo/limits.ts';
import { parseTorrentPlusPlus } from '../../agent/lib/metainfo/parse.ts';
import { checkShape } from '../../agent/lib/metainfo/shape.ts';
import { verifyTorrentPlusPlus } from '../../agent/lib/metainfo/verify.ts';
import { edit, signerEntry } from '../helpers/bencode-edit.ts';
import { maxPolicyDict } from '../rollout/max-policy.ts';
import { craftDirTorrent, manifestOf, type Craft, type CraftFile } from '../helpers/dir-torrent.ts';
import { makeAdmin, type Admin } from '../helpers/fixtures.ts';

const NOW = Date.parse('2026-12-03T12:00:00Z');
let admin: Admin;

const verify = async (c: Craft) =>
  verifyTorrentPlusPlus(await craftDirTorrent(admin, c), { trusted: [admin.pub], now: NOW });

async function refused(c: Craft, code: MetadataCode, rule: string): Promise<void> {
  await assert.rejects(verify(c), (e: unknown) => {
    assert.ok(e instanceof MetadataError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, new RegExp(rule), e.message);
    return true;
  });
}

const file = (path: string, length = 10): CraftFile => ({ parts: path.split('/'), length });
const one = (parts: (string | Buffer)[]): Craft => ({ files: [{ parts, length: 10 }] });

describe('directory torrents: path rules at every parse', () => {
  before(async () => {
    admin = await makeAdmin();
  });

  it('accepts a canonical tree and yields its manifest', async () => {
    const u = await verify({ files: [file('a.txt'), file('sub/b.bin', 20), file('sub/deeper/c')] });
    assert.deepEqual(
      u.files?.map((f) => [f.path, f.length]),
      [
        ['a.txt', 10],
        ['sub/b.bin', 20],
        ['sub/deeper/c', 10],
      ],
    );
    assert.equal(u.length, 40);
    assert.deepEqual(u.torrent.info.files?.length, 3);
  });

  for (const [what, parts, rule] of [
    ['traversal ..', ['..', 'etc', 'passwd'], 'PATH_TRAVERSAL'],
    ['traversal inside', ['a', '..', '..', 'x'], 'PATH_TRAVERSAL'],
    ['absolute path', ['', 'etc', 'passwd'], 'PATH_ABSOLUTE'],
    ['empty component', ['a', '', 'b'], 'PATH_EMPTY_COMPONENT'],
    ['"." component', ['a', '.', 'b'], 'PATH_EMPTY_COMPONENT'],
    ['"/" inside a component', ['a/../../x'], 'PATH_BAD_CHAR'],
    ['NUL', ['a\0b'], 'PATH_BAD_CHAR'],
    ['newline (control char)', ['a\nb'], 'PATH_BAD_CHAR'],
    ['DEL', ['a\u007fb'], 'PATH_BAD_CHAR'],
    ['backslash', ['..\\x'], 'PATH_BAD_CHAR'],
    ['no component', [], 'PATH_EMPTY_COMPONENT'],
  ] as const)
    it(`refuses ${what} in info.files (MALFORMED ${rule})`, () =>
      refused(one([...parts]), 'MALFORMED', rule));

  it('refuses a path component that is not UTF-8', () =>
    refused(
      { files: [{ parts: [Buffer.from([0xff, 0xfe])], length: 10 }], manifest: `${'0'.repeat(64)} 10 x\n` },
      'MALFORMED',
      'PATH_NOT_UTF8',
    ));

  it('refuses traversal and absolute paths in the signed manifest even when info.files is clean', async () => {
    const z = '0'.repeat(64);
    await refused({ files: [file('a')], manifest: `${z} 10 ../a\n` }, 'MALFORMED', 'PATH_TRAVERSAL');
    await refused({ files: [file('a')], manifest: `${z} 10 /a\n` }, 'MALFORMED', 'PATH_ABSOLUTE');
    await refused({ files: [file('a')], manifest: `${z} 10 a/\n` }, 'MALFORMED', 'PATH_EMPTY_COMPONENT');
  });

  it(`depth: ${PATH_LIMITS.maxDepth} components accepted, ${PATH_LIMITS.maxDepth + 1} refused PATH_TOO_DEEP`, async () => {
    await verify(one(Array.from({ length: PATH_LIMITS.maxDepth }, (_, i) => `d${i}`)));
    await refused(
      one(Array.from({ length: PATH_LIMITS.maxDepth + 1 }, (_, i) => `d${i}`)),
      'MALFORMED',
      'PATH_TOO_DEEP',
    );
  });

  it('component length: 255 bytes accepted, 256 refused PATH_TOO_LONG', async () => {
    await verify(one(['é'.repeat(127) + 'x']));
    await refused(one(['x'.repeat(256)]), 'MALFORMED', 'PATH_TOO_LONG');
  });

  it('path length: 1,024 bytes accepted, 1,025 refused PATH_TOO_LONG', async () => {
    const parts = (n: number) => [
      ...Array.from({ length: 4 }, () => 'p'.repeat(200)),
      'q'.repeat(n - 4 * 201),
    ];
    assert.equal(parts(1024).join('/').length, 1024);
    await verify(one(parts(1024)));
    await refused(one(parts(1025)), 'MALFORMED', 'PATH_TOO_LONG');
  });

  it(`file count: ${PATH_LIMITS.maxFiles} accepted (deepest paths, most signers' worth of values), ${PATH_LIMITS.maxFiles + 1} refused`, async () => {
    const deep = (i: number) => file(`${String(i).padStart(3, '0')}/b/c/d/e/f/g/h`);
    await verify({ files: Array.from({ length: PATH_LIMITS.maxFiles }, (_, i) => deep(i)) });
    // 65 files: the shape pre-check's item bound (64 per list) or the count bound, TOO_LARGE either way.
    await assert.rejects(
      verify({ files: Array.from({ length: PATH_LIMITS.maxFiles + 1 }, (_, i) => deep(i)) }),
      (e: unknown) => e instanceof MetadataError && e.code === 'TOO_LARGE',
    );
  });

  it('a 65-line manifest is refused TOO_MANY_FILES even beside 64 files', async () => {
    const files = Array.from({ length: PATH_LIMITS.maxFiles }, (_, i) =>
      file(`f${String(i).padStart(2, '0')}`),
    );
    const manifest = manifestOf([...files, file('zz')]);
    await refused({ files, manifest }, 'TOO_LARGE', 'TOO_MANY_FILES');
  });

  it('total size: 65,536 pieces of 32 MiB accepted, one byte more refused TOO_LARGE', async () => {
    const big = LIMITS.maxPieces * LIMITS.maxPieceLength;
    const half = big / 2;
    const at: Craft = { files: [file('a', half), file('b', half)], pieceLength: LIMITS.maxPieceLength };
    assert.equal((await verify(at)).length, big);
    await refused(
      { ...at, files: [file('a', half), file('b', half + 1)] },
      'TOO_LARGE',
      'string of more than 1310720 bytes',
    );
  });

  it('refuses 0-byte files, duplicates, a file that is also a directory, and a non-canonical order', async () => {
    await refused({ files: [file('a', 0)] }, 'MALFORMED', 'EMPTY_ENTRY');
    await refused({ files: [file('a'), file('a')] }, 'MALFORMED', 'PATH_CONFLICT');
    await refused({ files: [file('a'), file('a/b')] }, 'MALFORMED', 'PATH_CONFLICT');
    await refused({ files: [file('b'), file('a')] }, 'MALFORMED', 'MANIFEST_FORMAT');
  });

  it('refuses a torrent whose info.files differ from the signed manifest (FILES_MISMATCH)', async () => {
    const files = [file('a'), file('b')];
    await refused({ files, manifest: manifestOf([file('a'), file('c')]) }, 'MALFORMED', 'FILES_MISMATCH');
    await refused({ files, manifest: manifestOf([file('a'), file('b', 11)]) }, 'MALFORMED', 'FILES_MISMATCH');
    await refused({ files, manifest: manifestOf([file('a')]) }, 'MALFORMED', 'FILES_MISMATCH');
    await refused({ files, sha256: Buffer.alloc(32) }, 'MALFORMED', 'FILES_MISMATCH');
  });

  it('refuses a manifest not in canonical form', async () => {
    const z = '0'.repeat(64);
    await refused({ files: [file('a')], manifest: `${z} 10 a` }, 'MALFORMED', 'MANIFEST_FORMAT');
    await refused({ files: [file('a')], manifest: `${z} 010 a\n` }, 'MALFORMED', 'MANIFEST_FORMAT');
    await refused(
      { files: [file('a')], manifest: `${z.toUpperCase().replace(/0/g, 'A')} 10 a\n` },
      'MALFORMED',
      'MANIFEST_FORMAT',
    );
    await refused({ files: [file('a')], manifest: `${z}  10 a\n` }, 'MALFORMED', 'MANIFEST_FORMAT');
  });

  it('the largest valid directory file passes the shape pre-check: 64 files 8 levels deep, 65,536 pieces, 8 signers each with a 10-wave policy, 32 announce tiers', async () => {
    const files = Array.from({ length: PATH_LIMITS.maxFiles }, (_, i) =>
      file(`${String(i).padStart(2, '0')}/b/c/d/e/f/g/h`, LIMITS.maxPieceLength / 2),
    );
    const raw = edit(await craftDirTorrent(admin, { files, pieceLength: LIMITS.minPieceLength }), (t) => {
      const total = (PATH_LIMITS.maxFiles * LIMITS.maxPieceLength) / 2;
      assert.equal(total / LIMITS.minPieceLength, LIMITS.maxPieces);
      const one = signerEntry(t);
      t['signatures'] = {};
      for (let i = 0; i < LIMITS.maxSignatures; i++) {
        const kid = i.toString(16).padStart(16, '0');
        t['signatures'][kid] = {
          info: { ...one['info'], kid: Buffer.from(kid), rollout: maxPolicyDict(), expires: 2 ** 53 - 1 },
          signature: Buffer.alloc(64),
        };
      }
      t['announce-list'] = Array.from({ length: LIMITS.maxAnnounceUrls }, (_, i) => [
        Buffer.from(`http://127.0.0.1:${i + 1}/announce`),
      ]);
      t['announce'] = Buffer.from('http://127.0.0.1:1/announce');
      t['comment'] = Buffer.from('c');
      t['created by'] = Buffer.from('p2p-update');
      t['creation date'] = 1;
    });
    checkShape(raw, LIMITS);
    const parsed = parseTorrentPlusPlus(raw);
    assert.equal(parsed.info.files?.length, PATH_LIMITS.maxFiles);
    assert.equal(parsed.signatures.length, LIMITS.maxSignatures);
  });
});
