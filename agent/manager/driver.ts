/**
 * Drives one URI's current update through its states until applied or failed
 * (docs/manager.md §States). Every step starts from what the store says, so a
 * restarted manager resumes where the last one stopped. A newer accepted version
 * wakes the loop, which then works on that one. Transient failures (daemon down)
 * are waited out with backoff; the update is never dropped.
 */
import { TransferError } from '../lib/transmission/errors.ts';
import { STATUS } from '../lib/transmission/progress.ts';
import { errorText, payloadPath, record, type Core } from './core.ts';
import { nextDeployStep } from './deploy-policy.ts';
import type { UpdateRecord } from './model.ts';
import { sleep } from './sleep.ts';
import { deployOnce } from './step-deploy.ts';
import { requestRollback, rollbackOnce } from './step-rollback.ts';
import { flushToDisk, payloadMismatch, refusePayload, shouldFlush } from './step-payload.ts';
import { retireOlder } from './step-retire.ts';
import { newStallMemo } from './stall-watch.ts';
import { addTorrent, ensureLocation, pollDownload, type PollMemo } from './step-transfer.ts';
import { StoreError } from './store-error.ts';
import { identityOf, sameIdentity, type FileIdentity } from './swarm/file-identity.ts';
import { pollDelay } from './swarm/poll-pace.ts';

const MAX_BACKOFF_MS = 10_000;
/** A deploy held back by its rollout gate is asked again this often (and on every fleet change). */
export const GATE_RECHECK_MS = 5_000;

export class UriDriver {
  private running: Promise<void> | null = null;
  private wake = new AbortController();
  private stopped = false;
  private dirty = false;
  private failures = 0;
  private memo: PollMemo = { infoHash: '', trackerChecked: false, corruptEver: 0, stall: newStallMemo(0) };
  private seeded: string | null = null;
  private readonly halt = new AbortController();
  /** The payload file as it was when its SHA-256 last matched (lever H). */
  private checked: { infoHash: string; id: FileIdentity } | null = null;
  /** The torrent whose near end was logged. */
  private nearEnd: string | null = null;
  /** The previous look at a download, for the pace (swarm/poll-pace.ts). */
  private look: { infoHash: string; left: number; at: number } | null = null;

  constructor(
    private readonly core: Core,
    private readonly uri: string,
    private readonly onFatal: (e: unknown) => void,
  ) {}

  /** Starts the loop, or wakes it if it runs (a new version, new payload, new peers). */
  kick(): void {
    if (this.stopped) return;
    this.dirty = true;
    this.wake.abort();
    this.wake = new AbortController();
    this.running ??= this.loop().finally(() => {
      this.running = null;
      if (this.dirty) this.kick();
    });
  }

  /**
   * Stops the loop promptly. A deploy in progress is not the manager's to kill: the
   * executor finishes and records it, and the next start asks again (answer: applied).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake.abort();
    this.halt.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.dirty = false;
      const c = this.core.store.uri(this.uri)?.current;
      if (!c) return;
      if (this.memo.infoHash !== c.infoHash)
        this.memo = {
          infoHash: c.infoHash,
          trackerChecked: false,
          corruptEver: 0,
          stall: newStallMemo(this.core.clock.now()),
        };
      try {
        const more = await this.step(c);
        this.failures = 0;
        if (!more) return;
      } catch (e) {
        if (e instanceof StoreError) return this.onFatal(e);
        this.failures++;
        const wait = Math.min(MAX_BACKOFF_MS, this.core.config.transmission.pollMs * 2 ** this.failures);
        const transient = e instanceof TransferError && e.transient;
        this.core.log[transient ? 'warn' : 'error'](
          { uri: this.uri, version: c.version, state: c.state, err: errorText(e), retryInMs: wait },
          'update step failed; will retry',
        );
        if ((c.state === 'verified' || c.state === 'downloading') && c.lastError !== errorText(e))
          await record(this.core, this.uri, c.version, { type: 'transfer-error', error: errorText(e) }).catch(
            this.onFatal,
          );
        await sleep(this.core.clock, wait, this.wake.signal);
      }
    }
  }

  /** One step; false when there is nothing more to do for now. */
  private async step(c: UpdateRecord): Promise<boolean> {
    const { core, uri } = this;
    switch (c.state) {
      case 'verified':
        await addTorrent(core, c);
        core.swarm?.touch(c.infoHash);
        core.natm.have(c.infoHash, false);
        await record(core, uri, c.version, { type: 'download-started' });
        return true;
      case 'downloading':
        if (await pollDownload(core, uri, c, this.memo)) {
          core.natm.have(c.infoHash, true);
          core.swarm?.touch(c.infoHash);
          await record(core, uri, c.version, { type: 'downloaded' });
        } else await sleep(core.clock, this.pollDelay(), this.wake.signal);
        return true;
      case 'verifying-payload': {
        const traits = core.tx.traits ? await core.tx.traits().catch(() => null) : null;
        if (shouldFlush(core.config.speed.flushBeforeCheck, traits)) await flushToDisk(core, c.infoHash);
        const bad = await this.checkPayload(c);
        if (bad !== null) await refusePayload(core, uri, c, bad);
        await record(
          core,
          uri,
          c.version,
          bad === null ? { type: 'payload-ok' } : { type: 'payload-bad', error: bad },
        );
        return true;
      }
      case 'deploying':
        return this.deployStep(c);
      case 'applied':
        return this.abortedWithRollback(c) ? this.rollbackOnAbort(c) : this.seed(c);
      case 'rolling-back':
        return this.rollbackStep(c);
      case 'failed':
      case 'rolled-back':
      case 'rollback-unhealthy':
        return false;
    }
  }

  /** An admin's `rollout abort --rollback` holds for the applied update (heard now, earlier, or before a restart). */
  private abortedWithRollback(c: UpdateRecord): boolean {
    const s = this.core.gate.controls.state(this.uri, c.version);
    return s.state === 'aborted' && s.rollback;
  }

  private async rollbackOnAbort(c: UpdateRecord): Promise<boolean> {
    const seq = this.core.gate.controls.state(this.uri, c.version).seq;
    const r = await requestRollback(this.core, this.uri, c.version, `rollout abort --rollback (seq ${seq})`);
    if (!r.ok) this.core.log.error({ uri: this.uri, version: c.version, code: r.code }, r.reason);
    return r.ok; // on to rolling-back
  }

  /** A rollback attempt, with the deploy retry policy (deploy-policy.ts). */
  private async rollbackStep(c: UpdateRecord): Promise<boolean> {
    const { core, uri } = this;
    const next = nextDeployStep(c, core.config.deploy, core.clock.now());
    if (next.kind === 'wait') await sleep(core.clock, next.until - core.clock.now(), this.wake.signal);
    else if (next.kind === 'give-up')
      await record(core, uri, c.version, { type: 'give-up', error: `rollback: ${next.reason}` });
    else await rollbackOnce(core, uri, c, this.halt.signal);
    return true;
  }

  private async deployStep(c: UpdateRecord): Promise<boolean> {
    const { core, uri } = this;
    const gate = core.gate.decide(uri, c);
    if (!gate.install) {
      if (c.gate !== gate.line) {
        core.log.info({ uri, version: c.version, gate: gate.line }, 'deploy held back by the rollout');
        await record(core, uri, c.version, { type: 'gate', line: gate.line });
      }
      // A kick while this step ran (a fleet change) is not lost to the sleep: ask again at once.
      if (!this.dirty) await sleep(core.clock, GATE_RECHECK_MS, this.wake.signal);
      return true;
    }
    if ((c.gate ?? null) !== null) {
      core.log.info({ uri, version: c.version, gate: gate.line }, 'rollout gate open');
      await record(core, uri, c.version, { type: 'gate', line: null });
    }
    const next = nextDeployStep(c, core.config.deploy, core.clock.now());
    if (next.kind === 'wait') {
      await sleep(core.clock, next.until - core.clock.now(), this.wake.signal);
      return true;
    }
    if (next.kind === 'give-up') {
      core.log.error({ uri, version: c.version, reason: next.reason }, 'deploy gave up');
      await record(core, uri, c.version, { type: 'give-up', error: next.reason });
      return true;
    }
    // Re-check the bytes right before every attempt: the file may have changed on disk
    // (unless speed.rehashBeforeDeploy is off and the file is the one whose hash matched;
    // a directory's identity says nothing of its files: always re-checked).
    const unchanged =
      !core.config.speed.rehashBeforeDeploy &&
      c.manifest === undefined &&
      this.checked?.infoHash === c.infoHash &&
      sameIdentity(this.checked.id, await identityOf(payloadPath(core, c)));
    const bad = unchanged ? null : await this.checkPayload(c);
    if (bad !== null) {
      await refusePayload(core, uri, c, bad);
      await record(core, uri, c.version, { type: 'give-up', error: `PAYLOAD_MISMATCH: ${bad}` });
      return true;
    }
    await deployOnce(core, uri, c, this.halt.signal);
    return true;
  }

  /**
   * The payload check (signed length and SHA-256); on a match, the file's identity is
   * remembered if it did not change while it was read.
   */
  private async checkPayload(c: UpdateRecord): Promise<string | null> {
    const path = payloadPath(this.core, c);
    const before = await identityOf(path);
    const bad = await payloadMismatch(this.core, c);
    const after = await identityOf(path);
    this.checked = bad === null && sameIdentity(before, after) ? { infoHash: c.infoHash, id: after! } : null;
    return bad;
  }

  /** Lever C: poll faster near the end of a download (swarm/poll-pace.ts). */
  private pollDelay(): number {
    const { pollMs } = this.core.config.transmission;
    const t = this.memo.last;
    if (!t) return pollMs;
    const now = this.core.clock.now();
    const prev = this.look?.infoHash === t.hashString ? this.look : null;
    this.look = { infoHash: t.hashString, left: t.leftUntilDone, at: now };
    const last = prev ? { leftUntilDone: prev.left, ms: now - prev.at } : undefined;
    const ms = pollDelay(t, { pollMs, nearEndMs: this.core.config.speed.nearEndPollMs }, last);
    if (ms < pollMs && this.nearEnd !== t.hashString) {
      this.nearEnd = t.hashString;
      this.core.log.info(
        { uri: this.uri, infoHash: t.hashString, pollMs: ms },
        'download near its end; polling faster',
      );
    }
    return ms;
  }

  /**
   * An applied update keeps seeding: make sure the daemon has it (once per start). The
   * URI's older versions are then removed from the daemon with their data.
   */
  private async seed(c: UpdateRecord): Promise<boolean> {
    if (this.seeded === c.infoHash) return false;
    await addTorrent(this.core, c);
    const t = await this.core.tx.get(c.infoHash);
    if (t !== null) await this.core.tx.ensureTracker(t, this.core.trackerUrl());
    if (t !== null && !(await ensureLocation(this.core, c, t))) {
      await sleep(this.core.clock, this.core.config.transmission.pollMs, this.wake.signal);
      return true; // seeded once the daemon reports the torrent where it belongs
    }
    if (t !== null && t.status === STATUS.stopped) await this.core.tx.start(c.infoHash);
    this.core.swarm?.touch(c.infoHash);
    this.core.natm.have(c.infoHash, true);
    await retireOlder(this.core, this.uri, c);
    this.seeded = c.infoHash;
    return false;
  }
}
