/** Unit tests of natm's pure parts: sealing and keyring rotation, replay window, codec, rate limiter. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../agent/lib/common/errors.ts';
import { sodium } from '../../agent/lib/crypto/sodium.ts';
import { Keyring } from '../../agent/lib/wire/envelope/keyring.ts';
import { ReplayGuard, WINDOW } from '../../agent/lib/wire/envelope/replay-guard.ts';
import { ClusterKeySealer } from '../../agent/lib/wire/envelope/sealer.ts';
import { RateLimiter } from '../../agent/lib/net/rate-limiter.ts';
import { MAX_DATAGRAM } from '../../agent/lib/net/datagram.ts';
import { decodePacket, encodePacket, type Packet } from '../../agent/lib/wire/messages.ts';
import { KEY, OTHER_KEY } from './sim-world.ts';

const s = await sodium();

test('seal/open round trip; tampering and wrong keys are refused', () => {
  const a = new ClusterKeySealer(s, new Keyring(s, [KEY]));
  const msg = Uint8Array.from([1, 2, 3]);
  const sealed = a.seal(msg);
  assert.deepEqual(a.open(sealed), { ok: true, plain: msg });
  const t = Uint8Array.from(sealed);
  t[t.length - 1]! ^= 1;
  assert.deepEqual(a.open(t), { ok: false, reason: 'auth_failed' });
  const b = new ClusterKeySealer(s, new Keyring(s, [OTHER_KEY]));
  assert.equal(b.open(sealed).ok, false);
  assert.deepEqual(a.open(sealed.subarray(0, 20)), { ok: false, reason: 'short' });
  assert.deepEqual(a.open(new Uint8Array(MAX_DATAGRAM + 1)), { ok: false, reason: 'oversized' });
  assert.notDeepEqual(a.seal(msg).subarray(3, 27), sealed.subarray(3, 27), 'fresh nonce per packet');
});

test('keyring rotation: install, use, remove (Serf style)', () => {
  const old = new Keyring(s, [KEY]);
  const upgraded = new Keyring(s, [KEY]);
  upgraded.install(OTHER_KEY);
  const so = new ClusterKeySealer(s, old);
  const su = new ClusterKeySealer(s, upgraded);
  assert.ok(su.open(so.seal(Uint8Array.of(1))).ok, 'installed key set still opens old-key packets');
  upgraded.use(OTHER_KEY);
  assert.equal(so.open(su.seal(Uint8Array.of(1))).ok, false, 'a node without the new key cannot open');
  old.install(OTHER_KEY);
  assert.ok(so.open(su.seal(Uint8Array.of(1))).ok);
  assert.throws(() => upgraded.remove(OTHER_KEY), ConfigError, 'cannot remove primary');
  upgraded.remove(KEY);
  assert.equal(upgraded.size(), 1);
  upgraded.replace([KEY, OTHER_KEY]);
  assert.equal(upgraded.size(), 2);
  assert.throws(() => upgraded.replace([KEY, 'bad']), /32 bytes/);
  assert.equal(upgraded.size(), 2, 'a bad reload changes nothing');
  assert.throws(() => new Keyring(s, ['short']), /32 bytes/);
  assert.throws(() => new Keyring(s, []), ConfigError);
});

test('replay window: duplicates, old counters and old epochs are refused', () => {
  const g = new ReplayGuard(2);
  assert.ok(g.accept('a', 100, 5, 0));
  assert.equal(g.accept('a', 100, 5, 0), false);
  assert.ok(g.accept('a', 100, 3, 0), 'reordered but fresh');
  assert.ok(g.accept('a', 100, 5 + WINDOW, 0));
  assert.equal(g.accept('a', 100, 5, 0), false, 'behind the window');
  assert.equal(g.accept('a', 99, 10_000, 0), false, 'older epoch');
  assert.ok(g.accept('a', 101, 0, 0), 'restart: newer epoch');
  g.accept('b', 1, 1, 0);
  g.accept('c', 1, 1, 0);
  assert.equal(g.size(), 2, 'bounded');
});

test('replay guard: counters that are no safe integers are refused; idle state is reset', () => {
  const g = new ReplayGuard(4, 1000);
  assert.equal(g.accept('a', 1, -1, 0), false);
  assert.equal(g.accept('a', 1, 1.5, 0), false);
  assert.ok(g.accept('a', 1, 7, 0));
  assert.equal(g.accept('a', 1, 7, 999), false, 'a replay within the idle time');
  assert.ok(g.accept('a', 1, 7, 2000), 'idle for over idleMs: a fresh window');
});

test('codec: round trip, and every truncation decodes to a drop, never a throw', () => {
  const p: Packet = {
    sender: 'node-1',
    epoch: 1700000000000,
    seq: 42,
    body: {
      t: 'table',
      observed: { address: '198.18.0.1', port: 4000 },
      version: 9,
      more: true,
      push: false,
      entries: [
        {
          id: 'b',
          ext: { address: '198.18.0.2', port: 1 },
          internals: [{ address: '10.1.0.2', port: 4000 }],
          gone: false,
          ver: 3,
          via: 'c',
        },
      ],
    },
  };
  const b = encodePacket(p);
  const d = decodePacket(b);
  assert.ok(d.ok);
  assert.deepEqual(d.packet, p);
  for (let n = 0; n < b.length; n++) assert.equal(decodePacket(b.subarray(0, n)).ok, false);
  assert.equal(decodePacket(Uint8Array.from([...b, 0])).ok, false, 'trailing bytes');
  assert.throws(() => encodePacket({ ...p, body: { t: 'data', payload: new Uint8Array(1300) } }), /over/);
});

test('rate limiter: burst then steady rate per key, bounded keys', () => {
  const r = new RateLimiter(10, 3, 2);
  assert.deepEqual(
    [1, 2, 3, 4].map(() => r.take('a', 0)),
    [true, true, true, false],
  );
  assert.equal(r.take('a', 50), false);
  assert.equal(r.take('a', 100), true, '10/s refills one token in 100 ms');
  assert.equal(r.take('b', 0), true);
});
