/**
 * The manager ↔ natm IPC contract (docs/protocol/ipc.md), declared once and imported by
 * both sides: natm's IpcServer and gossip bridge, the manager's NatmClient, and the
 * `members` client. Messages are values (bytes as Uint8Array); `encodeLine` writes one
 * NDJSON line (bytes as base64); `decodeManagerMessage` / `decodeNatmMessage` check a
 * parsed line (ndjson.ts) field by field and return null for anything malformed or over
 * a bound: the receiver drops and counts it. Unknown extra fields are ignored, so either
 * side can grow; a known field of the wrong type is a bad frame.
 */
import { canonicalIp } from '../net/ip.ts';
import { LIMITS } from '../metainfo/limits.ts';
import { isPeerId } from '../net/overlay-link.ts';
import { PEER_LIMITS } from '../tracker/peer-table.ts';
import { parseTagString } from '../rollout/tags.ts';
import { UPDATE_CONDITIONS, type UpdateCondition } from '../gossip/health.ts';

export const IPC_LIMITS = {
  /** Characters of `agentVersion`, `code` and `current.state`. */
  maxShortText: 64,
  /** Characters of a verdict's `reason`. */
  maxReason: 1024,
  /** URIs in a `state` message's `applied` (gossip publishes the first 16). */
  maxApplied: 1024,
  /** Entries of a `peers` list (the tracker keeps at most this many per torrent). */
  maxPeers: PEER_LIMITS.maxPeersPerTorrent,
  /** Entries of a `members` reply (gossip's maxMembers). */
  maxMembers: 10_000,
} as const;

/** The update a node works on, for the fleet view; `progress` is a fraction, 0..1. */
export interface CurrentUpdate {
  readonly uri: string;
  readonly version: number;
  readonly state: string;
  readonly progress: number;
}

export interface NodeState {
  readonly applied: Readonly<Record<string, number>>;
  readonly current: CurrentUpdate | null;
  /** Per URI, the highest version that failed here (gave up, or unhealthy); absent = none. */
  readonly failed?: Readonly<Record<string, number>>;
  /** Per URI, the highest version rolled back here (issue 18); absent = none. */
  readonly rolledBack?: Readonly<Record<string, number>>;
}

export interface BtPeer {
  readonly ip: string;
  readonly port: number;
}

/** manager → natm (and `members` from any client). */
export type ManagerMessage =
  | {
      readonly type: 'hello';
      readonly agentVersion: string;
      readonly btPort: number | null;
      /** The node's tags, `k=v,k=v` (agent/lib/rollout/tags.ts); absent = none. */
      readonly tags?: string;
    }
  | {
      readonly type: 'relay';
      readonly id: string;
      readonly uri: string;
      readonly version: number;
      readonly infoHash: string;
      readonly torrent: Uint8Array;
    }
  | {
      readonly type: 'verdict';
      readonly id: string;
      readonly accepted: false;
      readonly code: string;
      readonly reason: string;
    }
  | { readonly type: 'have'; readonly infoHash: string; readonly complete: boolean }
  | ({
      readonly type: 'state';
      /** Update conditions (health.ts UPDATE_CONDITIONS) for the node's record; absent = none. */
      readonly conditions?: readonly UpdateCondition[];
    } & NodeState)
  | { readonly type: 'members' };

/** natm → manager (and the `members` reply). */
export type NatmMessage =
  | { readonly type: 'hello-ack'; readonly nodeId: string }
  | {
      readonly type: 'notification';
      readonly id: string;
      readonly torrent: Uint8Array;
      readonly from: string;
    }
  | { readonly type: 'peers'; readonly infoHash: string; readonly peers: readonly BtPeer[] }
  | MembersReply;

/** The fleet as natm sees it; each member is a MemberView (agent/lib/gossip/members-view.ts). */
export interface MembersReply {
  readonly type: 'members';
  readonly nodeId: string;
  readonly now: number;
  readonly members: readonly object[];
  /** natm's own connectivity (agent/natm/connectivity.ts ConnectivityView), when it reports it. */
  readonly connectivity?: object;
}

export type MessageOf<M extends { type: string }, T extends M['type']> = Extract<M, { type: T }>;

/** One NDJSON line, `\n`-terminated; byte fields as base64. */
export function encodeLine(m: ManagerMessage | NatmMessage): string {
  const wire = 'torrent' in m ? { ...m, torrent: Buffer.from(m.torrent).toString('base64') } : m;
  return `${JSON.stringify(wire)}\n`;
}

type Fields = Record<string, unknown>;
const obj = (v: unknown): Fields | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Fields) : null;
const text = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;
const uint = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const port = (v: unknown): v is number => uint(v) && v >= 1 && v <= 65535;
/** A notification id: SHA-256 of the torrent-file++, hex. */
const isId = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
const isInfoHash = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{40}$/.test(v);
const isUri = (v: unknown): v is string =>
  typeof v === 'string' && v.length > 0 && Buffer.byteLength(v) <= LIMITS.maxUriBytes;
const MAX_TORRENT_B64 = Math.ceil(LIMITS.maxMetadataBytes / 3) * 4;
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

function torrentOf(v: unknown): Uint8Array | null {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_TORRENT_B64 || !B64.test(v)) return null;
  return new Uint8Array(Buffer.from(v, 'base64'));
}

function currentOf(v: unknown): CurrentUpdate | null | undefined {
  if (v === null) return null;
  const c = obj(v);
  if (!c || !isUri(c.uri) || !uint(c.version) || !text(c.state, IPC_LIMITS.maxShortText)) return undefined;
  const p = c.progress;
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) return undefined;
  return { uri: c.uri, version: c.version, state: c.state, progress: p };
}

function appliedOf(v: unknown): Record<string, number> | null {
  const a = obj(v);
  if (!a) return null;
  const entries = Object.entries(a);
  if (entries.length > IPC_LIMITS.maxApplied || !entries.every(([u, n]) => isUri(u) && uint(n))) return null;
  return Object.fromEntries(entries) as Record<string, number>;
}

function tagsOk(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  try {
    parseTagString(v);
    return true;
  } catch {
    return false;
  }
}

function peerOf(v: unknown): BtPeer | null {
  const p = obj(v);
  if (!p || typeof p.ip !== 'string' || !port(p.port)) return null;
  // IPv4 or IPv6, in canonical text only (net/ip.ts): one spelling per address.
  return p.ip.length <= 45 && canonicalIp(p.ip) === p.ip ? { ip: p.ip, port: p.port } : null;
}

/** What natm accepts from a client; null = a bad frame. */
export function decodeManagerMessage(v: unknown): ManagerMessage | null {
  const m = obj(v);
  switch (m?.type) {
    case 'hello': {
      // btPort is null (or absent) while the manager cannot ask its daemon; it says hello again once it knows.
      const btPort = m.btPort ?? null;
      if (!text(m.agentVersion, IPC_LIMITS.maxShortText) || (btPort !== null && !port(btPort))) return null;
      if (m.tags === undefined) return { type: 'hello', agentVersion: m.agentVersion, btPort };
      return tagsOk(m.tags) ? { type: 'hello', agentVersion: m.agentVersion, btPort, tags: m.tags } : null;
    }
    case 'relay': {
      const torrent = torrentOf(m.torrent);
      if (!torrent || !isId(m.id) || !isUri(m.uri) || !uint(m.version) || !isInfoHash(m.infoHash))
        return null;
      return { type: 'relay', id: m.id, uri: m.uri, version: m.version, infoHash: m.infoHash, torrent };
    }
    case 'verdict':
      if (!isId(m.id) || m.accepted !== false) return null;
      if (!text(m.code, IPC_LIMITS.maxShortText) || !text(m.reason, IPC_LIMITS.maxReason)) return null;
      return { type: 'verdict', id: m.id, accepted: false, code: m.code, reason: m.reason };
    case 'have':
      if (!isInfoHash(m.infoHash) || typeof m.complete !== 'boolean') return null;
      return { type: 'have', infoHash: m.infoHash, complete: m.complete };
    case 'state': {
      const applied = appliedOf(m.applied);
      const current = currentOf(m.current);
      // failed and rolledBack: absent from managers before issue 18 item 3.
      const failed = m.failed === undefined ? {} : appliedOf(m.failed);
      const rolledBack = m.rolledBack === undefined ? {} : appliedOf(m.rolledBack);
      if (!applied || current === undefined || !failed || !rolledBack) return null;
      const known = (c: unknown): c is UpdateCondition => UPDATE_CONDITIONS.includes(c as UpdateCondition);
      const conds = m.conditions;
      if (conds !== undefined)
        if (!Array.isArray(conds) || conds.length > UPDATE_CONDITIONS.length || !conds.every(known))
          return null;
      return {
        type: 'state',
        applied,
        current,
        ...(m.failed === undefined ? {} : { failed }),
        ...(m.rolledBack === undefined ? {} : { rolledBack }),
        ...(conds === undefined ? {} : { conditions: conds }),
      };
    }
    case 'members':
      return { type: 'members' };
    default:
      return null;
  }
}

/** What a client accepts from natm; null = a bad frame. */
export function decodeNatmMessage(v: unknown): NatmMessage | null {
  const m = obj(v);
  switch (m?.type) {
    case 'hello-ack':
      return isPeerId(m.nodeId) ? { type: 'hello-ack', nodeId: m.nodeId } : null;
    case 'notification': {
      const torrent = torrentOf(m.torrent);
      if (!torrent || !isId(m.id) || !isPeerId(m.from)) return null;
      return { type: 'notification', id: m.id, torrent, from: m.from };
    }
    case 'peers': {
      const list = m.peers;
      if (!isInfoHash(m.infoHash) || !Array.isArray(list) || list.length > IPC_LIMITS.maxPeers) return null;
      const peers = list.map(peerOf);
      return peers.every((p) => p !== null) ? { type: 'peers', infoHash: m.infoHash, peers } : null;
    }
    case 'members': {
      const members = m.members;
      if (!isPeerId(m.nodeId) || !uint(m.now) || !Array.isArray(members)) return null;
      if (members.length > IPC_LIMITS.maxMembers || !members.every((x) => obj(x))) return null;
      const connectivity = m.connectivity === undefined ? undefined : obj(m.connectivity);
      if (connectivity === null) return null;
      return {
        type: 'members',
        nodeId: m.nodeId,
        now: m.now,
        members: members as object[],
        ...(connectivity ? { connectivity } : {}),
      };
    }
    default:
      return null;
  }
}
