import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { ConfigError } from '../../agent/lib/common/errors.ts';
import { natmConfig } from '../../agent/natm/config.ts';
import { rendezvousConfig } from '../../agent/rendezvous/config.ts';
import { KEY } from './sim-world.ts';

const json = async (p: string) => JSON.parse(await readFile(new URL(`../../${p}`, import.meta.url), 'utf8'));

test('the shipped example configs validate', async () => {
  const n = natmConfig(await json('docs/config/natm.example.json'));
  assert.equal(n.keepaliveMs, 15_000);
  assert.equal(n.rendezvous.length, 2);
  const r = rendezvousConfig(await json('docs/config/rendezvous.example.json'));
  assert.equal(r.listen.port, 3478);
});

test('unknown keys fail naming the key', () => {
  assert.throws(
    () => natmConfig({ id: 'a', clusterKeys: [KEY], rendezvous: ['198.18.0.1:3478'], keepalive: 5 }),
    {
      name: 'ConfigError',
      message: /config keepalive: unknown key/,
    },
  );
  assert.throws(
    () => rendezvousConfig({ clusterKeys: [KEY], relayRate: 1 }),
    /config relayRate: unknown key/,
  );
});

test('bad values name the key and what was expected', () => {
  const base = { id: 'a', clusterKeys: [KEY], rendezvous: ['198.18.0.1:3478'] };
  assert.throws(() => natmConfig({ ...base, id: 'Not An Id' }), /id: expected/);
  assert.throws(
    () => natmConfig({ ...base, rendezvous: ['nowhere'] }),
    /rendezvous\[0\]: expected HOST:PORT/,
  );
  assert.throws(() => natmConfig({ ...base, keepaliveMs: 0 }), /keepaliveMs: expected an integer/);
  assert.throws(() => natmConfig({ ...base, pathTimeoutMs: 1000 }), /pathTimeoutMs/);
  assert.throws(() => natmConfig({ ...base, rendezvous: [] }), ConfigError);
  assert.throws(() => rendezvousConfig({}), /clusterKeys/);
  assert.equal(rendezvousConfig({ stunOnly: true }).stunOnly, true);
});

test('streamFallback: defaults from keepaliveMs; refused without a port, TLS without a pin, or no rendezvous', () => {
  const base = { id: 'n1', clusterKeys: [KEY], rendezvous: ['198.18.0.3:3478'], keepaliveMs: 2000 };
  const c = natmConfig({ ...base, streamFallback: { tcpPort: 3478 } });
  assert.deepEqual(c.streamFallback, { tcpPort: 3478, afterMs: 9000, probeMs: 2000 });
  assert.equal(natmConfig(base).streamFallback, undefined);
  assert.throws(
    () => natmConfig({ ...base, streamFallback: {} }),
    /streamFallback: expected tcpPort or tlsPort/,
  );
  assert.throws(
    () => natmConfig({ ...base, streamFallback: { tlsPort: 443 } }),
    /streamFallback: expected tlsPin beside tlsPort/,
  );
  assert.throws(
    () => natmConfig({ ...base, streamFallback: { tlsPort: 443, tlsPin: 'not-a-pin' } }),
    /tlsPin: expected base64 SHA-256/,
  );
  assert.throws(
    () => natmConfig({ ...base, rendezvous: [], bridgeVia: '10.2.0.3:4100', streamFallback: { tcpPort: 1 } }),
    /streamFallback: expected a rendezvous/,
  );
});

test('rendezvous stream: listeners optional, bounds defaulted, none on a stunOnly server', () => {
  const r = rendezvousConfig({ clusterKeys: [KEY] });
  assert.equal(r.stream.tcpListen, undefined);
  assert.equal(r.stream.maxStreams, 2048);
  const t = rendezvousConfig({ clusterKeys: [KEY], stream: { tcpListen: '0.0.0.0:3478' } });
  assert.deepEqual(t.stream.tcpListen, { address: '0.0.0.0', port: 3478 });
  assert.throws(
    () => rendezvousConfig({ stunOnly: true, stream: { tcpListen: '0.0.0.0:3478' } }),
    /stream: expected no listener/,
  );
  assert.throws(
    () => rendezvousConfig({ clusterKeys: [KEY], stream: { tls: { listen: '0.0.0.0:443' } } }),
    /certFile/,
  );
});
