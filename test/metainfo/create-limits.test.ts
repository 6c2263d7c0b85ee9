/**
 * `create` refuses what the payload's size alone rules out before it reads a byte: an
 * impossible piece count (and says which piece length fits), a directory, an empty file.
 * "Before it reads" is checked on the process's read counter (/proc/self/io rchar), not
 * on time: hashing the 1.6 GB sparse file below would read 1.6 GB.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UsageError } from '../../agent/lib/common/errors.ts';
import { createTorrentPlusPlus } from '../../agent/lib/metainfo/create.ts';
import { DirError } from '../../agent/lib/metainfo/dir-errors.ts';
import { LIMITS } from '../../agent/lib/metainfo/limits.ts';
import { pieceLengthFor, smallestPieceLength } from '../../agent/lib/metainfo/piece-length.ts';
import { makeAdmin, tempDir, type Admin } from '../helpers/fixtures.ts';

const GB16 = 1_600_000_000;

/** Bytes this process has read through read(2) and friends so far. */
function bytesRead(): number {
  return Number(/^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))![1]);
}

function usage(re: RegExp): (e: unknown) => boolean {
  return (e: unknown) => e instanceof UsageError && re.test(e.message);
}

describe('create: refusals from the size alone', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let admin: Admin;
  before(async () => {
    dir = await tempDir();
    admin = await makeAdmin();
  });
  after(() => dir.cleanup());

  it('the smallest piece length that fits, at the edges of the limit', () => {
    const most = LIMITS.maxPieces * LIMITS.minPieceLength;
    assert.equal(smallestPieceLength(1), LIMITS.minPieceLength);
    assert.equal(smallestPieceLength(most), LIMITS.minPieceLength);
    assert.equal(smallestPieceLength(most + 1), 2 * LIMITS.minPieceLength);
    assert.equal(smallestPieceLength(GB16), 32_768);
    assert.equal(smallestPieceLength(LIMITS.maxPieces * LIMITS.maxPieceLength), LIMITS.maxPieceLength);
    assert.equal(smallestPieceLength(LIMITS.maxPieces * LIMITS.maxPieceLength + 1), null);
    assert.equal(pieceLengthFor(most, LIMITS.minPieceLength), LIMITS.minPieceLength);
    assert.throws(
      () => pieceLengthFor(most + 1, LIMITS.minPieceLength),
      usage(/65537 pieces, the limit is 65536: use --piece-length 32768 or more$/),
    );
    assert.throws(
      () => pieceLengthFor(LIMITS.maxPieces * LIMITS.maxPieceLength + 1),
      usage(/at most 65536 pieces of 33554432 bytes \(2097152 MiB\): split it$/),
    );
    assert.throws(() => pieceLengthFor(100, 20_000), usage(/power of two in \[16384, 33554432\], got 20000/));
    for (const size of [1, 1e6, GB16, 1e12]) {
      const p = pieceLengthFor(size);
      assert.ok(Math.ceil(size / p) <= LIMITS.maxPieces, `${size}: ${p}`);
    }
  });

  it('a 1.6 GB payload at --piece-length 16384 is refused before a byte of it is read', async () => {
    const big = join(dir.path, 'big.img');
    await writeFile(big, '');
    await truncate(big, GB16); // sparse: no disk used
    const before = bytesRead();
    await assert.rejects(
      createTorrentPlusPlus(big, {
        uri: 'os:/img',
        version: 1,
        key: admin.secret,
        now: 0,
        pieceLength: 16_384,
      }),
      usage(/cuts 1600000000 bytes into 97657 pieces, the limit is 65536: use --piece-length 32768 or more/),
    );
    const read = bytesRead() - before;
    assert.ok(read < 1 << 20, `read ${read} bytes while refusing`);
  });

  it('a directory with a link in it is refused LINK before anything in it is read', async () => {
    const d = join(dir.path, 'tree');
    await mkdir(join(d, 'sub'), { recursive: true });
    await writeFile(join(d, 'sub', 'f.bin'), Buffer.alloc(4 << 20, 7));
    await symlink('f.bin', join(d, 'sub', 'z-link'));
    const before = bytesRead();
    await assert.rejects(
      createTorrentPlusPlus(d, { uri: 'app:/x', version: 1, key: admin.secret, now: 0 }),
      (e: unknown) =>
        e instanceof DirError && e.code === 'LINK' && /sub\/z-link: a symbolic link/.test(e.message),
    );
    assert.ok(bytesRead() - before < 1 << 20);
  });
});
