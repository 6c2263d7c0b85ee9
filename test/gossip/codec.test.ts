import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePacket, encodePacket } from '../../agent/lib/gossip/codec.ts';
import { Writer } from '../../agent/lib/wire/codec.ts';
import { fitState, MAX_STATE_BYTES, stateBytes } from '../../agent/lib/gossip/codec-state.ts';
import { CHUNK_SIZE, MAX_PACKET, WIRE_VERSION, type Packet } from '../../agent/lib/gossip/messages.ts';
import { mulberry32 } from '../../agent/lib/simnet/prng.ts';

const ID = 'ab'.repeat(32);
const samples: Packet[] = [
  { body: { type: 'ping', seq: 7, target: 'node-b' }, items: [] },
  {
    body: { type: 'ack', seq: 4294967295, time: 1_700_000_000_123 },
    items: [{ kind: 'member', status: 'suspect', id: 'n1', incarnation: 3 }],
  },
  { body: { type: 'ping-req', seq: 1, target: 'ü-node' }, items: [] },
  {
    body: {
      type: 'ping',
      seq: 8,
      target: 'n2',
      sketch: { epoch: 2 ** 32 - 1, regs: new Uint8Array(32).fill(28) },
    },
    items: [],
  },
  {
    body: {
      type: 'ack',
      seq: 9,
      time: 1_700_000_000_000,
      sketch: { epoch: 0, regs: Uint8Array.from({ length: 32 }, (_, i) => i % 29) },
    },
    items: [],
  },
  {
    body: { type: 'gossip' },
    items: [
      { kind: 'announce', id: ID, uri: 'app://fw', version: 2 ** 40, size: 100_000 },
      { kind: 'member', status: 'dead', id: 'x', incarnation: 0 },
      { kind: 'member', status: 'alive', id: 'y', incarnation: 2 ** 32 },
      { kind: 'member', status: 'suspect', id: 'z', incarnation: Number.MAX_SAFE_INTEGER },
      {
        kind: 'state',
        record: {
          node: 'n9',
          seq: 1_700_000_000_123,
          agentVersion: '0.1.0',
          applied: { 'app://fw': 3, 'app://cfg': 1 },
          current: { uri: 'app://fw', version: 4, state: 'downloading', progress: 42 },
          btPort: 51413,
          have: ['aa'.repeat(20), 'bb'.repeat(20)],
          tags: 'hw=rpi4,ring=canary,site=glasgow',
          health: { conditions: ['no_rendezvous', 'clock_skew'], clockOffsetMs: -86_400_000 },
        },
        sig: { key: new Uint8Array(32).fill(0x11), sig: new Uint8Array(64).fill(0x22) },
      },
      {
        kind: 'state',
        record: {
          node: 'n8',
          seq: 1,
          agentVersion: '',
          applied: {},
          current: null,
          btPort: 0,
          have: [],
          tags: '',
        },
        sig: null,
      },
    ],
  },
  { body: { type: 'fetch', id: ID, offset: 3000 }, items: [] },
  {
    body: {
      type: 'chunk',
      id: ID,
      offset: 1000,
      total: 1500,
      missing: false,
      data: new Uint8Array(500).fill(9),
    },
    items: [],
  },
  { body: { type: 'chunk', id: ID, offset: 0, total: 0, missing: true, data: new Uint8Array(0) }, items: [] },
  // "missing" for a later chunk, from a node holding nothing (total 0)
  {
    body: { type: 'chunk', id: ID, offset: 1920, total: 0, missing: true, data: new Uint8Array(0) },
    items: [],
  },
  {
    body: { type: 'push-pull', reply: true, digest: [{ uri: 'app://fw', version: 5, id: ID, size: 10 }] },
    items: [],
  },
];

test('every message type round-trips', () => {
  for (const p of samples) {
    const bytes = encodePacket(p);
    assert.ok(bytes.length <= MAX_PACKET);
    const back = decodePacket(bytes);
    assert.deepEqual(JSON.parse(JSON.stringify(back)), JSON.parse(JSON.stringify(p)), p.body.type);
  }
});

test('junk, truncation, trailing bytes, wrong version and oversize decode to null', () => {
  assert.equal(decodePacket(new Uint8Array(0)), null);
  assert.equal(decodePacket(new Uint8Array([1, 99, 0])), null);
  assert.equal(decodePacket(new Uint8Array(MAX_PACKET + 1)), null);
  for (const p of samples) {
    const b = encodePacket(p);
    for (let cut = 0; cut < b.length; cut++)
      assert.equal(decodePacket(b.subarray(0, cut)), null, `${p.body.type}/${cut}`);
    assert.equal(decodePacket(new Uint8Array([...b, 0])), null, 'trailing byte');
    for (const v of [WIRE_VERSION - 1, WIRE_VERSION + 1]) {
      const other = b.slice();
      other[0] = v;
      assert.equal(decodePacket(other), null, `wire version ${v}`);
    }
  }
});

test('bounded fields: oversized blob size, digest count and bad status are refused', () => {
  const ann = encodePacket({
    body: { type: 'gossip' },
    items: [{ kind: 'announce', id: ID, uri: 'u', version: 1, size: 1 }],
  });
  const big = ann.slice();
  new DataView(big.buffer).setUint32(big.length - 4, 3 * 1024 * 1024);
  assert.equal(decodePacket(big), null);
  const pp = encodePacket({ body: { type: 'push-pull', reply: false, digest: [] }, items: [] });
  const many = pp.slice();
  many[3] = 200; // digest count beyond MAX_DIGEST
  assert.equal(decodePacket(many), null);
  const mem = encodePacket({
    body: { type: 'gossip' },
    items: [{ kind: 'member', status: 'alive', id: 'a', incarnation: 1 }],
  });
  const bad = mem.slice();
  bad[4] = 7; // status byte
  assert.equal(decodePacket(bad), null);
});

test('random bytes never throw (fuzz)', () => {
  const rnd = mulberry32(42);
  let decoded = 0;
  for (let i = 0; i < 20_000; i++) {
    const base = samples[i % samples.length]!;
    const b = encodePacket(base);
    for (let k = 0; k < 1 + (i % 4); k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    if (decodePacket(b)) decoded++;
    const junk = new Uint8Array(Math.floor(rnd() * 64)).map(() => Math.floor(rnd() * 256));
    decodePacket(junk);
  }
  assert.ok(decoded > 0, 'some mutations still decode (fields without structure)');
});

test("the gossip packet budget fits natm's app payload limit", async () => {
  const { MAX_APP_PAYLOAD } = await import('../../agent/lib/gossip/overlay-link.ts');
  assert.ok(MAX_PACKET <= MAX_APP_PAYLOAD, `${MAX_PACKET} > ${MAX_APP_PAYLOAD}`);
});

test('a "missing" chunk carries no data; a full chunk is 46 + CHUNK_SIZE bytes', () => {
  const missing = encodePacket({
    body: { type: 'chunk', id: ID, offset: 0, total: 0, missing: true, data: new Uint8Array(1) },
    items: [],
  });
  assert.equal(decodePacket(missing), null, 'data in a "missing" reply');
  const full = encodePacket({
    body: {
      type: 'chunk',
      id: ID,
      offset: 0,
      total: CHUNK_SIZE,
      missing: false,
      data: new Uint8Array(CHUNK_SIZE),
    },
    items: [],
  });
  assert.equal(full.length, 46 + CHUNK_SIZE);
  assert.ok(decodePacket(full));
});

test('a signed state record of the largest publishable size fits a packet on the smallest link', () => {
  const applied = Object.fromEntries(
    Array.from({ length: 16 }, (_, i) => [`app://${'u'.repeat(240)}${i}`, 2 ** 50]),
  );
  const record = fitState({
    node: 'f'.repeat(32),
    seq: Number.MAX_SAFE_INTEGER,
    agentVersion: 'v'.repeat(255),
    applied,
    current: { uri: 'c'.repeat(255), version: 2 ** 50, state: 's'.repeat(255), progress: 100 },
    btPort: 65535,
    have: Array.from({ length: 8 }, (_, i) => `${i}`.repeat(40)),
    // the longest tags a node may have: 5 × (16-char key = 32-char value) + 4 commas = 249 bytes
    tags: Array.from(
      { length: 5 },
      (_, i) => `${String.fromCharCode(97 + i)}${'k'.repeat(15)}=${'v'.repeat(32)}`,
    ).join(','),
  });
  assert.equal(record.tags.length, 249, 'the tags are kept (applied entries give way)');
  assert.ok(stateBytes(record).length <= MAX_STATE_BYTES);
  const sig = { key: new Uint8Array(32), sig: new Uint8Array(64) };
  const bytes = encodePacket({ body: { type: 'gossip' }, items: [{ kind: 'state', record, sig }] });
  // A certificate session inside natm's open envelope carries 1038 bytes (messages.ts CHUNK_SIZE).
  assert.ok(bytes.length <= 1038, `${bytes.length} bytes`);
  assert.ok(decodePacket(bytes));
  const badFlag = bytes.slice();
  badFlag[bytes.length - 97] = 2; // the signed flag
  assert.equal(decodePacket(badFlag), null);
  assert.throws(() =>
    encodePacket({
      body: { type: 'gossip' },
      items: [{ kind: 'state', record, sig: { ...sig, key: new Uint8Array(31) } }],
    }),
  );
  assert.equal(fitState({ ...record, btPort: 25 }).btPort, 0, 'a privileged port is not published');
});

test('numbers never wrap on the wire: out-of-range u32/u53 throw instead of encoding another value', () => {
  assert.throws(() => new Writer().u32(2 ** 32), RangeError);
  assert.throws(() => new Writer().u32(-1), RangeError);
  assert.throws(() => new Writer().u32(1.5), RangeError);
  assert.throws(() => new Writer().u53(2 ** 53), RangeError);
  assert.throws(() => new Writer().u53(-1), RangeError);
  const item = { kind: 'member', status: 'alive', id: 'n1', incarnation: 2 ** 32 } as const;
  const back = decodePacket(encodePacket({ body: { type: 'gossip' }, items: [item] }));
  assert.deepEqual(back?.items, [item], 'incarnation 2^32 is 2^32 on the other side, not 0');
});

test('a state record whose tags do not parse drops the packet; fitState publishes none rather than bad ones', async () => {
  const { fitState } = await import('../../agent/lib/gossip/codec-state.ts');
  const record = { node: 'n1', seq: 1, agentVersion: '', applied: {}, current: null, btPort: 0, have: [] };
  for (const tags of ['ring', 'Ring=x', 'a=1,a=2', `k=${'v'.repeat(33)}`, 'a=1,,b=2']) {
    const b = encodePacket({
      body: { type: 'gossip' },
      items: [{ kind: 'state', record: { ...record, tags }, sig: null }],
    });
    assert.equal(decodePacket(b), null, tags);
    assert.equal(fitState({ ...record, tags }).tags, '', tags);
  }
  assert.equal(fitState({ ...record, tags: 'ring=canary' }).tags, 'ring=canary');
});

test('failed and rolled-back versions per URI round-trip (wire 6), are bounded, and give way last in fitState', () => {
  const base = {
    node: 'n1',
    seq: 1,
    agentVersion: 'x',
    applied: { 'app:/a': 1 },
    current: null,
    btPort: 0,
    have: [],
  };
  const record = { ...base, tags: '', failed: { 'app:/a': 2 }, rolledBack: { 'app:/a': 2, 'app:/b': 9 } };
  const bytes = encodePacket({ body: { type: 'gossip' }, items: [{ kind: 'state', record, sig: null }] });
  assert.equal(bytes[0], 6, 'wire version 6');
  const got = decodePacket(bytes)!.items[0] as unknown as { record: typeof record };
  const plain = (m?: Record<string, number>) => ({ ...m });
  assert.deepEqual(
    {
      ...got.record,
      applied: plain(got.record.applied),
      failed: plain(got.record.failed),
      rolledBack: plain(got.record.rolledBack),
    },
    record,
  );
  const none = decodePacket(
    encodePacket({
      body: { type: 'gossip' },
      items: [{ kind: 'state', record: { ...base, tags: '' }, sig: null }],
    }),
  )!;
  assert.equal('failed' in (none.items[0] as { record: object }).record, false, 'absent when none');
  // 17 entries: fitState publishes 16; a packet claiming 17 is dropped.
  const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`app:/${i}`, i]));
  const fitted = fitState({ ...base, tags: '', failed: many, rolledBack: { 'app:/x': -1 } });
  assert.equal(Object.keys(fitted.failed!).length, 16);
  assert.equal(fitted.rolledBack, undefined, 'a negative version is not published');
  const w = new Writer();
  w.u8(6).u8(4).u8(1).u8(3); // gossip, one state item
  w.str('n1').u53(1).str('x').u8(0).u8(0).u16(0).u8(0).u8(0).str('').u8(17);
  assert.equal(decodePacket(w.finish()), null, 'failed: 17 entries');
  // The largest record still fits: applied entries give way first, then failed and rolled back.
  const long = (i: number) => `app://${'u'.repeat(240)}${i}`;
  const big = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [long(i), 2 ** 50]));
  const huge = fitState({ ...base, tags: '', applied: big, failed: big, rolledBack: big });
  assert.ok(stateBytes(huge).length <= MAX_STATE_BYTES);
  const small = fitState({
    ...base,
    tags: '',
    applied: big,
    failed: { 'app:/a': 2 },
    rolledBack: { 'app:/a': 2 },
  });
  assert.deepEqual(
    [small.failed, small.rolledBack],
    [{ 'app:/a': 2 }, { 'app:/a': 2 }],
    'kept when applied gives way',
  );
});
