/** The one manager ↔ natm contract (agent/lib/ipc/contract.ts, docs/protocol/ipc.md): round trips and refusals. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeManagerMessage,
  decodeNatmMessage,
  encodeLine,
  IPC_LIMITS,
  type ManagerMessage,
  type NatmMessage,
} from '../../agent/lib/ipc/contract.ts';
import { parseMessage } from '../../agent/lib/ipc/ndjson.ts';
import { LIMITS } from '../../agent/lib/metainfo/limits.ts';

const ID = 'ab'.repeat(32);
const IH = 'cd'.repeat(20);
const torrent = Uint8Array.of(100, 56, 58);
const wire = (m: ManagerMessage | NatmMessage) => parseMessage(encodeLine(m).trimEnd());

test('every message of both directions survives encodeLine → parse → decode', () => {
  const down: ManagerMessage[] = [
    { type: 'hello', agentVersion: '0.1.0', btPort: 51413 },
    { type: 'hello', agentVersion: '0.1.0', btPort: null },
    { type: 'hello', agentVersion: '0.1.0', btPort: 6881, tags: 'hw=rpi4,ring=canary' },
    { type: 'hello', agentVersion: '0.1.0', btPort: 6881, tags: '' },
    { type: 'relay', id: ID, uri: 'app:/fw', version: 3, infoHash: IH, torrent },
    { type: 'verdict', id: ID, accepted: false, code: 'ROLLBACK', reason: 'older than 3' },
    { type: 'have', infoHash: IH, complete: true },
    {
      type: 'state',
      applied: { 'app:/fw': 2 },
      current: { uri: 'app:/fw', version: 3, state: 'x', progress: 0.5 },
    },
    { type: 'state', applied: {}, current: null },
    {
      type: 'state',
      applied: { 'app:/fw': 1 },
      current: null,
      failed: { 'app:/fw': 2 },
      rolledBack: { 'app:/fw': 2 },
    },
    { type: 'members' },
  ];
  for (const m of down) assert.deepEqual(decodeManagerMessage(wire(m)), m, m.type);
  const up: NatmMessage[] = [
    { type: 'hello-ack', nodeId: 'node-1' },
    { type: 'notification', id: ID, torrent, from: 'n2' },
    { type: 'peers', infoHash: IH, peers: [{ ip: '10.1.0.2', port: 6881 }] },
    { type: 'members', nodeId: 'node-1', now: 5, members: [{ id: 'node-1' }] },
  ];
  for (const m of up) assert.deepEqual(decodeNatmMessage(wire(m)), m, m.type);
  assert.equal(encodeLine(up[1]!), `{"type":"notification","id":"${ID}","torrent":"ZDg6","from":"n2"}\n`);
});

test('a hello without btPort is a hello with an unknown port; extra fields are ignored', () => {
  assert.deepEqual(decodeManagerMessage({ type: 'hello', agentVersion: '1' }), {
    type: 'hello',
    agentVersion: '1',
    btPort: null,
  });
  assert.deepEqual(decodeManagerMessage({ type: 'have', infoHash: IH, complete: false, later: 1 }), {
    type: 'have',
    infoHash: IH,
    complete: false,
  });
});

test('natm refuses every malformed or oversized field from a client', () => {
  const ok = { type: 'relay', id: ID, uri: 'app:/fw', version: 3, infoHash: IH, torrent: 'ZDg6' };
  const bigTorrent = 'A'.repeat(Math.ceil(LIMITS.maxMetadataBytes / 3) * 4 + 4);
  const bad: unknown[] = [
    null,
    [],
    { type: 'mystery' },
    { type: 'hello', agentVersion: 1, btPort: 5 },
    { type: 'hello', agentVersion: 'v'.repeat(IPC_LIMITS.maxShortText + 1), btPort: 5 },
    { type: 'hello', agentVersion: '1', btPort: 0 },
    { type: 'hello', agentVersion: '1', btPort: 65536 },
    { type: 'hello', agentVersion: '1', btPort: '5' },
    { type: 'hello', agentVersion: '1', btPort: 5, tags: 7 },
    { type: 'hello', agentVersion: '1', btPort: 5, tags: 'ring' },
    { type: 'hello', agentVersion: '1', btPort: 5, tags: 'Ring=canary' },
    { type: 'hello', agentVersion: '1', btPort: 5, tags: 'ring=a,ring=b' },
    {
      type: 'hello',
      agentVersion: '1',
      btPort: 5,
      tags: Array.from({ length: 9 }, (_, i) => `k${i}=v`).join(','),
    },
    { type: 'hello', agentVersion: '1', btPort: 5, tags: `k=${'v'.repeat(33)}` },
    { ...ok, id: 'zz' },
    { ...ok, id: ID.toUpperCase() },
    { ...ok, uri: '' },
    { ...ok, uri: 'u'.repeat(LIMITS.maxUriBytes + 1) },
    { ...ok, version: -1 },
    { ...ok, version: 1.5 },
    { ...ok, infoHash: ID },
    { ...ok, torrent: '' },
    { ...ok, torrent: '***' },
    { ...ok, torrent: bigTorrent },
    { type: 'verdict', id: ID, accepted: true, code: 'X', reason: 'r' },
    { type: 'verdict', id: ID, accepted: false, code: 'X', reason: 'r'.repeat(IPC_LIMITS.maxReason + 1) },
    { type: 'have', infoHash: IH, complete: 'yes' },
    { type: 'state', applied: [], current: null },
    { type: 'state', applied: { 'app:/a': -1 }, current: null },
    { type: 'state', applied: {}, current: { uri: 'a:/b', version: 1, state: 's', progress: 1.5 } },
    { type: 'state', applied: {}, current: { uri: 'a:/b', version: 1, state: 's' } },
    { type: 'state', applied: {} },
    { type: 'state', applied: {}, current: null, failed: { 'app:/a': -1 } },
    { type: 'state', applied: {}, current: null, rolledBack: [2] },
    { type: 'state', applied: {}, current: null, failed: null },
    {
      type: 'state',
      applied: {},
      current: null,
      rolledBack: Object.fromEntries(
        Array.from({ length: IPC_LIMITS.maxApplied + 1 }, (_, i) => [`a:/${i}`, 1]),
      ),
    },
    {
      type: 'state',
      applied: Object.fromEntries(
        Array.from({ length: IPC_LIMITS.maxApplied + 1 }, (_, i) => [`a:/${i}`, 1]),
      ),
      current: null,
    },
  ];
  for (const v of bad) assert.equal(decodeManagerMessage(v), null, JSON.stringify(v).slice(0, 80));
});

test('the manager refuses every malformed or oversized field from natm', () => {
  const peer = { ip: '10.1.0.2', port: 5 };
  const bad: unknown[] = [
    { type: 'hello-ack', nodeId: 'N 1' },
    { type: 'notification', id: 'i', torrent: 'ZDg6', from: 'n2' },
    { type: 'notification', id: ID, torrent: 'ZDg6', from: 'x'.repeat(33) },
    { type: 'peers', infoHash: IH, peers: [{ ip: '10.1.0.256', port: 5 }] },
    { type: 'peers', infoHash: IH, peers: [{ ip: '10.1.0.2', port: 0 }] },
    { type: 'peers', infoHash: IH, peers: 'none' },
    { type: 'peers', infoHash: IH, peers: Array.from({ length: IPC_LIMITS.maxPeers + 1 }, () => peer) },
    { type: 'members', nodeId: 'n1', now: 1, members: 'all' },
    { type: 'members', nodeId: 'n1', now: 1, members: [1] },
    { type: 'members', nodeId: 'n1', members: [] },
  ];
  for (const v of bad) assert.equal(decodeNatmMessage(v), null, JSON.stringify(v).slice(0, 80));
});
