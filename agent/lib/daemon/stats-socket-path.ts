/** The status socket a CLI command talks to: `--socket PATH`, or `statsSocket` of `--config FILE`. */
import type { Parsed } from '../cli/args.ts';
import { optionalString } from '../cli/args.ts';
import { UsageError } from '../common/errors.ts';
import { readJson } from '../config/config-check.ts';

export async function statsSocketPath(p: Parsed, usage: string): Promise<string | undefined> {
  const path = optionalString(p, 'socket');
  const config = optionalString(p, 'config');
  if (path || !config) return path;
  const s = (await readJson(config)).statsSocket;
  if (typeof s !== 'string') throw new UsageError(`${config} has no "statsSocket"; usage: ${usage}`);
  return s;
}
