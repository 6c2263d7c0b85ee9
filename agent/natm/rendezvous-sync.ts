/**
 * The rendezvous-facing half of a natm node: `register` (keepalive, with our LAN endpoints,
 * table version and bridge children), the table deltas that come back (peers learned,
 * tombstones, paging, passing them on to our bridge children), our external endpoint as
 * the rendezvous observed it (a change means our NAT mapping moved: re-register, punch
 * again), and introductions (start a hole punch). A bridge child also reads its bridge's
 * table pushes here (`rdv` = -1).
 */
import type { Clock } from '../lib/common/clock.ts';
import type { Logger } from '../lib/common/logger.ts';
import type { Channel } from '../lib/net/channel.ts';
import type { AddressProof } from '../lib/net/address-proof.ts';
import type { Counters } from '../lib/net/counters.ts';
import { sameEp, type Endpoint } from '../lib/net/datagram.ts';
import { sourceKey } from '../lib/net/fair-share.ts';
import { type Body, PROBE_MAX_PLAIN, type TableEntry } from '../lib/wire/messages.ts';
import type { NatmConfig } from './config.ts';
import type { HolePuncher } from './hole-puncher.ts';
import type { Liveness, PeerBook, PeerState } from './peer-book.ts';
import type { RendezvousClient } from './rendezvous-client.ts';
import type { Router } from './router.ts';

export interface RendezvousSyncComponents {
  channel: Channel;
  book: PeerBook;
  rdv: RendezvousClient;
  router: Router;
  puncher: HolePuncher;
  counters: Counters;
  logger: Logger;
  clock: Clock;
  proof: AddressProof;
  /** Bytes the envelope adds to a packet (to budget punch probes). */
  overhead: number;
  isBanned(peerId: string): boolean;
  live(): Liveness;
  /** `peer` may have changed: tell the layers above if its view did. */
  touch(peer: PeerState, liveness: Liveness): void;
}

export interface RendezvousSyncInit {
  internals: Endpoint[];
  /** The cluster's namespace at the rendezvous ("" in cluster-key mode). */
  namespace: string;
}

type TableBody = Extract<Body, { t: 'table' }>;
type IntroBody = Extract<Body, { t: 'intro' }>;

export class RendezvousSync {
  /** Our external endpoint, as the last rendezvous that saw it moved reported it. */
  external: Endpoint | undefined;

  constructor(
    private readonly deps: RendezvousSyncComponents,
    private readonly cfg: NatmConfig,
    private readonly init: RendezvousSyncInit,
  ) {}

  register(rdv: number): void {
    const children = this.cfg.bridge ? this.deps.router.childIds() : [];
    const { internals, namespace: ns } = this.init;
    this.deps.channel.send(this.deps.rdv.endpoint(rdv), {
      t: 'register',
      internals,
      known: this.deps.rdv.known(rdv),
      children,
      ns,
    });
  }

  registerAll(): void {
    for (let rdv = 0; rdv < this.deps.rdv.count; rdv++) this.register(rdv);
  }

  /** A table from rendezvous `rdv`, or (rdv = -1) pushed by our bridge. */
  onTable(rdv: number, body: TableBody): void {
    const { book, counters } = this.deps;
    if (rdv >= 0 && body.observed) this.observed(rdv, body.observed);
    for (const entry of body.entries) {
      if (this.skipped(entry)) continue;
      if (entry.gone) {
        const peer = book.get(entry.id);
        if (peer && rdv >= 0) book.unlisted(peer, rdv);
        if (peer) this.deps.touch(peer, this.deps.live());
        continue;
      }
      const peer = book.ensure(entry.id, this.sourceOf(entry, rdv));
      if (!peer) {
        counters.inc('drop_peers_full');
        continue;
      }
      book.place(
        peer,
        { ext: entry.ext, internals: entry.internals, via: entry.via },
        rdv >= 0 ? rdv : undefined,
      );
      this.deps.touch(peer, this.deps.live());
    }
    if (rdv < 0) return;
    if (this.cfg.bridge && body.entries.length)
      this.deps.router.toChildren({ ...body, observed: undefined, push: true });
    if (body.push) return;
    // Page on while there is room; a full book takes one page per keepalive (a bounded subset).
    if (this.deps.rdv.tableRead(rdv, body.version, body.more && !book.full, this.cfg.tablePagesPerTick))
      this.register(rdv);
  }

  /**
   * Whom a listed peer is charged to in the book: the address the rendezvous saw it register
   * from (it proved that address to the rendezvous), else its bridge, else the lister.
   */
  private sourceOf(entry: TableEntry, rdv: number): string {
    if (entry.ext) return sourceKey(entry.ext.address, this.cfg.sourcePrefix);
    return entry.via !== undefined ? `via:${entry.via}` : rdv >= 0 ? `rdv:${rdv}` : 'bridge';
  }

  /** Ourselves, a banned node, or one reached only through a banned bridge: no entry, no path. */
  private skipped(entry: TableEntry): boolean {
    const { isBanned } = this.deps;
    return entry.id === this.cfg.id || isBanned(entry.id) || (entry.via !== undefined && isBanned(entry.via));
  }

  /** Our external endpoint as authenticated rendezvous `rdv` saw it; a change means we moved. */
  private observed(rdv: number, ep: Endpoint): void {
    const prev = this.deps.rdv.observe(rdv, ep);
    if (sameEp(ep, prev)) return;
    this.deps.logger.info(
      { external: ep, previous: prev, rendezvous: this.deps.rdv.endpoint(rdv) },
      'external endpoint learned',
    );
    this.external = ep;
    if (!prev) return;
    this.deps.counters.inc('external_changed');
    // Our NAT mapping changed: punched paths are dead. Re-register and punch again.
    const { book } = this.deps;
    const liveness = this.deps.live();
    const redo = book.all().filter((peer) => book.pathOf(peer, liveness) === 'punched');
    for (const peer of redo) book.unpunch(peer);
    this.registerAll();
    for (const peer of redo.slice(0, this.cfg.eagerPaths)) this.deps.router.requestIntro(peer, liveness);
    for (const peer of redo) this.deps.touch(peer, liveness);
  }

  /** Rendezvous `rdv` introduces us to a peer: punch towards it. */
  onIntro(rdv: number, body: IntroBody): void {
    const { book, counters } = this.deps;
    const entry = body.peer;
    if (entry.id === this.cfg.id) return counters.inc('drop_intro_self');
    if (this.deps.isBanned(entry.id)) return counters.inc('drop_banned');
    const peer = book.ensure(entry.id, this.sourceOf(entry, rdv));
    if (!peer) return counters.inc('drop_peers_full');
    book.place(peer, { ext: entry.ext, internals: entry.internals, via: peer.via }, rdv);
    book.introduced(peer, this.deps.clock.now());
    // No hairpin NAT: behind the same public address, punch the LAN addresses instead.
    const sameNat = !!entry.ext && !!this.external && entry.ext.address === this.external.address;
    const candidates = sameNat ? entry.internals : entry.ext ? [entry.ext] : [];
    // The pinned rendezvous vouches for these addresses: budget our punch probes to them.
    const probeBytes = PROBE_MAX_PLAIN + this.deps.overhead;
    for (const ep of candidates) this.deps.proof.allow(ep, this.cfg.punchAttempts * probeBytes);
    if (!this.deps.puncher.start(entry.id, body.token, candidates)) return counters.inc('drop_punch_full');
    counters.inc('punch_started');
  }
}
