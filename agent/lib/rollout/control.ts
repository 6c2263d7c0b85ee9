/**
 * Admin control messages for one update's rollout (docs/rollouts.md §Control messages):
 * pause, resume, abort (optionally with rollback), sequence-numbered per uri@version.
 *   bencode({ control: {action, issued, [rollback: 1], seq, type, uri, version},
 *             signatures: { <kid>: <64-byte Ed25519 signature>, … } })
 *   signature = Ed25519( admin key, "p2pu-rollout-control-v1\0" ‖ bencode(control) )
 * Signed with the torrent-file++ helpers (metainfo/signature.ts) by the same admin keys;
 * the context label keeps a control signature from ever verifying as anything else.
 * It spreads like an update: a gossip notification under controlKey(uri, version) whose
 * version is the seq, so the overlay already keeps only the newest per update.
 */
import { createHash } from 'node:crypto';
import type { SecretKey } from '../crypto/keys.ts';
import { encode } from '../metainfo/bencode-strict.ts';
import { signDetached, signedMessage } from '../metainfo/signature.ts';
import { RolloutError } from './errors.ts';

export type ControlAction = 'pause' | 'resume' | 'abort';
export const CONTROL_ACTIONS: readonly ControlAction[] = ['pause', 'resume', 'abort'];
export const CONTROL_TYPE = 'p2pu-rollout-control';
export const CONTROL_CONTEXT = Buffer.from('p2pu-rollout-control-v1\0', 'ascii');
/** A message with 8 signers is ~900 bytes; anything past this is refused before decoding. */
export const MAX_CONTROL_BYTES = 2048;
export const MAX_CONTROL_SIGNERS = 8;

export interface ControlMessage {
  readonly uri: string;
  readonly version: number;
  /** Per uri@version; the highest wins. 1 … 2^53−1. */
  readonly seq: number;
  readonly action: ControlAction;
  /** abort only: nodes that applied the update roll it back. */
  readonly rollback: boolean;
  /** Unix seconds, when the admin made it (shown, not judged). */
  readonly issued: number;
}

/** The control dict exactly as signed. */
export function controlBody(c: ControlMessage): Record<string, unknown> {
  if (c.rollback && c.action !== 'abort')
    throw new RolloutError('BAD_CONTROL', `rollback: only an abort rolls back, found ${c.action}`);
  return {
    action: c.action,
    issued: c.issued,
    ...(c.rollback ? { rollback: 1 } : {}),
    seq: c.seq,
    type: CONTROL_TYPE,
    uri: c.uri,
    version: c.version,
  };
}

export function controlMessageBytes(bodyBytes: Uint8Array): Uint8Array {
  return signedMessage(CONTROL_CONTEXT, bodyBytes);
}

export async function signControl(c: ControlMessage, keys: readonly SecretKey[]): Promise<Uint8Array> {
  const body = controlBody(c);
  const message = controlMessageBytes(encode(body));
  const signatures: Record<string, Uint8Array> = {};
  for (const k of keys) signatures[k.publicKey.keyId] = await signDetached(message, k.sodiumKey);
  return encode({ control: body, signatures });
}

/**
 * The gossip notification URI that carries an update's control messages (59 bytes for any
 * uri): under the reserved `p2p-update:` scheme, so no update can take its place.
 */
export function controlKey(uri: string, version: number): string {
  const h = createHash('sha256')
    .update(encode([uri, version]))
    .digest('hex')
    .slice(0, 32);
  return `p2p-update:rollout-control:${h}`;
}

/** A control message starts with its `control` dict (bencode keys are sorted). */
export function isControlMessage(raw: Uint8Array): boolean {
  return raw.length >= 10 && Buffer.from(raw.subarray(0, 10)).toString('latin1') === 'd7:control';
}
