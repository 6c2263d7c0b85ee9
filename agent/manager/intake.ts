/**
 * Taking in a torrent-file++ from any source (inbox, publish, natm): verify (steps
 * 1–6), decide (steps 8 and 7, the latter asking the deploy executor), check a local payload, then write the torrent and the
 * new record to disk before anything acts on them. Refusals are recorded and logged.
 */
import { createHash } from 'node:crypto';
import { MetadataError } from '../lib/common/errors.ts';
import type { VerifiedUpdate } from '../lib/metainfo/model.ts';
import { checkPayload } from '../lib/metainfo/payload.ts';
import { verifyTorrentPlusPlus } from '../lib/metainfo/verify.ts';
import { recordRefusal, type Core } from './core.ts';
import { decide, decideWithExecutor } from './decide.ts';
import { truncatedRefusal } from './handover.ts';
import type { RefusalCode } from './model.ts';
import { accepted } from './update-machine.ts';

export type Source = 'inbox' | 'natm';

export type Outcome =
  | { readonly kind: 'accepted'; readonly update: VerifiedUpdate; readonly id: string }
  | { readonly kind: 'duplicate'; readonly update: VerifiedUpdate; readonly id: string }
  | { readonly kind: 'refused'; readonly code: RefusalCode; readonly reason: string; readonly id: string };

export function notificationId(raw: Uint8Array): string {
  return createHash('sha256').update(raw).digest('hex');
}

async function refuse(
  core: Core,
  source: Source,
  id: string,
  code: RefusalCode,
  reason: string,
  u?: Pick<VerifiedUpdate, 'uri' | 'version' | 'infoHash'>,
): Promise<Outcome> {
  const facts = u === undefined ? {} : { uri: u.uri, version: u.version, infoHash: u.infoHash };
  core.log.warn({ source, id, code, reason, ...facts }, 'update refused');
  await recordRefusal(core, { at: core.clock.now(), code, reason, source, ...facts });
  return { kind: 'refused', code, reason, id };
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
    u = await verifyTorrentPlusPlus(raw, { trusted: core.trusted, now: core.clock.now() });
  } catch (e) {
    if (!(e instanceof MetadataError)) throw e;
    const r = source === 'inbox' ? truncatedRefusal(raw, e) : e;
    return refuse(core, source, id, r.code, r.message, e.signed);
  }
  const local = decide(u, core.store.uri(u.uri));
  if (local.kind === 'duplicate') {
    core.log.debug({ source, id, uri: u.uri, version: u.version }, 'update already held');
    return { kind: 'duplicate', update: u, id };
  }
  const d = local.kind === 'refuse' ? local : decideWithExecutor(u, await core.executor.accepts(u.uri));
  if (d.kind === 'refuse') return refuse(core, source, id, d.code, d.reason, u);
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
