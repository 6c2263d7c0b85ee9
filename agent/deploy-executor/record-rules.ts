/**
 * The executor's deploy record, pure (docs/deploy-executor.md §Record): per URI the
 * highest version it has started to deploy (the anti-rollback floor that counts for
 * deploys, never lowered), the applied one, the one applied before it (kept for a
 * rollback, issue 18) and the deploy running now. Functions take a record and return a
 * new one; nothing here touches the disk.
 */
export interface Ref {
  readonly version: number;
  readonly infoHash: string;
}

export interface Running extends Ref {
  readonly startedAt: number;
  /** The work copy the deployer was given (its P2PU_FILE). */
  readonly file: string;
  /** Process group of a directly spawned deploy, once known. */
  readonly pgid: number | null;
  /** Transient systemd unit of a deploy started with systemd-run. */
  readonly unit: string | null;
}

export interface UriDeploys {
  readonly floor: Ref | null;
  readonly applied: (Ref & { readonly at: number }) | null;
  readonly previous: Ref | null;
  readonly running: Running | null;
}

export interface DeployRecord {
  readonly schema: 1;
  readonly uris: Readonly<Record<string, UriDeploys>>;
}

export const EMPTY_RECORD: DeployRecord = { schema: 1, uris: {} };
const NONE: UriDeploys = { floor: null, applied: null, previous: null, running: null };

export type Judgement =
  | { readonly kind: 'already-applied' }
  | { readonly kind: 'rollback'; readonly reason: string }
  | { readonly kind: 'run' };

const same = (a: Ref | null, b: Ref): boolean => a?.version === b.version && a.infoHash === b.infoHash;

/**
 * May `req` be deployed? The very update applied last: already done (exactly once). Below
 * the floor, or at the floor with other bytes: a rollback. The floor's own update again
 * (its last attempt failed or was interrupted), or anything higher: run it.
 */
export function judge(u: UriDeploys | undefined, req: Ref): Judgement {
  const r = u ?? NONE;
  if (same(r.applied, req)) return { kind: 'already-applied' };
  const f = r.floor;
  if (f === null || req.version > f.version || same(f, req)) return { kind: 'run' };
  const what = req.version === f.version ? `equals (with another infohash)` : 'is below';
  return {
    kind: 'rollback',
    reason: `version ${req.version} ${what} the highest deployed here, ${f.version}`,
  };
}

function put(d: DeployRecord, uri: string, u: UriDeploys): DeployRecord {
  return { ...d, uris: { ...d.uris, [uri]: u } };
}

/** Before the deployer starts: the floor rises to `run`, which is recorded as running. */
export function started(d: DeployRecord, uri: string, run: Running): DeployRecord {
  const u = d.uris[uri] ?? NONE;
  return put(d, uri, { ...u, floor: { version: run.version, infoHash: run.infoHash }, running: run });
}

export function withRunning(d: DeployRecord, uri: string, patch: Partial<Running>): DeployRecord {
  const u = d.uris[uri];
  return u?.running ? put(d, uri, { ...u, running: { ...u.running, ...patch } }) : d;
}

/** After the deployer ended: applied (the old applied becomes `previous`) or not. */
export function finished(d: DeployRecord, uri: string, ok: boolean, now: number): DeployRecord {
  const u = d.uris[uri];
  if (!u?.running) return d;
  const { version, infoHash } = u.running;
  if (!ok) return put(d, uri, { ...u, running: null });
  const previous =
    u.applied === null ? u.previous : { version: u.applied.version, infoHash: u.applied.infoHash };
  return put(d, uri, { ...u, applied: { version, infoHash, at: now }, previous, running: null });
}

/** Every deploy recorded as running (left by an executor that died). */
export function runningDeploys(d: DeployRecord): Array<[string, Running]> {
  return Object.entries(d.uris).flatMap(([uri, u]) =>
    u.running ? [[uri, u.running] as [string, Running]] : [],
  );
}
