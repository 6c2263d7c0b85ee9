/**
 * stateDir/rollout-control.json, read strictly (control-book.ts writes it):
 *   { "schema": 1, "controls": [ { uri, version, seq, state, rollback, issued, at, raw }, … ] }
 * `raw` is the signed message, base64. Missing: nothing held. Anything else unreadable is a
 * corrupt store (STORE_CORRUPT): a pause or an abort must not be forgotten silently.
 */
import { readFile } from 'node:fs/promises';
import type { ControlState, RunState } from '../lib/rollout/control-state.ts';
import { StoreError } from './store-error.ts';

export interface HeldControl extends ControlState {
  /** The message's `issued` (Unix seconds, the admin's clock). */
  readonly issued: number;
  /** When this node took it (ms since the epoch). */
  readonly at: number;
  /** The signed message, base64. */
  readonly raw: string;
}

const STATES: readonly RunState[] = ['running', 'paused', 'aborted'];
const uint = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function heldOf(v: unknown, i: number): HeldControl {
  const r = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const ok =
    typeof r['uri'] === 'string' &&
    uint(r['version']) &&
    uint(r['seq']) &&
    STATES.includes(r['state'] as RunState) &&
    typeof r['rollback'] === 'boolean' &&
    uint(r['issued']) &&
    uint(r['at']) &&
    typeof r['raw'] === 'string';
  if (!ok) throw new Error(`controls[${i}]: expected {uri, version, seq, state, rollback, issued, at, raw}`);
  return r as unknown as HeldControl;
}

/** The held controls in the file at `path`; [] when there is none. */
export async function parseHeld(path: string): Promise<HeldControl[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new StoreError('STORE_IO', `${path}: cannot read: ${(e as Error).message}`, { cause: e });
  }
  try {
    const d = JSON.parse(text) as Record<string, unknown>;
    if (d['schema'] !== 1 || !Array.isArray(d['controls']))
      throw new Error('expected {schema: 1, controls: [...]}');
    return d['controls'].map(heldOf);
  } catch (e) {
    throw new StoreError('STORE_CORRUPT', `${path}: ${(e as Error).message}`, { cause: e });
  }
}
