/**
 * Admin sessions: random 256-bit ids in an HttpOnly, SameSite=Strict cookie, each with its
 * own CSRF token that every form posts back. In memory (a restart logs the admin out);
 * at most MAX_SESSIONS, oldest dropped. Failed sign-ins are throttled per source address
 * (throttles.ts), not here.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../lib/common/clock.ts';

export const COOKIE = 'p2pu_admin';
const MAX_SESSIONS = 64;

interface Session {
  readonly csrf: string;
  readonly expires: number;
}

export class AdminSessions {
  readonly #s = new Map<string, Session>();

  constructor(
    private readonly c: { clock: Pick<Clock, 'now'> },
    private readonly init: { ttlMs: number; secure: boolean },
  ) {}

  create(): { id: string; cookie: string } {
    const id = randomBytes(32).toString('base64url');
    this.#s.set(id, {
      csrf: randomBytes(24).toString('base64url'),
      expires: this.c.clock.now() + this.init.ttlMs,
    });
    while (this.#s.size > MAX_SESSIONS) this.#s.delete(this.#s.keys().next().value!);
    const secure = this.init.secure ? '; Secure' : '';
    return { id, cookie: `${COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/${secure}` };
  }

  /** The session named by the Cookie header, if it is alive. */
  lookup(cookieHeader: string | undefined): { id: string; csrf: string } | undefined {
    const m = new RegExp(`(?:^|;\\s*)${COOKIE}=([A-Za-z0-9_-]{20,64})`).exec(cookieHeader ?? '');
    const s = m ? this.#s.get(m[1]!) : undefined;
    if (!s || !m) return undefined;
    if (s.expires <= this.c.clock.now()) {
      this.#s.delete(m[1]!);
      return undefined;
    }
    return { id: m[1]!, csrf: s.csrf };
  }

  destroy(id: string): string {
    this.#s.delete(id);
    return `${COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;
  }

  static csrfOk(expected: string, got: string | undefined): boolean {
    const a = Buffer.from(expected);
    const b = Buffer.from(got ?? '');
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
