/**
 * Wires a GossipNode to natm's IPC server (docs/protocol/ipc.md), for natm's main.ts:
 *   overlay notification → `notification` to the manager;
 *   `relay` → GossipNode.relay (announce + serve); `verdict` → refuse; `state` → fleet record;
 *   `hello` → agent version and BitTorrent port in the record (and peers re-sent);
 *   `have` → the record's `have` list, and `peers` for it whenever its holders change.
 * Typed against the narrow surface it needs (agent/natm/ipc-server.ts's IpcServer fits).
 * `torrent` is base64; a relay whose bytes do not hash to `id` is ignored and counted.
 */
import { btPeers, type BtPeer } from './bt-peers.ts';
import type { GossipNode } from './gossip-node.ts';

export interface RelayMsg {
  id: string;
  uri: string;
  version: number;
  torrent: string;
}
export interface StateMsg {
  applied: Record<string, number>;
  current: { uri: string; version: number; state: string; progress: number } | null;
}
export type BridgeOut =
  | { type: 'notification'; id: string; torrent: string; from: string }
  | { type: 'peers'; infoHash: string; peers: BtPeer[] };

export interface IpcLike {
  on(event: 'hello', fn: (m: { agentVersion: string; btPort: number }) => void): unknown;
  on(event: 'relay', fn: (m: RelayMsg) => void): unknown;
  on(event: 'verdict', fn: (m: { id: string }) => void): unknown;
  on(event: 'state', fn: (m: StateMsg) => void): unknown;
  on(event: 'have', fn: (m: { infoHash: string; complete: boolean }) => void): unknown;
  send(msg: BridgeOut): boolean;
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
  node.onNotification((id, bytes, from) => {
    ipc.send({ type: 'notification', id, torrent: Buffer.from(bytes).toString('base64'), from });
  });
  node.onStateRecord(() => {
    for (const ih of node.local.have.keys()) refresh(ih);
  });
  ipc.on('relay', (m) => {
    const bytes = new Uint8Array(Buffer.from(m.torrent, 'base64'));
    if (!node.relay(m.id, bytes, { uri: m.uri, version: m.version })) counters.badRelays++;
  });
  ipc.on('verdict', (m) => node.refuse(m.id));
  ipc.on('state', (m) =>
    node.setState({
      applied: Object.fromEntries(Object.entries(m.applied).slice(0, 16)),
      current: m.current,
    }),
  );
  ipc.on('hello', (m) => {
    node.local.agentVersion = m.agentVersion.slice(0, 64);
    node.local.setBtPort(m.btPort);
    sent.clear(); // a (re)connected manager gets every peers list again
    for (const ih of node.local.have.keys()) refresh(ih);
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
