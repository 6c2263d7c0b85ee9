/**
 * natm → manager messages, decoded and bounded, pure (docs/protocol/ipc.md). Anything
 * malformed decodes to null: the client drops and counts it.
 */
import { LIMITS } from '../metainfo/limits.ts';
import type { Peer } from '../tracker/compact.ts';
import { PEER_LIMITS } from '../tracker/peer-table.ts';

export type Inbound =
  | { readonly type: 'hello-ack'; readonly nodeId: string }
  | {
      readonly type: 'notification';
      readonly id: string;
      readonly torrent: Uint8Array;
      readonly from: string;
    }
  | { readonly type: 'peers'; readonly infoHash: string; readonly peers: readonly Peer[] };

const HEX40 = /^[0-9a-f]{40}$/;
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

function peer(v: unknown): Peer | null {
  if (typeof v !== 'object' || v === null) return null;
  const { ip, port } = v as { ip?: unknown; port?: unknown };
  if (typeof ip !== 'string' || !/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return null;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return null;
  return { ip, port };
}

export function decodeInbound(m: { type: string; [k: string]: unknown }): Inbound | null {
  switch (m.type) {
    case 'hello-ack':
      return typeof m['nodeId'] === 'string'
        ? { type: 'hello-ack', nodeId: m['nodeId'].slice(0, 128) }
        : null;
    case 'notification': {
      const t = m['torrent'];
      if (typeof t !== 'string' || t.length > ((LIMITS.maxMetadataBytes + 2) / 3) * 4 + 4 || !B64.test(t))
        return null;
      const id = typeof m['id'] === 'string' ? m['id'].slice(0, 64) : '';
      const from = typeof m['from'] === 'string' ? m['from'].slice(0, 128) : '';
      return { type: 'notification', id, torrent: Buffer.from(t, 'base64'), from };
    }
    case 'peers': {
      const ih = m['infoHash'];
      const list = m['peers'];
      if (typeof ih !== 'string' || !HEX40.test(ih) || !Array.isArray(list)) return null;
      if (list.length > PEER_LIMITS.maxPeersPerTorrent * 4) return null;
      const peers = list.map(peer);
      if (peers.some((p) => p === null)) return null;
      return { type: 'peers', infoHash: ih, peers: peers as Peer[] };
    }
    default:
      return null;
  }
}
