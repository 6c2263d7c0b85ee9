/**
 * The connectivity part of `p2p-update status`: natm's view of itself (the `connectivity`
 * of its members reply, agent/natm/connectivity.ts), asked over the manager's natmSocket.
 * `connectivityText` is pure and reads the object defensively (it comes from another
 * process, maybe of another version): a field it cannot read shows as "?".
 */
import { CONDITION_TEXT, CONDITIONS, type ConnectivityView } from '../lib/gossip/health.ts';
import { queryMembers } from '../lib/gossip/members-ipc.ts';
import { ago, offsetText } from '../lib/gossip/members-view.ts';
import { printable } from './status-view.ts';

export interface NodeConnectivity {
  readonly connectivity: ConnectivityView | null;
  /** Why there is none: no natmSocket configured, natm not reachable, or an old natm. */
  readonly error: string | null;
  /** The fleet view of the same reply (MemberView rows), [] without one. */
  readonly members?: readonly unknown[];
}

export async function readConnectivity(socket: string | null, timeoutMs = 3000): Promise<NodeConnectivity> {
  if (socket === null)
    return { connectivity: null, error: 'no natmSocket configured (runs without the overlay)' };
  try {
    const r = await queryMembers(socket, timeoutMs);
    if (!r.connectivity)
      return { connectivity: null, error: 'natm does not report its connectivity', members: r.members };
    return { connectivity: r.connectivity as ConnectivityView, error: null, members: r.members };
  } catch (e) {
    return { connectivity: null, error: (e as Error).message };
  }
}

const num = (v: unknown): string => (typeof v === 'number' && Number.isFinite(v) ? String(v) : '?');
const ep = (v: unknown): string => {
  const e = v as { address?: unknown; port?: unknown } | null;
  return e && typeof e.address === 'string' ? `${e.address}:${num(e.port)}` : 'unknown';
};

/** natm on its stream fallback (natm.md §Stream fallback); nothing for UDP or an older natm. */
const transportText = (t: unknown): string =>
  t === 'tcp' || t === 'tls' ? ` over a ${t.toUpperCase()} stream (UDP blocked: fallback in use)` : '';

/**
 * On TLS (normally port 443; TCP to the rendezvous' own port failed or is not configured):
 * why BitTorrent bytes may not come (docs/protocol/natm.md §Stream fallback).
 */
export const TLS_NOTE =
  "    BitTorrent needs TCP to its peers' BitTorrent ports (never below 1024): if the firewall lets TCP out only to 443, no peer beyond this LAN can send bytes; they come from LAN neighbours or once TCP is let out";

export function connectivityText(n: NodeConnectivity, now: number): string[] {
  const c = n.connectivity as Partial<ConnectivityView> | null;
  if (!c) return [`connectivity: unknown (${printable(n.error ?? '?')})`];
  const raw: unknown[] = Array.isArray(c.conditions) ? c.conditions : [];
  const conds = CONDITIONS.filter((x) => raw.includes(x));
  const rdv = c.rendezvous;
  const last = typeof rdv?.lastContact === 'number' ? `${ago(now - rdv.lastContact)} ago` : 'never';
  const p = (c.paths ?? {}) as Partial<Record<string, unknown>>;
  const clock = c.clock;
  const offset = typeof clock?.offsetMs === 'number' ? clock.offsetMs : null;
  const clockLine =
    offset === null
      ? 'no peer has told its time yet'
      : `${offsetText(offset)} against the median of ${num(clock?.peers)} peers (bound ${offsetText(clock?.boundMs ?? null)})${clock?.skewed ? ': SKEWED' : ''}`;
  return [
    `connectivity: ${conds.length ? `degraded: ${conds.map((x) => CONDITION_TEXT[x]).join(', ')}` : 'ok'}`,
    `    rendezvous: ${num(rdv?.alive)} of ${num(rdv?.configured)} answering${transportText(c.transport)}; last contact ${last}`,
    ...(c.transport === 'tls' ? [TLS_NOTE] : []),
    `    external endpoint: ${ep(c.external)}`,
    `    paths: ${num(p['direct'])} direct, ${num(p['punched'])} punched, ${num(p['bridged'])} bridged, ${num(p['relayed'])} relayed, ${num(p['none'])} without a path`,
    `    clock: ${clockLine}`,
  ];
}
