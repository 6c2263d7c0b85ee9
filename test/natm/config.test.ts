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
