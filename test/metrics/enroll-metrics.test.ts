/**
 * The enroll-server's metrics over real HTTP: answers counted by route and status, the CA
 * state as gauges; 1,000 distinct scanner paths add no series (they are all route "other").
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CaStore } from '../../agent/lib/ca/ca-store.ts';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { MetricsServer } from '../../agent/lib/metrics/server.ts';
import { validateConfig } from '../../agent/enroll-server/config.ts';
import { EnrollMetrics } from '../../agent/enroll-server/metrics.ts';
import { hashPassword } from '../../agent/enroll-server/password.ts';
import { EnrollServer } from '../../agent/enroll-server/server.ts';
import { parseExposition, sample } from './exposition.ts';

const tmp = await mkdtemp(join(tmpdir(), 'p2pu-enroll-metrics-'));
after(() => rm(tmp, { recursive: true, force: true }));

test('enroll-server: answers by route and status, CA gauges, scanner paths bounded', async () => {
  await CaStore.init(tmp, { cluster: 'lab' });
  const ca = await CaStore.open(tmp);
  const cfg = validateConfig({
    caDir: tmp,
    listen: { host: '127.0.0.1', port: 0 },
    tokens: [{ token: 'one-time-token-0123456789' }],
    adminPasswordHash: await hashPassword('pw-for-tests', 2 ** 12),
    metrics: { listen: '127.0.0.1:0' },
  });
  const metrics = new EnrollMetrics(() => ca.state);
  const server = new EnrollServer({ ca, log: silentLogger(), metrics }, cfg);
  const scrape = new MetricsServer(
    { registry: metrics.registry, logger: silentLogger() },
    cfg.metrics!.listen,
  );
  await server.start();
  await scrape.start();
  try {
    const url = server.url;
    assert.equal((await fetch(`${url}/ca`)).status, 200);
    const bad = await fetch(`${url}/api/requests`, { method: 'POST', body: '{"token":"nope","csr":"x"}' });
    assert.equal(bad.status, 403);
    const read = async () =>
      parseExposition(await (await fetch(`http://127.0.0.1:${scrape.local().port}/metrics`)).text());
    for (let i = 0; i < 10; i++) await (await fetch(`${url}/scan/${i}`)).text();
    const few = await read();
    for (let i = 10; i < 1000; i++) await (await fetch(`${url}/scan/${i}`)).text();
    const many = await read();
    assert.equal(sample(many, 'p2pu_enroll_responses_total', { route: 'ca', status: '200' }), 1);
    assert.equal(sample(many, 'p2pu_enroll_responses_total', { route: 'request', status: '403' }), 1);
    assert.equal(sample(many, 'p2pu_enroll_responses_total', { route: 'other', status: '404' }), 1000);
    const count = (f: typeof few) => [...f.values()].reduce((n, x) => n + x.samples.length, 0);
    assert.equal(count(many), count(few), 'no series per path');
    assert.equal(sample(many, 'p2pu_enroll_nodes'), 0);
    assert.equal(sample(many, 'p2pu_enroll_crl_sequence'), ca.state.crlSeq);
  } finally {
    await server.stop();
    await scrape.stop();
  }
});
