/**
 * Taking in a root chain from any source (inbox, publish, natm), after TUF's root update:
 * walked from the trusted root version by version (TrustState.offer); a newer root is
 * persisted, then trusted, then relayed (manager.ts). A chain that is not newer changes
 * nothing; a refused one is recorded like a refused update and never relayed.
 */
import { createHash } from 'node:crypto';
import { MetadataError } from '../lib/common/errors.ts';
import { ROOT_URI } from '../lib/trust/root-uri.ts';
import type { Core } from './core.ts';
import { notificationId, refuse, type Outcome, type Source } from './intake.ts';

export async function rootIntake(core: Core, raw: Uint8Array, source: Source): Promise<Outcome> {
  const id = notificationId(raw);
  const before = core.trust.root.body.version;
  try {
    const r = await core.trust.offer(raw);
    if (r.fresh) core.log.warn({ source, id, from: before, version: r.version }, 'root of trust rotated');
    else core.log.debug({ source, id, version: r.version }, 'root chain already trusted');
    return { kind: 'root', version: r.version, fresh: r.fresh, id };
  } catch (e) {
    if (!(e instanceof MetadataError)) throw e;
    return refuse(core, source, id, e.code, e.message, { uri: ROOT_URI });
  }
}

/** The relay message for a root chain: natm keeps the newest per URI, like an update's. */
export function rootRelay(raw: Uint8Array, version: number) {
  const id = notificationId(raw);
  const infoHash = createHash('sha1').update(raw).digest('hex'); // no torrent: a stable tag
  return { id, uri: ROOT_URI, version, infoHash, torrent: raw };
}
