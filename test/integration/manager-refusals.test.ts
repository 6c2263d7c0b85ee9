/**
 * One test per refusal, against a real manager and a real transmission-daemon: each
 * bad torrent-file++ is dropped into the inbox after version 5 was applied; nothing is
 * deployed, the highest accepted version stays 5, and the refusal is recorded (store)
 * and logged with its code.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { appliedLines, createNode, dropRaw, waitUri, type TestNode } from './manager-harness/node.ts';
import { createNetns, type Netns } from './manager-harness/netns.ts';
import { makeAdmin, makePayload, sign, type Admin } from './manager-harness/updates.ts';
import { tempDir, waitFor } from './manager-harness/util.ts';
import type { Refusal } from '../../agent/manager/model.ts';

const URI = 'app:/refusals';
let tmp: Awaited<ReturnType<typeof tempDir>>;
let ns: Netns;
let admin: Admin;
let a: TestNode;

before(async () => {
  tmp = await tempDir('refusals');
  ns = await createNetns();
  admin = await makeAdmin(tmp.path);
  a = await createNode(tmp.path, 'a', admin.pubPath, ns, '10.1.0.1');
  await a.daemon.start();
  await a.writeConfig({});
  // Dropped while the manager is down: files already in the inbox at start are taken too.
  const payload = await makePayload(tmp.path, 'v5.bin', 64 * 1024);
  const t = await sign(admin, payload, join(tmp.path, 'v5.torrent'), { uri: URI, version: 5 });
  await dropRaw(a, 'v5.bin', await readFile(payload));
  await dropRaw(a, 'v5.torrent', t.raw);
  await a.startManager();
  await waitUri(a, URI, (r) => r.applied === 5, 60_000);
});

after(async () => {
  await a?.shutdown();
  await ns?.remove();
  await tmp?.remove();
});

/** Drops `raw`, waits for the refusal with `code`, and checks nothing changed. */
async function expectRefused(name: string, raw: Uint8Array, code: string): Promise<Refusal> {
  const before = (await a.store())!.refusals.length;
  const logsBefore = a.logs.length;
  await dropRaw(a, name, raw);
  const s = await waitFor(
    `refusal ${code}`,
    async () => {
      const d = await a.store();
      return d && d.refusals.length > before ? d : null;
    },
    20_000,
  );
  assert.equal(s.refusals[0]!.code, code, s.refusals[0]!.reason);
  assert.equal(s.refusals[0]!.source, 'inbox');
  const r = s.uris[URI]!;
  assert.equal(r.highestAccepted, 5);
  assert.equal(r.applied, 5);
  assert.equal(r.current?.version, 5);
  assert.deepEqual(await appliedLines(a), [`applied ${URI} 5`]);
  // This torrent's line: logged after the drop, with its uri and infohash (when it has
  // them): an earlier refusal with the same code does not count.
  const f = s.refusals[0]!;
  await waitFor(
    'refusal logged',
    () =>
      a.logs
        .slice(logsBefore)
        .some(
          (l) =>
            l['msg'] === 'update refused' &&
            l['code'] === code &&
            l['uri'] === f.uri &&
            l['infoHash'] === f.infoHash,
        ),
    5000,
  );
  return f;
}

async function signed(
  version: number,
  o: { expires?: number; key?: Admin; uri?: string } = {},
): Promise<Uint8Array> {
  const payload = await makePayload(tmp.path, `p-${randomBytes(4).toString('hex')}.bin`, 32 * 1024);
  const out = join(tmp.path, `${randomBytes(4).toString('hex')}.torrent`);
  return (
    await sign(o.key ?? admin, payload, out, {
      uri: o.uri ?? URI,
      version,
      ...(o.expires ? { expires: o.expires } : {}),
    })
  ).raw;
}

test('forged: a byte of the signed content changed → BAD_SIGNATURE', async () => {
  const raw = Buffer.from(await signed(6));
  const at = raw.indexOf('6:pieces') + 12; // inside the piece hashes (same length, still valid bencode)
  raw[at] = raw[at]! ^ 0xff;
  await expectRefused('forged.torrent', raw, 'BAD_SIGNATURE');
});

test('signed by a key this node does not trust → UNKNOWN_SIGNER', async () => {
  const mallory = await makeAdmin(tmp.path, 'mallory');
  await expectRefused('wrong-key.torrent', await signed(7, { key: mallory }), 'UNKNOWN_SIGNER');
});

test('same version with other content → ROLLBACK', async () => {
  await expectRefused('same.torrent', await signed(5), 'ROLLBACK');
});

test('older version → ROLLBACK', async () => {
  await expectRefused('older.torrent', await signed(3), 'ROLLBACK');
});

test('expired → EXPIRED, naming the update (its signature was valid) and the local clock used', async () => {
  const f = await expectRefused(
    'expired.torrent',
    await signed(8, { expires: Math.floor(Date.now() / 1000) - 3600 }),
    'EXPIRED',
  );
  assert.equal(f.uri, URI);
  assert.equal(f.version, 8);
  assert.match(f.reason, /^expired at \S+Z, local clock \S+Z$/);
});

test('URI with no deployer on this node → URI_NOT_ACCEPTED', async () => {
  const before = (await a.store())!.refusals.length;
  await dropRaw(a, 'other.torrent', await signed(1, { uri: 'other:/thing' }));
  const s = await waitFor(
    'refusal',
    async () => ((await a.store())!.refusals.length > before ? a.store() : null),
    20_000,
  );
  assert.equal(s!.refusals[0]!.code, 'URI_NOT_ACCEPTED');
  assert.equal(s!.uris['other:/thing'], undefined);
});

test('not bencode → MALFORMED; oversized → TOO_LARGE', async () => {
  await expectRefused('garbage.torrent', Buffer.from('this is not a torrent'), 'MALFORMED');
  await expectRefused('huge.torrent', Buffer.alloc(3 * 1024 * 1024, 0x61), 'TOO_LARGE');
});

test("store.json deleted (as the manager's user could): an older version is still refused, by the executor's record", async () => {
  const lines = (await appliedLines(a)).length;
  await a.stopManager();
  await rm(join(a.stateDir, 'store.json'));
  await a.startManager();
  await dropRaw(a, 'v4-after-loss.torrent', await signed(4));
  const s = await waitFor(
    'refusal',
    async () => ((await a.store())?.refusals.length ? a.store() : null),
    20_000,
  );
  assert.equal(s!.refusals[0]!.code, 'ROLLBACK');
  assert.match(s!.refusals[0]!.reason, /below the version 5 the deploy executor deployed/);
  assert.equal(s!.uris[URI], undefined, 'not accepted, nothing downloaded');
  assert.equal((await appliedLines(a)).length, lines, 'nothing deployed');
});
