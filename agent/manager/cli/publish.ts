/**
 * `p2p-update publish FILE.torrent [--payload FILE] [--config FILE] [--wait SECONDS]`
 * on a node: checks the torrent against the node's trusted keys (and the payload
 * against the signed length and SHA-256), then drops both into the node's inbox:
 * payload first, torrent last, each written under a dot-name and renamed, so the
 * manager never sees half a file. With --wait, waits for the manager's verdict.
 */
import { copyFile, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadPublicKey } from '../../lib/crypto/key-files.ts';
import { checkPayload } from '../../lib/metainfo/payload.ts';
import { verifyTorrentPlusPlus } from '../../lib/metainfo/verify.ts';
import { loadConfig } from '../config.ts';
import { readStore } from '../store.ts';

async function drop(dir: string, name: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = join(dir, `.${name}.publish-tmp`);
  await write(tmp);
  await rename(tmp, join(dir, name));
}

export async function publish(
  file: string,
  o: { config: string; payload?: string; wait?: number },
): Promise<number> {
  const config = await loadConfig(o.config);
  const trusted = await Promise.all(config.trustedKeys.map(loadPublicKey));
  const raw = await readFile(file);
  const u = await verifyTorrentPlusPlus(raw, { trusted, now: Date.now() });
  const payload = o.payload;
  if (payload !== undefined) {
    await checkPayload(payload, u);
    await drop(config.inboxDir, u.name, (tmp) => copyFile(payload, tmp));
  }
  const started = Date.now();
  await drop(config.inboxDir, `${u.infoHash}.torrent`, (tmp) => writeFile(tmp, raw));
  process.stdout.write(`queued ${u.uri} version ${u.version} (${u.infoHash}) in ${config.inboxDir}\n`);
  if (o.wait === undefined) return 0;
  const deadline = started + o.wait * 1000;
  while (Date.now() < deadline) {
    const d = await readStore(config.stateDir);
    const r = d?.uris[u.uri];
    if (r && r.highestAccepted === u.version && r.current?.infoHash === u.infoHash) {
      process.stdout.write(`accepted: state ${r.current.state}\n`);
      return 0;
    }
    const f = d?.refusals.find((x) => x.infoHash === u.infoHash && x.at >= started - 1000);
    if (f) {
      process.stdout.write(`refused ${f.code}: ${f.reason}\n`);
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  process.stdout.write('no verdict yet (is the manager running?)\n');
  return 1;
}
