/**
 * Reading a deploy unit's state, pure: `systemctl show` lines in, where the unit is and
 * how its main process ended out. A unit runs with RemainAfterExit=yes, so after its
 * process exited it is `active/exited` (exit 0) or `failed` (anything else) until the
 * executor stops it.
 */
import { DeployError } from '../lib/deploy/errors.ts';
import type { DeployCommand } from '../lib/deploy/deployers.ts';

export const SHOW_PROPERTIES = [
  'LoadState',
  'ActiveState',
  'SubState',
  'Result',
  'ExecMainCode',
  'ExecMainStatus',
];

export interface UnitState {
  readonly load: string;
  readonly active: string;
  readonly sub: string;
  readonly result: string;
  /** siginfo code of the main process: 1 exited, 2 killed, 3 dumped; 0 not yet. */
  readonly code: number;
  readonly status: number;
}

export function parseShow(text: string): UnitState {
  const v = new Map(text.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  return {
    load: v.get('LoadState') ?? '',
    active: v.get('ActiveState') ?? '',
    sub: v.get('SubState') ?? '',
    result: v.get('Result') ?? '',
    code: Number(v.get('ExecMainCode') ?? 0) || 0,
    status: Number(v.get('ExecMainStatus') ?? 0) || 0,
  };
}

/** The main process has ended (or the unit is gone): nothing more will happen. */
export function hasEnded(s: UnitState): boolean {
  return s.load === 'not-found' || s.active === 'failed' || s.active === 'inactive' || s.sub === 'exited';
}

/** Null when the deployer applied the update; else the coded failure. */
export function failureOf(s: UnitState, cmd: DeployCommand, output: string): DeployError | null {
  const what = cmd.file;
  if (s.load === 'not-found') return new DeployError('DEPLOY_SPAWN', `${what}: its unit is gone`, output);
  if (s.result === 'timeout')
    return new DeployError('DEPLOY_TIMEOUT', `${what} stopped by RuntimeMaxSec`, output);
  if (s.code === 2 || s.code === 3)
    return new DeployError('DEPLOY_SIGNAL', `${what} killed by signal ${s.status}`, output);
  if (s.code === 1 && cmd.okCodes.includes(s.status)) return null;
  if (s.code === 1) return new DeployError('DEPLOY_EXIT', `${what} exited ${s.status}`, output);
  return new DeployError('DEPLOY_SPAWN', `${what}: unit ${s.active}/${s.sub}, result ${s.result}`, output);
}
