/**
 * Runs the connectivity machine (connectivity.ts) on natm's keepalive: each tick it reads the
 * node's link state and the gossip clock estimate, logs each transition once (warn when a
 * condition is raised, info when it clears; constant messages, data in fields:
 * docs/LOGGING.md) and publishes the raised conditions and the clock offset in this node's
 * fleet-view record (only when they change: conditions, or the offset by a second or more).
 */
import type { Clock, Timer } from '../lib/common/clock.ts';
import type { Logger } from '../lib/common/logger.ts';
import type { ClockEstimate } from '../lib/gossip/clock-offsets.ts';
import { CONDITION_TEXT, type Condition, type NodeHealth } from '../lib/gossip/health.ts';
import {
  ConnectivityMachine,
  type ConnectivityView,
  type Observation,
  type Transition,
} from './connectivity.ts';

const CLEARED: Record<Condition, string> = {
  no_rendezvous: 'rendezvous answers again',
  no_external: 'external endpoint known again',
  relayed_only: 'a direct path again',
  clock_skew: 'clock agrees with peers again',
  stream_fallback: 'UDP again',
};

/** Conditions whose changes another part logs as they happen (fallback-socket.ts). */
const LOGGED_ELSEWHERE: ReadonlySet<Condition> = new Set(['stream_fallback']);

/** How much the published offset may drift before the record is published again. */
const OFFSET_STEP_MS = 1000;

export interface ConnectivityWatchComponents {
  clock: Clock;
  logger: Logger;
  link: { linkState(): Omit<Observation, 'clock'> };
  clocks: { estimate(now: number): ClockEstimate };
  publish(h: NodeHealth): void;
}

export class ConnectivityWatch {
  private readonly machine: ConnectivityMachine;
  private timer: Timer | undefined;
  private last: Observation | undefined;
  private published: NodeHealth | undefined;

  constructor(
    private readonly c: ConnectivityWatchComponents,
    private readonly init: { graceMs: number; intervalMs: number },
  ) {
    this.machine = new ConnectivityMachine(init.graceMs);
  }

  start(): void {
    this.timer ??= this.c.clock.setInterval(() => this.tick(), this.init.intervalMs);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  tick(): void {
    const now = this.c.clock.now();
    const o: Observation = { ...this.c.link.linkState(), clock: this.c.clocks.estimate(now) };
    this.last = o;
    for (const t of this.machine.step(o, now)) this.log(t, o, now);
    this.publish(o);
  }

  /** What `status` and `members` show (observed now if no tick ran yet). */
  view(): ConnectivityView {
    const o = this.last ?? { ...this.c.link.linkState(), clock: this.c.clocks.estimate(this.c.clock.now()) };
    return this.machine.view(o);
  }

  private log(t: Transition, o: Observation, now: number): void {
    if (LOGGED_ELSEWHERE.has(t.condition)) return;
    const [raised, cleared] = [CONDITION_TEXT[t.condition], CLEARED[t.condition]];
    const fields = {
      condition: t.condition,
      forMs: now - t.since,
      rendezvous: o.rendezvous,
      external: o.external,
      paths: o.paths,
      clockOffsetMs: o.clock.offsetMs,
      clockPeers: o.clock.peers,
    };
    if (t.raised) this.c.logger.warn(fields, raised);
    else this.c.logger.info(fields, cleared);
  }

  private publish(o: Observation): void {
    const h: NodeHealth = { conditions: this.machine.raised(), clockOffsetMs: o.clock.offsetMs };
    const p = this.published;
    const moved =
      !p ||
      p.conditions.join() !== h.conditions.join() ||
      (p.clockOffsetMs === null) !== (h.clockOffsetMs === null) ||
      Math.abs((p.clockOffsetMs ?? 0) - (h.clockOffsetMs ?? 0)) >= OFFSET_STEP_MS;
    if (!moved) return;
    this.published = h;
    this.c.publish(h);
  }
}
