/**
 * `p2p-update status [--json] [--config FILE]`: reads the manager's store file
 * directly (no daemon needed; the file is only ever replaced whole, so it is always
 * complete). --json prints {uris: [...], refusals: [...]}.
 */
import { loadConfig } from '../config.ts';
import { statusRows, statusText } from '../status-view.ts';
import { readStore } from '../store.ts';

export async function status(o: { config: string; json?: boolean }): Promise<number> {
  const config = await loadConfig(o.config);
  const d = await readStore(config.stateDir);
  const dl = config.transmission.downloadDir;
  const out = o.json
    ? JSON.stringify({ uris: statusRows(d, dl), refusals: d?.refusals ?? [] })
    : statusText(d, dl);
  process.stdout.write(`${out}\n`);
  return 0;
}
