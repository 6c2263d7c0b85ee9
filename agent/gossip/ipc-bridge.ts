/**
 * Wires a GossipNode to natm's IPC server (docs/protocol/ipc.md), for natm's main.ts:
 *   overlay notification → `notification` to the manager;
 *   `relay` → GossipNode.relay (announce + serve); `verdict` → refuse; `state` → fleet record;
 *   `hello` → the agent version reported in state records.
 * Typed against the narrow surface it needs (agent/natm/ipc-server.ts's IpcServer fits).
 * `torrent` is base64; a relay whose bytes do not hash to `id` is ignored and counted.
 */
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

export interface IpcLike {
  on(event: 'hello', fn: (m: { agentVersion: string }) => void): unknown;
  on(event: 'relay', fn: (m: RelayMsg) => void): unknown;
  on(event: 'verdict', fn: (m: { id: string }) => void): unknown;
  on(event: 'state', fn: (m: StateMsg) => void): unknown;
  send(msg: { type: 'notification'; id: string; torrent: string; from: string }): boolean;
}

export function bridgeIpc(node: GossipNode, ipc: IpcLike): { badRelays: number } {
  const counters = { badRelays: 0 };
  node.onNotification((id, bytes, from) => {
    ipc.send({ type: 'notification', id, torrent: Buffer.from(bytes).toString('base64'), from });
  });
  ipc.on('relay', (m) => {
    const bytes = new Uint8Array(Buffer.from(m.torrent, 'base64'));
    if (!node.relay(m.id, bytes, { uri: m.uri, version: m.version })) counters.badRelays++;
  });
  ipc.on('verdict', (m) => node.refuse(m.id));
  ipc.on('hello', (m) => void (node.agentVersion = m.agentVersion.slice(0, 64)));
  ipc.on('state', (m) =>
    node.setState({
      applied: Object.fromEntries(Object.entries(m.applied).slice(0, 16)),
      current: m.current,
    }),
  );
  return counters;
}
