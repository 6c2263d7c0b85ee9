/** MetricsServer on loopback: GET /metrics answers the registry; other paths and methods do not; bounds; stop frees the port. */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { Counter, Registry } from 'prom-client';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { MAX_CONNECTIONS, MetricsError, MetricsServer } from '../../agent/lib/metrics/server.ts';
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

test('bounds: a connection past MAX_CONNECTIONS is closed; a request that never completes is cut off', async () => {
  const registry = new Registry();
  const s = new MetricsServer(
    { registry, logger: silentLogger() },
    { address: '127.0.0.1', port: 0 },
    { requestTimeoutMs: 300 },
  );
  await s.start();
  const port = s.local().port;
  const open = () =>
    new Promise<net.Socket>((resolve, reject) => {
      const c = net.connect(port, '127.0.0.1', () => resolve(c));
      c.on('error', reject);
    });
  /** Resolves true once `c` is closed, false if still open after `ms`. */
  const closed = (c: net.Socket, ms = 3000) =>
    new Promise<boolean>((r) => {
      if (c.closed) return r(true);
      const t = setTimeout(() => r(false), ms);
      c.once('close', () => (clearTimeout(t), r(true)));
    });
  try {
    const idle = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, open));
    const extra = await open();
    assert.equal(await closed(extra), true, 'the server drops a connection past the bound');
    for (const c of idle) c.destroy();
    // Slow request: headers started, never finished.
    const slow = await open();
    slow.write('GET /metrics HTTP/1.1\r\nHost: x\r\n');
    assert.equal(await closed(slow), true, 'cut off by the request timeout');
    assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 200, 'still serving');
  } finally {
    await s.stop();
  }
});
