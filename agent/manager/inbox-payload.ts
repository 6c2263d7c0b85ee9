/**
 * One look at an inbox file that is not a torrent: is it the payload of an accepted
 * update still waiting for it (its torrent came first, by the inbox or natm)? It is
 * used only whole: at the signed length and with the signed SHA-256, it is submitted
 * with that update's torrent (a duplicate, so the manager places it and the download
 * completes from it) and removed. A shorter one is kept and looked at again on every
 * change; after `incompleteMs` of quiet it is logged and left where it is (a copy that
 * resumes later is still matched). Files no waiting update names are never touched.
 */
import { unlink } from 'node:fs/promises';
import { basename } from 'node:path';
import { checkPayload } from '../lib/metainfo/payload.ts';
import { HANDOVER } from './handover.ts';
import { regularSize, type InboxContext } from './inbox-ports.ts';

/** Handles the file at `path`; true: keep it, it may still be growing. */
export async function handlePayload(x: InboxContext, path: string, final: boolean): Promise<boolean> {
  const size = await regularSize(path);
  if (size < 0) return false;
  const wanted = await x.c.awaiting(basename(path));
  if (wanted.length === 0) return false;
  const log = x.c.log.child({ file: basename(path) });
  for (const w of wanted) {
    if (size !== w.length) continue;
    const whole = await checkPayload(path, w).then(
      () => true,
      () => false,
    );
    if (!whole) continue;
    const o = await x.c.submit(w.torrent, path);
    log.info({ outcome: o.kind, payload: true }, 'inbox payload matched');
    if (o.kind !== 'refused') await unlink(path).catch(() => undefined);
    return false;
  }
  const expected = wanted.map((w) => w.length);
  const short = expected.some((n) => size < n);
  if (short && !final) {
    log.info({ bytes: size, expected }, 'inbox payload incomplete; waiting');
    return true;
  }
  log.warn(
    { bytes: size, expected, reason: short ? `stopped growing; ${HANDOVER}` : 'length or SHA-256 differ' },
    short ? 'inbox payload incomplete' : 'inbox payload does not match',
  );
  return false;
}
