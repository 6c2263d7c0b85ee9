/**
 * Payload check (spec §Check order, step 9): length and SHA-256 of the downloaded file
 * must equal the signed values. Transmission keeps finished pieces in its write cache
 * for a while, so the torrent is stopped (which flushes it) and started again first.
 */
import { MetadataError } from '../lib/common/errors.ts';
import { parseManifest } from '../lib/metainfo/manifest.ts';
import { checkPayload } from '../lib/metainfo/payload.ts';
import type { DaemonTraits } from '../lib/transmission/daemon-traits.ts';
import { STATUS } from '../lib/transmission/progress.ts';
import { payloadPath, recordRefusal, type Core } from './core.ts';
import { sleep } from './sleep.ts';
import type { UpdateRecord } from './model.ts';

const FLUSH_WAIT_MS = 15_000;

/** Polls until `ok(status)` or the wait runs out (a slow daemon is not an error here). */
async function untilStatus(core: Core, infoHash: string, ok: (status: number) => boolean): Promise<void> {
  const deadline = core.clock.now() + FLUSH_WAIT_MS;
  while (core.clock.now() < deadline) {
    const t = await core.tx.get(infoHash);
    if (t === null || ok(t.status)) return;
    await sleep(core.clock, 100);
  }
}

/**
 * Whether to stop and start the torrent before the check (`speed.flushBeforeCheck`):
 * "auto" asks the daemon's traits (3.00 yes, 4.x no: daemon-traits.ts
 * `restartHelpsPeers`); unknown traits keep the stop/start, as before the levers.
 */
export function shouldFlush(setting: boolean | 'auto', traits: DaemonTraits | null): boolean {
  return setting === 'auto' ? (traits?.restartHelpsPeers ?? true) : setting;
}

/** Stops the torrent (the daemon then writes its cache out) and starts it again. */
export async function flushToDisk(core: Core, infoHash: string): Promise<void> {
  await core.tx.stop(infoHash);
  await untilStatus(core, infoHash, (s) => s === STATUS.stopped);
  await core.tx.start(infoHash);
  await untilStatus(core, infoHash, (s) => s !== STATUS.stopped);
}

/** Null when the payload matches, else the refusal reason. */
export async function payloadMismatch(core: Core, c: UpdateRecord): Promise<string | null> {
  try {
    await checkPayload(payloadPath(core, c), {
      length: c.length,
      sha256: Buffer.from(c.sha256, 'hex'),
      files: c.manifest === undefined ? undefined : parseManifest(Buffer.from(c.manifest), 'manifest'),
    });
    return null;
  } catch (e) {
    if (e instanceof MetadataError) return e.message;
    return `payload ${payloadPath(core, c)} cannot be read (${(e as Error).message})`;
  }
}

/**
 * Refuses a payload that does not match what was signed. The torrent is stopped first:
 * seeding those bytes would only hand peers pieces that fail their hash check.
 */
export async function refusePayload(core: Core, uri: string, c: UpdateRecord, reason: string): Promise<void> {
  await core.tx.stop(c.infoHash);
  core.log.error(
    { uri, version: c.version, infoHash: c.infoHash, code: 'PAYLOAD_MISMATCH', reason },
    'update refused',
  );
  await recordRefusal(core, {
    at: core.clock.now(),
    code: 'PAYLOAD_MISMATCH',
    reason,
    source: 'payload',
    uri,
    version: c.version,
    infoHash: c.infoHash,
  });
}
