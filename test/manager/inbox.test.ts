/**
 * The inbox reads what it is given with a bound: a FIFO (or other non-regular file) named
 * X.torrent must not block the inbox (nor a libuv thread) forever, and an oversized file
 * is handed on as cap + 1 bytes for the verifier to refuse, without reading it whole.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants, existsSync, openSync, closeSync, readdirSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { createLogger } from '../../agent/lib/common/logger.ts';
import { generateKeyPair, parseSecretKeyPem } from '../../agent/lib/crypto/keys.ts';
import { Inbox } from '../../agent/manager/inbox.ts';
import { REFUSED_KEEP } from '../../agent/manager/inbox-refused.ts';
import type { Outcome } from '../../agent/manager/intake.ts';
import { createTorrentPlusPlus } from '../../agent/lib/metainfo/create.ts';
import { LIMITS } from '../../agent/lib/metainfo/limits.ts';
import { parseTorrentPlusPlus } from '../../agent/lib/metainfo/parse.ts';
import { verifyTorrentPlusPlus } from '../../agent/lib/metainfo/verify.ts';
import { parsePublicKeyPem } from '../../agent/lib/crypto/keys.ts';

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
      awaiting: async () => [],
      log: createLogger({ level: 'silent' }),
    },
    { dir, settleMs: 50, incompleteMs: 60_000 },
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

test('a refused torrent goes to refused/ with its reason and never deletes the payload it names', async () => {
  const box = await mkdtemp(join(tmpdir(), 'p2pm-inbox2-'));
  const work = await mkdtemp(join(tmpdir(), 'p2pm-inbox2w-'));
  try {
    const kp = await generateKeyPair();
    const key = await parseSecretKeyPem(kp.secretPem);
    const make = async (version: number, bytes: string): Promise<Uint8Array> => {
      await writeFile(join(work, 'app.bin'), bytes);
      return createTorrentPlusPlus(join(work, 'app.bin'), { uri: 'app:/x', version, key, now: Date.now() });
    };
    const stale = await make(1, 'old bytes');
    const good = await make(2, 'new bytes');
    const dup = await make(3, 'dup bytes');
    const verified = async (raw: Uint8Array) =>
      verifyTorrentPlusPlus(raw, { trusted: [parsePublicKeyPem(kp.publicPem)], now: Date.now() });
    const outcome = new Map<string, (raw: Uint8Array) => Promise<Outcome>>([
      [
        parseTorrentPlusPlus(stale).infoHash,
        async () => ({ kind: 'refused', code: 'ROLLBACK', reason: 'v1 < v2', id: 's' }),
      ],
      [
        parseTorrentPlusPlus(good).infoHash,
        async (raw) => ({ kind: 'accepted', update: await verified(raw), id: 'g' }),
      ],
      [
        parseTorrentPlusPlus(dup).infoHash,
        async (raw) => ({ kind: 'duplicate', update: await verified(raw), id: 'd' }),
      ],
    ]);
    const seen: string[] = [];
    const inbox = new Inbox(
      {
        submit: async (raw, payload) => {
          seen.push(payload ?? '');
          return outcome.get(parseTorrentPlusPlus(raw).infoHash)!(raw);
        },
        awaiting: async () => [],
        log: createLogger({ level: 'silent' }),
      },
      { dir: box, settleMs: 50, incompleteMs: 60_000 },
    );
    await writeFile(join(box, 'app.bin'), 'new bytes'); // waiting for good.torrent
    await writeFile(join(box, 'other.bin'), 'unrelated');
    await inbox.start();
    /** Waits for the nth submit, then for the files to reach the state `ready` names (≤ 3 s each). */
    const settle = async (n: number, ready: () => boolean): Promise<void> => {
      for (let i = 0; i < 150 && seen.length < n; i++) await delay(20);
      for (let i = 0; i < 150 && !ready(); i++) await delay(20);
      await inbox.settled(); // and the handling that got there is over (payload kept or taken)
    };
    const gone = (name: string) => !existsSync(join(box, name));
    await writeFile(join(box, 'stale.torrent'), stale);
    await settle(1, () => gone('stale.torrent') && existsSync(join(box, 'refused', 'stale.torrent.reason')));
    assert.ok(existsSync(join(box, 'app.bin')), 'a refused torrent leaves the payload it names');
    assert.ok(!existsSync(join(box, 'stale.torrent')));
    assert.ok(existsSync(join(box, 'refused', 'stale.torrent')));
    assert.equal(await readFile(join(box, 'refused', 'stale.torrent.reason'), 'utf8'), 'ROLLBACK: v1 < v2\n');
    // A duplicate whose signed hash the waiting file does not match leaves it too.
    await writeFile(join(box, 'dup.torrent'), dup);
    await settle(2, () => gone('dup.torrent'));
    assert.ok(existsSync(join(box, 'app.bin')) && !existsSync(join(box, 'dup.torrent')));
    await writeFile(join(box, 'good.torrent'), good);
    await settle(3, () => gone('app.bin') && gone('good.torrent'));
    assert.ok(!existsSync(join(box, 'app.bin')), 'the accepted torrent consumes its payload');
    assert.ok(!existsSync(join(box, 'good.torrent')));
    assert.ok(existsSync(join(box, 'other.bin')), 'files no accepted torrent names are never touched');
    // refused/ is bounded.
    for (let i = 0; i < REFUSED_KEEP + 3; i++) await writeFile(join(box, `junk${i}.torrent`), stale);
    const junkLeft = () => readdirSync(box).some((n) => n.startsWith('junk'));
    await settle(3 + REFUSED_KEEP + 3, () => !junkLeft());
    await inbox.stop();
    const kept = await readdir(join(box, 'refused'));
    assert.equal(kept.filter((n) => n.endsWith('.reason')).length, REFUSED_KEEP);
    assert.equal(kept.length, 2 * REFUSED_KEEP);
  } finally {
    await rm(box, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  }
});
