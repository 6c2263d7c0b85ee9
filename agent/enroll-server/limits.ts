/**
 * Bounds on what unauthenticated clients can make the enrollment server do (config key
 * `limits`, every field optional; docs/security.md §Enrollment server). Windows are one
 * minute. Validated here, used by server.ts and admin-routes.ts.
 */
import { ConfigError } from '../lib/common/errors.ts';
import { MAX_PENDING } from '../lib/ca/ca-state.ts';

export interface EnrollLimits {
  /** Failed admin sign-ins per source address per minute; then that address waits. */
  readonly loginFailuresPerSource: number;
  /** Bad enrollment tokens per source address per minute; then that address waits. */
  readonly tokenFailuresPerSource: number;
  /** Bad enrollment tokens per minute from all addresses together; then every request waits. */
  readonly tokenFailuresTotal: number;
  /** Pending requests per token, so one token holder cannot fill the queue (MAX_PENDING). */
  readonly pendingPerToken: number;
  /** Source addresses each limiter remembers (the oldest is forgotten first). */
  readonly trackedSources: number;
}

export const LIMIT_DEFAULTS: EnrollLimits = Object.freeze({
  loginFailuresPerSource: 5,
  tokenFailuresPerSource: 10,
  tokenFailuresTotal: 100,
  pendingPerToken: 200,
  trackedSources: 10_000,
});

export const WINDOW_MS = 60_000;

export function validateLimits(raw: unknown): EnrollLimits {
  if (raw === undefined) return LIMIT_DEFAULTS;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError('enroll-server config: "limits" must be an object');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!(k in LIMIT_DEFAULTS)) throw new ConfigError(`enroll-server config: unknown key "limits.${k}"`);
  const out = { ...LIMIT_DEFAULTS, ...o } as Record<string, unknown>;
  for (const [k, v] of Object.entries(out))
    if (!Number.isSafeInteger(v) || (v as number) < 1)
      throw new ConfigError(`enroll-server config: "limits.${k}" must be a positive integer`);
  if ((out['pendingPerToken'] as number) > MAX_PENDING)
    throw new ConfigError(`enroll-server config: "limits.pendingPerToken" must be at most ${MAX_PENDING}`);
  return Object.freeze(out as unknown as EnrollLimits);
}
