/**
 * natm's connectivity state machine (pure; issue 19, "say why"). Every keepalive the node
 * hands in what it observes and `now`; the machine decides which conditions hold:
 *
 * - no_rendezvous: rendezvous servers are configured and none answered within the path timeout;
 * - no_external:   a rendezvous answers, but none has told us our external endpoint;
 * - relayed_only:  we reach peers, but only through a rendezvous relay (no direct, punched
 *                  or bridged path);
 * - clock_skew:    our clock is more than the bound from our peers' median (clock-offsets.ts);
 * - stream_fallback: UDP to the rendezvous is blocked and natm uses its TCP/TLS stream
 *                  (fallback-socket.ts logs that change itself, at once; this is for the views).
 *
 * A condition is raised once it has held for `graceMs` (a node that just started has not
 * heard from anyone yet), and cleared as soon as it stops holding. `step` returns only the
 * transitions, so the caller logs once per change (warn when raised, info when cleared),
 * never per packet or per tick.
 */
import {
  CONDITIONS,
  type Condition,
  type ConnectivityView,
  type Observation,
  type Transition,
} from '../lib/gossip/health.ts';

export type { ConnectivityView, Observation, PathCounts, Transition } from '../lib/gossip/health.ts';

/** The conditions that hold in `o` (before the grace period). */
export function conditionsOf(o: Observation): Set<Condition> {
  const out = new Set<Condition>();
  const { configured, alive } = o.rendezvous;
  if (configured > 0 && alive === 0) out.add('no_rendezvous');
  if (alive > 0 && o.external === null) out.add('no_external');
  const { direct, punched, bridged, relayed } = o.paths;
  if (relayed > 0 && direct + punched + bridged === 0) out.add('relayed_only');
  if (o.clock.skewed) out.add('clock_skew');
  if (o.transport && o.transport !== 'udp') out.add('stream_fallback');
  return out;
}

export class ConnectivityMachine {
  /** condition → since when it holds; `raised` once it was reported. */
  private readonly held = new Map<Condition, { since: number; raised: boolean }>();

  constructor(private readonly graceMs: number) {}

  step(o: Observation, now: number): Transition[] {
    const holds = conditionsOf(o);
    const out: Transition[] = [];
    for (const [condition, h] of this.held)
      if (!holds.has(condition)) {
        this.held.delete(condition);
        if (h.raised) out.push({ condition, raised: false, since: h.since });
      }
    for (const condition of holds) {
      let h = this.held.get(condition);
      if (!h) this.held.set(condition, (h = { since: now, raised: false }));
      if (!h.raised && now - h.since >= this.graceMs) {
        h.raised = true;
        out.push({ condition, raised: true, since: h.since });
      }
    }
    return out;
  }

  /** The conditions raised now, in CONDITIONS order. */
  raised(): Condition[] {
    return CONDITIONS.filter((c) => this.held.get(c)?.raised);
  }

  view(o: Observation): ConnectivityView {
    const conditions = this.raised();
    return { ...o, state: conditions.length ? 'degraded' : 'ok', conditions };
  }
}
