/**
 * natm message bodies and the session header, encoded with the bounded codec (codec.ts). The plaintext of
 * every sealed datagram is: type u8 · sender str8 · epoch f64 · seq u32 · body. Decoding
 * untrusted bytes returns null (with a reason), never throws. Table: docs/protocol/natm.md.
 */
import { MAX_DATAGRAM, type Endpoint } from '../net/datagram.ts';
import { isPeerId, MAX_APP_PAYLOAD } from '../net/overlay-link.ts';
import { CodecError, Reader, Writer } from './codec.ts';
import { ipBytes, ipFromBytes, isMapped } from '../net/ip.ts';

export const MAX_INTERNALS = 4;
export const MAX_CHILDREN = 16;
export const MAX_ENTRIES = 10;
export const MAX_TTL = 3;

export interface TableEntry {
  id: string;
  ext?: Endpoint;
  internals: Endpoint[];
  via?: string; // bridge node id, for a node reachable only through a bridge
  gone: boolean; // tombstone: the rendezvous dropped this node
  ver: number;
}

export type Body =
  | { t: 'register'; internals: Endpoint[]; known: number; children: string[]; ns: string }
  | { t: 'table'; observed?: Endpoint; version: number; more: boolean; push: boolean; entries: TableEntry[] }
  | { t: 'intro-req'; target: string }
  | { t: 'intro'; peer: TableEntry; token: number }
  /**
   * Punch, keepalive, liveness, and return routability: `token` is the sender's challenge (a
   * cookie of the receiver's address, net/address-proof.ts), `echo` the last token it got
   * from the receiver (0: none); an ack answers a probe, echoing its token.
   */
  | { t: 'probe'; token: number; ack: boolean; echo: number }
  | { t: 'data'; payload: Uint8Array }
  | { t: 'forward'; origin: string; dest: string; ttl: number; payload: Uint8Array }
  | { t: 'child-hello'; internals: Endpoint[] }
  | { t: 'child-ack' };

export interface Packet {
  sender: string;
  epoch: number; // sender's start time (ms); a restart gives a larger epoch
  seq: number; // per-epoch counter, for the replay window
  body: Body;
}

const TYPES = [
  'register',
  'table',
  'intro-req',
  'intro',
  'probe',
  'data',
  'forward',
  'child-hello',
  'child-ack',
];

/**
 * An endpoint: family u8 (4 or 6) · 4 or 16 address bytes · u16 port (never 0). An
 * IPv4-mapped IPv6 address travels as the IPv4 it maps (one form per address, ip.ts), so
 * a mapped one on the wire is refused, as are other families and truncated addresses.
 */
function writeEndpoint(w: Writer, e: Endpoint): Writer {
  const b = ipBytes(e.address);
  if (!b) throw new CodecError('not an IP address');
  w.u8(b.length === 4 ? 4 : 6);
  for (const x of b) w.u8(x);
  return w.u16(e.port);
}

function readEndpoint(r: Reader): Endpoint {
  const family = r.u8();
  if (family !== 4 && family !== 6) throw new CodecError('bad address family');
  const b = new Uint8Array(family === 4 ? 4 : 16);
  for (let i = 0; i < b.length; i++) b[i] = r.u8();
  if (isMapped(b)) throw new CodecError('IPv4-mapped IPv6 address');
  const port = r.u16();
  if (port === 0) throw new CodecError('port 0');
  return { address: ipFromBytes(b), port };
}

/** Encoded size of an endpoint (family, address, port). */
export const endpointSize = (e: Endpoint): number => (e.address.includes(':') ? 19 : 7);

/** Encoded size of a table entry (writeEntry). */
export function entrySize(e: TableEntry): number {
  const ids = 1 + e.id.length + (e.via ? 1 + e.via.length : 0);
  return (
    ids + 4 + 1 + (e.ext ? endpointSize(e.ext) : 0) + 1 + e.internals.reduce((n, i) => n + endpointSize(i), 0)
  );
}

/**
 * Bytes a table packet may spend on entries: the datagram less the largest header (type,
 * sender, epoch, seq, flags, observed IPv6, version, count) and the largest envelope (a
 * signature frame's 100 bytes).
 */
export const TABLE_ENTRY_BYTES = MAX_DATAGRAM - (1 + 33 + 8 + 4 + 1 + 19 + 4 + 1) - 100;

/** The longest prefix of `entries` (≤ MAX_ENTRIES) that fits in one table packet. */
export function fitEntries<T extends TableEntry>(entries: readonly T[]): T[] {
  const out: T[] = [];
  let bytes = 0;
  for (const e of entries) {
    bytes += entrySize(e);
    if (out.length === MAX_ENTRIES || bytes > TABLE_ENTRY_BYTES) break;
    out.push(e);
  }
  return out;
}

function writeEntry(w: Writer, e: TableEntry): void {
  w.str(e.id).u32(e.ver);
  w.u8((e.ext ? 1 : 0) | (e.via ? 2 : 0) | (e.gone ? 4 : 0));
  if (e.ext) writeEndpoint(w, e.ext);
  if (e.via) w.str(e.via);
  w.u8(e.internals.length);
  for (const i of e.internals) writeEndpoint(w, i);
}

function readPeerId(r: Reader): string {
  const s = r.str(32);
  if (!isPeerId(s)) throw new CodecError('bad peer id');
  return s;
}

function readEntry(r: Reader): TableEntry {
  const id = readPeerId(r);
  const ver = r.u32();
  const f = r.u8();
  const ext = f & 1 ? readEndpoint(r) : undefined;
  const via = f & 2 ? readPeerId(r) : undefined;
  const internals = r.list(MAX_INTERNALS, () => readEndpoint(r));
  return { id, ver, ext, via, gone: (f & 4) !== 0, internals };
}

/** A cluster namespace at the rendezvous: "" (the cluster-key mode's one table) or ≤ 32 of [a-z0-9._-]. */
export function isNamespace(s: unknown): s is string {
  return typeof s === 'string' && /^[a-z0-9._-]{0,32}$/.test(s);
}

function readNamespace(r: Reader): string {
  const s = r.str(32);
  if (!isNamespace(s)) throw new CodecError('bad namespace');
  return s;
}

/** The largest plaintext of a `probe`: type, sender, epoch, seq, token, ack, echo. */
export const PROBE_MAX_PLAIN = 1 + 33 + 8 + 4 + 4 + 1 + 4;

/** The largest header a `forward` adds to its payload: type, sender, epoch, seq, origin, dest, ttl, length. */
export const FORWARD_OVERHEAD = 1 + 33 + 8 + 4 + 33 + 33 + 1 + 2;

export function encodePacket(p: Packet): Uint8Array {
  const w = new Writer({ limit: MAX_DATAGRAM, capacity: 256 });
  const b = p.body;
  w.u8(TYPES.indexOf(b.t) + 1)
    .str(p.sender)
    .f64(p.epoch)
    .u32(p.seq);
  const eps = (l: Endpoint[]) => (w.u8(l.length), l.forEach((e) => writeEndpoint(w, e)));
  switch (b.t) {
    case 'register':
      eps(b.internals);
      w.u32(b.known).u8(b.children.length);
      b.children.forEach((c) => w.str(c));
      w.str(b.ns);
      break;
    case 'table':
      w.u8((b.observed ? 1 : 0) | (b.more ? 2 : 0) | (b.push ? 4 : 0)).u32(b.version);
      if (b.observed) writeEndpoint(w, b.observed);
      w.u8(b.entries.length);
      b.entries.forEach((e) => writeEntry(w, e));
      break;
    case 'intro-req':
      w.str(b.target);
      break;
    case 'intro':
      writeEntry(w.u32(b.token), b.peer);
      break;
    case 'probe':
      w.u32(b.token)
        .u8(b.ack ? 1 : 0)
        .u32(b.echo);
      break;
    case 'data':
      w.blob(b.payload);
      break;
    case 'forward':
      w.str(b.origin).str(b.dest).u8(b.ttl).blob(b.payload);
      break;
    case 'child-hello':
      eps(b.internals);
      break;
    case 'child-ack':
      break;
  }
  return w.finish();
}

export type Decoded = { ok: true; packet: Packet } | { ok: false; reason: string };

export function decodePacket(buf: Uint8Array): Decoded {
  try {
    const r = new Reader(buf);
    const t = TYPES[r.u8() - 1];
    const sender = readPeerId(r);
    const epoch = r.f64();
    const seq = r.u32();
    const body = decodeBody(r, t);
    r.end();
    return { ok: true, packet: { sender, epoch, seq, body } };
  } catch (e) {
    return { ok: false, reason: e instanceof CodecError ? 'malformed' : 'malformed_other' };
  }
}

function decodeBody(r: Reader, t: string | undefined): Body {
  const eps = () => r.list(MAX_INTERNALS, () => readEndpoint(r));
  switch (t) {
    case 'register':
      return {
        t,
        internals: eps(),
        known: r.u32(),
        children: r.list(MAX_CHILDREN, () => readPeerId(r)),
        ns: readNamespace(r),
      };
    case 'table': {
      const f = r.u8();
      const version = r.u32();
      const observed = f & 1 ? readEndpoint(r) : undefined;
      const entries = r.list(MAX_ENTRIES, () => readEntry(r));
      return { t, observed, version, more: (f & 2) !== 0, push: (f & 4) !== 0, entries };
    }
    case 'intro-req':
      return { t, target: readPeerId(r) };
    case 'intro':
      return { t, token: r.u32(), peer: readEntry(r) };
    case 'probe':
      return { t, token: r.u32(), ack: r.u8() === 1, echo: r.u32() };
    case 'data':
      return { t, payload: r.blob(MAX_APP_PAYLOAD) };
    case 'forward': {
      const origin = readPeerId(r);
      const dest = readPeerId(r);
      const ttl = r.u8();
      if (ttl > MAX_TTL) throw new CodecError('ttl');
      return { t, origin, dest, ttl, payload: r.blob(MAX_APP_PAYLOAD) };
    }
    case 'child-hello':
      return { t, internals: eps() };
    case 'child-ack':
      return { t };
    default:
      throw new CodecError('unknown type');
  }
}
