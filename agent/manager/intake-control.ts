/**
 * Taking in a rollout control message from any source (inbox, `p2p-update rollout`, natm),
 * docs/rollouts.md §Control messages: verified against the trusted root's update keys and
 * threshold (the admin keys), then offered to the node's ControlBook. Refused, recorded
 * and counted like a refused update, with its code:
 *   TOO_LARGE, BAD_CONTROL                  not the documented form, or past a bound
 *   UNKNOWN_SIGNER, BAD_SIGNATURE           not signed by enough trusted admin keys
 *   STALE_CONTROL                           seq not newer than the one held (replayed, older)
 *   CONTROL_FINAL                           newer, but the update was aborted: abort is final
 * A fresh or duplicate message is relayed (manager.ts) under controlKey(uri, version) with
 * its seq as the version, so the overlay keeps only the newest per update.
 */
import { createHash } from 'node:crypto';
import { controlKey, type ControlMessage } from '../lib/rollout/control.ts';
import type { ControlState } from '../lib/rollout/control-state.ts';
import { openControl } from '../lib/rollout/control-verify.ts';
import { RolloutError } from '../lib/rollout/errors.ts';
import { updateKeys } from '../lib/trust/verify-update.ts';
import type { Core } from './core.ts';
import { notificationId, refuse, type Outcome, type Source } from './intake.ts';

export interface ControlOutcome {
  readonly kind: 'control';
  /** True when it changed the update's control state; false: the same message again. */
  readonly fresh: boolean;
  readonly id: string;
  readonly message: ControlMessage;
  readonly state: ControlState;
}

export async function controlIntake(core: Core, raw: Uint8Array, source: Source): Promise<Outcome> {
  const id = notificationId(raw);
  let c: ControlMessage;
  try {
    c = await openControl(raw, updateKeys(core.trust.root.body));
  } catch (e) {
    if (!(e instanceof RolloutError)) throw e;
    return refuse(core, source, id, e.code, `control message: ${e.message}`);
  }
  const facts = { uri: c.uri, version: c.version };
  const o = await core.gate.controls.offer(c, raw, core.clock.now());
  const s = o.held;
  if (o.kind === 'stale')
    return refuse(
      core,
      source,
      id,
      'STALE_CONTROL',
      `${c.action} seq ${c.seq} for ${c.uri}@${c.version}: not newer than the held ${s.state} (seq ${s.seq})`,
      facts,
    );
  if (o.kind === 'final')
    return refuse(
      core,
      source,
      id,
      'CONTROL_FINAL',
      `${c.action} seq ${c.seq} for ${c.uri}@${c.version}: aborted at seq ${s.seq}, an abort is final`,
      facts,
    );
  const fresh = o.kind === 'fresh';
  const fields = { source, id, ...facts, seq: c.seq, action: c.action, rollback: c.rollback, state: s.state };
  if (fresh) core.log.warn(fields, 'rollout control taken');
  else core.log.debug(fields, 'rollout control already held');
  return { kind: 'control', fresh, id, message: c, state: s };
}

/** The relay message for a control message: natm keeps the newest seq per update. */
export function controlRelay(raw: Uint8Array, c: Pick<ControlMessage, 'uri' | 'version' | 'seq'>) {
  const id = notificationId(raw);
  const infoHash = createHash('sha1').update(raw).digest('hex'); // no torrent: a stable tag
  return { id, uri: controlKey(c.uri, c.version), version: c.seq, infoHash, torrent: raw };
}
