/** The fields of a control dict, read strictly (docs/rollouts.md §Control messages). */
import type { BDict } from '../metainfo/bencode-strict.ts';
import { RolloutError } from './errors.ts';
import { CONTROL_ACTIONS, CONTROL_TYPE, type ControlAction, type ControlMessage } from './control.ts';

const KEYS = ['action', 'issued', 'rollback', 'seq', 'type', 'uri', 'version'];
const URI_RE = /^[a-z][a-z0-9+.-]*:\S+$/i;
const MAX_URI_BYTES = 256;
const utf8 = new TextDecoder('utf-8', { fatal: true });

const bad = (what: string): never => {
  throw new RolloutError('BAD_CONTROL', `control.${what}`);
};

function text(d: BDict, key: string): string {
  const v = d[key];
  if (!(v instanceof Uint8Array)) return bad(`${key}: expected a byte string`);
  try {
    return utf8.decode(v);
  } catch {
    return bad(`${key}: expected UTF-8 text`);
  }
}

function int(d: BDict, key: string, min: number): number {
  const v = d[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)
    return bad(`${key}: expected an integer ≥ ${min}, found ${typeof v === 'number' ? v : 'another type'}`);
  return v;
}

export function readControl(d: BDict): ControlMessage {
  for (const k of Object.keys(d)) if (!KEYS.includes(k)) bad(`${k.slice(0, 40)}: unknown key`);
  if (text(d, 'type') !== CONTROL_TYPE) bad(`type: expected "${CONTROL_TYPE}"`);
  const action = text(d, 'action') as ControlAction;
  if (!CONTROL_ACTIONS.includes(action))
    bad(`action: expected pause, resume or abort, found "${action.slice(0, 20)}"`);
  const uri = text(d, 'uri');
  if (Buffer.byteLength(uri) > MAX_URI_BYTES || !URI_RE.test(uri))
    bad(`uri: expected "scheme:resource" of at most ${MAX_URI_BYTES} bytes`);
  const rb = d['rollback'];
  if (rb !== undefined && (rb !== 1 || action !== 'abort')) bad('rollback: only "rollback: 1" on an abort');
  return {
    uri,
    version: int(d, 'version', 0),
    seq: int(d, 'seq', 1),
    action,
    rollback: rb === 1,
    issued: int(d, 'issued', 0),
  };
}
