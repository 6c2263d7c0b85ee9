/**
 * The agent's version: the package's `version`. The Debian bundle has it compiled in
 * (packaging/build-deb.sh defines `__P2PU_VERSION__`); from the sources it is read from
 * package.json once.
 */
import { readFileSync } from 'node:fs';

declare const __P2PU_VERSION__: string | undefined;

let cached: string | undefined;

export function packageVersion(): string {
  if (typeof __P2PU_VERSION__ === 'string') return __P2PU_VERSION__;
  cached ??= (
    JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version;
  return cached;
}
