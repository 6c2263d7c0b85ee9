/**
 * The rollout control messages a node holds (docs/rollouts.md §Control messages): per
 * uri@version the newest verified message, its state after the reducer (control-state.ts)
 * and its bytes (relayed again to natm on every connect), kept in
 * stateDir/rollout-control.json (durable, like the store) so a restart keeps a pause or an
 * abort. At most MAX_CONTROLS updates; past that the one changed longest ago is forgotten.
 * `offer` is the one way in: a message is fresh (state changed), a duplicate (the same
 * bytes again), stale (seq not newer) or final (newer, but the update is aborted).
 */
import { join } from 'node:path';
import { writeFileDurable } from '../lib/common/durable-file.ts';
import type { ControlMessage } from '../lib/rollout/control.ts';
import { initialControl, reduceControl, type ControlState } from '../lib/rollout/control-state.ts';
import { updateKey } from '../lib/rollout/fleet.ts';
import { StoreError } from './store-error.ts';
import { parseHeld, type HeldControl } from './control-file.ts';

export type { HeldControl };
export const MAX_CONTROLS = 256;
export const controlPath = (stateDir: string): string => join(stateDir, 'rollout-control.json');

export interface ControlOffer {
  readonly kind: 'fresh' | 'duplicate' | 'stale' | 'final';
  /** The state after the offer (before it, unless fresh). */
  readonly held: ControlState;
}

export class ControlBook {
  private readonly held = new Map<string, HeldControl>();
  private chain: Promise<unknown> = Promise.resolve();

  /** `path` null: kept in memory only (tests, a manager without a state dir). */
  constructor(
    private readonly path: string | null = null,
    initial: readonly HeldControl[] = [],
  ) {
    for (const h of initial) this.held.set(updateKey(h.uri, h.version), h);
  }

  static async open(stateDir: string): Promise<ControlBook> {
    const path = controlPath(stateDir);
    return new ControlBook(path, await parseHeld(path));
  }

  /** The control state of uri@version (running, seq 0, when nothing was heard). */
  state(uri: string, version: number): ControlState {
    return this.held.get(updateKey(uri, version)) ?? initialControl(uri, version);
  }

  all(): HeldControl[] {
    return [...this.held.values()];
  }

  async offer(c: ControlMessage, raw: Uint8Array, now: number): Promise<ControlOffer> {
    const key = updateKey(c.uri, c.version);
    const before = this.held.get(key);
    const s = before ?? initialControl(c.uri, c.version);
    if (before && c.seq === before.seq && Buffer.from(raw).equals(Buffer.from(before.raw, 'base64')))
      return { kind: 'duplicate', held: s };
    const after = reduceControl(s, c);
    if (after === s) return { kind: s.state === 'aborted' && c.seq > s.seq ? 'final' : 'stale', held: s };
    const h: HeldControl = { ...after, issued: c.issued, at: now, raw: Buffer.from(raw).toString('base64') };
    this.held.delete(key);
    this.held.set(key, h);
    if (this.held.size > MAX_CONTROLS) {
      const oldest = [...this.held.entries()].sort((a, b) => a[1].at - b[1].at)[0]!;
      this.held.delete(oldest[0]);
    }
    await this.save();
    return { kind: 'fresh', held: after };
  }

  private save(): Promise<unknown> {
    const path = this.path;
    if (path === null) return Promise.resolve();
    const text = `${JSON.stringify({ schema: 1, controls: this.all() }, null, 1)}\n`;
    const p = this.chain.then(() =>
      writeFileDurable(path, text, 0o644).catch((e: unknown) => {
        throw new StoreError('STORE_IO', `${path}: cannot write: ${(e as Error).message}`, { cause: e });
      }),
    );
    this.chain = p.catch(() => undefined);
    return p;
  }
}
