/**
 * Wires a GossipNode to natm's IPC server (docs/protocol/ipc.md), for natm's main.ts:
 *   overlay notification → `notification` to the manager;
 *   `relay` → GossipNode.relay (announce + serve); `verdict` → refuse; `state` → fleet record;
 *   `hello` → agent version, BitTorrent port and tags in the record, peers re-sent, and
 *            every notification offered but not answered yet offered again (a manager
 *            that was down or restarting, or a natm just restarted, misses nothing);
 *   `have` → the record's `have` list, and `peers` for it whenever its holders change.
 * Typed against the narrow surface it needs (agent/natm/ipc-server.ts's IpcServer fits).
 * A relay whose bytes do not hash to `id` is ignored and counted. The manager's `progress`
 * is a fraction; the fleet record carries a percentage.
 */
import type { ManagerMessage, MessageOf, NatmMessage } from '../ipc/contract.ts';
import { btPeers } from './bt-peers.ts';
import type { GossipNode } from './gossip-node.ts';
import { MAX_DIGEST } from './messages.ts';

type Of<T extends ManagerMessage['type']> = MessageOf<ManagerMessage, T>;

/** The part of natm's IpcServer the bridge uses (messages: agent/lib/ipc/contract.ts). */
export interface IpcLike {
  on(event: 'hello', fn: (m: Of<'hello'>) => void): unknown;
  on(event: 'relay', fn: (m: Of<'relay'>) => void): unknown;
  on(event: 'verdict', fn: (m: Of<'verdict'>) => void): unknown;
  on(event: 'state', fn: (m: Of<'state'>) => void): unknown;
  on(event: 'have', fn: (m: Of<'have'>) => void): unknown;
  send(msg: NatmMessage): boolean;
}

/** How often `peers` lists are re-checked (members die, paths change): every 5 s. */
export const PEERS_REFRESH_MS = 5000;

export function bridgeIpc(node: GossipNode, ipc: IpcLike): { badRelays: number; stop(): void } {
  const counters = { badRelays: 0 };
  const sent = new Map<string, string>(); // infoHash → last `peers` sent (bounded by MAX_HAVE)
  const refresh = (infoHash: string) => {
    const peers = btPeers(node, infoHash);
    const key = JSON.stringify(peers);
    if (sent.get(infoHash) === key) return;
    if (ipc.send({ type: 'peers', infoHash, peers })) sent.set(infoHash, key);
  };
  node.onNotification((id, torrent, from) => {
    ipc.send({ type: 'notification', id, torrent, from });
  });
  node.onStateRecord(() => {
    for (const ih of node.local.have.keys()) refresh(ih);
  });
  ipc.on('relay', (m) => {
    if (!node.relay(m.id, m.torrent, { uri: m.uri, version: m.version })) counters.badRelays++;
  });
  ipc.on('verdict', (m) => node.refuse(m.id, m.code));
  const first = (v: Readonly<Record<string, number>> | undefined) =>
    Object.fromEntries(Object.entries(v ?? {}).slice(0, MAX_DIGEST));
  ipc.on('state', (m) => {
    node.local.setUpdateConditions(m.conditions ?? []);
    node.setState({
      applied: first(m.applied),
      current: m.current && { ...m.current, progress: Math.round(m.current.progress * 100) },
      ...(m.failed && Object.keys(m.failed).length > 0 ? { failed: first(m.failed) } : {}),
      ...(m.rolledBack && Object.keys(m.rolledBack).length > 0 ? { rolledBack: first(m.rolledBack) } : {}),
    });
  });
  ipc.on('hello', (m) => {
    node.local.agentVersion = m.agentVersion;
    node.local.setTags(m.tags ?? '');
    node.local.setBtPort(m.btPort ?? 0); // 0: not known yet (the manager says hello again once it is)
    sent.clear(); // a (re)connected manager gets every peers list again
    for (const ih of node.local.have.keys()) refresh(ih);
    node.reoffer();
  });
  ipc.on('have', (m) => {
    node.local.setHave(m.infoHash, m.complete);
    for (const ih of sent.keys()) if (!node.local.have.has(ih)) sent.delete(ih);
    refresh(m.infoHash);
  });
  const timer = node.c.clock.setInterval(() => {
    for (const ih of node.local.have.keys()) refresh(ih);
  }, PEERS_REFRESH_MS);
  return Object.assign(counters, { stop: () => timer.cancel() });
}
