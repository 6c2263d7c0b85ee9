/**
 * Hostile 2 MiB inputs against verifyTorrentPlusPlus (issue 16 item 6): each shape of
 * bench/lib/bencode-bombs.ts is verified in a fresh child process, which must refuse it
 * with the code and bound of the shape pre-check (docs/protocol/torrent-file-plus-plus.md
 * §Check order, step 2) and peak at most 64 MiB of RSS over its baseline. A bound on memory
 * is a correctness property here: every manager parses what gossip fetched for it.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOMBS } from '../../bench/lib/bencode-bombs.ts';

const child = fileURLToPath(new URL('../../bench/lib/parse-bomb-child.ts', import.meta.url));
const LIMIT_KIB = 64 * 1024;

const EXPECT: Record<string, [code: string, message: RegExp]> = {
  'empty-strings': ['MALFORMED', /expected a dictionary at the top level/],
  'info-empty-strings': ['TOO_LARGE', /a list with more than 64 items/],
  'info-ints': ['TOO_LARGE', /a list with more than 64 items/],
  'info-empty-lists': ['TOO_LARGE', /a list with more than 64 items/],
  'info-empty-dicts': ['TOO_LARGE', /a list with more than 64 items/],
  'deep-lists': ['MALFORMED', /nested deeper than 7/],
  'huge-dict': ['TOO_LARGE', /a dictionary with more than 64 entries/],
  'announce-tiers': ['TOO_LARGE', /a list with more than 64 items/],
  'wide-tree': ['TOO_LARGE', /more than 2048 values/],
  'within-bounds': ['MALFORMED', /torrent.info: expected a dictionary, found a list/],
  'huge-int': ['MALFORMED', /an integer of more than 17 characters/],
};

test('every hostile shape has an expected refusal', () => {
  assert.deepEqual(Object.keys(EXPECT).sort(), Object.keys(BOMBS).sort());
});

for (const [shape, [code, message]] of Object.entries(EXPECT)) {
  test(`${shape}: refused ${code} by the shape pre-check within 64 MiB of peak RSS`, async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child, shape]);
    const r = JSON.parse(stdout) as { code: string; message: string; baselineKiB: number; peakKiB: number };
    const over = r.peakKiB - r.baselineKiB;
    assert.ok(over <= LIMIT_KIB, `peak RSS ${Math.round(over / 1024)} MiB over baseline (bound 64 MiB)`);
    assert.equal(r.code, code, r.message);
    assert.match(r.message, message);
  });
}
