/**
 * One look at an inbox `X.torrent`. A file that ends inside a bencode value may still be
 * growing: it is kept (the caller looks again on every change) until a final look, after
 * `incompleteMs` of quiet, submits it anyway: intake then refuses it as truncated with
 * the advice on handing files over (handover.ts). Anything else is submitted at once.
 *
 * The payload beside it (info.name) goes along only when it is at least the torrent's
 * length: a shorter one is still being copied, so the torrent is taken without it and the
 * payload is matched when it is whole (inbox-payload.ts). A refused torrent goes to
 * `refused/` (inbox-refused.ts) and touches no other file: its info.name may be another
 * update's waiting payload. An accepted (or duplicate) one is removed, and with it the
 * payload that torrent names once it was taken (accepted; or it matches the duplicate's
 * signed hash).
 */
import { lstat, rm, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { isBencodePrefix } from '../lib/metainfo/bencode-prefix.ts';
import { LIMITS } from '../lib/metainfo/limits.ts';
import type { TorrentPlusPlus } from '../lib/metainfo/model.ts';
import { parseTorrentPlusPlus } from '../lib/metainfo/parse.ts';
import { checkPayload } from '../lib/metainfo/payload.ts';
import { keepRefused } from './inbox-refused.ts';
import { regularSize, type InboxContext } from './inbox-ports.ts';
import { readCapped } from './read-capped.ts';

/** Handles the torrent at `path`; true: keep it, it may still be growing. */
export async function handleTorrent(x: InboxContext, path: string, final: boolean): Promise<boolean> {
  const log = x.c.log.child({ file: basename(path) });
  // Read up to the cap + 1 byte: the verifier refuses an oversized file TOO_LARGE.
  const raw = await readCapped(path, LIMITS.maxMetadataBytes).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null; // taken away since (renamed, or handled already)
    throw e;
  });
  if (raw === null) return false;
  let t: TorrentPlusPlus | undefined;
  try {
    t = parseTorrentPlusPlus(raw);
  } catch {
    // Not parseable: the submit below refuses it with the reason, unless it may still grow.
    if (!final && raw.length <= LIMITS.maxMetadataBytes && isBencodePrefix(raw)) {
      log.info({ bytes: raw.length }, 'inbox file incomplete; waiting');
      return true;
    }
  }
  const beside = t === undefined ? undefined : join(x.dir, t.info.name);
  // A directory payload (spec §Directory payloads) arrives whole (publish renames it in).
  const besideSize = beside === undefined ? -1 : await payloadSize(beside, t!.info);
  const payload = beside !== undefined && besideSize >= t!.info.length ? beside : undefined;
  const o = await x.c.submit(raw, payload);
  log.info({ outcome: o.kind, payload: payload !== undefined }, 'inbox file handled');
  if (o.kind === 'refused') {
    await keepRefused(x.dir, path, `${o.code}: ${o.reason}`).catch((e: unknown) => {
      log.warn({ err: (e as Error).message }, 'refused torrent not moved; deleting it');
      return unlink(path).catch(() => undefined);
    });
    return false;
  }
  await unlink(path).catch(() => undefined);
  if (o.kind === 'root' || o.kind === 'control') return false; // X.root, X.control: nothing beside it
  if (payload === undefined) {
    if (beside !== undefined && besideSize >= 0) x.recheck(beside); // still being copied
    return false;
  }
  // Only the file this (verified) torrent names, and for a duplicate only its bytes.
  const own = join(x.dir, o.update.name);
  const taken =
    o.kind === 'accepted' ||
    (await checkPayload(own, o.update).then(
      () => true,
      () => false,
    ));
  if (taken) await rm(own, { recursive: o.update.files !== undefined, force: true }).catch(() => undefined);
  return false;
}

/** A file's size; a directory payload counts as whole when its directory is there (else -1). */
async function payloadSize(path: string, info: TorrentPlusPlus['info']): Promise<number> {
  if (info.files === undefined) return regularSize(path);
  const st = await lstat(path).catch(() => null);
  return st?.isDirectory() ? info.length : -1;
}
