/** MetricsServer on loopback: GET /metrics answers the registry; other paths and methods do not; stop frees the port. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, Registry } from 'prom-client';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { MetricsError, MetricsServer } from '../../agent/lib/metrics/server.ts';
import { metricsSection } from '../../agent/lib/metrics/config.ts';
import { natmConfig } from '../../agent/natm/config.ts';
import { ConfigError } from '../../agent/lib/common/errors.ts';

test('GET /metrics gives the text format; 404 elsewhere, 405 for POST; stop releases the port', async () => {
  const registry = new Registry();
  new Counter({ name: 'x_total', help: 'x', registers: [registry] }).inc(3);
  const s = new MetricsServer({ registry, logger: silentLogger() }, { address: '127.0.0.1', port: 0 });
  await s.start();
  await s.start();
  const base = `http://127.0.0.1:${s.local().port}`;
  const ok = await fetch(`${base}/metrics`);
  assert.equal(ok.status, 200);
  assert.match(ok.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  assert.match(await ok.text(), /^x_total 3$/m);
  assert.equal((await fetch(`${base}/`)).status, 404);
  assert.equal((await fetch(`${base}/metrics`, { method: 'POST', body: 'x' })).status, 405);
  const port = s.local().port;
  await s.stop();
  await s.stop();
  await assert.rejects(fetch(`${base}/metrics`));
  const again = new MetricsServer({ registry, logger: silentLogger() }, { address: '127.0.0.1', port });
  await again.start();
  await again.stop();
});

test('a port in use is a coded METRICS_LISTEN error', async () => {
  const registry = new Registry();
  const a = new MetricsServer({ registry, logger: silentLogger() }, { address: '127.0.0.1', port: 0 });
  await a.start();
  const b = new MetricsServer({ registry, logger: silentLogger() }, a.local());
  await assert.rejects(b.start(), (e: unknown) => e instanceof MetricsError && e.code === 'METRICS_LISTEN');
  await a.stop();
});

test('config: loopback by default; another address only with exposed; unknown keys refused', () => {
  const base = { id: 'n1', clusterKeys: [Buffer.alloc(32).toString('base64')], rendezvous: ['127.0.0.1:1'] };
  assert.equal(natmConfig(base).metrics, undefined, 'off unless configured');
  assert.deepEqual(natmConfig({ ...base, metrics: { listen: '127.0.0.1:9464' } }).metrics, {
    listen: { address: '127.0.0.1', port: 9464 },
    exposed: false,
  });
  assert.throws(
    () => natmConfig({ ...base, metrics: { listen: '0.0.0.0:9464' } }),
    (e: unknown) =>
      e instanceof ConfigError && /metrics\.listen: expected a loopback address/.test(e.message),
  );
  assert.equal(
    natmConfig({ ...base, metrics: { listen: '0.0.0.0:9464', exposed: true } }).metrics?.exposed,
    true,
  );
  assert.throws(() => natmConfig({ ...base, metrics: { listen: '127.0.0.1:1', port: 2 } }), /unknown key/);
  assert.equal(metricsSection().safeParse(undefined).success, true);
});
