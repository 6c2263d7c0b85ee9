/**
 * When to push-pull, and with whom (anti-entropy.ts builds what a push-pull carries):
 * - `tick` (every pushPullIntervalMs): a random alive member, else a random dead one (a
 *   node that holds everyone dead, e.g. after being offline);
 * - `reconnect` (every reconnectIntervalMs, serf): a random dead member, to notice returns
 *   and heal partitions;
 * - `followUp`: an exchange taught us members we did not know: sync again with another
 *   member soon (at most one pending, one per probe interval), so a joining node or one
 *   returning from a partition learns the whole membership in a few exchanges;
 * - `ask(id)`: directly with a member, at most once per probe interval per member (a path
 *   came back to a dead one; or we heard it refuted beyond what it proved to us, and its
 *   own push-pull carries its own claim, which counts whatever its size).
 */
import type { Clock, Timer } from '../common/clock.ts';
import { pickDigest, syncItems } from './anti-entropy.ts';
import type { FleetStates } from './fleet-states.ts';
import type { Notifications } from './notifications.ts';
import type { Outbox } from './outbox.ts';
import { sampleNotices, type RevocationSink } from './revocations.ts';
import type { SwimMembership } from './swim-membership.ts';

export interface SyncerComponents {
  clock: Clock;
  random: () => number;
  membership: SwimMembership;
  fleet: FleetStates;
  notifications: Notifications;
  out: Outbox;
  revocations?: RevocationSink;
  /** Runs a timer callback so that it never throws (GossipNode.guard). */
  guard(fn: () => void): void;
}

export class Syncer {
  sent = 0;
  private followUpTimer: Timer | null = null;

  constructor(
    private readonly c: SyncerComponents,
    private readonly init: { probeIntervalMs: number },
  ) {}

  tick(): void {
    const t = this.c.membership.table;
    const target = t.sample(1, this.c.random, 'alive')[0] ?? t.sample(1, this.c.random, 'dead')[0];
    if (target) this.send(target.id, false);
  }

  reconnect(): void {
    const dead = this.c.membership.table.sample(1, this.c.random, 'dead')[0];
    if (dead) this.send(dead.id, false);
  }

  send(peer: string, reply: boolean): void {
    this.sent++;
    const { random, membership, fleet } = this.c;
    const digest = pickDigest(this.c.notifications.digest(), random);
    const items = [
      ...sampleNotices(this.c.revocations, random),
      ...syncItems(membership, fleet, peer, random),
    ];
    this.c.out.send(peer, { type: 'push-pull', reply, digest }, items);
  }

  followUp(): void {
    if (this.followUpTimer) return;
    this.followUpTimer = this.c.clock.setTimeout(() => {
      this.followUpTimer = null;
      this.c.guard(() => this.tick());
    }, this.init.probeIntervalMs);
  }

  ask(id: string): void {
    const m = this.c.membership.table.get(id);
    const now = this.c.clock.now();
    if (!m || now - m.toldAt < this.init.probeIntervalMs) return;
    m.toldAt = now;
    this.send(id, false);
  }

  stop(): void {
    this.followUpTimer?.cancel();
    this.followUpTimer = null;
  }
}
