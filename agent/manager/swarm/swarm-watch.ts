/**
 * Watches the torrents of ours that are moving (downloading, or just added, or with
 * new peers named by natm) and acts on what their peers show: forced rechokes
 * (rechoke-decider.ts, rechoke-pulser.ts) and the origin's upload limit
 * (origin-shaper.ts). One `torrent-get` for all watched torrents every `pollMs`, and
 * nothing at all while none is watched. Failures are logged and retried next round.
 * On the origin, natm naming peers keeps the torrent watched until one of them connects
 * (up to PEER_WAIT_MS), not only for the window: a peer may take longer than the window
 * to add the torrent and connect (a slow or loaded machine), and an origin that stopped
 * watching before would never limit its upload for that swarm.
 */
import type { Clock, Timer } from '../../lib/common/clock.ts';
import type { Logger } from '../../lib/common/logger.ts';
import type { DaemonTraits } from '../../lib/transmission/daemon-traits.ts';
import type { SwarmView } from '../../lib/transmission/swarm-view.ts';
import { RechokeDecider } from './rechoke-decider.ts';
/** The forced rechoke itself (rechoke-pulser.ts). */
export interface Pulser {
  pulse(): Promise<void>;
}
import { OriginShaper, type ShapePolicy } from './origin-shaper.ts';

export interface SwarmWatchPort {
  traits(): Promise<DaemonTraits>;
  swarm(infoHashes: readonly string[]): Promise<SwarmView[]>;
  setUploadLimit(infoHash: string, kBps: number | null): Promise<unknown>;
}

export interface SwarmWatchInit {
  readonly pollMs: number;
  /** How long a torrent stays watched after it was added, completed or got new peers. */
  readonly windowMs: number;
  readonly rechoke: { readonly minGapMs: number; readonly maxPulses: number } | null;
  readonly shaping: ShapePolicy | null;
}

/** The most torrents watched at once (the daemon's whole list is smaller in practice). */
export const MAX_WATCHED = 256;
/** An origin's torrent stays watched while some peer is incomplete, up to this long. */
export const ORIGIN_WATCH_MS = 600_000;
/** An origin's torrent stays watched after natm named peers until one connects, up to this long. */
export const PEER_WAIT_MS = 120_000;

interface Origin {
  readonly marked: number;
  /** When natm last named peers that have not connected since (null: none awaited). */
  awaiting: number | null;
}

export class SwarmWatch {
  private readonly until = new Map<string, number>();
  private readonly origins = new Map<string, Origin>();
  private decider: RechokeDecider | null = null;
  private readonly shaper: OriginShaper | null;
  private timer: Timer | null = null;
  private busy = false;
  private stopped = false;

  constructor(
    private readonly c: { tx: SwarmWatchPort; pulser: Pulser | null; clock: Clock; log: Logger },
    private readonly init: SwarmWatchInit,
  ) {
    this.shaper = init.shaping ? new OriginShaper(init.shaping) : null;
  }

  /** Watch `infoHash` for the next window (added, completed, new peers). */
  touch(infoHash: string): void {
    if (this.stopped || (!this.init.rechoke && !this.init.shaping)) return;
    if (!this.until.has(infoHash) && this.until.size >= MAX_WATCHED) return;
    this.until.set(infoHash, this.c.clock.now() + this.init.windowMs);
    this.timer ??= this.c.clock.setInterval(() => void this.round(), this.init.pollMs);
  }

  /** This node put the payload of `infoHash` there itself (it publishes it). */
  markOrigin(infoHash: string): void {
    if (this.origins.size < MAX_WATCHED)
      this.origins.set(infoHash, { marked: this.c.clock.now(), awaiting: null });
    this.touch(infoHash);
  }

  /** natm named peers for `infoHash`: watched for the window, and on the origin until one connects. */
  peersNamed(infoHash: string): void {
    const o = this.origins.get(infoHash);
    if (o) o.awaiting = this.c.clock.now();
    this.touch(infoHash);
  }

  private async round(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      const now = this.c.clock.now();
      const views = await this.c.tx.swarm([...this.until.keys()]);
      for (const v of views) if (this.moving(v, now)) this.until.set(v.hashString, now + this.init.windowMs);
      await this.rechoke(views, now);
      await this.shape(views, now);
      for (const [h, t] of this.until) if (t < now) await this.drop(h);
      if (this.until.size === 0) this.idle();
    } catch (e) {
      this.c.log.debug({ err: String(e) }, 'swarm watch round failed');
    } finally {
      this.busy = false;
    }
  }

  private async rechoke(views: readonly SwarmView[], now: number): Promise<void> {
    if (!this.init.rechoke || !this.c.pulser) return;
    if (!this.decider) {
      const t = await this.c.tx.traits();
      this.decider = new RechokeDecider({ ...this.init.rechoke, quietFrom: t.cancelRateInterest ? 0.9 : 1 });
    }
    const d = this.decider.observe(views, now);
    if (d === null) return;
    await this.c.pulser.pulse();
    this.c.log.debug(
      { reason: d.reason, torrents: d.torrents, pulses: this.decider.pulses },
      'rechoke pulse',
    );
  }

  private async shape(views: readonly SwarmView[], now: number): Promise<void> {
    if (!this.shaper) return;
    for (const v of views) {
      if (!this.origins.has(v.hashString)) continue;
      const a = this.shaper.decide(v, now);
      if (a === null) continue;
      await this.c.tx.setUploadLimit(v.hashString, a.action === 'limit' ? a.kBps : null);
      const sum = Math.round(v.peers.reduce((x, p) => x + p.progress, 0) * 100) / 100;
      this.c.log.info(
        { infoHash: v.hashString, ...a, uploadedEver: v.uploadedEver, peers: v.peers.length, sum },
        a.action === 'limit'
          ? 'origin upload limited: the swarm holds every piece'
          : 'origin upload limit lifted',
      );
    }
  }

  /**
   * Still worth watching: we download it, or we published it and a peer still lacks
   * pieces or a peer named by natm has not connected yet.
   */
  private moving(v: SwarmView, now: number): boolean {
    if (v.percentDone < 1) return true;
    const o = this.origins.get(v.hashString);
    if (o === undefined || now - o.marked >= ORIGIN_WATCH_MS) return false;
    if (v.peers.length > 0 || (o.awaiting !== null && now - o.awaiting >= PEER_WAIT_MS)) o.awaiting = null;
    return o.awaiting !== null || v.peers.some((p) => p.progress < 1);
  }

  /** Unwatched: forgotten, and an upload limit of ours lifted (nobody is waiting for it any more). */
  private async drop(h: string): Promise<void> {
    this.until.delete(h);
    this.decider?.forget(h);
    if (this.shaper?.forget(h)) {
      await this.c.tx.setUploadLimit(h, null);
      this.c.log.info({ infoHash: h, action: 'lift', why: 'unwatched' }, 'origin upload limit lifted');
    }
  }

  private idle(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  stop(): void {
    this.stopped = true;
    this.idle();
    this.until.clear();
  }
}
