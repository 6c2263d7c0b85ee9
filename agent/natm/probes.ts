/**
 * natm's probes as return-routability checks (lib/net/address-proof.ts). Every probe
 * carries the sender's token for the receiver's address; an ack echoes the token of the
 * probe it answers and carries the acker's own token; a fresh token in an ack is answered
 * once more, echoed. So one probe proves both ends to each other in 1.5 round trips:
 *   A → B probe(tA) · B → A ack(tB, echo tA) [A proved B] · A → B ack(tA, echo tB) [B proved A]
 * An ack is as large as the probe it answers, so an unproven address gets no more bytes
 * than it sent. Towards our servers:
 * - a rendezvous is pinned to the id that echoed our token from its endpoint (an off-path
 *   sender cannot see the token, so cannot pass for it); a probe (challenge) from it means
 *   it wants us to prove our address before it takes our `register`: we ack, then register;
 * - our bridge admits us as its child only once we proved our address: after echoing a
 *   fresh token of its, we say child-hello again at once.
 */
import type { Clock } from '../lib/common/clock.ts';
import type { AddressProof } from '../lib/net/address-proof.ts';
import type { Channel } from '../lib/net/channel.ts';
import type { Counters } from '../lib/net/counters.ts';
import type { Endpoint } from '../lib/net/datagram.ts';
import type { Body } from '../lib/wire/messages.ts';
import type { RendezvousClient } from './rendezvous-client.ts';
import type { RendezvousSync } from './rendezvous-sync.ts';

type Probe = Extract<Body, { t: 'probe' }>;

export interface ProbesComponents {
  channel: Channel;
  proof: AddressProof;
  rdv: RendezvousClient;
  sync: RendezvousSync;
  counters: Counters;
  clock: Clock;
  /** Say child-hello to our bridge now. */
  helloBridge(): void;
}

/** An unpinned rendezvous address is probed at most this often (a restarted one has a new key). */
const REPIN_MS = 1000;

export class Probes {
  private readonly lastRepin = new Map<number, number>();

  constructor(private readonly deps: ProbesComponents) {}

  /** A probe or ack from `from` (`rdv` its rendezvous index or -1). */
  onProbe(sender: string, body: Probe, from: Endpoint, rdv: number, fromBridge: boolean): void {
    const { proof, channel } = this.deps;
    const proved = proof.echo(from, body.echo);
    const fresh = proof.fresh(from, body.token);
    if (!body.ack || fresh)
      channel.send(from, { t: 'probe', token: proof.token(from), ack: true, echo: body.token });
    if (rdv >= 0) return this.fromRendezvous(rdv, sender, body, proved);
    if (fromBridge && body.ack && fresh) this.deps.helloBridge();
  }

  /** A challenge to `to`: a probe with our token (sent only within `to`'s byte budget). */
  challenge(to: Endpoint): void {
    this.deps.channel.send(to, { t: 'probe', token: this.deps.proof.token(to), ack: false, echo: 0 });
  }

  /** Keepalive: probe every rendezvous not pinned yet. */
  pinAll(): void {
    for (let i = 0; i < this.deps.rdv.count; i++)
      if (this.deps.rdv.pinnedId(i) === undefined) this.challenge(this.deps.rdv.endpoint(i));
  }

  /** A packet from rendezvous `rdv`'s address under an id not pinned: dropped; maybe it restarted. */
  unpinned(rdv: number, now: number): void {
    this.deps.counters.inc('drop_rdv_unpinned');
    if (now - (this.lastRepin.get(rdv) ?? -Infinity) < REPIN_MS) return;
    this.lastRepin.set(rdv, now);
    this.challenge(this.deps.rdv.endpoint(rdv));
  }

  private fromRendezvous(rdv: number, sender: string, body: Probe, proved: boolean): void {
    const { rdv: client, sync } = this.deps;
    if (proved) {
      client.heardFrom(rdv, this.deps.clock.now());
      if (client.pinnedId(rdv) === sender) return;
      client.pin(rdv, sender);
      this.deps.counters.inc('rdv_pinned');
      return sync.register(rdv);
    }
    if (!body.ack) sync.register(rdv); // it challenged our register: our ack went first
  }
}
