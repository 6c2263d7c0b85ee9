/**
 * How natm and the rendezvous move bytes (memberlist `Transport` style). The real adapter
 * is udp-socket.ts; the simulated one is agent/lib/simnet/memory-network.ts. Protocol code
 * only ever sees this interface, so it runs unchanged on both.
 */
import { canonicalIp, familyOf } from './ip.ts';
import type { Endpoint } from './overlay-link.ts';

export type { Endpoint };

/** Largest datagram natm and the rendezvous send or accept (the IPv6 minimum MTU; no IP fragmentation). */
export const MAX_DATAGRAM = 1280;

export interface DatagramSocket {
  /** Fire and forget. Never throws; a failed send is counted by the adapter and lost. */
  send(data: Uint8Array, to: Endpoint): void;
  /** One handler; called once per received datagram with the socket-observed source. */
  onMessage(handler: (data: Uint8Array, from: Endpoint) => void): void;
  /** The bound local endpoint. */
  local(): Endpoint;
  /** Idempotent. */
  close(): Promise<void>;
}

/** "1.2.3.4:5" or "[fd00::1]:5" (canonical addresses: ip.ts). */
export function epKey(e: Endpoint): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

export function sameEp(a: Endpoint | undefined, b: Endpoint | undefined): boolean {
  return !!a && !!b && a.address === b.address && a.port === b.port;
}

/**
 * "1.2.3.4:5" or "[fd00::1]:5" → Endpoint with the canonical address (ip.ts: an
 * IPv4-mapped IPv6 address becomes its IPv4), or null. Zone ids (fe80::1%eth0) are refused.
 */
export function parseEndpoint(text: string): Endpoint | null {
  const m = /^(?:(\d{1,3}(?:\.\d{1,3}){3})|\[([0-9a-fA-F:.]{2,45})\]):(\d{1,5})$/.exec(text);
  if (!m) return null;
  const address = canonicalIp(m[1] ?? m[2]!);
  if (address === null || (m[2] !== undefined && familyOf(m[2]) !== 6)) return null;
  const port = Number(m[3]);
  return port > 0 && port < 65536 ? { address, port } : null;
}
