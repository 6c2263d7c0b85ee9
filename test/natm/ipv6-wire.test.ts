/**
 * IPv6 in natm's addresses and wire format (issue 19 item 5): one canonical text per
 * address, "[v6]:port" endpoints, family-tagged endpoints on the wire, table pages that
 * fit the datagram with IPv6's larger entries, IPv6 sources per /64, STUN over IPv6 without
 * amplification. Hostile input: every malformed IPv6 endpoint is refused with a coded
 * reason, and mutated packets never throw.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { parseEndpoint, MAX_DATAGRAM, type Endpoint } from '../../agent/lib/net/datagram.ts';
import { sourceKey } from '../../agent/lib/net/fair-share.ts';
import { canonicalIp } from '../../agent/lib/net/ip.ts';
import {
  decodePacket,
  encodePacket,
  fitEntries,
  MAX_ENTRIES,
  type Packet,
  type TableEntry,
} from '../../agent/lib/wire/messages.ts';
import { bindingRequest, bindingResponse, decodeStun } from '../../agent/lib/wire/stun-codec.ts';
import { SessionTable } from '../../agent/rendezvous/session-table.ts';

const ID = (k: number) => k.toString(16).padStart(32, 'a');

test('one canonical text per address; zone ids and garbage refused', () => {
  const cases: [string, string | null][] = [
    ['fd00::1', 'fd00::1'],
    ['FD00:0:0:0:0:0:0:1', 'fd00::1'],
    ['fd00:1:0:0:1:0:0:1', 'fd00:1::1:0:0:1'],
    ['fd12:0:1:0:0:0:0:0', 'fd12:0:1::'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['fd00::0:1', 'fd00::1'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['::FFFF:a01:203', '10.1.2.3'],
    ['10.1.2.3', '10.1.2.3'],
    ['::', '::'],
    ['fe80::1%eth0', null],
    ['fd00::1::2', null],
    ['fd00:::1', null],
    ['12345::1', null],
    ['1.2.3.256', null],
    ['', null],
    ['fd00::g', null],
  ];
  for (const [input, want] of cases) assert.equal(canonicalIp(input), want, input);
});

test('endpoints: "a.b.c.d:port" and "[v6]:port", canonical; everything else refused', () => {
  assert.deepEqual(parseEndpoint('[fd00::1]:4500'), { address: 'fd00::1', port: 4500 });
  assert.deepEqual(parseEndpoint('[FD00:0::1]:1'), { address: 'fd00::1', port: 1 });
  assert.deepEqual(parseEndpoint('[::ffff:10.1.2.3]:5'), { address: '10.1.2.3', port: 5 });
  assert.deepEqual(parseEndpoint('[::]:3478'), { address: '::', port: 3478 });
  assert.deepEqual(parseEndpoint('10.1.2.3:5'), { address: '10.1.2.3', port: 5 });
  for (const bad of [
    'fd00::1:4500',
    '[fd00::1]',
    '[fd00::1]:0',
    '[fd00::1]:65536',
    '[fe80::1%eth0]:5',
    '[1.2.3.4]:5',
    '[fd00::1::2]:5',
    '[fd00::1]:5x',
    `[${'f'.repeat(60)}]:5`,
    '1.2.3.256:5',
  ])
    assert.equal(parseEndpoint(bad), null, bad);
});

const v6 = (k: number): Endpoint => ({
  address: `fd00:${k.toString(16)}::${(k + 1).toString(16)}`,
  port: 4000 + k,
});
const worst = (k: number): TableEntry => ({
  id: ID(k),
  ver: k,
  ext: v6(k),
  via: ID(k + 1000),
  gone: false,
  internals: [v6(k + 1), v6(k + 2), v6(k + 3), v6(k + 4)],
});

test('wire: IPv6 and IPv4 endpoints round-trip in every body that carries endpoints', () => {
  const bodies: Packet['body'][] = [
    {
      t: 'register',
      internals: [v6(1), { address: '10.1.0.2', port: 4500 }],
      known: 3,
      children: [],
      ns: '',
    },
    { t: 'table', observed: v6(2), version: 7, more: false, push: false, entries: [worst(1)] },
    { t: 'intro', token: 5, peer: { ...worst(2), via: undefined } },
    { t: 'child-hello', internals: [v6(3)] },
  ];
  for (const body of bodies) {
    const p: Packet = { sender: ID(1), epoch: 1, seq: 2, body };
    const d = decodePacket(encodePacket(p));
    assert.ok(d.ok, body.t);
    assert.deepEqual(d.packet, p);
  }
});

test('hostile: bad family, truncated, IPv4-mapped or port-0 IPv6 endpoints are refused, never thrown', () => {
  const p: Packet = { sender: ID(1), epoch: 1, seq: 2, body: { t: 'child-hello', internals: [v6(9)] } };
  const good = encodePacket(p);
  const at = good.length - 19; // the endpoint: family · 16 bytes · port
  assert.equal(good[at], 6);
  const variants: [string, Uint8Array][] = [];
  const mutate = (what: string, f: (b: Uint8Array) => Uint8Array) => variants.push([what, f(good.slice())]);
  mutate('family 5', (b) => ((b[at] = 5), b));
  mutate('family 0', (b) => ((b[at] = 0), b));
  mutate('family 4 with 16 bytes', (b) => ((b[at] = 4), b));
  mutate('truncated address', (b) => b.subarray(0, at + 9));
  mutate('no port', (b) => b.subarray(0, b.length - 2));
  mutate('port 0', (b) => ((b[b.length - 1] = 0), (b[b.length - 2] = 0), b));
  mutate('IPv4-mapped', (b) => (b.fill(0, at + 1, at + 11), b.fill(0xff, at + 11, at + 13), b));
  for (const [what, bytes] of variants) {
    const d = decodePacket(bytes);
    assert.equal(d.ok, false, what);
    if (!d.ok) assert.equal(d.reason, 'malformed', what);
  }
  // Random mutations of an IPv6-heavy table: decode never throws.
  const table = encodePacket({
    sender: ID(1),
    epoch: 1,
    seq: 2,
    body: {
      t: 'table',
      observed: v6(1),
      version: 1,
      more: false,
      push: true,
      entries: fitEntries([worst(1), worst(2)]),
    },
  });
  for (let k = 0; k < 2000; k++) {
    const b = table.slice(0, 1 + Math.floor(Math.random() * table.length));
    const flips = randomBytes(3);
    b[flips[0]! % b.length] = flips[1]!;
    const d = decodePacket(b);
    if (d.ok) for (const e of d.packet.body.t === 'table' ? d.packet.body.entries : []) assert.ok(e.id);
  }
});

test('a table page fits one datagram also when every entry is IPv6 at its largest', () => {
  const entries = Array.from({ length: MAX_ENTRIES }, (_, k) => worst(k));
  const page = fitEntries(entries);
  assert.ok(page.length >= 1 && page.length < MAX_ENTRIES, `${page.length} worst-case IPv6 entries per page`);
  const plain = encodePacket({
    sender: ID(1),
    epoch: Date.now(),
    seq: 0xffffffff,
    body: { t: 'table', observed: v6(1), version: 0xffffffff, more: true, push: false, entries: page },
  });
  assert.ok(plain.length + 100 <= MAX_DATAGRAM, `${plain.length} bytes + the largest envelope (100)`);
  // IPv4 entries at their largest still fit ten to a page (no more pages than before).
  const v4 = entries.map((e, k) => ({
    ...e,
    ext: { address: `10.1.0.${k + 1}`, port: 1 },
    internals: [1, 2, 3, 4].map((i) => ({ address: `10.2.${k}.${i}`, port: 1 })),
  }));
  assert.equal(fitEntries(v4).length, MAX_ENTRIES);
  // The rendezvous pages its table by bytes and loses nothing.
  const t = new SessionTable(100, 60_000);
  for (let k = 0; k < 25; k++) t.upsert(ID(k), v6(k), worst(k).internals, undefined, 0);
  const seen: string[] = [];
  let known = 0;
  for (let round = 0; round < 20; round++) {
    const d = t.since(known, MAX_ENTRIES, (pg) => fitEntries(pg).length);
    seen.push(...d.entries.map((e) => e.id));
    known = d.upTo;
    if (!d.more) break;
  }
  assert.deepEqual(seen.sort(), Array.from({ length: 25 }, (_, k) => ID(k)).sort());
});

test('IPv6 sources are /64 prefixes: a host cannot count as many sources', () => {
  assert.equal(sourceKey('fd00:1:2:3::1', 24), sourceKey('fd00:1:2:3:ffff:ffff:ffff:ffff', 24));
  assert.notEqual(sourceKey('fd00:1:2:3::1', 24), sourceKey('fd00:1:2:4::1', 24));
  assert.equal(sourceKey('fd00:1:2:3::1', 24), 'fd00:1:2:3::/64');
  assert.equal(sourceKey('10.1.2.3', 24), '10.1.2.0/24');
});

test("STUN over IPv6: the mapped address is read back; the answer is never larger than natm's request", () => {
  const req = bindingRequest();
  assert.equal(req.bytes.length, 44);
  const res = bindingResponse(req.txid, { address: 'fd00::5', port: 4500 }, req.bytes.length);
  assert.ok(res.length <= req.bytes.length, `${res.length} ≤ ${req.bytes.length}`);
  assert.deepEqual(decodeStun(res)?.mapped, { address: 'fd00::5', port: 4500 });
});
