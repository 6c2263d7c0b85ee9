/** Where things are, for processes the harness starts inside namespaces. */
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The project's CLI (`p2p-update`), run from the sources. */
export const BIN = fileURLToPath(new URL('../../../bin/p2p-update', import.meta.url));

export function harnessFile(name: string): string {
  return fileURLToPath(new URL(`./${name}`, import.meta.url));
}

/** argv to run a TypeScript file with node + tsx (cwd must be REPO_ROOT). */
export function tsNode(file: string, args: readonly string[] = []): [string, string[]] {
  return [process.execPath, ['--import', 'tsx', file, ...args]];
}
