/**
 * `p2p-update publish FILE.torrent|FILE.root|FILE.control [--payload FILE|DIR] [--config FILE] [--wait SECONDS]`
 * on a node: checks the torrent against the node's trusted root (and the payload
 * against the signed length and SHA-256), then drops both into the node's inbox:
 * payload first, torrent last, each written under a dot-name and renamed, so the
 * manager never sees half a file. A root chain is checked against the node's root the
 * same way the manager will (walked from it) and dropped as X.root; a rollout control message
 * (publish-control.ts) as X.control. With --wait, waits
 * for the manager's verdict.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { checkPayload } from '../../lib/metainfo/payload.ts';
import { copyTree } from '../place-payload.ts';
import { isRootChain } from '../../lib/trust/chain.ts';
import { verifyUpdate } from '../../lib/trust/verify-update.ts';
import { loadConfig } from '../config.ts';
import { awaitVerdict } from './await-verdict.ts';
import { TrustState } from '../trust-state.ts';
import { drop } from './inbox-drop.ts';
import { publishRoot } from './publish-root.ts';
import { publishControl } from './publish-control.ts';
import { isControlMessage } from '../../lib/rollout/control.ts';

export async function publish(
  file: string,
  o: { config: string; payload?: string; wait?: number },
): Promise<number> {
  const config = await loadConfig(o.config);
  const trust = await TrustState.open(config);
  const raw = await readFile(file);
  if (isRootChain(raw)) return publishRoot(config, trust, raw, o.wait);
  if (isControlMessage(raw)) return publishControl(config, trust, raw, o.wait);
  const u = await verifyUpdate(raw, trust.root.body, Date.now());
  const payload = o.payload;
  if (payload !== undefined) {
    await checkPayload(payload, u);
    const files = u.files; // a directory payload: its manifest's files, renamed in whole
    await drop(config.inboxDir, u.name, (tmp) =>
      files === undefined ? copyFile(payload, tmp) : copyTree(payload, tmp, files),
    );
  }
  const started = Date.now();
  await drop(config.inboxDir, `${u.infoHash}.torrent`, (tmp) => writeFile(tmp, raw));
  process.stdout.write(`queued ${u.uri} version ${u.version} (${u.infoHash}) in ${config.inboxDir}\n`);
  if (o.wait === undefined) return 0;
  return awaitVerdict(config.stateDir, started, o.wait, {
    accepted: async (d) => {
      const r = d?.uris[u.uri];
      return r && r.highestAccepted === u.version && r.current?.infoHash === u.infoHash
        ? `accepted: state ${r.current.state}`
        : null;
    },
    refusal: (x) => x.infoHash === u.infoHash,
  });
}
