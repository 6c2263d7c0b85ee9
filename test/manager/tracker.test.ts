import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import bencode from 'bencode';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { announceReply, compactPeers, infoHashOf, rawQueryParam } from '../../agent/lib/tracker/compact.ts';
import { PEER_LIMITS, PeerTable } from '../../agent/lib/tracker/peer-table.ts';
import { Tracker } from '../../agent/lib/tracker/tracker.ts';

const IH = Buffer.from('00ff10203f25264170809a0b0c0d0e0f10111213', 'hex');
const pct = (b: Buffer): string => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('');

test('compact peers: 4 address bytes then the port, big-endian; junk entries skipped', () => {
  const c = compactPeers([
    { ip: '10.1.0.2', port: 51413 },
    { ip: '::1', port: 1 },
    { ip: '10.1.0.3', port: 0 },
    { ip: '198.18.0.7', port: 6881 },
  ]);
  assert.equal(Buffer.from(c).toString('hex'), '0a010002c8d5' + 'c6120007 1ae1'.replace(' ', ''));
});

test('announce reply lists everyone as a leecher (complete 0)', () => {
  const d = bencode.decode(announceReply([{ ip: '10.1.0.2', port: 51413 }], 30)) as Record<string, unknown>;
  assert.equal(d['complete'], 0);
  assert.equal(d['incomplete'], 1);
  assert.equal(d['interval'], 30);
  assert.equal(Buffer.from(d['peers'] as Uint8Array).toString('hex'), '0a010002c8d5');
});

test('info_hash is read as raw percent-encoded bytes, never as UTF-8', () => {
  const url = `/announce?port=1&info_hash=${pct(IH)}&left=0`;
  assert.equal(Buffer.from(rawQueryParam(url, 'info_hash')!).toString('hex'), IH.toString('hex'));
  assert.equal(infoHashOf(url), IH.toString('hex'));
  assert.equal(infoHashOf('/announce?info_hash=%zz'), null);
  assert.equal(infoHashOf('/announce?info_hash=short'), null);
  assert.equal(infoHashOf('/announce'), null);
});

test('peer table: static peers for all, natm peers per torrent, deduplicated, bounded, minus the announcer', () => {
  const t = new PeerTable([{ ip: '10.1.0.9', port: 1 }]);
  assert.equal(
    t.set('a'.repeat(40), [
      { ip: '10.1.0.2', port: 5 },
      { ip: '10.1.0.2', port: 5 },
    ]),
    true,
  );
  assert.equal(t.set('a'.repeat(40), [{ ip: '10.1.0.2', port: 5 }]), false, 'same set: no change');
  assert.deepEqual(t.list('a'.repeat(40)), [
    { ip: '10.1.0.2', port: 5 },
    { ip: '10.1.0.9', port: 1 },
  ]);
  assert.deepEqual(t.list('b'.repeat(40), { ip: '10.1.0.9', port: 1 }), []);
  const many = Array.from({ length: 500 }, (_, i) => ({ ip: `10.1.${i >> 8}.${i & 255}`, port: 2 }));
  t.set('c'.repeat(40), many);
  assert.equal(t.list('c'.repeat(40)).length, PEER_LIMITS.maxPeersPerTorrent + 1);
  for (let i = 0; i < PEER_LIMITS.maxTorrents + 10; i++)
    t.set(i.toString(16).padStart(40, '0'), many.slice(0, 1));
  assert.equal(t.size, PEER_LIMITS.maxTorrents);
});

function get(port: number, path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve(Buffer.concat(parts)));
    })
      .on('error', reject)
      .end();
  });
}

test('the HTTP tracker answers announces, refuses junk with a failure reason, stops cleanly', async () => {
  const peers = new PeerTable([{ ip: '10.1.0.5', port: 7000 }]);
  peers.set(IH.toString('hex'), [{ ip: '10.1.0.6', port: 7001 }]);
  const tr = new Tracker({ peers, log: silentLogger() }, { host: '127.0.0.1', port: 0, intervalS: 10 });
  await tr.start();
  await tr.start(); // idempotent
  const port = Number(new URL(tr.url).port);
  const d = bencode.decode(await get(port, `/announce?info_hash=${pct(IH)}&port=7000`)) as Record<
    string,
    unknown
  >;
  // The announcer (127.0.0.1:7000) is not 10.1.0.5:7000, so both peers are listed.
  assert.equal((d['peers'] as Uint8Array).length, 12);
  const bad = bencode.decode(await get(port, '/announce?x=1')) as Record<string, unknown>;
  assert.match(Buffer.from(bad['failure reason'] as Uint8Array).toString(), /info_hash/);
  assert.equal(tr.bad, 1);
  assert.equal(tr.announces, 1);
  await tr.stop();
  await tr.stop();
  await assert.rejects(get(port, '/announce'));
});

test('an IPv6 tracker host (config allows any IP) gives an announce URL that works', async () => {
  const peers = new PeerTable([{ ip: '10.1.0.5', port: 7000 }]);
  const tr = new Tracker({ peers, log: silentLogger() }, { host: '::1', port: 0, intervalS: 10 });
  await tr.start();
  try {
    const u = new URL(tr.url);
    assert.equal(u.hostname, '[::1]');
    const res = await fetch(`${tr.url}?info_hash=${pct(IH)}&port=7000`);
    const d = bencode.decode(new Uint8Array(await res.arrayBuffer())) as Record<string, unknown>;
    assert.equal((d['peers'] as Uint8Array).length, 6);
  } finally {
    await tr.stop();
  }
});

test('only GET is served: another method gets a failure reason, no peers', async () => {
  const peers = new PeerTable([{ ip: '10.1.0.5', port: 7000 }]);
  const tr = new Tracker({ peers, log: silentLogger() }, { host: '127.0.0.1', port: 0, intervalS: 10 });
  await tr.start();
  try {
    const res = await fetch(`${tr.url}?info_hash=${pct(IH)}&port=7000`, { method: 'POST', body: 'x' });
    const d = bencode.decode(new Uint8Array(await res.arrayBuffer())) as Record<string, unknown>;
    assert.equal(d['peers'], undefined);
    assert.match(Buffer.from(d['failure reason'] as Uint8Array).toString(), /expected GET/);
    assert.equal(tr.bad, 1);
    assert.equal(tr.announces, 0);
  } finally {
    await tr.stop();
  }
});

test('announce reply: incomplete is at least 1 (4.1 marks peers upload-only on 0), downloaded 0 (no scrape)', () => {
  const d = bencode.decode(announceReply([], 30)) as Record<string, unknown>;
  assert.equal(d['incomplete'], 1);
  assert.equal(d['downloaded'], 0);
  assert.equal(d['min interval'], 5, 'default min interval: min(5, interval)');
  const e = bencode.decode(announceReply([], 30, 1)) as Record<string, unknown>;
  assert.equal(e['min interval'], 1);
});

test('fast interval while the announcer downloads (left > 0) and after its first announce; min interval as set', async () => {
  const peers = new PeerTable();
  let now = 1000;
  const tr = new Tracker(
    { peers, log: silentLogger(), now: () => now },
    { host: '127.0.0.1', port: 0, intervalS: 30, fastIntervalS: 1, minIntervalS: 1 },
  );
  await tr.start();
  try {
    const port = Number(new URL(tr.url).port);
    const ask = async (q: string) =>
      bencode.decode(await get(port, `/announce?info_hash=${pct(IH)}&port=7000&${q}`)) as Record<
        string,
        unknown
      >;
    const leech = await ask('left=100');
    assert.deepEqual([leech['interval'], leech['min interval']], [1, 1]);
    now = 2000;
    const started = await ask('left=0&event=started');
    assert.deepEqual([started['interval'], started['min interval']], [1, 1]);
    now = 3000;
    const seed = await ask('left=0');
    assert.deepEqual([seed['interval'], seed['min interval']], [30, 1]);
    assert.deepEqual(tr.log.get(IH.toString('hex')), {
      count: 3,
      firstAt: 1000,
      lastAt: 3000,
      intervalS: 30,
      minIntervalS: 1,
    });
  } finally {
    await tr.stop();
  }
});

test('without fastIntervalS every reply carries intervalS (the behaviour before the levers)', async () => {
  const tr = new Tracker(
    { peers: new PeerTable(), log: silentLogger() },
    { host: '127.0.0.1', port: 0, intervalS: 30 },
  );
  await tr.start();
  try {
    const port = Number(new URL(tr.url).port);
    const d = bencode.decode(
      await get(port, `/announce?info_hash=${pct(IH)}&port=7000&left=5&event=started`),
    ) as Record<string, unknown>;
    assert.deepEqual([d['interval'], d['min interval']], [30, 5]);
  } finally {
    await tr.stop();
  }
});
