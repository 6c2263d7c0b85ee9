/**
 * The data behind `p2p-update members [--json]`: every member this node knows (and itself)
 * with status, incarnation, path type and addresses (from the transport), last seen and the
 * versions and tags from its fleet-view state record. Served by natm's IPC socket as the answer to
 * `{"type":"members"}` (docs/protocol/gossip.md §Fleet view).
 */
import type { GossipNode } from './gossip-node.ts';
import type { MemberStatus, StateRecord } from './messages.ts';
import type { PathType, PeerView } from './overlay-link.ts';

export interface MemberView {
  id: string;
  self: boolean;
  /** SWIM's status; `gone`: heard from before, no longer in the table; `unheard`: known (enrolled) only. */
  status: MemberStatus | 'gone' | 'unheard';
  incarnation: number;
  path: PathType | null;
  external: { address: string; port: number } | null;
  internal: { address: string; port: number } | null;
  /** Last packet from it (ms since epoch; 0 = never; for self: now). */
  lastSeen: number;
  agentVersion: string | null;
  applied: Record<string, number>;
  current: StateRecord['current'];
  /** Per URI, the highest version that failed on it, and the highest it rolled back (issue 18). */
  failed: Record<string, number>;
  rolledBack: Record<string, number>;
  stateSeq: number | null;
  /** Its tags (`k=v,k=v`, from its state record; '' = none or no record yet). */
  tags: string;
  /** The connectivity conditions it reports (health.ts); null without a record. */
  conditions: string[] | null;
  /** Its clock minus its peers' median, as it reports it, else its clock minus ours as measured here (ms). */
  clockOffsetMs: number | null;
  /** The record is signed by this member itself (certificates; always false without). */
  signed: boolean;
}

export function membersView(node: GossipNode, now: number): MemberView[] {
  const peers = new Map<string, PeerView>();
  for (const p of node.c.link.peers()) peers.set(p.id, p);
  const table = node.membership.table;
  const row = (id: string, status: MemberStatus, incarnation: number, lastSeen: number): MemberView => {
    const p = peers.get(id);
    const s = node.fleet.get(id);
    const self = id === table.selfId;
    return {
      id,
      self,
      status,
      incarnation,
      path: self ? null : (p?.path ?? null),
      external: p?.external ? { ...p.external } : null,
      internal: p?.internal ? { ...p.internal } : null,
      lastSeen: self ? now : Math.max(lastSeen, p?.lastSeen ?? 0),
      agentVersion: s?.agentVersion ?? (self ? node.local.agentVersion : null),
      applied: { ...(s?.applied ?? {}) },
      current: s?.current ?? null,
      failed: { ...(s?.failed ?? {}) },
      rolledBack: { ...(s?.rolledBack ?? {}) },
      stateSeq: s?.seq ?? null,
      tags: s?.tags ?? '',
      conditions: s ? [...(s.health?.conditions ?? [])] : null,
      clockOffsetMs: self
        ? node.clocks.estimate(now).offsetMs
        : (s?.health?.clockOffsetMs ?? node.clocks.peer(id, now)),
      signed: node.fleet.isSignedBy(id),
    };
  };
  const out = [row(table.selfId, 'alive', table.incarnation, now)];
  for (const m of table.all()) out.push(row(m.id, m.status, m.incarnation, m.lastSeen));
  for (const [id, at] of node.heard.entries())
    if (id !== table.selfId && !table.get(id)) out.push({ ...row(id, 'dead', 0, at), status: 'gone' });
  return sortById(out);
}

export function sortById<T extends { id: string }>(rows: T[]): T[] {
  return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** A row for a node known (e.g. enrolled at the CA) that this node has never heard from. */
export function unheardRow(id: string): MemberView {
  return {
    ...{ id, self: false, status: 'unheard', incarnation: 0, path: null, external: null, internal: null },
    ...{ lastSeen: 0, agentVersion: null, applied: {}, current: null, stateSeq: null, signed: false },
    ...{ failed: {}, rolledBack: {} },
    ...{ conditions: null, clockOffsetMs: null, tags: '' },
  };
}

/** "12s", "5m", "3h", "2d": how long ago, for humans. */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

/** "+86400s", "-2s", "0s"; "-" when unknown. */
export function offsetText(ms: number | null): string {
  if (ms === null) return '-';
  const s = Math.round(ms / 1000);
  return `${s > 0 ? '+' : ''}${s}s`;
}

/** "app:x@2 rolled back,lib:y@5": failed versions, and whether each was rolled back; "-" when none. */
export function failedText(r: Pick<MemberView, 'failed' | 'rolledBack'>): string {
  const f = r.failed ?? {};
  const rb = r.rolledBack ?? {};
  const uris = [...new Set([...Object.keys(f), ...Object.keys(rb)])].sort();
  const parts = uris.flatMap((u) => {
    const out: string[] = [];
    if (rb[u] !== undefined) out.push(`${u}@${rb[u]} rolled back`);
    if (f[u] !== undefined && f[u] !== rb[u]) out.push(`${u}@${f[u]} failed`);
    return out;
  });
  return parts.join(',') || '-';
}

/** One line per member for humans. */
export function formatMembers(rows: readonly MemberView[], now: number): string {
  const head = [
    'ID',
    'STATUS',
    'PATH',
    'ADDRESS',
    'LAST SEEN',
    'CONN',
    'CLOCK',
    'AGENT',
    'TAGS',
    'VERSIONS',
    'CURRENT',
    'FAILED',
  ];
  const lines = rows.map((r) => [
    r.self ? `${r.id} (self)` : r.id,
    r.status,
    r.path ?? '-',
    r.external
      ? `${r.external.address}:${r.external.port}`
      : r.internal
        ? `${r.internal.address}:${r.internal.port}`
        : '-',
    r.lastSeen > 0 ? `${ago(now - r.lastSeen)} ago` : 'never',
    r.conditions === null || r.conditions === undefined ? '-' : r.conditions.join(',') || 'ok',
    offsetText(r.clockOffsetMs ?? null),
    r.agentVersion ?? '-',
    r.tags || '-',
    Object.entries(r.applied)
      .map(([u, v]) => `${u}@${v}`)
      .join(',') || '-',
    r.current ? `${r.current.uri}@${r.current.version} ${r.current.state} ${r.current.progress}%` : '-',
    failedText(r),
  ]);
  const all = [head, ...lines];
  const widths = head.map((_, i) => Math.max(...all.map((l) => l[i]!.length)));
  return all
    .map((l) =>
      l
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
