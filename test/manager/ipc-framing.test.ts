import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeNatmMessage as decodeInbound } from '../../agent/lib/ipc/contract.ts';
import { natmState } from '../../agent/manager/natm-state.ts';
import { LineSplitter, parseMessage } from '../../agent/lib/ipc/ndjson.ts';
import type { StoreData } from '../../agent/manager/model.ts';

test('lines are reassembled across chunks', () => {
  const s = new LineSplitter();
  assert.deepEqual(s.push(Buffer.from('{"a":')), []);
  assert.deepEqual(s.push(Buffer.from('1}\n{"b":2}\n{"c"')), ['{"a":1}', '{"b":2}']);
  assert.deepEqual(s.push(Buffer.from(':3}\n')), ['{"c":3}']);
  assert.equal(s.dropped, 0);
});

test('a line over the cap is dropped up to its newline and counted; the next line survives', () => {
  const s = new LineSplitter(16);
  assert.deepEqual(s.push(Buffer.from('x'.repeat(10))), []);
  assert.deepEqual(s.push(Buffer.from('y'.repeat(10))), []);
  assert.deepEqual(s.push(Buffer.from('zzz\n{"ok":1}\n')), ['{"ok":1}']);
  assert.equal(s.dropped, 1);
  assert.deepEqual(s.push(Buffer.from(`${'w'.repeat(40)}\nshort\n`)), ['short']);
  assert.equal(s.dropped, 2);
});

test('messages without a string type, or not JSON objects, parse to null', () => {
  assert.equal(parseMessage('nope'), null);
  assert.equal(parseMessage('[1]'), null);
  assert.equal(parseMessage('{"type":1}'), null);
  assert.deepEqual(parseMessage('{"type":"x","y":2}'), { type: 'x', y: 2 });
});

test('inbound natm messages are checked field by field', () => {
  const ih = 'ab'.repeat(20);
  assert.deepEqual(decodeInbound({ type: 'peers', infoHash: ih, peers: [{ ip: '10.1.0.2', port: 5 }] }), {
    type: 'peers',
    infoHash: ih,
    peers: [{ ip: '10.1.0.2', port: 5 }],
  });
  assert.equal(decodeInbound({ type: 'peers', infoHash: 'XYZ', peers: [] }), null);
  assert.equal(decodeInbound({ type: 'peers', infoHash: ih, peers: [{ ip: 'host', port: 5 }] }), null);
  assert.equal(
    decodeInbound({ type: 'peers', infoHash: ih, peers: [{ ip: '10.1.0.2', port: 70000 }] }),
    null,
  );
  const n = decodeInbound({
    type: 'notification',
    id: 'e'.repeat(64),
    torrent: Buffer.from('abc').toString('base64'),
    from: 'f',
  });
  assert.equal(n?.type === 'notification' && Buffer.from(n.torrent).toString(), 'abc');
  assert.equal(decodeInbound({ type: 'notification', torrent: '***' }), null);
  assert.equal(decodeInbound({ type: 'notification', torrent: 'A'.repeat(4 << 20) }), null);
  assert.deepEqual(decodeInbound({ type: 'hello-ack', nodeId: 'n1' }), { type: 'hello-ack', nodeId: 'n1' });
  assert.equal(decodeInbound({ type: 'mystery' }), null);
});

test('the state message names applied versions and the most recently active update', () => {
  const cur = (version: number, state: string, t: number) => ({
    version,
    infoHash: '0'.repeat(40),
    name: 'n',
    length: 1,
    sha256: '',
    state,
    at: { verified: t },
    progress: 0.5,
    lastError: null,
    deployAttempts: 0,
    nextAttemptAt: null,
    deployPid: null,
  });
  const d = {
    schema: 1,
    refusals: [],
    uris: {
      'app:/a': { highestAccepted: 2, applied: 1, appliedAt: 1, current: cur(2, 'downloading', 10) },
      'app:/b': { highestAccepted: 4, applied: null, appliedAt: null, current: cur(4, 'deploying', 20) },
      'app:/c': { highestAccepted: 1, applied: 1, appliedAt: 1, current: cur(1, 'applied', 30) },
    },
  } as unknown as StoreData;
  assert.deepEqual(natmState(d), {
    applied: { 'app:/a': 1, 'app:/c': 1 },
    current: { uri: 'app:/b', version: 4, state: 'deploying', progress: 0.5 },
  });
  // Nothing in progress: the most recent failure is the current update (rollout gates count it).
  const failed = {
    ...d,
    uris: {
      'app:/c': d.uris['app:/c'],
      'app:/d': { highestAccepted: 3, applied: 2, appliedAt: 1, current: cur(3, 'failed', 40) },
      'app:/e': { highestAccepted: 5, applied: null, appliedAt: null, current: cur(5, 'failed', 50) },
    },
  } as unknown as StoreData;
  assert.deepEqual(natmState(failed).current, { uri: 'app:/e', version: 5, state: 'failed', progress: 0.5 });
  const busy = { ...failed, uris: { ...failed.uris, 'app:/b': d.uris['app:/b'] } } as unknown as StoreData;
  assert.equal(natmState(busy).current?.uri, 'app:/b', 'one in progress goes first');
});
