/**
 * When to run a deploy, pure. Interrupted attempts count: a deploy that took the node
 * down N times is not started an (N+1)th time beyond the limit.
 */
import type { UpdateRecord } from './model.ts';

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly backoffMs: number;
  readonly backoffMaxMs: number;
}

export type DeployStep =
  | { readonly kind: 'run' }
  | { readonly kind: 'wait'; readonly until: number }
  | { readonly kind: 'give-up'; readonly reason: string };

/** Delay after the n-th failed attempt (n ≥ 1): backoff doubling, capped. */
export function backoffAfter(attempts: number, p: RetryPolicy): number {
  const exp = Math.min(30, Math.max(0, attempts - 1));
  return Math.min(p.backoffMaxMs, p.backoffMs * 2 ** exp);
}

export function nextDeployStep(c: UpdateRecord, p: RetryPolicy, now: number): DeployStep {
  // A retry time further ahead than the longest backoff means the clock was set back
  // (e.g. a device without a battery-backed clock booting at 1970): run now, not in years.
  const at = c.nextAttemptAt;
  if (at !== null && at > now && at - now <= p.backoffMaxMs) return { kind: 'wait', until: at };
  if (c.deployAttempts >= p.maxAttempts) {
    const last = c.lastError ?? 'interrupted (the manager stopped during the deploy)';
    return { kind: 'give-up', reason: `deploy gave up after ${c.deployAttempts} attempts; last: ${last}` };
  }
  return { kind: 'run' };
}

/** The retry time after a failed attempt, or null when the limit is reached. */
export function retryAt(c: UpdateRecord, p: RetryPolicy, now: number): number | null {
  return c.deployAttempts >= p.maxAttempts ? null : now + backoffAfter(c.deployAttempts, p);
}
