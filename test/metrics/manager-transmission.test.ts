/** The manager's Transmission byte counters: one session-stats call per scrape, shared; a failed call is up=0 and the last bytes read. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManagerMetrics } from '../../agent/manager/metrics.ts';
import { parseExposition, sample } from './exposition.ts';

test('bytes up and down from the daemon at each scrape, one call per scrape; down → up 0', async () => {
  let calls = 0;
  let answer: () => Promise<{ uploadedBytes: number; downloadedBytes: number } | null> = async () => ({
    uploadedBytes: 10 * ++calls,
    downloadedBytes: 5,
  });
  const m = new ManagerMetrics(
    () => ({}),
    () => answer(),
  );
  let f = parseExposition(await m.registry.metrics());
  assert.equal(calls, 1, 'one call for the three metrics');
  assert.equal(sample(f, 'p2pu_manager_transmission_up'), 1);
  assert.equal(sample(f, 'p2pu_manager_transmission_uploaded_bytes_total'), 10);
  assert.equal(sample(f, 'p2pu_manager_transmission_downloaded_bytes_total'), 5);
  f = parseExposition(await m.registry.metrics());
  assert.equal(
    sample(f, 'p2pu_manager_transmission_uploaded_bytes_total'),
    20,
    'read again at the next scrape',
  );
  answer = () => Promise.reject(new Error('UNREACHABLE'));
  f = parseExposition(await m.registry.metrics());
  assert.equal(sample(f, 'p2pu_manager_transmission_up'), 0);
  assert.equal(
    sample(f, 'p2pu_manager_transmission_uploaded_bytes_total'),
    20,
    'the last values read, not 0 (which would read as a counter reset)',
  );
  assert.ok(f.has('p2pu_manager_uris'), 'the rest of the scrape still answers');
});
