/**
 * The manager: takes torrent-file++ in (intake.ts), keeps one driver per URI
 * (driver.ts) and answers natm. Intakes are serialised so that two copies of one
 * update arriving together cannot both be "accepted".
 */
import { errorText, payloadPath, type Core } from './core.ts';
import { UriDriver } from './driver.ts';
import { isRootChain } from '../lib/trust/chain.ts';
import { intake, notificationId, type Outcome, type Source } from './intake.ts';
import { rootIntake, rootRelay } from './intake-root.ts';
import { placePayload } from './place-payload.ts';
import { isControlMessage } from '../lib/rollout/control.ts';
import { controlIntake, controlRelay, type ControlOutcome } from './intake-control.ts';
import type { ServeRun } from './serve-run.ts';
import { OWN_REASONS } from './serve-only.ts';
import { requestRollback, type RollbackAsk } from './step-rollback.ts';

/** How far back a placed payload's mtime is set (speed.backdatePayload): 4.x compares whole seconds. */
const BACKDATE_MS = 2000;

export interface RelayMessage {
  id: string;
  uri: string;
  version: number;
  infoHash: string;
  torrent: Uint8Array;
  /** The payload is complete on this node (past downloading). */
  complete: boolean;
}

export class Manager {
  private readonly drivers = new Map<string, UriDriver>();
  private chain: Promise<unknown> = Promise.resolve();
  private started = false;

  constructor(
    private readonly core: Core,
    private readonly onFatal: (e: unknown) => void,
    /** Serve-only updates (serve-run.ts); absent: refused updates are never served. */
    private readonly serve?: ServeRun,
  ) {}

  /** Resumes every URI's current update from the store. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const uri of Object.keys(this.core.store.data.uris)) this.driver(uri).kick();
  }

  async stop(): Promise<void> {
    this.started = false;
    await this.chain.catch(() => undefined);
    await Promise.all([...this.drivers.values()].map((d) => d.stop()));
    this.drivers.clear();
  }

  /** Wakes every URI's driver (the fleet view changed: a rollout gate may have opened). */
  kickAll(): void {
    if (this.started) for (const d of this.drivers.values()) d.kick();
  }

  /**
   * Rolls `uri`@`version` back to the update applied before it (issue 18; `rollout abort
   * --rollback`): it must be the URI's current update and applied. Recorded, then the URI's
   * driver asks the deploy executor, which re-checks that it is the update it deployed last.
   */
  async rollBack(uri: string, version: number, reason: string): Promise<RollbackAsk> {
    const r = await requestRollback(this.core, uri, version, reason);
    if (r.ok && this.started) this.driver(uri).kick();
    return r;
  }

  /** True while some update waits at a rollout gate (the fleet view is then worth asking for). */
  gated(): boolean {
    return Object.values(this.core.store.data.uris).some(
      (r) => r.current?.state === 'deploying' && r.current.rollout !== undefined,
    );
  }

  submit(raw: Uint8Array, source: Source, localPayload?: string): Promise<Outcome> {
    const run = (): Promise<Outcome> => this.take(raw, source, localPayload);
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  private async take(raw: Uint8Array, source: Source, localPayload?: string): Promise<Outcome> {
    const o = isRootChain(raw)
      ? await rootIntake(this.core, raw, source)
      : isControlMessage(raw)
        ? await controlIntake(this.core, raw, source)
        : await intake(this.core, raw, source, localPayload);
    this.core.metrics.received(source, o.kind === 'control' && !o.fresh ? 'duplicate' : o.kind);
    if (o.kind === 'refused') {
      // ROOT_EXPIRED is this node's state, not the update's fault: no verdict, so natm forgets
      // the offer and anti-entropy brings it again once a newer root is trusted.
      if (source === 'natm' && o.code !== 'ROOT_EXPIRED')
        this.core.natm.verdict({ id: o.id, code: o.code, reason: o.reason });
      if (o.signed && OWN_REASONS.includes(o.code)) await this.serve?.offer(raw, o.signed, o.code, o.reason);
      return o;
    }
    if (o.kind === 'root') {
      if (o.fresh) this.core.natm.relay(rootRelay(raw, o.version));
      return o;
    }
    if (o.kind === 'control') {
      this.core.natm.relay(controlRelay(raw, o.message));
      if (o.fresh) this.onControl(o);
      return o;
    }
    const u = o.update;
    this.serve?.book.forget(u.infoHash); // deployed here after all: the driver has it now
    this.core.natm.relay({ id: o.id, uri: u.uri, version: u.version, infoHash: u.infoHash, torrent: raw });
    const c = this.core.store.uri(u.uri)?.current;
    // A payload in hand (the inbox's file, or the bytes inline in the torrent-file++, checked
    // against the signed SHA-256 by the verifier) is placed for the daemon to seed at once.
    const held = localPayload ?? u.torrent.inline;
    if (held !== undefined && c && (c.state === 'verified' || c.state === 'downloading')) {
      try {
        const sp = this.core.config.speed;
        const placed = await placePayload(held, payloadPath(this.core, c), u, {
          ...(sp.backdatePayload ? { backdateMs: BACKDATE_MS, now: this.core.clock.now() } : {}),
        });
        if (localPayload !== undefined) this.core.swarm?.markOrigin(u.infoHash); // inline: every node holds it
        if (placed) this.core.log.info({ uri: u.uri, infoHash: u.infoHash }, 'local payload placed');
        if (placed && c.state === 'downloading') await this.core.tx.verify(u.infoHash);
      } catch (e) {
        this.core.log.warn({ uri: u.uri, err: errorText(e) }, 'local payload not placed; will download');
      }
    }
    if (o.kind === 'accepted') this.core.natm.state();
    if (this.started) this.driver(u.uri).kick();
    return o;
  }

  /**
   * Current updates that still lack their payload (verified or downloading) and name it
   * `name`: the inbox matches a payload dropped after its torrent against these.
   */
  async awaitingPayload(
    name: string,
  ): Promise<{ torrent: Uint8Array; length: number; sha256: Uint8Array }[]> {
    const out = [];
    for (const r of Object.values(this.core.store.data.uris)) {
      const c = r.current;
      if (c === null || c.name !== name || (c.state !== 'verified' && c.state !== 'downloading')) continue;
      const torrent = await this.core.store.loadTorrent(c.infoHash).catch(() => null);
      if (torrent !== null) out.push({ torrent, length: c.length, sha256: Buffer.from(c.sha256, 'hex') });
    }
    return out;
  }

  /**
   * A control message changed an update's state: its driver asks the gate again at once, and
   * rolls the applied update back after an `abort --rollback` of it (driver.ts).
   */
  private onControl(o: ControlOutcome): void {
    const { uri } = o.message;
    if (this.started && this.core.store.uri(uri)?.current) this.driver(uri).kick();
  }

  /** Every held control message as a relay message, for natm after (re)connecting. */
  currentControls(): Omit<RelayMessage, 'complete'>[] {
    return this.core.gate.controls
      .all()
      .map((h) => controlRelay(new Uint8Array(Buffer.from(h.raw, 'base64')), h));
  }

  /** The trusted root chain as a relay message, for natm after (re)connecting; null with plain keys. */
  currentRoot(): Omit<RelayMessage, 'complete'> | null {
    const chain = this.core.trust.chain;
    return chain === null ? null : rootRelay(chain, this.core.trust.root.body.version);
  }

  /** Every URI's current torrent, for natm after (re)connecting. */
  async currentTorrents(): Promise<RelayMessage[]> {
    const out: RelayMessage[] = [];
    for (const [uri, r] of Object.entries(this.core.store.data.uris)) {
      const c = r.current;
      if (c === null || c.state === 'failed') continue;
      const torrent = await this.core.store.loadTorrent(c.infoHash).catch(() => null);
      if (torrent === null) continue;
      const complete = c.state !== 'verified' && c.state !== 'downloading';
      out.push({
        id: notificationId(torrent),
        uri,
        version: c.version,
        infoHash: c.infoHash,
        torrent,
        complete,
      });
    }
    return out;
  }

  private driver(uri: string): UriDriver {
    let d = this.drivers.get(uri);
    if (!d) {
      d = new UriDriver(this.core, uri, this.onFatal);
      this.drivers.set(uri, d);
    }
    return d;
  }
}
