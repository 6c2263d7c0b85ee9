/** The status socket a CLI command talks to: `--socket PATH`, or `statsSocket` of `--config FILE`. */
import { UsageError } from '../common/errors.ts';
import { readConfigJson } from '../config/load.ts';

export async function statsSocketPath(o: { socket?: string; config?: string }): Promise<string | undefined> {
  if (o.socket !== undefined || o.config === undefined) return o.socket;
  const json = await readConfigJson(o.config);
  const s =
    typeof json === 'object' && json !== null ? (json as Record<string, unknown>)['statsSocket'] : undefined;
  if (typeof s !== 'string' || s === '') throw new UsageError(`${o.config} has no "statsSocket"`);
  return s;
}
