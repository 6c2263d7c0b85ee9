import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isNeighbour, ServeBook, type NeighbourRow } from '../../agent/manager/serve-only.ts';
import { serveText } from '../../agent/manager/serve-view.ts';

const MiB = 1024 * 1024;
const LIMITS = { maxTorrents: 2, maxBytes: 10 * MiB, idleMs: 60_000 };
const H = (n: number): string => n.toString(16).padStart(40, '0');

const offer = (version: number, length = MiB, code = 'EXPIRED') => ({
  uri: 'app:/x',
  version,
  infoHash: H(version),
  length,
  code,
  reason: 'expired at X, local clock Y',
  at: version,
});

/** A bridge child (no public address, direct path) working on app:/x@version. */
const child = (id: string, version: number, state = 'downloading'): NeighbourRow => ({
  id,
  self: false,
  status: 'alive',
  path: 'direct',
  external: null,
  current: { uri: 'app:/x', version, state },
});

test('a neighbour is a direct peer with no public address, or our own (same NAT), or we have none', () => {
  assert.equal(isNeighbour(child('n4', 1), '198.18.0.31'), true);
  const pub = { ...child('n1', 1), external: { address: '198.18.0.11' } };
  assert.equal(isNeighbour(pub, '198.18.0.31'), false, 'a public node reached directly is no neighbour');
  assert.equal(isNeighbour({ ...pub, external: { address: '198.18.0.31' } }, '198.18.0.31'), true);
  const bridge = { ...child('n3', 1), external: { address: '198.18.0.31' } };
  assert.equal(isNeighbour(bridge, null), true, 'a bridge child whose bridge told its public address');
  assert.equal(isNeighbour(child('n3', 1), null), true, 'and one that has not heard it');
  assert.equal(isNeighbour({ ...child('n2', 1), path: 'punched' }, null), false);
  assert.equal(isNeighbour({ ...child('n4', 1), status: 'dead' }, null), false);
  assert.equal(isNeighbour({ ...child('me', 1), self: true }, null), false);
});

test('a refused update is served once a neighbour works on it, and only then', () => {
  const b = new ServeBook(LIMITS);
  assert.deepEqual(b.offer(offer(1)), { kind: 'held', dropped: [] });
  assert.deepEqual(b.plan([], null, 10), { start: [], stop: [], blocked: [] }, 'nobody needs it yet');
  assert.deepEqual(
    b.plan([child('n4', 1, 'applied')], null, 11).start,
    [],
    'a child that has it needs nothing',
  );
  const p = b.plan([child('n4', 1)], null, 12);
  assert.deepEqual(
    p.start.map((e) => [e.infoHash, e.for]),
    [[H(1), ['n4']]],
  );
  assert.equal(b.get(H(1))?.state, 'serving');
  assert.deepEqual(b.plan([child('n4', 1)], null, 13).start, [], 'started once');
  assert.match(serveText(b.entries()).join('\n'), /app:\/x v1 serving for n4; not deployed here: EXPIRED/);
});

test('refusals that are no reason of the node itself are never served', () => {
  const b = new ServeBook(LIMITS);
  for (const code of ['BAD_SIGNATURE', 'UNKNOWN_SIGNER', 'ROLLBACK', 'PAYLOAD_MISMATCH', 'THRESHOLD'])
    assert.equal(b.offer(offer(1, MiB, code)).kind, 'refused', code);
  assert.equal(b.offer(offer(1, MiB, 'URI_NOT_ACCEPTED')).kind, 'held');
});

test('attack: a child asking for many and huge updates cannot make the node hold more than its bounds', () => {
  const b = new ServeBook(LIMITS);
  // one huge update: refused outright
  assert.equal(b.offer(offer(1000, 11 * MiB)).kind, 'refused');
  // 200 valid refused updates, each 4 MiB, and a child (or several) working on every one
  for (let v = 1; v <= 200; v++) b.offer(offer(v, 4 * MiB));
  assert.ok(
    b.entries().length <= Math.max(4, 2 * LIMITS.maxTorrents),
    `candidates bounded (${b.entries().length})`,
  );
  let started = 0;
  let bytes = 0;
  for (let round = 0; round < 50; round++) {
    const rows = Array.from({ length: 200 }, (_, v) => child(`c${v}`, v + 1));
    for (let v = 1; v <= 200; v++) b.offer(offer(v, 4 * MiB)); // offered again and again
    const p = b.plan(rows, null, 1000 + round);
    started += p.start.length;
    bytes += p.start.reduce((n, e) => n + e.length, 0);
  }
  const serving = b.entries().filter((e) => e.state === 'serving');
  assert.ok(serving.length <= LIMITS.maxTorrents, `served at once: ${serving.length}`);
  assert.ok(serving.reduce((n, e) => n + e.length, 0) <= LIMITS.maxBytes);
  assert.equal(started, 2, 'nothing is started while the bounds are used up (and nothing idle is let go)');
  assert.equal(bytes, 8 * MiB);
  const blocked = b.entries().filter((e) => e.state === 'blocked');
  assert.ok(
    blocked.length > 0 && blocked.every((e) => /serveOnly\.max/.test(e.note ?? '')),
    'blocked says why',
  );
  assert.match(
    serveText(b.entries()).join('\n'),
    /NOT served for c\d+ \(already serving serveOnly\.maxTorrents 2/,
  );
});

test('the byte bound holds across torrents', () => {
  const b = new ServeBook({ ...LIMITS, maxTorrents: 10 });
  for (let v = 1; v <= 4; v++) b.offer(offer(v, 4 * MiB));
  const p = b.plan(
    [1, 2, 3, 4].map((v) => child(`c${v}`, v)),
    null,
    5,
  );
  assert.equal(p.start.length, 2, '8 of 10 MiB; a third 4 MiB one would exceed');
  assert.equal(p.blocked.length, 2);
  assert.match(p.blocked[0]!.note!, /would exceed serveOnly\.maxBytes/);
});

test('an update nobody needed for idleMs is let go, and a newer one supersedes an older', () => {
  const b = new ServeBook({ ...LIMITS, maxTorrents: 3 });
  b.offer(offer(1));
  b.plan([child('n4', 1)], null, 0);
  assert.deepEqual(b.plan([], null, 60_000).stop, [], 'not idle yet');
  assert.deepEqual(
    b.plan([], null, 60_001).stop.map((e) => e.version),
    [1],
  );
  assert.equal(b.entries().length, 0);
  b.offer(offer(2));
  b.offer(offer(3));
  b.plan([child('n4', 2)], null, 70_000);
  const p = b.plan([child('n4', 3)], null, 70_001);
  assert.deepEqual([p.start.map((e) => e.version), p.stop.map((e) => e.version)], [[3], []]);
  assert.deepEqual(
    b.plan([child('n4', 3)], null, 70_002).stop.map((e) => e.version),
    [2],
    'v2 goes once v3 is served',
  );
});

test('attack: a neighbour switching between versions cannot make the node fetch without end', () => {
  const b = new ServeBook({ maxTorrents: 2, maxBytes: 10 * MiB, idleMs: 60_000 });
  let bytes = 0;
  for (let t = 0; t < 1000; t++) {
    const v = 6 - (t % 6); // newest first: each older one started is let go when the next view wants another
    b.offer(offer(v, 4 * MiB));
    const p = b.plan([child('evil', v)], null, t);
    bytes += p.start.reduce((n, e) => n + e.length, 0);
  }
  assert.ok(bytes > 8 * MiB, 'it does serve while the window allows');
  assert.ok(bytes <= 20 * MiB, `started ${bytes / MiB} MiB within one idleMs (at most 2 × maxBytes)`);
});

test('serving off (maxTorrents 0): nothing starts, but a needed update is blocked (reported), never dropped at once', () => {
  const b = new ServeBook({ maxTorrents: 0, maxBytes: 10 * MiB, idleMs: 60_000 });
  assert.equal(b.offer(offer(3)).kind, 'held');
  assert.equal(b.entries().length, 1, 'remembered');
  const p = b.plan([child('n4', 3)], null, 1);
  assert.deepEqual(p.start, []);
  assert.deepEqual(
    p.blocked.map((e) => [e.version, e.note]),
    [[3, 'already serving serveOnly.maxTorrents 0 updates']],
  );
  for (let v = 4; v < 20; v++) b.offer(offer(v));
  assert.equal(b.entries().length, 4, 'at least MIN_CANDIDATES, no more');
});
