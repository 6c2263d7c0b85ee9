/**
 * `p2p-update status [--json] [--config FILE]`: reads the manager's store file
 * directly (no daemon needed; the file is only ever replaced whole, so it is always
 * complete), and asks natm (the config's natmSocket) for this node's connectivity and clock
 * offset, and lists the refused updates it serves for neighbours (serve-only.json). --json
 * prints {uris: [...], refusals: [...], serveOnly: [...], source: [lines], connectivity: {...} | null,
 * connectivityError: string | null}.
 */
import { loadConfig } from '../config.ts';
import { connectivityText, readConnectivity } from '../status-connectivity.ts';
import { statusRows, statusText } from '../status-view.ts';
import { readStore } from '../store.ts';
import { readServeEntries } from '../serve-run.ts';
import { serveText, sourceText } from '../serve-view.ts';

export async function status(o: { config: string; json?: boolean }): Promise<number> {
  const config = await loadConfig(o.config);
  const d = await readStore(config.stateDir);
  const dl = config.transmission.downloadDir;
  const net = await readConnectivity(config.natmSocket);
  const serving = await readServeEntries(config.stateDir);
  const rows = statusRows(d, dl);
  const downloading = rows.filter((r) => r.state === 'downloading').map((r) => `${r.uri} v${r.version}`);
  const ext = net.connectivity?.external?.address ?? null;
  const source = sourceText(downloading, net.members ?? [], ext);
  const out = o.json
    ? JSON.stringify({
        uris: rows,
        refusals: d?.refusals ?? [],
        serveOnly: serving,
        source,
        connectivity: net.connectivity,
        connectivityError: net.error,
      })
    : [statusText(d, dl), ...source, ...serveText(serving), ...connectivityText(net, Date.now())].join('\n');
  process.stdout.write(`${out}\n`);
  return 0;
}
