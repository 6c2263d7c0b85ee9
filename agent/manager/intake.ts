/**
 * Taking in a torrent-file++ from any source (inbox, publish, natm): verify against the
 * trusted root (steps 1–6), decide (step 8 on the manager's record, step 7 asking the
 * deploy executor, then the root's version ceiling), check a local payload, then write
 * the torrent and the new record to disk before anything acts on them. Refusals are
 * recorded and logged. Root chains: intake-root.ts.
 */
import { createHash } from 'node:crypto';
import { MetadataError } from '../lib/common/errors.ts';
import type { VerifiedUpdate } from '../lib/metainfo/model.ts';
import { checkPayload } from '../lib/metainfo/payload.ts';
import { checkCeiling } from '../lib/trust/ceiling.ts';
import { isReservedUri } from '../lib/trust/root-uri.ts';
import { verifyUpdate } from '../lib/trust/verify-update.ts';
import { recordRefusal, type Core } from './core.ts';
import { decide, decideWithExecutor } from './decide.ts';
import type { ControlOutcome } from './intake-control.ts';
import { truncatedRefusal } from './handover.ts';
import type { RefusalCode } from './model.ts';
import { accepted } from './update-machine.ts';

export type Source = 'inbox' | 'natm';

export type Outcome =
  | { readonly kind: 'accepted'; readonly update: VerifiedUpdate; readonly id: string }
  | { readonly kind: 'duplicate'; readonly update: VerifiedUpdate; readonly id: string }
  | {
      readonly kind: 'refused';
      readonly code: RefusalCode;
      readonly reason: string;
      readonly id: string;
      /** Set when the signature verified (the refusal names the update): it may still be served (serve-only.ts). */
      readonly signed?: { readonly uri: string; readonly version: number; readonly infoHash: string };
    }
  /** A root chain (intake-root.ts): `fresh` when it brought a newer root, now trusted. */
  | { readonly kind: 'root'; readonly version: number; readonly fresh: boolean; readonly id: string }
  /** A rollout control message (intake-control.ts). */
  | ControlOutcome;

export function notificationId(raw: Uint8Array): string {
  return createHash('sha256').update(raw).digest('hex');
}

export async function refuse(
  core: Core,
  source: Source,
  id: string,
  code: RefusalCode,
  reason: string,
  u?: Partial<Pick<VerifiedUpdate, 'uri' | 'version' | 'infoHash'>>,
): Promise<Outcome> {
  const facts = u === undefined ? {} : { uri: u.uri, version: u.version, infoHash: u.infoHash };
  core.log.warn({ source, id, code, reason, ...facts }, 'update refused');
  await recordRefusal(core, { at: core.clock.now(), code, reason, source, ...facts });
  const signed =
    u?.uri !== undefined && u.version !== undefined && u.infoHash !== undefined
      ? { uri: u.uri, version: u.version, infoHash: u.infoHash }
      : undefined;
  return { kind: 'refused', code, reason, id, ...(signed ? { signed } : {}) };
}

/** The ceiling's base: the higher of the manager's and the executor's record (either may be lost). */
function highestOf(a: number | undefined, b: number | null): number | undefined {
  if (a === undefined) return b ?? undefined;
  return b === null ? a : Math.max(a, b);
}

export async function intake(
  core: Core,
  raw: Uint8Array,
  source: Source,
  localPayload?: string,
): Promise<Outcome> {
  const id = notificationId(raw);
  let u: VerifiedUpdate;
  try {
    u = await verifyUpdate(raw, core.trust.root.body, core.clock.now());
  } catch (e) {
    if (!(e instanceof MetadataError)) throw e;
    const r = source === 'inbox' ? truncatedRefusal(raw, e) : e;
    return refuse(core, source, id, r.code, r.message, e.signed);
  }
  if (isReservedUri(u.uri))
    return refuse(core, source, id, 'URI_NOT_ACCEPTED', `${u.uri}: reserved for root chains`, u);
  const rec = core.store.uri(u.uri);
  const local = decide(u, rec);
  if (local.kind === 'duplicate') {
    core.log.debug({ source, id, uri: u.uri, version: u.version }, 'update already held');
    return { kind: 'duplicate', update: u, id };
  }
  if (local.kind === 'refuse') return refuse(core, source, id, local.code, local.reason, u);
  const ex = await core.executor.accepts(u.uri);
  const d = decideWithExecutor(u, ex);
  if (d.kind === 'refuse') return refuse(core, source, id, d.code, d.reason, u);
  try {
    checkCeiling(core.trust.root.body, u, highestOf(rec?.highestAccepted, ex.highest), core.clock.now());
  } catch (e) {
    if (e instanceof MetadataError) return refuse(core, source, id, e.code, e.message, u);
    throw e;
  }
  if (localPayload !== undefined) {
    try {
      await checkPayload(localPayload, u);
    } catch (e) {
      if (e instanceof MetadataError) return refuse(core, source, id, e.code, e.message, u);
      throw e;
    }
  }
  await core.store.saveTorrent(u.infoHash, raw);
  await core.store.setUri(u.uri, accepted(core.store.uri(u.uri), u, core.clock.now()));
  core.log.info(
    { source, id, uri: u.uri, version: u.version, infoHash: u.infoHash, signer: u.kid },
    'update accepted',
  );
  return { kind: 'accepted', update: u, id };
}
