/**
 * The executor's record file: written whole (0600) before an update resolves; a record
 * that does not read or validate stops start-up and is left as it was (never reset: that
 * would lower the floor); a failed write leaves the record in memory unchanged.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RecordError, RecordFile } from '../../agent/deploy-executor/record.ts';
import { finished, started } from '../../agent/deploy-executor/record-rules.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'p2pu-record-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const run = { version: 2, infoHash: 'b'.repeat(40), startedAt: 1, file: '/w/f', pgid: null, unit: null };

test('missing: empty; updates are on disk, 0600, before they resolve; a reopen reads them', async () => {
  const d = join(dir, 'ok');
  await mkdir(d);
  const r = await RecordFile.open(d);
  assert.deepEqual(r.data, { schema: 1, uris: {} });
  await r.update((x) => finished(started(x, 'app:/x', run), 'app:/x', true, 5));
  const st = await stat(join(d, 'record.json'));
  assert.equal(st.mode & 0o777, 0o600);
  const again = await RecordFile.open(d);
  assert.deepEqual(again.data.uris['app:/x']?.applied, { version: 2, infoHash: 'b'.repeat(40), at: 5 });
});

test('a corrupt or unknown record stops start-up and is left as it was', async () => {
  for (const [name, text] of [
    ['json', '{"schema": 1, "uris": '],
    ['schema', '{"schema": 2, "uris": {}}'],
    ['floor', '{"schema": 1, "uris": {"a:": {"floor": {"version": -1, "infoHash": "x"}}}}'],
  ] as const) {
    const d = join(dir, name);
    await mkdir(d);
    await writeFile(join(d, 'record.json'), text);
    await assert.rejects(
      RecordFile.open(d),
      (e: unknown) => e instanceof RecordError && /never reset/.test(e.message),
    );
    assert.equal(await readFile(join(d, 'record.json'), 'utf8'), text);
  }
});

test('a write that fails is a RecordError and the record in memory stays as it was', async () => {
  const d = join(dir, 'blocked');
  await mkdir(d);
  const r = await RecordFile.open(d);
  await mkdir(join(d, 'record.json', 'blocker'), { recursive: true }); // rename over a non-empty dir fails
  await assert.rejects(
    r.update((x) => started(x, 'app:/x', run)),
    RecordError,
  );
  assert.deepEqual(r.data, { schema: 1, uris: {} }, 'nothing acted on a decision not written down');
});
