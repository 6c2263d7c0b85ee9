/**
 * A torrent and its connected peers as `torrent-get` shows them (3.00 and 4.1 legacy
 * keys), pure. Used to decide forced rechokes and origin shaping. Rows that do not
 * parse are skipped: a daemon answer is trusted for form, not for completeness.
 */
export const SWARM_FIELDS = [
  'hashString',
  'percentDone',
  'status',
  'sizeWhenDone',
  'uploadedEver',
  'rateUpload',
  'uploadLimited',
  'peers',
] as const;

export interface PeerRow {
  /** "ip:port" — Transmission keeps one connection per address and torrent. */
  readonly key: string;
  /** We are choked by the peer / interested in it. */
  readonly clientIsChoked: boolean;
  readonly clientIsInterested: boolean;
  /** We choke the peer / the peer is interested in us. */
  readonly peerIsChoked: boolean;
  readonly peerIsInterested: boolean;
  /** The peer's fraction, from its bitfield and HAVEs (3.00 batches HAVEs up to 10 s). */
  readonly progress: number;
}

export interface SwarmView {
  readonly hashString: string;
  readonly percentDone: number;
  readonly status: number;
  readonly sizeWhenDone: number;
  readonly uploadedEver: number;
  /** Bytes/s the torrent sends now (the daemon's average over a few seconds). */
  readonly rateUpload: number;
  readonly uploadLimited: boolean;
  readonly peers: readonly PeerRow[];
}

const num = (o: Record<string, unknown>, k: string): number | null =>
  typeof o[k] === 'number' && Number.isFinite(o[k]) ? (o[k] as number) : null;

function peerRow(v: unknown): PeerRow | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const bools = ['clientIsChoked', 'clientIsInterested', 'peerIsChoked', 'peerIsInterested'];
  if (typeof o['address'] !== 'string' || bools.some((k) => typeof o[k] !== 'boolean')) return null;
  const progress = num(o, 'progress');
  if (progress === null) return null;
  return {
    key: `${o['address']}:${num(o, 'port') ?? 0}`,
    clientIsChoked: o['clientIsChoked'] as boolean,
    clientIsInterested: o['clientIsInterested'] as boolean,
    peerIsChoked: o['peerIsChoked'] as boolean,
    peerIsInterested: o['peerIsInterested'] as boolean,
    progress,
  };
}

export function asSwarmView(v: unknown): SwarmView | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const [pd, st, size, up] = ['percentDone', 'status', 'sizeWhenDone', 'uploadedEver'].map((k) => num(o, k));
  if (typeof o['hashString'] !== 'string' || pd == null || st == null || size == null || up == null)
    return null;
  const peers = Array.isArray(o['peers']) ? o['peers'].map(peerRow) : [];
  return {
    hashString: o['hashString'],
    percentDone: pd,
    status: st,
    sizeWhenDone: size,
    uploadedEver: up,
    rateUpload: num(o, 'rateUpload') ?? 0,
    uploadLimited: o['uploadLimited'] === true,
    peers: peers.filter((p): p is PeerRow => p !== null),
  };
}
