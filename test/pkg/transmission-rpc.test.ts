/** Unit tests of the pure Transmission RPC lock-down used by the package's postinst. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  lockRpc,
  newCredentials,
  parseCredentials,
  passwordMatches,
  rpcLoopback,
} from '../../packaging/transmission-rpc.ts';

const creds = { url: 'http://127.0.0.1:9091/transmission/rpc', username: 'p2p-update', password: 's3cret' };
const hashed = (plain: string, salt: string) =>
  '{' +
  createHash('sha1')
    .update(plain + salt)
    .digest('hex') +
  salt;

// Debian's shipped /etc/transmission-daemon/settings.json (trixie, 4.1), abridged.
const debianDefaults = {
  'rpc-authentication-required': 1,
  'rpc-password': 'transmission',
  'rpc-port': 9091,
  'rpc-username': 'transmission',
  'rpc-whitelist': '127.0.0.1',
  'peer-port': 51413,
};

describe('transmission RPC lock-down', () => {
  it('makes random credentials for loopback', () => {
    const c = newCredentials((n) => Buffer.alloc(n, 7));
    assert.equal(c.url, 'http://127.0.0.1:9091/transmission/rpc');
    assert.equal(c.password, Buffer.alloc(24, 7).toString('base64url'));
  });

  it('locks Debian defaults to loopback with the credentials, keeping other keys', () => {
    const { settings, changed } = lockRpc(debianDefaults, creds);
    assert.equal(changed, true);
    assert.equal(settings['rpc-bind-address'], '127.0.0.1');
    assert.equal(settings['rpc-whitelist'], '127.0.0.1,::1');
    assert.equal(settings['rpc-authentication-required'], true);
    assert.equal(settings['rpc-username'], 'p2p-update');
    assert.equal(settings['rpc-password'], 's3cret');
    assert.equal(settings['peer-port'], 51413);
  });

  it('an IPv6-only host gets RPC on ::1 (Transmission 3.00 cannot bind 127.0.0.1 there), others on 127.0.0.1', () => {
    const lo = [
      { family: 'IPv4', address: '127.0.0.1', internal: true },
      { family: 'IPv6', address: '::1', internal: true },
    ];
    const v6Only = { lo, eth0: [{ family: 'IPv6', address: 'fd00:2::3', internal: false }] };
    assert.equal(rpcLoopback(v6Only), '::1');
    const linkLocalOnly = { lo, eth0: [{ family: 'IPv6', address: 'fe80::1', internal: false }] };
    assert.equal(rpcLoopback(linkLocalOnly), '127.0.0.1', 'no usable IPv6: loopback IPv4 as before');
    const dual = { lo, eth0: [...v6Only.eth0, { family: 'IPv4', address: '198.18.0.11', internal: false }] };
    assert.equal(rpcLoopback(dual), '127.0.0.1');
    assert.equal(rpcLoopback({ lo }), '127.0.0.1');
    const c6 = newCredentials((n) => Buffer.alloc(n, 7), rpcLoopback(v6Only));
    assert.equal(c6.url, 'http://[::1]:9091/transmission/rpc');
    const { settings } = lockRpc(debianDefaults, c6);
    assert.equal(settings['rpc-bind-address'], '::1');
    assert.equal(settings['rpc-whitelist'], '127.0.0.1,::1');
    assert.equal(lockRpc(settings, c6).changed, false);
    assert.equal(lockRpc(settings, { ...c6, url: creds.url }).changed, true, 'the URL decides the address');
  });

  it('changes nothing once the daemon has hashed our password', () => {
    const locked = lockRpc(debianDefaults, creds).settings;
    const afterDaemon = { ...locked, 'rpc-password': hashed('s3cret', 'AbCd1234') };
    assert.equal(lockRpc(afterDaemon, creds).changed, false);
  });

  it('changes again when the password or a key was altered', () => {
    const locked = lockRpc(debianDefaults, creds).settings;
    assert.equal(lockRpc({ ...locked, 'rpc-password': hashed('other', 'AbCd1234') }, creds).changed, true);
    assert.equal(lockRpc({ ...locked, 'rpc-bind-address': '0.0.0.0' }, creds).changed, true);
  });

  it('matches salted SHA-1 passwords as Transmission stores them', () => {
    assert.equal(passwordMatches(hashed('pw', 'x./yZ09a'), 'pw'), true);
    assert.equal(passwordMatches(hashed('pw', 'x./yZ09a'), 'pW'), false);
    assert.equal(passwordMatches('pw', 'pw'), true);
    assert.equal(passwordMatches(undefined, 'pw'), false);
  });

  it('rejects a credentials file with a missing field, naming it', () => {
    assert.throws(() => parseCredentials('{"url":"u","username":"n"}'), /"password"/);
    assert.deepEqual(parseCredentials(JSON.stringify(creds)), creds);
  });
});
