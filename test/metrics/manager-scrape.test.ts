/**
 * A running manager (real inbox, store and HTTP endpoint; no Transmission needed for a
 * refusal) serves /metrics: a junk torrent dropped in the inbox shows up as an intake
 * refused with MALFORMED, and the store's URI count as a gauge.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createLogger } from '../../agent/lib/common/logger.ts';
import { writeKeyPair } from '../../agent/lib/crypto/key-files.ts';
import { validateConfig } from '../../agent/manager/config.ts';
import { startManager } from '../../agent/manager/main.ts';
import { waitFor } from '../natm/procs.ts';
import { parseExposition, sample } from './exposition.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'p2pm-metrics-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('the manager serves /metrics: an inbox refusal is counted by code and source', async () => {
  const { pubPath } = await writeKeyPair(join(dir, 'admin'));
  const config = validateConfig({
    trustedKeys: [pubPath],
    stateDir: join(dir, 'state'),
    inboxDir: join(dir, 'inbox'),
    transmission: { downloadDir: join(dir, 'dl'), url: 'http://127.0.0.1:9/transmission/rpc' },
    tracker: { port: 0 },
    metrics: { listen: '127.0.0.1:0' },
    logLevel: 'silent',
  });
  const m = await startManager(config, { log: createLogger({ level: 'silent' }) });
  try {
    const url = `http://127.0.0.1:${m.metricsListen!.port}/metrics`;
    await writeFile(join(dir, 'inbox', 'junk.torrent'), 'not bencode');
    const scraped = await waitFor('the refusal counted', async () => {
      const f = parseExposition(await (await fetch(url)).text());
      return f.get('p2pu_manager_refusals_total')!.samples.length ? f : undefined;
    });
    assert.equal(sample(scraped, 'p2pu_manager_refusals_total', { code: 'MALFORMED', source: 'inbox' }), 1);
    assert.equal(
      sample(scraped, 'p2pu_manager_updates_received_total', { source: 'inbox', outcome: 'refused' }),
      1,
    );
    assert.equal(sample(scraped, 'p2pu_manager_uris'), 0);
    assert.equal(sample(scraped, 'p2pu_manager_transmission_up'), 0, 'no daemon at 127.0.0.1:9');
    assert.equal(scraped.get('p2pu_manager_deploy_duration_seconds')!.type, 'histogram');
  } finally {
    await m.stop();
  }
  await assert.rejects(fetch(`http://127.0.0.1:${m.metricsListen!.port}/metrics`), 'stop closes the port');
});
