/**
 * `p2p-update status [--json] [--config FILE]`: reads the manager's store file
 * directly (no daemon needed; the file is only ever replaced whole, so it is always
 * complete). --json prints {uris: [...], refusals: [...]}.
 */
import { optionalString, parse } from '../../lib/cli/args.ts';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../config.ts';
import { statusRows, statusText } from '../status-view.ts';
import { readStore } from '../store.ts';

const USAGE = 'p2p-update status [--json] [--config FILE]';

export async function run(argv: string[]): Promise<number> {
  const p = parse(argv, { config: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
  const config = await loadConfig(optionalString(p, 'config') ?? DEFAULT_CONFIG_PATH);
  const d = await readStore(config.stateDir);
  const dl = config.transmission.downloadDir;
  const out = p.values['json']
    ? JSON.stringify({ uris: statusRows(d, dl), refusals: d?.refusals ?? [] })
    : statusText(d, dl);
  process.stdout.write(`${out}\n`);
  return 0;
}
