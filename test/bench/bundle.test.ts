/**
 * The benches run the agents from the packaged-style bundle (bench/lib/bundle.ts): it must
 * start. Without the version compiled in, every command died in commander's set-up
 * (`.version(undefined)`), so bench:footprint and bench:propagation measured nothing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { packageVersion } from '../../agent/lib/common/version.ts';
import { buildCliBundle } from '../../bench/lib/bundle.ts';
import { tempDir } from '../helpers/fixtures.ts';

test('the bench bundle runs: --version, and a daemon command answers --help', async () => {
  const dir = await tempDir('p2pu-bundle-');
  try {
    const [node, args] = await buildCliBundle(dir.path);
    const v = spawnSync(node, [...args, '--version'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(v.status, 0, v.stderr);
    assert.equal(v.stdout.trim(), packageVersion());
    const h = spawnSync(node, [...args, 'natm', '--help'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(h.status, 0, h.stderr);
    assert.match(h.stdout, /--config/);
  } finally {
    await dir.cleanup();
  }
});
