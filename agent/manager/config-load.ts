/** Reading the config file: the only I/O around validateConfig. */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../lib/common/errors.ts';
import type { ManagerConfig } from './config.ts';
import { validateConfig } from './config-validate.ts';

const MAX_CONFIG_BYTES = 1 << 20;

export async function loadConfig(path: string): Promise<ManagerConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(`config file ${path}: cannot read (${code})`, { cause });
  }
  if (text.length > MAX_CONFIG_BYTES) throw new ConfigError(`config file ${path}: larger than 1 MiB`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`config file ${path}: not valid JSON (${(cause as Error).message})`, { cause });
  }
  return validateConfig(json);
}
