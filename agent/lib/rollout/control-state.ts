/**
 * The control state of one update's rollout and its reducer (docs/rollouts.md §Control
 * messages): state in, a verified control message in, state out. Newest seq wins, except
 * that an abort is final: nothing undoes it (an older or newer resume or pause is ignored);
 * a newer `abort --rollback` may still add the rollback to a plain abort.
 */
import type { ControlMessage } from './control.ts';

export type RunState = 'running' | 'paused' | 'aborted';

export interface ControlState {
  readonly uri: string;
  readonly version: number;
  /** The seq of the message that made this state; 0 before any. */
  readonly seq: number;
  readonly state: RunState;
  /** Aborted with rollback: nodes that applied the update roll it back. */
  readonly rollback: boolean;
}

export function initialControl(uri: string, version: number): ControlState {
  return { uri, version, seq: 0, state: 'running', rollback: false };
}

const STATE_OF = { pause: 'paused', resume: 'running', abort: 'aborted' } as const;

/** Returns `s` itself when the message changes nothing (another update, stale, or after an abort). */
export function reduceControl(s: ControlState, c: ControlMessage): ControlState {
  if (c.uri !== s.uri || c.version !== s.version || c.seq <= s.seq) return s;
  if (s.state === 'aborted') {
    const addsRollback = c.action === 'abort' && c.rollback && !s.rollback;
    return addsRollback ? { ...s, seq: c.seq, rollback: true } : s;
  }
  return { ...s, seq: c.seq, state: STATE_OF[c.action], rollback: c.action === 'abort' && c.rollback };
}
