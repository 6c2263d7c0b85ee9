/** The enrollment server's config: strict at every depth, and `null` is a value to refuse, not a crash. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateConfig } from '../../agent/enroll-server/config.ts';
import { ConfigError } from '../../agent/lib/common/errors.ts';

const base = {
  caDir: '/srv/ca',
  tokens: [{ token: 'x'.repeat(16) }],
  adminPasswordHash: 'scrypt$1$2$3$c2FsdA==$aGFzaA==',
};

function refused(json: unknown, re: RegExp): void {
  assert.throws(
    () => validateConfig(json),
    (e: unknown) => e instanceof ConfigError && re.test(e.message),
  );
}

test('"tls": null is a ConfigError naming tls, not a TypeError', () => {
  refused({ ...base, tls: null }, /^config tls: expected an object, found null$/);
  refused({ ...base, listen: null }, /^config listen: expected an object, found null$/);
  refused({ ...base, tokens: [null] }, /^config tokens\[0\]: expected an object, found null$/);
});

test('unknown keys inside listen, tls and tokens[i] are refused, naming the key path', () => {
  refused(
    { ...base, listen: { host: '127.0.0.1', port: 8470, hots: 'x' } },
    /^config listen\.hots: unknown key/,
  );
  refused(
    { ...base, tls: { certFile: 'c.pem', keyFile: 'k.pem', chain: 'x' } },
    /^config tls\.chain: unknown key/,
  );
  refused(
    { ...base, tokens: [{ token: 'y'.repeat(16) }, { token: 'x'.repeat(16), ownr: 'lab' }] },
    /^config tokens\[1\]\.ownr: unknown key \(allowed here: token, once, owner, label\)$/,
  );
});

test('defaults, resolved paths and the frozen result', () => {
  const c = validateConfig({ ...base, tls: { certFile: 'c.pem', keyFile: '/k.pem' } }, '/etc/p2pu');
  assert.deepEqual(c.listen, { host: '127.0.0.1', port: 8470 });
  assert.deepEqual(c.tls, { certFile: '/etc/p2pu/c.pem', keyFile: '/k.pem' });
  assert.equal(c.secureCookie, true, 'on with tls');
  assert.deepEqual(c.tokens[0], { token: 'x'.repeat(16), once: true, label: 'token 1' });
  assert.equal(c.policy, 'approve');
  assert.ok(Object.isFrozen(c.tokens[0]) && Object.isFrozen(c.listen));
  refused(
    { ...base, tokens: [{ token: 'x'.repeat(16), once: 'no' }] },
    /^config tokens\[0\]\.once: expected true or false/,
  );
});

test('limits and trustedProxies: strict too, defaults filled, bad values named', () => {
  const c = validateConfig({ ...base, limits: { pendingPerToken: 5 }, trustedProxies: ['::FFFF:127.0.0.1'] });
  assert.equal(c.limits.pendingPerToken, 5);
  assert.equal(c.limits.loginFailuresPerSource, 5);
  assert.deepEqual(c.trustedProxies, ['127.0.0.1']);
  refused({ ...base, limits: { pendingPerTokn: 5 } }, /^config limits\.pendingPerTokn: unknown key/);
  refused(
    { ...base, limits: { pendingPerToken: 0 } },
    /^config limits\.pendingPerToken: expected an integer in \[1, /,
  );
  refused(
    { ...base, trustedProxies: ['proxy.lan'] },
    /^config trustedProxies\[0\]: expected an IP address, found "proxy\.lan"$/,
  );
  refused(
    {
      ...base,
      tokens: [
        { token: 'x'.repeat(16), label: 'a' },
        { token: 'y'.repeat(16), label: 'a' },
      ],
    },
    /^config tokens\[1\]\.label: expected a label no other token has, found "a"$/,
  );
});
