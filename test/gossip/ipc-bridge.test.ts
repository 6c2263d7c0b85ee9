import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { bridgeIpc } from '../../agent/lib/gossip/ipc-bridge.ts';
import type { NatmMessage } from '../../agent/lib/ipc/contract.ts';
import { btPeers } from '../../agent/lib/gossip/bt-peers.ts';
import { makeBlob } from '../../agent/lib/gossip/sim/blob.ts';
import { SimCluster } from '../../agent/lib/gossip/sim/cluster.ts';

test('IPC bridge: notification up, relay/verdict/state down, as in docs/protocol/ipc.md', () => {
  const c = new SimCluster({ n: 3, seed: 41, verifyDelayMs: 0 });
  c.clock.advance(2000);
  // n2 is wired to an "IPC server" (a fake emitter) instead of the simulated manager.
  const ipc = Object.assign(new EventEmitter(), {
    sent: [] as { type: string; id: string; torrent: Uint8Array; from: string }[],
    send(m: { type: 'notification'; id: string; torrent: Uint8Array; from: string }) {
      this.sent.push(m);
      return true;
    },
  });
  const node = c.node('n2');
  const counters = bridgeIpc(node, ipc);
  const { id, bytes } = makeBlob('app://fw', 3, 2500);
  c.publish('n0', 'app://fw', 3, 2500);
  c.clock.advance(5000);
  const note = ipc.sent.find((m) => m.id === id);
  assert.ok(note, 'the manager was told');
  assert.deepEqual(new Uint8Array(Buffer.from(note.torrent)), bytes);
  // The simulated manager of n2 also relays; the IPC relay of the same bytes is idempotent.
  ipc.emit('relay', { id, uri: 'app://fw', version: 3, torrent: note.torrent });
  assert.equal(counters.badRelays, 0);
  ipc.emit('relay', { id, uri: 'app://fw', version: 3, torrent: Buffer.from('tampered') });
  assert.equal(counters.badRelays, 1, 'bytes that do not hash to id are not relayed');
  ipc.emit('verdict', { id: 'ff'.repeat(32), accepted: false, code: 'ROLLBACK', reason: 'old' });
  assert.equal(node.notifications.seen.get('ff'.repeat(32)), 'refused');
  ipc.emit('state', { applied: { 'app://fw': 3 }, current: null });
  c.clock.advance(3000);
  assert.deepEqual({ ...c.node('n0').fleet.get('n2')?.applied }, { 'app://fw': 3 });
  counters.stop();
  c.stop();
});

test('attachGossip starts a node on a link, answers members, and stops cleanly', async () => {
  const { attachGossip } = await import('../../agent/lib/gossip/attach.ts');
  const { silentLogger } = await import('../../agent/lib/common/logger.ts');
  const c = new SimCluster({ n: 3, seed: 42 });
  const link = c.net.addNode('extra');
  const g = attachGossip(link, undefined, { logger: silentLogger(), clock: c.clock, random: c.random });
  c.clock.advance(5000);
  const r = g.members();
  assert.equal(r.nodeId, 'extra');
  assert.deepEqual(
    r.members.map((m) => m.id),
    ['extra', 'n0', 'n1', 'n2'],
  );
  assert.ok(r.members.every((m) => m.status === 'alive'));
  g.stop();
  c.stop();
  c.clock.advance(2000);
  assert.equal(c.clock.pending(), 0);
});

function fakeIpc() {
  return Object.assign(new EventEmitter(), {
    sent: [] as NatmMessage[],
    send(m: NatmMessage) {
      this.sent.push(m);
      return true;
    },
  });
}

test('IPC bridge: `have`, btPort and hello tags spread in state records; `peers` lists the holders and follows changes', () => {
  const c = new SimCluster({ n: 4, seed: 43 });
  c.clock.advance(2000);
  const [i0, i1] = [fakeIpc(), fakeIpc()];
  const b0 = bridgeIpc(c.node('n0'), i0);
  const b1 = bridgeIpc(c.node('n1'), i1);
  const ih = 'ab'.repeat(20);
  i0.emit('hello', { agentVersion: '1.0', btPort: 51413, tags: 'ring=canary' });
  i1.emit('hello', { agentVersion: '1.0', btPort: 6000 });
  i0.emit('have', { infoHash: ih, complete: true });
  c.clock.advance(3000);
  assert.equal(c.node('n3').fleet.get('n0')?.tags, 'ring=canary', "n0's tags reach n3");
  i1.emit('have', { infoHash: ih, complete: false });
  const peersAt = (ipc: ReturnType<typeof fakeIpc>) =>
    ipc.sent.filter((m) => m.type === 'peers' && m.infoHash === ih).at(-1) as
      { peers: unknown[] } | undefined;
  assert.deepEqual(peersAt(i1)?.peers, [{ ip: '10.1.0.0', port: 51413 }], "n1 learns n0's LAN endpoint");
  c.clock.advance(3000);
  assert.deepEqual(
    peersAt(i0)?.peers,
    [{ ip: '10.1.0.1', port: 6000 }],
    'and n0 learns n1 (a fetcher is a peer too)',
  );
  assert.equal(c.node('n3').fleet.get('n1')?.tags, '', 'a hello without tags: none');
  const before = i1.sent.length;
  c.clock.advance(10_000);
  assert.equal(i1.sent.length, before, 'nothing re-sent while the holders are unchanged');
  c.crash('n0');
  c.clock.advance(40_000);
  assert.deepEqual(peersAt(i1)?.peers, [], 'a dead holder is withdrawn');
  b0.stop();
  b1.stop();
  c.stop();
});

test('peers: a holder not reached directly is listed at its public AND its LAN address', () => {
  const c = new SimCluster({ n: 3, seed: 7 });
  c.clock.advance(2000);
  const node = c.node('n1');
  const ih = 'cd'.repeat(20);
  const i0 = fakeIpc();
  const i1 = fakeIpc();
  bridgeIpc(c.node('n0'), i0);
  bridgeIpc(node, i1);
  i0.emit('hello', { agentVersion: '1.0', btPort: 51413 });
  i0.emit('have', { infoHash: ih, complete: true });
  c.clock.advance(3000);
  // natm's view of n0 from n1 turns "bridged": keep the LAN endpoint next to the public one.
  const real = node.c.link.peers.bind(node.c.link);
  node.c.link.peers = () =>
    real().map((p) =>
      p.id === 'n0'
        ? {
            ...p,
            path: 'bridged' as const,
            external: { address: '198.18.0.9', port: 4100 },
            internal: { address: '10.2.0.3', port: 4100 },
          }
        : p,
    );
  assert.deepEqual(btPeers(node, ih), [
    { ip: '10.2.0.3', port: 51413 },
    { ip: '198.18.0.9', port: 51413 },
  ]);
});

test('peers: a dual-stack holder is listed at every LAN address it reported (IPv4 and IPv6), direct or not', () => {
  const c = new SimCluster({ n: 3, seed: 9 });
  c.clock.advance(2000);
  const node = c.node('n1');
  const ih = 'ef'.repeat(20);
  const i0 = fakeIpc();
  bridgeIpc(c.node('n0'), i0);
  bridgeIpc(node, fakeIpc());
  i0.emit('hello', { agentVersion: '1.0', btPort: 51413 });
  i0.emit('have', { infoHash: ih, complete: true });
  c.clock.advance(3000);
  const v4 = { address: '198.18.0.11', port: 4100 };
  const v6 = { address: 'fd00:18::11', port: 4100 };
  let path: 'direct' | 'relayed' = 'direct';
  const real = node.c.link.peers.bind(node.c.link);
  node.c.link.peers = () =>
    real().map((p) =>
      p.id === 'n0' ? { ...p, path, external: v4, internal: v4, internals: [v4, v6, v4] } : p,
    );
  // Direct (an IPv6-only node reaching it at its IPv6 LAN endpoint): both, not only the first.
  assert.deepEqual(btPeers(node, ih), [
    { ip: '198.18.0.11', port: 51413 },
    { ip: 'fd00:18::11', port: 51413 },
  ]);
  path = 'relayed';
  assert.deepEqual(btPeers(node, ih), [
    { ip: '198.18.0.11', port: 51413 },
    { ip: 'fd00:18::11', port: 51413 },
  ]);
  c.stop();
});

test('IPC bridge: a hello without a BitTorrent port, then one with it; progress travels as a percentage', () => {
  const c = new SimCluster({ n: 2, seed: 44 });
  c.clock.advance(2000);
  const ipc = fakeIpc();
  const b = bridgeIpc(c.node('n1'), ipc);
  ipc.emit('hello', { agentVersion: '1.0', btPort: null });
  ipc.emit('state', {
    applied: {},
    current: { uri: 'app://fw', version: 2, state: 'downloading', progress: 0.5 },
  });
  c.clock.advance(3000);
  const seen = () => c.node('n0').fleet.get('n1');
  assert.equal(seen()?.btPort, 0, 'no port yet: advertised as unknown');
  assert.equal(seen()?.current?.progress, 50, 'fraction 0.5 is 50 %');
  ipc.emit('hello', { agentVersion: '1.0', btPort: 51413 });
  c.clock.advance(3000);
  assert.equal(seen()?.btPort, 51413, 'the second hello brings the port');
  b.stop();
  c.stop();
});
