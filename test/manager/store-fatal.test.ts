/**
 * A version store that cannot be written stops the manager, whatever input triggered the
 * write: the manager must not go on with a decision it could not write down. Real store
 * files; the write is made to fail by putting a non-empty directory where the store file goes.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { createLogger } from '../../agent/lib/common/logger.ts';
import { writeKeyPair } from '../../agent/lib/crypto/key-files.ts';
import { validateConfig } from '../../agent/manager/config.ts';
import { startManager } from '../../agent/manager/main.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'p2pm-fatal-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a store write failing on an inbox refusal is fatal, not just logged', async () => {
  const { pubPath } = await writeKeyPair(join(dir, 'admin'));
  const config = validateConfig({
    trustedKeys: [pubPath],
    stateDir: join(dir, 'state'),
    inboxDir: join(dir, 'inbox'),
    transmission: { downloadDir: join(dir, 'dl'), url: 'http://127.0.0.1:9/transmission/rpc' },
    tracker: { port: 0 },
    logLevel: 'silent',
  });
  let fatal: unknown = null;
  const m = await startManager(config, {
    log: createLogger({ level: 'silent' }),
    onFatal: (e) => (fatal = e),
  });
  try {
    // The durable writer cannot rename over a non-empty directory: every store write fails.
    await rm(join(dir, 'state', 'store.json'), { force: true });
    await mkdir(join(dir, 'state', 'store.json', 'blocker'), { recursive: true });
    await writeFile(join(dir, 'inbox', 'junk.torrent'), 'not bencode');
    for (let i = 0; i < 250 && fatal === null; i++) await delay(20);
    assert.ok(fatal !== null, 'onFatal was called');
    assert.equal((fatal as { code?: string }).code, 'STORE_IO');
  } finally {
    await m.stop();
  }
});
