/**
 * Telling a torrent that is still being copied from one that is wrong: every proper
 * prefix of a real torrent-file++ "may still grow", a complete or broken value never does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isBencodePrefix } from '../../agent/lib/metainfo/bencode-prefix.ts';
import { encode } from '../../agent/lib/metainfo/bencode-strict.ts';
import { makeAdmin, makeTorrent, tempDir } from '../helpers/fixtures.ts';

const b = (s: string): Uint8Array => Buffer.from(s, 'latin1');

describe('isBencodePrefix', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    dir = await tempDir();
  });
  after(() => dir.cleanup());

  it('every proper prefix of a real torrent-file++ may still grow; the whole file does not', async () => {
    const { bytes } = await makeTorrent(dir.path, await makeAdmin());
    for (let n = 0; n < bytes.length; n++)
      assert.equal(isBencodePrefix(bytes.subarray(0, n)), true, `prefix of ${n} bytes`);
    assert.equal(isBencodePrefix(bytes), false, 'complete: appending can only break it');
    assert.equal(isBencodePrefix(Buffer.concat([bytes, b('d')])), false, 'trailing bytes');
  });

  it('prefixes of nested values of every kind', () => {
    const v = encode({ a: [1, -22, 'xyz', { k: [] }], b: 'q'.repeat(300), c: 0 });
    for (let n = 0; n < v.length; n++) assert.equal(isBencodePrefix(v.subarray(0, n)), true, `${n}`);
    assert.equal(isBencodePrefix(v), false);
  });

  it('bytes no suffix can make valid are refused at once', () => {
    for (const s of [
      'junk',
      'e',
      'de',
      'le',
      'i1e',
      '4:abcd',
      'i12x',
      'ie',
      'i-e',
      'di1ei2ee',
      'dli1ee',
      'dx',
      'd1:ae',
      'l1:ae1',
      '3x',
      '\0\0\0',
    ])
      assert.equal(isBencodePrefix(b(s)), false, JSON.stringify(s));
    for (const s of ['', 'd', 'l', 'i', 'i-', 'i12', '4', '12', '4:ab', 'd1:a', 'd1:ai1e', 'l4:abcd'])
      assert.equal(isBencodePrefix(b(s)), true, JSON.stringify(s));
  });

  it('deep nesting runs in one pass without recursion', () => {
    assert.equal(isBencodePrefix(b('l'.repeat(2_000_000))), true);
    assert.equal(isBencodePrefix(b(`${'l'.repeat(1_000_000)}${'e'.repeat(1_000_001)}`)), false);
  });
});
