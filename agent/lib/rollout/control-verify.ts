/**
 * Verifying a control message (docs/rollouts.md §Control messages), cheapest check first:
 *   1 size ≤ MAX_CONTROL_BYTES          TOO_LARGE
 *   2 shape bounds, strict bencode      BAD_CONTROL / TOO_LARGE
 *   3 fields, types, bounds             BAD_CONTROL
 *   4 trusted signers ≥ threshold       UNKNOWN_SIGNER
 *   5 every trusted signature valid     BAD_SIGNATURE
 * Pure apart from libsodium: bytes and trusted keys in, a ControlMessage or a RolloutError
 * out. Whether it is newer than what the node holds is the reducer's question (control-state.ts).
 */
import type { PublicKey } from '../crypto/keys.ts';
import { decodeStrict, encode, isDict, type BDict } from '../metainfo/bencode-strict.ts';
import { checkShape } from '../metainfo/shape.ts';
import { verifyDetached } from '../metainfo/signature.ts';
import { RolloutError } from './errors.ts';
import { readControl } from './control-fields.ts';
import {
  controlMessageBytes,
  MAX_CONTROL_BYTES,
  MAX_CONTROL_SIGNERS,
  type ControlMessage,
} from './control.ts';

const SHAPE = { maxDepth: 2, maxContainerItems: 8, maxValues: 40, maxStringBytes: 256, maxIntChars: 17 };
const KID_RE = /^[0-9a-f]{16}$/;

export interface ControlTrust {
  readonly trusted: readonly PublicKey[];
  /** Valid trusted signatures needed (k of n); 1 by default. */
  readonly threshold?: number;
}

function decode(raw: Uint8Array): BDict {
  if (raw.length > MAX_CONTROL_BYTES)
    throw new RolloutError(
      'TOO_LARGE',
      `control message: ${raw.length} bytes, the limit is ${MAX_CONTROL_BYTES}`,
    );
  try {
    checkShape(raw, SHAPE);
    const top = decodeStrict(raw);
    if (isDict(top)) return top;
  } catch (cause) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    const big = (cause as { code?: string }).code === 'TOO_LARGE';
    throw new RolloutError(big ? 'TOO_LARGE' : 'BAD_CONTROL', `control message: ${msg}`, { cause });
  }
  throw new RolloutError('BAD_CONTROL', 'control message: expected a dictionary');
}

function signaturesOf(top: BDict): Map<string, Uint8Array> {
  const s = top['signatures'];
  if (!isDict(s)) throw new RolloutError('BAD_CONTROL', 'signatures: expected a dictionary');
  const out = new Map<string, Uint8Array>();
  for (const [kid, sig] of Object.entries(s)) {
    if (!KID_RE.test(kid) || !(sig instanceof Uint8Array) || sig.length !== 64)
      throw new RolloutError(
        'BAD_CONTROL',
        `signatures: expected <16 hex digits>: <64 bytes>, found "${kid.slice(0, 20)}"`,
      );
    out.set(kid, sig);
  }
  if (out.size === 0 || out.size > MAX_CONTROL_SIGNERS)
    throw new RolloutError(
      'BAD_CONTROL',
      `signatures: expected 1 to ${MAX_CONTROL_SIGNERS} signers, found ${out.size}`,
    );
  return out;
}

export async function openControl(raw: Uint8Array, trust: ControlTrust): Promise<ControlMessage> {
  const top = decode(raw);
  for (const k of Object.keys(top))
    if (k !== 'control' && k !== 'signatures')
      throw new RolloutError('BAD_CONTROL', `control message: unknown key "${k.slice(0, 40)}"`);
  const body = top['control'];
  if (!isDict(body)) throw new RolloutError('BAD_CONTROL', 'control: expected a dictionary');
  const msg = readControl(body);
  const sigs = signaturesOf(top);
  const threshold = trust.threshold ?? 1;
  const ours = trust.trusted.filter((k) => sigs.has(k.keyId));
  if (ours.length === 0 || ours.length < threshold)
    throw new RolloutError(
      'UNKNOWN_SIGNER',
      `signed by ${[...sigs.keys()].join(', ')}: ${ours.length} trusted admin key(s), ${threshold} needed`,
    );
  const message = controlMessageBytes(encode(body));
  for (const k of ours)
    if (!(await verifyDetached(sigs.get(k.keyId)!, message, k.bytes)))
      throw new RolloutError('BAD_SIGNATURE', `signature of ${k.keyId} does not match the control message`);
  return msg;
}
