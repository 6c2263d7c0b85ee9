/** Wire layout of a fleet-view state record (docs/protocol/gossip.md §Fleet view). */
import { CodecError, Writer, type Reader } from '../wire/codec.ts';
import { readHealth, UNKNOWN_HEALTH, writeHealth } from './health.ts';
import { MAX_DIGEST, MAX_HAVE, type StateRecord } from './messages.ts';

export function writeState(w: Writer, s: StateRecord): void {
  w.str(s.node).u53(s.seq).str(s.agentVersion);
  const applied = Object.entries(s.applied).slice(0, MAX_DIGEST);
  w.u8(applied.length);
  for (const [uri, v] of applied) w.str(uri).u53(v);
  const c = s.current;
  if (!c) w.u8(0);
  else
    w.u8(1)
      .str(c.uri)
      .u53(c.version)
      .str(c.state)
      .u8(Math.max(0, Math.min(100, Math.round(c.progress))));
  const have = s.have.slice(0, MAX_HAVE);
  w.u16(s.btPort).u8(have.length);
  for (const h of have) w.str(h);
  writeHealth(w, s.health ?? UNKNOWN_HEALTH);
}

export function readState(r: Reader): StateRecord | null {
  const node = r.str();
  const seq = r.u53();
  const agentVersion = r.str();
  const n = r.u8();
  if (n > MAX_DIGEST || node === '') return null;
  const applied: Record<string, number> = Object.create(null);
  for (let i = 0; i < n; i++) applied[r.str()] = r.u53();
  const has = r.u8();
  if (has > 1) throw new CodecError('bad current flag');
  const current = has === 0 ? null : { uri: r.str(), version: r.u53(), state: r.str(), progress: r.u8() };
  if (current && current.progress > 100) return null;
  const btPort = r.u16();
  const k = r.u8();
  if (k > MAX_HAVE) return null;
  const have: string[] = [];
  for (let i = 0; i < k; i++) have.push(r.str());
  const health = readHealth(r);
  const told = health.conditions.length > 0 || health.clockOffsetMs !== null;
  return { node, seq, agentVersion, applied, current, btPort, have, ...(told ? { health } : {}) };
}

/** The encoding a record's signature covers (record-auth.ts): the record as on the wire. */
export function stateBytes(s: StateRecord): Uint8Array {
  const w = new Writer();
  writeState(w, s);
  return w.finish();
}

/**
 * Largest encoded state record we publish. Signed (1 flag + 32 key + 64 signature) and
 * with its kind byte it is ≤ 998 bytes, so a GOSSIP packet with it fits the smallest link
 * gossip runs on (1038 bytes: a certificate session inside natm's open envelope).
 */
export const MAX_STATE_BYTES = 900;

/** BitTorrent ports below this are never published nor handed to a manager (privileged). */
export const MIN_BT_PORT = 1024;

const fits = (t: string) => Buffer.byteLength(t) <= 255;

/**
 * Make a record publishable: drop fields that cannot be encoded (strings over 255 bytes)
 * and applied entries beyond what fits in MAX_STATE_BYTES.
 */
export function fitState(r: StateRecord): StateRecord {
  const applied = Object.entries(r.applied).filter(([u, v]) => fits(u) && Number.isSafeInteger(v) && v >= 0);
  const c = r.current;
  const current =
    c && fits(c.uri) && fits(c.state) && Number.isSafeInteger(c.version) && c.version >= 0 ? c : null;
  const have = r.have.filter(fits).slice(0, MAX_HAVE);
  const btPort = Number.isInteger(r.btPort) && r.btPort >= MIN_BT_PORT && r.btPort < 65536 ? r.btPort : 0;
  const out = { ...r, agentVersion: fits(r.agentVersion) ? r.agentVersion : '?', current, have, btPort };
  for (let n = Math.min(applied.length, MAX_DIGEST); n >= 0; n--) {
    out.applied = Object.fromEntries(applied.slice(0, n));
    const w = new Writer();
    writeState(w, out);
    if (w.len <= MAX_STATE_BYTES) return out;
  }
  return { ...out, applied: {}, current: null };
}
