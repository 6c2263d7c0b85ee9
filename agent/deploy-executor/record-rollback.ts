/**
 * The executor record's rollback rules, pure (docs/deploy-executor.md §Rollback). The one
 * downgrade the executor allows: back from the update it deployed last (`applied`) to the
 * healthy one before it (`previous`), once. The floor never moves: the rolled-back version
 * is refused from then on (judge: ROLLED_BACK), a higher one deploys as usual.
 */
import { put, same, type DeployRecord, type Ref, type Running } from './record-rules.ts';

export type RollbackJudgement =
  | { readonly kind: 'refused'; readonly code: RollbackRefusal; readonly reason: string }
  /**
   * `unhealthy`: the update rolled back failed its health check here (the executor's own
   * verdict): only then may `to` be one whose signature has expired since (rollback-check.ts).
   */
  | { readonly kind: 'run'; readonly to: Ref; readonly unhealthy: boolean };

export type RollbackRefusal = 'ALREADY_ROLLED_BACK' | 'NOT_DEPLOYED_LAST' | 'NO_PREVIOUS';

const name = (r: Ref): string => `${r.version} (${r.infoHash})`;

/** May the executor roll `uri` back from `req`? Only from the update it deployed last. */
export function judgeRollback(d: DeployRecord, uri: string, req: Ref): RollbackJudgement {
  const u = d.uris[uri];
  if (same(u?.rolledBack, req))
    return {
      kind: 'refused',
      code: 'ALREADY_ROLLED_BACK',
      reason: `${uri} ${name(req)} was rolled back already`,
    };
  if (!u || !same(u.applied, req)) {
    const last = u?.applied ? name(u.applied) : 'nothing';
    return {
      kind: 'refused',
      code: 'NOT_DEPLOYED_LAST',
      reason: `${uri} ${name(req)} is not the update deployed last here (${last} is)`,
    };
  }
  if (u.previous === null)
    return { kind: 'refused', code: 'NO_PREVIOUS', reason: `${uri}: no earlier healthy update is kept here` };
  return { kind: 'run', to: u.previous, unhealthy: u.applied?.health === 'failed' };
}

/** Before the rollback's deployer starts: recorded as running; the floor stays. */
export function rollbackStarted(d: DeployRecord, uri: string, run: Running): DeployRecord {
  const u = d.uris[uri];
  return u ? put(d, uri, { ...u, running: { ...run, rollback: true } }) : d;
}

/**
 * After the rollback's deployer ended. Applied: the previous update is applied again (its
 * health `checking` when the deployer has a health check, which runs now; else `ok`: it was
 * healthy), the one rolled back is remembered, and there is no `previous` any more (no
 * second step back, whatever the restored update's health). Not applied: nothing changes but
 * `running`; the update stays applied and may be asked to roll back again.
 */
export function rolledBackTo(
  d: DeployRecord,
  uri: string,
  ok: boolean,
  now: number,
  checked = false,
): DeployRecord {
  const u = d.uris[uri];
  if (!u?.running) return d;
  if (!ok || u.applied === null) return put(d, uri, { ...u, running: null });
  const { version, infoHash } = u.running;
  const rolledBack = { version: u.applied.version, infoHash: u.applied.infoHash };
  return put(d, uri, {
    ...u,
    applied: { version, infoHash, at: now, health: checked ? 'checking' : 'ok' },
    previous: null,
    running: null,
    rolledBack,
  });
}
