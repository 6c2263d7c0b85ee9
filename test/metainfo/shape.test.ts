/**
 * The shape pre-check (agent/lib/metainfo/shape.ts; spec §Check order, step 2): the largest
 * valid torrent-file++ passes it, each bound holds exactly, and broken framing is MALFORMED.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MetadataError, type MetadataCode } from '../../agent/lib/common/errors.ts';
import { LIMITS } from '../../agent/lib/metainfo/limits.ts';
import { parseTorrentPlusPlus } from '../../agent/lib/metainfo/parse.ts';
import { checkShape, type ShapeBounds } from '../../agent/lib/metainfo/shape.ts';
import { edit, signerEntry } from '../helpers/bencode-edit.ts';
import { makeAdmin, makeTorrent, tempDir } from '../helpers/fixtures.ts';
import { maxPolicyDict } from '../rollout/max-policy.ts';

const b = (s: string) => Buffer.from(s, 'latin1');
const refused = (bytes: Uint8Array, code: MetadataCode, re: RegExp, bounds: ShapeBounds = LIMITS) =>
  assert.throws(
    () => checkShape(bytes, bounds),
    (e: unknown) => e instanceof MetadataError && e.code === code && re.test(e.message),
  );

describe('shape pre-check', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let good: Uint8Array;
  before(async () => {
    dir = await tempDir();
    ({ bytes: good } = await makeTorrent(dir.path, await makeAdmin()));
  });
  after(() => dir.cleanup());

  it('passes the largest valid file: 65,536 pieces, 8 signers each with a 10-wave rollout policy, 32 announce tiers, every optional key', () => {
    const pieceLength = LIMITS.minPieceLength;
    const length = LIMITS.maxPieces * pieceLength;
    const max = edit(good, (t) => {
      t['info']['length'] = length;
      t['info']['pieces'] = Buffer.alloc(20 * LIMITS.maxPieces);
      t['info']['piece length'] = pieceLength;
      const one = signerEntry(t);
      t['signatures'] = {};
      for (let i = 0; i < LIMITS.maxSignatures; i++) {
        const kid = i.toString(16).padStart(16, '0');
        t['signatures'][kid] = {
          info: { ...one['info'], kid: b(kid), length, rollout: maxPolicyDict() },
          signature: Buffer.alloc(64),
        };
      }
      t['announce'] = b('http://127.0.0.1:1/announce');
      t['announce-list'] = Array.from({ length: LIMITS.maxAnnounceUrls }, (_, i) => [
        b(`http://127.0.0.1:${i + 1}/${'a'.repeat(LIMITS.maxAnnounceUrlBytes - 30)}`),
      ]);
      t['comment'] = b('c'.repeat(LIMITS.maxCommentBytes));
      t['created by'] = b('p2p-update');
      t['creation date'] = 2 ** 53 - 1;
    });
    checkShape(max, LIMITS);
    const parsed = parseTorrentPlusPlus(max);
    assert.equal(parsed.signatures.length, LIMITS.maxSignatures);
    assert.equal(parsed.info.pieces.length, 20 * LIMITS.maxPieces);
    assert.equal(parsed.signatures[7]!.signedInfo.rollout!.waves.length, 10);
  });

  it('each bound holds exactly', () => {
    const k = {
      ...LIMITS,
      maxContainerItems: 3,
      maxValues: 12,
      maxDepth: 3,
      maxStringBytes: 4,
      maxIntChars: 3,
    };
    checkShape(b('d1:al0:0:0:ee'), k);
    refused(b('d1:al0:0:0:0:ee'), 'TOO_LARGE', /a list with more than 3 items/, k);
    checkShape(b('d1:ai0e1:bi0e1:ci0ee'), k);
    refused(b('d1:ai0e1:bi0e1:ci0e1:di0ee'), 'TOO_LARGE', /a dictionary with more than 3 entries/, k);
    checkShape(b('d1:ad1:bli0eeee'), k);
    refused(b('d1:ad1:blleeee'), 'MALFORMED', /nested deeper than 3/, k);
    checkShape(b('d1:al0:0:e1:bl0:0:e1:cl0:ee'), k); // 12 values
    refused(b('d1:al0:0:e1:bl0:0:e1:cl0:0:ee'), 'TOO_LARGE', /more than 12 values/, k);
    checkShape(b('d1:a4:abcde'), k);
    refused(b('d1:a5:abcdee'), 'TOO_LARGE', /a string of more than 4 bytes/, k);
    checkShape(b('d1:ai-12ee'), k);
    checkShape(b(`d1:ai-${2 ** 53 - 1}ee`), LIMITS);
    refused(b('d1:ai-123ee'), 'MALFORMED', /an integer of more than 3 characters/, k);
  });

  it('broken framing is MALFORMED, naming what and where', () => {
    refused(b('le'), 'MALFORMED', /expected a dictionary at the top level/);
    refused(b(''), 'MALFORMED', /expected a dictionary at the top level/);
    refused(b('d1:a'), 'MALFORMED', /truncated/);
    refused(b('d1:a5:abce'), 'MALFORMED', /truncated string/);
    refused(b('d1:ai12'), 'MALFORMED', /truncated integer/);
    refused(b('d1:ai0eex'), 'MALFORMED', /trailing bytes at byte 8/);
    refused(b('di0ei0ee'), 'MALFORMED', /key that is not a string/);
    refused(b('d1:ae'), 'MALFORMED', /key without a value/);
    refused(b('d1:a?e'), 'MALFORMED', /unexpected byte 0x3f at byte 4/);
    refused(b('d1:a3xabce'), 'MALFORMED', /string length without ":"/);
  });
});
