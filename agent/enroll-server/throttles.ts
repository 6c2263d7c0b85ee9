/**
 * The enrollment server's limiters (limits.ts): admin sign-ins per source address, bad
 * enrollment tokens per source address and in all. A refusal is a ThrottledError (HTTP 429
 * with Retry-After). Every attempt is reserved before it is checked (attempt-limiter.ts).
 */
import type { Clock } from '../lib/common/clock.ts';
import { EnrollError } from '../lib/enrollment/errors.ts';
import { AttemptLimiter, type Attempt } from './attempt-limiter.ts';
import { WINDOW_MS, type EnrollLimits } from './limits.ts';

export class ThrottledError extends EnrollError {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super('THROTTLED', message);
  }
}

const ALL = '*';

export class Throttles {
  readonly login: AttemptLimiter;
  readonly tokenBySource: AttemptLimiter;
  readonly tokenTotal: AttemptLimiter;

  constructor(c: { clock: Pick<Clock, 'now'> }, l: EnrollLimits) {
    const per = (max: number) =>
      new AttemptLimiter(c, { max, windowMs: WINDOW_MS, maxKeys: l.trackedSources });
    this.login = per(l.loginFailuresPerSource);
    this.tokenBySource = per(l.tokenFailuresPerSource);
    this.tokenTotal = new AttemptLimiter(c, { max: l.tokenFailuresTotal, windowMs: WINDOW_MS, maxKeys: 1 });
  }

  /** A sign-in attempt from `source`, or ThrottledError. */
  loginAttempt(source: string): Attempt {
    const a = this.login.reserve(source);
    if (a) return a;
    throw new ThrottledError('too many failed sign-ins from your address', this.login.retryAfterMs(source));
  }

  /** A token check for `source` within both its own and the global budget, or ThrottledError. */
  tokenAttempt(source: string): Attempt {
    const mine = this.tokenBySource.reserve(source);
    if (!mine)
      throw new ThrottledError(
        'too many bad enrollment tokens from your address',
        this.tokenBySource.retryAfterMs(source),
      );
    const all = this.tokenTotal.reserve(ALL);
    if (!all) {
      mine.pass();
      throw new ThrottledError(
        'too many bad enrollment tokens; try again later',
        this.tokenTotal.retryAfterMs(ALL),
      );
    }
    return {
      fail: () => (mine.fail(), all.fail()),
      pass: () => (mine.pass(), all.pass()),
    };
  }
}
