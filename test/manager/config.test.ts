import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ConfigError } from '../../agent/lib/common/errors.ts';
import { DEFAULTS, validateConfig } from '../../agent/manager/config.ts';
import { newCredentials } from '../../packaging/transmission-rpc.ts';

const example = (): Record<string, unknown> =>
  JSON.parse(
    readFileSync(new URL('../../docs/config/manager.example.json', import.meta.url), 'utf8'),
  ) as Record<string, unknown>;

const minimal = (): Record<string, unknown> => ({
  trustedKeys: ['/k.pub'],
  stateDir: '/s',
  inboxDir: '/i',
  transmission: { downloadDir: '/d' },
});

function rejects(json: unknown, re: RegExp): void {
  assert.throws(
    () => validateConfig(json),
    (e: unknown) => e instanceof ConfigError && re.test(e.message),
  );
}

test('the shipped example config validates', () => {
  const c = validateConfig(example());
  assert.equal(c.executorSocket, '/run/p2p-update-deploy.sock');
  // The Debian package's postinst writes these credentials: the example must match them.
  const pkg = newCredentials((n) => Buffer.alloc(n));
  assert.equal(c.transmission.username, pkg.username);
  assert.equal(c.transmission.url, pkg.url);
  assert.ok(!('password' in c.transmission), 'the example names no password of its own');
  assert.equal(
    (c.transmission as { passwordFile?: string }).passwordFile,
    '/etc/p2p-update/transmission-rpc.json',
  );
  assert.equal(c.natmSocket, '/run/p2p-update-natm/natm.sock');
  assert.equal(c.root, '/etc/p2p-update/fleet.root', 'the shipped config trusts a root, not plain keys');
  assert.deepEqual(c.trustedKeys, []);
});

test('defaults fill what a minimal config leaves out; the result is frozen', () => {
  const c = validateConfig(minimal());
  assert.equal(c.transmission.url, DEFAULTS.transmission.url);
  assert.equal(c.tracker.port, 6969);
  assert.equal(c.deploy.maxAttempts, 3);
  assert.equal(c.natmSocket, null);
  assert.equal(c.logLevel, 'info');
  assert.equal(c.executorSocket, DEFAULTS.executorSocket);
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.deploy));
});

test('unknown keys are named, at any depth; "//" keys are comments', () => {
  rejects({ ...minimal(), colour: 'red' }, /config colour: unknown key/);
  rejects(
    { ...minimal(), transmission: { downloadDir: '/d', pasword: 'x' } },
    /transmission\.pasword: unknown key/,
  );
  assert.ok(validateConfig({ ...minimal(), '//': 'note', transmission: { '//x': 1, downloadDir: '/d' } }));
});

test('trust: a root chain, or plain trusted keys, never both nor neither', () => {
  const { trustedKeys: _k, ...noKeys } = minimal();
  assert.equal(
    validateConfig({ ...noKeys, root: '/etc/p2p-update/fleet.root' }).root,
    '/etc/p2p-update/fleet.root',
  );
  assert.equal(validateConfig(minimal()).root, null);
  rejects(
    { ...minimal(), root: '/etc/p2p-update/fleet.root' },
    /trustedKeys: expected nothing when "root" is given/,
  );
  rejects(noKeys, /trustedKeys: expected at least one public key path \(or "root"/);
  rejects({ ...noKeys, root: 'fleet.root' }, /root: expected an absolute path/);
});

test('bad values name the key and say what was expected', () => {
  rejects({ ...minimal(), trustedKeys: [] }, /trustedKeys: expected at least one/);
  rejects({ ...minimal(), trustedKeys: ['rel.pub'] }, /trustedKeys\[0\]: expected an absolute path/);
  rejects({ ...minimal(), stateDir: 'var/lib' }, /stateDir: expected an absolute path/);
  rejects(
    { ...minimal(), tracker: { port: 70000 } },
    /tracker\.port: expected an integer in \[0, 65535\], found 70000/,
  );
  rejects(
    { ...minimal(), tracker: { peers: ['10.1.0.1'] } },
    /tracker\.peers\[0\]: expected "a\.b\.c\.d:port"/,
  );
  rejects(
    { ...minimal(), deploy: { maxAttempts: 0 } },
    /deploy\.maxAttempts: expected an integer in \[1, 100\]/,
  );
  rejects(
    { ...minimal(), transmission: { downloadDir: '/d', url: 'ftp://x' } },
    /transmission\.url: expected an http/,
  );
  rejects({ ...minimal(), transmission: { downloadDir: '/d', username: 'u' } }, /transmission\.password/);
  rejects(
    { ...minimal(), deployers: { 'app:/': { type: 'script', path: '/x' } } },
    /config deployers: deployers are the deploy executor's \(\/etc\/p2p-update\/deploy\.json\)/,
  );
  rejects({ ...minimal(), executorSocket: 'deploy.sock' }, /executorSocket: expected an absolute path/);
  rejects({ ...minimal(), logLevel: 'loud' }, /logLevel: expected fatal\|error/);
  rejects({ ...minimal(), natmSocket: 'natm.sock' }, /natmSocket: expected an absolute path/);
  rejects([], /config \(top level\): expected an object/);
});

test('transmission.passwordFile: an absolute path instead of an inline password, never both', () => {
  const t = (extra: Record<string, unknown>) => ({
    ...minimal(),
    transmission: { downloadDir: '/d', ...extra },
  });
  const c = validateConfig(t({ username: 'u', passwordFile: '/etc/p2p-update/transmission-rpc.json' }));
  assert.equal(c.transmission.username, 'u');
  assert.equal(c.transmission.passwordFile, '/etc/p2p-update/transmission-rpc.json');
  assert.equal(c.transmission.password, undefined);
  rejects(
    t({ username: 'u', password: 'p', passwordFile: '/f' }),
    /transmission\.password: expected exactly one/,
  );
  rejects(
    t({ username: 'u', passwordFile: 'rel.json' }),
    /transmission\.passwordFile: expected an absolute path/,
  );
  rejects(t({ passwordFile: '/f' }), /transmission\.username: expected a username/);
  rejects(t({ password: 'p' }), /transmission\.username: expected a username/);
});

test('inboxIncompleteMs: 60 s by default, at least 1 s, named when wrong', () => {
  assert.equal(validateConfig(minimal()).inboxIncompleteMs, 60_000);
  assert.equal(validateConfig({ ...minimal(), inboxIncompleteMs: 5000 }).inboxIncompleteMs, 5000);
  rejects({ ...minimal(), inboxIncompleteMs: 10 }, /inboxIncompleteMs: expected an integer in \[1000, /);
  rejects({ ...minimal(), inboxIncompleteMs: '60s' }, /inboxIncompleteMs: expected an integer/);
});

test('speed levers: only the forced rechoke on by default (bench/RESULTS.md), each switchable, bad values named', () => {
  const c = validateConfig(minimal());
  assert.deepEqual(c.speed, DEFAULTS.speed);
  assert.deepEqual(
    [
      c.speed.rechoke,
      c.speed.flushBeforeCheck,
      c.speed.rehashBeforeDeploy,
      c.speed.backdatePayload,
      c.speed.announceKick,
      c.speed.nearEndPollMs,
      c.speed.originShaping,
      c.tracker.fastIntervalS,
      c.tracker.minIntervalS,
    ],
    [true, 'auto', true, false, false, 0, 'off', 0, 5],
  );
  assert.ok(Object.isFrozen(c.speed));
  const on = validateConfig({
    ...minimal(),
    tracker: { fastIntervalS: 1, minIntervalS: 1 },
    speed: {
      rechoke: false,
      flushBeforeCheck: false,
      rehashBeforeDeploy: false,
      backdatePayload: true,
      announceKick: true,
      nearEndPollMs: 100,
      originShaping: 'estimate',
    },
  });
  assert.equal(on.speed.rechoke, false);
  assert.equal(on.speed.originShaping, 'estimate');
  assert.equal(on.speed.nearEndPollMs, 100);
  assert.equal(on.tracker.fastIntervalS, 1);
  rejects({ ...minimal(), speed: { rechoke: 'yes' } }, /speed\.rechoke: expected true or false/);
  assert.equal(
    validateConfig({ ...minimal(), speed: { flushBeforeCheck: true } }).speed.flushBeforeCheck,
    true,
  );
  rejects(
    { ...minimal(), speed: { flushBeforeCheck: 'sometimes' } },
    /speed\.flushBeforeCheck: expected true, false or "auto"/,
  );
  rejects(
    { ...minimal(), speed: { originShaping: 'super' } },
    /speed\.originShaping: expected "off" or "complete-peer"/,
  );
  rejects({ ...minimal(), speed: { rechokeMinGapMs: 10 } }, /speed\.rechokeMinGapMs: expected an integer/);
  rejects({ ...minimal(), speed: { originSumFactor: -1 } }, /speed\.originSumFactor: expected a number/);
  rejects({ ...minimal(), speed: { turbo: true } }, /speed\.turbo: unknown key/);
  rejects(
    { ...minimal(), tracker: { minIntervalS: 0 } },
    /tracker\.minIntervalS: expected an integer in \[1,/,
  );
});

test('tags: none by default; each key=value checked, keys unique, at most 8 and 255 bytes', () => {
  assert.deepEqual(validateConfig(minimal()).tags, []);
  assert.deepEqual(validateConfig({ ...minimal(), tags: ['ring=canary', 'hw=rpi4'] }).tags, [
    'ring=canary',
    'hw=rpi4',
  ]);
  const bad = (tags: unknown, re: RegExp) => rejects({ ...minimal(), tags }, re);
  bad('ring=canary', /config tags: expected a list of at most 8 tags/);
  bad(['ring'], /config tags\[0\]: expected a tag "key=value"/);
  bad(['Ring=canary'], /config tags\[0\]: expected a tag "key=value"/);
  bad(['ring=a b'], /config tags\[0\]: expected a tag "key=value"/);
  bad(['ring=a', 'ring=b'], /config tags: .*key "ring" is given twice/);
  bad(
    Array.from({ length: 9 }, (_, i) => `k${i}=v`),
    /config tags: expected a list of at most 8 tags/,
  );
  bad(
    Array.from({ length: 6 }, (_, i) => `k${i}${'x'.repeat(14)}=${'v'.repeat(32)}`),
    /config tags: .*the limit is 255/,
  );
});
