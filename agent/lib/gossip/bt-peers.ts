/**
 * BitTorrent endpoints of overlay members that hold an infoHash (ipc.md `peers`), from their
 * fleet records (`have`, `btPort`) and natm's view of each peer: its LAN addresses when natm
 * reaches the peer directly and knows its LAN endpoints; otherwise its public address AND,
 * when known, its LAN addresses. The daemon dials them all and keeps what answers. All LAN
 * addresses, not the first: a dual-stack peer reports an IPv4 and an IPv6 one, and an
 * IPv6-only daemon can dial only the latter (the tracker hands it over as BEP 7 `peers6`). (A bridge
 * child sees even its own bridge as "bridged" once it has not heard the bridge's public
 * endpoint for a while; with the public address alone it could never reach a LAN
 * neighbour behind the same firewall.) Dead members are left out. At most MAX_BT_PEERS,
 * sorted, so that "changed" is a plain comparison.
 * The address is always natm's view of the member itself (with certificates: a peer that
 * proved its certificate), the port is the one in the member's own record (with
 * certificates: signed by it, fleet-states.ts), and never below MIN_BT_PORT: a record can
 * name its own node's BitTorrent port, not another host's, nor a privileged port.
 */
import type { BtPeer } from '../ipc/contract.ts';
import { MIN_BT_PORT } from './codec-state.ts';
import type { GossipNode } from './gossip-node.ts';
import type { PeerView } from './overlay-link.ts';

export type { BtPeer };

export const MAX_BT_PEERS = 50;

export function btPeers(node: GossipNode, infoHash: string): BtPeer[] {
  const views = new Map<string, PeerView>();
  for (const p of node.c.link.peers()) views.set(p.id, p);
  const out: BtPeer[] = [];
  for (const m of node.membership.table.all()) {
    if (m.status === 'dead') continue;
    const r = node.fleet.get(m.id);
    if (!r || r.btPort < MIN_BT_PORT || !r.have.includes(infoHash)) continue;
    for (const ip of addresses(views.get(m.id))) out.push({ ip, port: r.btPort });
  }
  out.sort((a, b) => (a.ip === b.ip ? a.port - b.port : a.ip < b.ip ? -1 : 1));
  return out.slice(0, MAX_BT_PEERS);
}

function addresses(p: PeerView | undefined): string[] {
  if (!p) return [];
  const lan = (p.internals ?? (p.internal ? [p.internal] : [])).map((e) => e.address);
  if (p.path === 'direct' && lan.length) return [...new Set(lan)];
  return [...new Set([p.external?.address, ...lan].filter((a): a is string => !!a))];
}
