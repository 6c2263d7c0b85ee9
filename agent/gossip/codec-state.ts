/** Wire layout of a fleet-view state record (docs/protocol/gossip.md §Fleet view). */
import { Short, type Reader, type Writer } from './bytes.ts';
import { MAX_DIGEST, type StateRecord } from './messages.ts';

export function writeState(w: Writer, s: StateRecord): void {
  w.str(s.node).u53(s.seq).str(s.agentVersion);
  const applied = Object.entries(s.applied).slice(0, MAX_DIGEST);
  w.u8(applied.length);
  for (const [uri, v] of applied) w.str(uri).u53(v);
  if (!s.current) {
    w.u8(0);
    return;
  }
  const c = s.current;
  w.u8(1)
    .str(c.uri)
    .u53(c.version)
    .str(c.state)
    .u8(Math.max(0, Math.min(100, Math.round(c.progress))));
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
  if (has > 1) throw new Short();
  if (has === 0) return { node, seq, agentVersion, applied, current: null };
  const current = { uri: r.str(), version: r.u53(), state: r.str(), progress: r.u8() };
  if (current.progress > 100) return null;
  return { node, seq, agentVersion, applied, current };
}
