/** Wire layout of a fleet-view state record (docs/protocol/gossip.md §Fleet view). */
import { CodecError, Writer, type Reader } from '../wire/codec.ts';
import { parseTagString } from '../rollout/tags.ts';
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
  w.str(s.tags);
  writeVersions(w, s.failed ?? {});
  writeVersions(w, s.rolledBack ?? {});
}

/** A URI → version map (applied, failed, rolled back): u8 count, then str uri, u53 version. */
function writeVersions(w: Writer, m: Record<string, number>): void {
  const e = Object.entries(m).slice(0, MAX_DIGEST);
  w.u8(e.length);
  for (const [uri, v] of e) w.str(uri).u53(v);
}

function readVersions(r: Reader): Record<string, number> | null {
  const n = r.u8();
  if (n > MAX_DIGEST) return null;
  const m: Record<string, number> = Object.create(null);
  for (let i = 0; i < n; i++) m[r.str()] = r.u53();
  return m;
}

export function readState(r: Reader): StateRecord | null {
  const node = r.str();
  const seq = r.u53();
  const agentVersion = r.str();
  if (node === '') return null;
  const applied = readVersions(r);
  if (applied === null) return null;
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
  const tags = r.str();
  if (!tagsOk(tags)) return null;
  const failed = readVersions(r);
  const rolledBack = readVersions(r);
  if (failed === null || rolledBack === null) return null;
  const told = health.conditions.length > 0 || health.clockOffsetMs !== null;
  return {
    ...{ node, seq, agentVersion, applied, current, btPort, have, tags },
    ...(told ? { health } : {}),
    ...(Object.keys(failed).length > 0 ? { failed } : {}),
    ...(Object.keys(rolledBack).length > 0 ? { rolledBack } : {}),
  };
}

/** Tags that parse (bounded, sorted form not required on the wire); anything else drops the record. */
function tagsOk(t: string): boolean {
  try {
    parseTagString(t);
    return true;
  } catch {
    return false;
  }
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

const encodable = ([u, v]: [string, number]): boolean => fits(u) && Number.isSafeInteger(v) && v >= 0;

/** The encodable entries of a version map, at most MAX_DIGEST; absent when none. */
function fitVersions(m: Record<string, number> | undefined): Record<string, number> | undefined {
  const e = Object.entries(m ?? {})
    .filter(encodable)
    .slice(0, MAX_DIGEST);
  return e.length > 0 ? Object.fromEntries(e) : undefined;
}

/**
 * Make a record publishable: drop fields that cannot be encoded (strings over 255 bytes)
 * and applied entries beyond what fits in MAX_STATE_BYTES (then failed and rolled back).
 */
export function fitState(r: StateRecord): StateRecord {
  const applied = Object.entries(r.applied).filter(encodable);
  const c = r.current;
  const current =
    c && fits(c.uri) && fits(c.state) && Number.isSafeInteger(c.version) && c.version >= 0 ? c : null;
  const failed = fitVersions(r.failed);
  const rolledBack = fitVersions(r.rolledBack);
  const out: StateRecord = {
    node: r.node,
    seq: r.seq,
    agentVersion: fits(r.agentVersion) ? r.agentVersion : '?',
    applied: {},
    current,
    btPort: Number.isInteger(r.btPort) && r.btPort >= MIN_BT_PORT && r.btPort < 65536 ? r.btPort : 0,
    have: r.have.filter(fits).slice(0, MAX_HAVE),
    ...(r.health ? { health: r.health } : {}),
    tags: tagsOk(r.tags) ? r.tags : '',
    ...(failed ? { failed } : {}),
    ...(rolledBack ? { rolledBack } : {}),
  };
  for (let n = Math.min(applied.length, MAX_DIGEST); n >= 0; n--) {
    out.applied = Object.fromEntries(applied.slice(0, n));
    const w = new Writer();
    writeState(w, out);
    if (w.len <= MAX_STATE_BYTES) return out;
  }
  delete out.failed;
  delete out.rolledBack;
  return { ...out, applied: {}, current: null };
}
