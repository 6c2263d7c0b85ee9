/**
 * Wire format v3 (docs/protocol/gossip.md §Wire format). `decodePacket` checks the length
 * first, parses with bounds checks and returns null on anything malformed: it never throws.
 */
import { CodecError, Reader, Writer, fromHex, toHex } from '../wire/codec.ts';
import {
  MAX_BLOB,
  MAX_DIGEST,
  MAX_NOTICE,
  MAX_PACKET,
  WIRE_VERSION,
  type Body,
  type DigestEntry,
  type Item,
  type MemberStatus,
  type Packet,
} from './messages.ts';
import { readState, writeState } from './codec-state.ts';

const TYPES = ['ping', 'ack', 'ping-req', 'gossip', 'fetch', 'chunk', 'push-pull'] as const;
const STATUSES: MemberStatus[] = ['alive', 'suspect', 'dead'];
const KINDS = ['member', 'announce', 'state', 'revoke'] as const;
const MAX_ITEMS = 255;

export function encodeBody(body: Body): Writer {
  const w = new Writer({ capacity: body.type === 'chunk' ? MAX_PACKET : 64 });
  w.u8(WIRE_VERSION).u8(TYPES.indexOf(body.type) + 1);
  switch (body.type) {
    case 'ping':
    case 'ping-req':
      return w.u32(body.seq).str(body.target);
    case 'ack':
      return w.u32(body.seq).u53(body.time);
    case 'gossip':
      return w;
    case 'fetch':
      return w.raw(fromHex(body.id)).u32(body.offset);
    case 'chunk':
      return w
        .raw(fromHex(body.id))
        .u32(body.offset)
        .u32(body.total)
        .u8(body.missing ? 1 : 0)
        .blob(body.data);
    case 'push-pull':
      w.u8(body.reply ? 1 : 0).u8(body.digest.length);
      for (const e of body.digest) writeDigestEntry(w, e);
      return w;
  }
}

export function encodeItem(item: Item): Uint8Array {
  const w = new Writer();
  w.u8(KINDS.indexOf(item.kind) + 1);
  if (item.kind === 'member') w.u8(STATUSES.indexOf(item.status)).str(item.id).u53(item.incarnation);
  else if (item.kind === 'announce') w.raw(fromHex(item.id)).str(item.uri).u53(item.version).u32(item.size);
  else if (item.kind === 'revoke') w.blob(item.notice);
  else {
    writeState(w, item.record);
    const sig = item.sig;
    if (sig && (sig.key.length !== 32 || sig.sig.length !== 64))
      throw new CodecError('bad record signature size');
    if (!sig) w.u8(0);
    else w.u8(1).raw(sig.key).raw(sig.sig);
  }
  return w.finish();
}

/** Body, then u8 item count, then each encoded item as-is (already kind-prefixed). */
export function assemble(body: Writer, items: readonly Uint8Array[]): Uint8Array {
  body.u8(items.length);
  let n = body.len;
  for (const i of items) n += i.length;
  const out = new Uint8Array(n);
  out.set(body.written(), 0);
  let at = body.len;
  for (const i of items) {
    out.set(i, at);
    at += i.length;
  }
  return out;
}

export function encodePacket(p: Packet): Uint8Array {
  return assemble(encodeBody(p.body), p.items.map(encodeItem));
}

export function decodePacket(buf: Uint8Array): Packet | null {
  if (buf.length < 3 || buf.length > MAX_PACKET) return null;
  try {
    const r = new Reader(buf);
    if (r.u8() !== WIRE_VERSION) return null;
    const body = readBody(r);
    if (!body) return null;
    const n = r.u8();
    const items: Item[] = [];
    for (let i = 0; i < n && i < MAX_ITEMS; i++) {
      const it = readItem(r);
      if (!it) return null;
      items.push(it);
    }
    if (r.remaining !== 0) return null;
    return { body, items };
  } catch {
    return null; // CodecError (overrun, bad UTF-8, over a bound): junk, not our bug
  }
}

function readBody(r: Reader): Body | null {
  const type = TYPES[r.u8() - 1];
  switch (type) {
    case 'ping':
    case 'ping-req':
      return { type, seq: r.u32(), target: r.str() };
    case 'ack':
      return { type, seq: r.u32(), time: r.u53() };
    case 'gossip':
      return { type };
    case 'fetch':
      return { type, id: toHex(r.raw(32)), offset: r.u32() };
    case 'chunk': {
      const id = toHex(r.raw(32));
      const offset = r.u32();
      const total = r.u32();
      const missing = r.u8() === 1;
      const data = r.blob();
      if (total > MAX_BLOB) return null;
      // "missing" comes from a node that holds nothing: no data, and total may be 0.
      if (missing ? data.length !== 0 : offset + data.length > total) return null;
      return { type, id, offset, total, missing, data };
    }
    case 'push-pull': {
      const reply = r.u8() === 1;
      const n = r.u8();
      if (n > MAX_DIGEST) return null;
      const digest: DigestEntry[] = [];
      for (let i = 0; i < n; i++) digest.push(readDigestEntry(r));
      return { type, reply, digest };
    }
    default:
      return null;
  }
}

function readItem(r: Reader): Item | null {
  const kind = KINDS[r.u8() - 1];
  if (kind === 'member') {
    const status = STATUSES[r.u8()];
    if (!status) return null;
    return { kind, status, id: r.str(), incarnation: r.u53() };
  }
  if (kind === 'announce') {
    const id = toHex(r.raw(32));
    const item = { kind, id, uri: r.str(), version: r.u53(), size: r.u32() };
    return item.size > MAX_BLOB || item.size === 0 ? null : item;
  }
  if (kind === 'revoke') {
    const notice = r.blob();
    return notice.length === 0 || notice.length > MAX_NOTICE ? null : { kind, notice };
  }
  if (kind === 'state') {
    const record = readState(r);
    const signed = r.u8();
    if (!record || signed > 1) return null;
    return { kind, record, sig: signed ? { key: r.raw(32).slice(), sig: r.raw(64).slice() } : null };
  }
  return null;
}

function writeDigestEntry(w: Writer, e: DigestEntry): void {
  w.str(e.uri).u53(e.version).raw(fromHex(e.id)).u32(e.size);
}

function readDigestEntry(r: Reader): DigestEntry {
  const e = { uri: r.str(), version: r.u53(), id: toHex(r.raw(32)), size: r.u32() };
  if (e.size > MAX_BLOB || e.size === 0) throw new CodecError('digest entry size out of range');
  return e;
}
