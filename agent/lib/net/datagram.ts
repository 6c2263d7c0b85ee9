/**
 * How natm and the rendezvous move bytes (memberlist `Transport` style). The real adapter
 * is udp-socket.ts; the simulated one is agent/lib/simnet/memory-network.ts. Protocol code
 * only ever sees this interface, so it runs unchanged on both.
 */
import type { Endpoint } from './overlay-link.ts';

export type { Endpoint };

/** Largest datagram natm and the rendezvous send or accept (the IPv6 minimum MTU; no IP fragmentation). */
export const MAX_DATAGRAM = 1280;

export interface DatagramSocket {
  /** Fire and forget. Never throws; a failed send is counted by the adapter and lost. */
  send(data: Uint8Array, to: Endpoint): void;
  /** One handler; called once per received datagram with the socket-observed source. */
  onMessage(handler: (data: Uint8Array, from: Endpoint) => void): void;
  /**
   * Optional: the channel authenticated the datagram it is being handed from `from` (called
   * synchronously from inside the onMessage handler). The stream fallback uses it to close
   * connections that send nothing authentic (agent/rendezvous/stream-listener.ts) and to
   * notice that UDP works (agent/natm/fallback-socket.ts).
   */
  markAuthenticated?(from: Endpoint): void;
  /** The bound local endpoint. */
  local(): Endpoint;
  /** Idempotent. */
  close(): Promise<void>;
}

export function epKey(e: Endpoint): string {
  return `${e.address}:${e.port}`;
}

export function sameEp(a: Endpoint | undefined, b: Endpoint | undefined): boolean {
  return !!a && !!b && a.address === b.address && a.port === b.port;
}

/** "1.2.3.4:5" → Endpoint, or null. IPv4 only (the wire format carries IPv4). */
export function parseEndpoint(text: string): Endpoint | null {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(text);
  if (!m) return null;
  const port = Number(m[2]);
  const ok = m[1]!.split('.').every((o) => Number(o) <= 255);
  return ok && port > 0 && port < 65536 ? { address: m[1]!, port } : null;
}
