/**
 * `create DIR` and the payload check of a directory on disk (docs/protocol/
 * torrent-file-plus-plus.md §Directory payloads): a real tree round-trips; every attack on
 * the source tree is refused at create with its code, each bound at the bound and one past
 * it; a downloaded tree with a swapped, extra or missing file or a planted link is refused
 * PAYLOAD_MISMATCH naming its code.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, open, rename, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MetadataError, UsageError } from '../../agent/lib/common/errors.ts';
import { addSignature } from '../../agent/lib/metainfo/cosign.ts';
import { createTorrentPlusPlus } from '../../agent/lib/metainfo/create.ts';
import { DirError, type DirCode } from '../../agent/lib/metainfo/dir-errors.ts';
import { PATH_LIMITS } from '../../agent/lib/metainfo/file-path.ts';
import { LIMITS } from '../../agent/lib/metainfo/limits.ts';
import { checkPayload } from '../../agent/lib/metainfo/payload.ts';
import { verifyTorrentPlusPlus } from '../../agent/lib/metainfo/verify.ts';
import { makeTree } from '../helpers/dir-torrent.ts';
import { makeAdmin, payloadBytes, tempDir, type Admin } from '../helpers/fixtures.ts';

const NOW = Date.parse('2026-12-03T12:00:00Z');
let admin: Admin;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let n = 0;

const create = (dir: string, extra: { inline?: boolean } = {}) =>
  createTorrentPlusPlus(dir, { uri: 'app:/opt/tree', version: 1, key: admin.secret, now: NOW, ...extra });

async function tree(files: Record<string, string | Buffer>): Promise<string> {
  const root = join(tmp.path, `t${n++}`);
  await mkdir(root);
  await makeTree(root, files);
  return root;
}

async function createRefused(dir: string, code: DirCode): Promise<void> {
  await assert.rejects(create(dir), (e: unknown) => {
    assert.ok(e instanceof DirError, String(e));
    assert.equal(e.code, code, e.message);
    return true;
  });
}

async function payloadRefused(dir: string, raw: Uint8Array, code: DirCode): Promise<void> {
  const u = await verifyTorrentPlusPlus(raw, { trusted: [admin.pub], now: NOW });
  await assert.rejects(checkPayload(dir, u), (e: unknown) => {
    assert.ok(e instanceof MetadataError, String(e));
    assert.equal(e.code, 'PAYLOAD_MISMATCH');
    assert.match(e.message, new RegExp(`^${code}: `), e.message);
    return true;
  });
}

const SAMPLE = { 'a.txt': 'hello\n', 'sub/b.bin': payloadBytes(70_000), 'sub/deeper/c': 'x\n' };

describe('create DIR and the directory payload check', () => {
  before(async () => {
    admin = await makeAdmin();
    tmp = await tempDir();
  });
  after(() => tmp.cleanup());

  it('round-trips a tree: manifest in canonical order, total length, the check passes', async () => {
    const dir = await tree(SAMPLE);
    const u = await verifyTorrentPlusPlus(await create(dir), { trusted: [admin.pub], now: NOW });
    assert.deepEqual(
      u.files?.map((f) => f.path),
      ['a.txt', 'sub/b.bin', 'sub/deeper/c'],
    );
    assert.equal(u.length, 6 + 70_000 + 2);
    assert.equal(u.name, `t${n - 1}`);
    await checkPayload(dir, u);
  });

  it('a second signer signs the same manifest (cosign), and verification needs both with k = 2', async () => {
    const dir = await tree(SAMPLE);
    const other = await makeAdmin();
    const raw = await addSignature(await create(dir), other.secret);
    const u = await verifyTorrentPlusPlus(raw, { trusted: [admin.pub, other.pub], threshold: 2, now: NOW });
    assert.equal(u.signers.length, 2);
    assert.equal(u.files?.length, 3);
  });

  it('never inlines a directory', async () => {
    await assert.rejects(create(await tree({ a: 'x' }), { inline: true }), UsageError);
  });

  it('refuses a symlink in the source (to a file and to a directory): LINK', async () => {
    const d1 = await tree(SAMPLE);
    await symlink('/etc/passwd', join(d1, 'passwd'));
    await createRefused(d1, 'LINK');
    const d2 = await tree(SAMPLE);
    await symlink('/etc', join(d2, 'sub', 'etc'));
    await createRefused(d2, 'LINK');
    const d3 = await tree(SAMPLE);
    await symlink(d3, join(tmp.path, 'link-to-tree'));
    await createRefused(join(tmp.path, 'link-to-tree'), 'LINK');
  });

  it('refuses a FIFO: SPECIAL_FILE (and is not blocked by it)', async () => {
    const dir = await tree(SAMPLE);
    execFileSync('mkfifo', [join(dir, 'sub', 'pipe')]);
    await createRefused(dir, 'SPECIAL_FILE');
  });

  it('refuses an empty file and an empty directory: EMPTY_ENTRY', async () => {
    await createRefused(await tree({ ...SAMPLE, empty: '' }), 'EMPTY_ENTRY');
    const dir = await tree(SAMPLE);
    await mkdir(join(dir, 'sub', 'nothing'));
    await createRefused(dir, 'EMPTY_ENTRY');
  });

  it('refuses control characters and "\\" in names: PATH_BAD_CHAR', async () => {
    await createRefused(await tree({ 'a\nb': 'x' }), 'PATH_BAD_CHAR');
    await createRefused(await tree({ 'a\\b': 'x' }), 'PATH_BAD_CHAR');
  });

  it(`count: ${PATH_LIMITS.maxFiles} files accepted, ${PATH_LIMITS.maxFiles + 1} refused TOO_MANY_FILES`, async () => {
    const files = (k: number) =>
      Object.fromEntries(Array.from({ length: k }, (_, i) => [`d${i % 3}/f${i}`, `${i}`]));
    const u = await verifyTorrentPlusPlus(await create(await tree(files(PATH_LIMITS.maxFiles))), {
      trusted: [admin.pub],
      now: NOW,
    });
    assert.equal(u.files?.length, PATH_LIMITS.maxFiles);
    await createRefused(await tree(files(PATH_LIMITS.maxFiles + 1)), 'TOO_MANY_FILES');
    await createRefused(
      await tree(Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`f${i}`, 'x']))),
      'TOO_MANY_FILES',
    );
  });

  it(`depth: ${PATH_LIMITS.maxDepth} components accepted, ${PATH_LIMITS.maxDepth + 1} refused PATH_TOO_DEEP`, async () => {
    const deep = (k: number) => Array.from({ length: k }, (_, i) => `d${i}`).join('/');
    await create(await tree({ [deep(PATH_LIMITS.maxDepth)]: 'x' }));
    await createRefused(await tree({ [deep(PATH_LIMITS.maxDepth + 1)]: 'x' }), 'PATH_TOO_DEEP');
  });

  it('path length: 1,024 bytes accepted, 1,025 refused PATH_TOO_LONG', async () => {
    const path = (k: number) =>
      [...Array.from({ length: 4 }, () => 'p'.repeat(200)), 'q'.repeat(k - 4 * 201)].join('/');
    await create(await tree({ [path(1024)]: 'x' }));
    await createRefused(await tree({ [path(1025)]: 'x' }), 'PATH_TOO_LONG');
  });

  it('total size: one byte over 65,536 × 32 MiB refused DIR_TOO_LARGE before a byte is read', async () => {
    const dir = await tree({ a: 'x' });
    const big = join(dir, 'sparse');
    await writeFile(big, '');
    await truncate(big, LIMITS.maxPieces * LIMITS.maxPieceLength); // sparse: 2 TiB + the 1-byte "a"
    await createRefused(dir, 'DIR_TOO_LARGE');
  });

  it('refuses a downloaded tree with a file swapped after download: FILE_MISMATCH', async () => {
    const dir = await tree(SAMPLE);
    const raw = await create(dir);
    await writeFile(join(dir, 'a.txt'), 'HELLO\n'); // same length, other bytes
    await payloadRefused(dir, raw, 'FILE_MISMATCH');
    await writeFile(join(dir, 'a.txt'), 'hello!\n'); // other length
    await payloadRefused(dir, raw, 'FILE_MISMATCH');
  });

  it('refuses an extra file, a missing file, and an empty extra directory', async () => {
    const dir = await tree(SAMPLE);
    const raw = await create(dir);
    await writeFile(join(dir, 'sub', 'extra'), 'x');
    await payloadRefused(dir, raw, 'EXTRA_FILE');
    await rm(join(dir, 'sub', 'extra'));
    await rename(join(dir, 'sub', 'deeper', 'c'), join(tmp.path, 'c-away'));
    await writeFile(join(dir, 'sub', 'deeper', 'other'), 'x\n');
    await payloadRefused(dir, raw, 'EXTRA_FILE');
    await rm(join(dir, 'sub', 'deeper', 'other'));
    await payloadRefused(dir, raw, 'EMPTY_ENTRY');
    await rm(join(dir, 'sub', 'deeper'), { recursive: true });
    await payloadRefused(dir, raw, 'MISSING_FILE');
  });

  it('refuses a link planted in the downloaded tree, even to identical bytes: LINK', async () => {
    const dir = await tree(SAMPLE);
    const raw = await create(dir);
    const copy = join(tmp.path, 'a-copy');
    await writeFile(copy, 'hello\n');
    await rm(join(dir, 'a.txt'));
    await symlink(copy, join(dir, 'a.txt'));
    await payloadRefused(dir, raw, 'LINK');
    const d2 = await tree(SAMPLE);
    const raw2 = await create(d2);
    await rename(join(d2, 'sub'), join(tmp.path, 'sub-away'));
    await symlink(join(tmp.path, 'sub-away'), join(d2, 'sub'));
    await payloadRefused(d2, raw2, 'LINK');
  });

  it('a file path where the directory should be: the single-file check is not fooled', async () => {
    const dir = await tree(SAMPLE);
    const raw = await create(dir);
    const fh = await open(join(tmp.path, 'flat'), 'w');
    await fh.close();
    await payloadRefused(join(tmp.path, 'flat'), raw, 'SPECIAL_FILE');
  });
});
