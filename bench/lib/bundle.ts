/**
 * The CLI as the Debian package ships it: esbuild's ESM bundle of packaging/entry.ts in
 * chunks (same flags as packaging/build-deb.sh, the version compiled in), run with the system's node. The benches run
 * the agents from it, so start-up and memory are those of a real install, not of tsx.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageVersion } from '../../agent/lib/common/version.ts';
import { REPO_ROOT } from '../../test/e2e/harness/paths.ts';
import { run } from '../../test/e2e/harness/run.ts';

const BANNER =
  "import { createRequire as __p2puCreateRequire } from 'node:module'; const require = __p2puCreateRequire(import.meta.url);";

/** Builds the bundle under `dir`; returns the argv prefix that runs the CLI. */
export async function buildCliBundle(dir: string): Promise<[string, string[]]> {
  const main = join(dir, 'admin-tools', 'cli', 'main.js');
  mkdirSync(join(dir, 'admin-tools', 'cli'), { recursive: true });
  const esbuild = join(REPO_ROOT, 'node_modules', '.bin', 'esbuild');
  await run(
    esbuild,
    [
      join(REPO_ROOT, 'packaging', 'entry.ts'),
      '--bundle',
      '--platform=node',
      '--target=node20',
      '--format=esm',
      '--legal-comments=none',
      '--log-level=warning',
      `--banner:js=${BANNER}`,
      `--define:__P2PU_VERSION__=${JSON.stringify(packageVersion())}`,
      '--splitting',
      `--outdir=${join(dir, 'admin-tools', 'cli')}`,
      '--entry-names=main',
      '--chunk-names=chunks/[name]-[hash]',
    ],
    { timeoutMs: 120_000 },
  );
  // ESM: node reads "type" from the nearest package.json (the version is compiled in).
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'p2p-update', type: 'module', private: true, version: packageVersion() }),
  );
  return [process.execPath, [main]];
}
