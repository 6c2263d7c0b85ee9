/**
 * The inbox reads what it is given with a bound: a FIFO (or other non-regular file) named
 * X.torrent must not block the inbox (nor a libuv thread) forever, and an oversized file
 * is handed on as cap + 1 bytes for the verifier to refuse, without reading it whole.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants, existsSync, openSync, closeSync } from 'node:fs';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { createLogger } from '../../agent/common/logger.ts';
import { Inbox } from '../../agent/manager/inbox.ts';
import type { Outcome } from '../../agent/manager/intake.ts';
import { LIMITS } from '../../agent/metainfo/limits.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'p2pm-inbox-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Unblocks a reader stuck opening `fifo` (so a failing run cannot hang the suite). */
function release(fifo: string): void {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // No reader waiting: nothing to release.
  }
}

test('a FIFO named X.torrent is skipped; the other files are handled and stop is prompt', async () => {
  const fifo = join(dir, 'a.torrent');
  execFileSync('mkfifo', [fifo]);
  await writeFile(join(dir, 'b.torrent'), 'junk');
  await writeFile(join(dir, 'c.torrent'), '');
  await truncate(join(dir, 'c.torrent'), LIMITS.maxMetadataBytes + 1_000_000);
  const seen: number[] = [];
  const inbox = new Inbox(
    {
      submit: async (raw): Promise<Outcome> => {
        seen.push(raw.length);
        return { kind: 'refused', code: 'MALFORMED', reason: 'test', id: '' };
      },
      log: createLogger({ level: 'silent' }),
    },
    { dir, settleMs: 50 },
  );
  await inbox.start();
  for (let i = 0; i < 100 && seen.length < 2; i++) await delay(20);
  const stopped = await Promise.race([inbox.stop().then(() => 'stopped'), delay(3000).then(() => 'hung')]);
  release(fifo);
  assert.equal(stopped, 'stopped', 'stop does not wait on the FIFO');
  assert.deepEqual(
    seen.sort((a, b) => a - b),
    [4, LIMITS.maxMetadataBytes + 1],
    'the junk file whole; the oversized one cut at the cap + 1 byte',
  );
  assert.ok(existsSync(fifo), 'the FIFO is left where it is');
  assert.ok(!existsSync(join(dir, 'b.torrent')) && !existsSync(join(dir, 'c.torrent')));
});
