/**
 * Bounds on what unauthenticated clients can make the enrollment server do (config key
 * `limits`, every field optional; docs/security.md §Enrollment server). Windows are one
 * minute. The schema of the section is here, its use in server.ts and admin-routes.ts.
 */
import { int, section } from '../lib/config/fields.ts';
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

const limit = (what: string, max = 1_000_000) => int(1, max).describe(what);
const D = LIMIT_DEFAULTS;

/** The config's `limits` section (config.ts): every field optional, its default above. */
export const limitsSchema = section({
  loginFailuresPerSource: limit(
    'Failed admin sign-ins per source address per minute; then it waits.',
  ).default(D.loginFailuresPerSource),
  tokenFailuresPerSource: limit(
    'Bad enrollment tokens per source address per minute; then it waits.',
  ).default(D.tokenFailuresPerSource),
  tokenFailuresTotal: limit(
    'Bad enrollment tokens per minute from all addresses; then every request waits.',
  ).default(D.tokenFailuresTotal),
  pendingPerToken: limit(
    'Pending requests per token, so one token cannot fill the queue.',
    MAX_PENDING,
  ).default(D.pendingPerToken),
  trackedSources: limit('Source addresses each limiter remembers (the oldest is forgotten first).').default(
    D.trackedSources,
  ),
})
  .prefault({})
  .describe('Bounds on what unauthenticated clients can make the server do (one-minute windows).');
