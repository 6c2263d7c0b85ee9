/**
 * Typed messages of the manager ↔ natm IPC (docs/protocol/ipc.md) and a validator for
 * what the manager sends. Unknown extra fields are ignored; a wrong type is a bad frame.
 */
export type ManagerMessage =
  | { type: 'hello'; agentVersion: string; btPort: number }
  | { type: 'relay'; id: string; uri: string; version: number; infoHash: string; torrent: string }
  | { type: 'verdict'; id: string; accepted: false; code: string; reason: string }
  | { type: 'have'; infoHash: string; complete: boolean }
  | {
      type: 'state';
      applied: Record<string, number>;
      current: { uri: string; version: number; state: string; progress: number } | null;
    };

export type NatmMessage =
  | { type: 'hello-ack'; nodeId: string }
  | { type: 'notification'; id: string; torrent: string; from: string }
  | { type: 'peers'; infoHash: string; peers: Array<{ ip: string; port: number }> };

const hex = (v: unknown) => typeof v === 'string' && /^[0-9a-f]{1,128}$/.test(v);
const s = (v: unknown) => typeof v === 'string';
const n = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

/** The message if `v` is a well-formed manager message, else null. */
export function asManagerMessage(v: unknown): ManagerMessage | null {
  if (typeof v !== 'object' || v === null) return null;
  const m = v as Record<string, unknown>;
  switch (m.type) {
    case 'hello':
      return s(m.agentVersion) && n(m.btPort) ? (m as ManagerMessage) : null;
    case 'relay':
      return hex(m.id) && s(m.uri) && n(m.version) && hex(m.infoHash) && s(m.torrent)
        ? (m as ManagerMessage)
        : null;
    case 'verdict':
      return hex(m.id) && m.accepted === false && s(m.code) && s(m.reason) ? (m as ManagerMessage) : null;
    case 'have':
      return hex(m.infoHash) && typeof m.complete === 'boolean' ? (m as ManagerMessage) : null;
    case 'state':
      return typeof m.applied === 'object' && m.applied !== null && 'current' in m
        ? (m as ManagerMessage)
        : null;
    default:
      return null;
  }
}
