import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigError } from '../../agent/lib/common/errors.ts';
import { validateConfig } from '../../agent/manager/config.ts';
import { passwordFromText, rpcInit } from '../../agent/manager/rpc-password.ts';
import { newCredentials } from '../../packaging/transmission-rpc.ts';

const dir = mkdtempSync(join(tmpdir(), 'p2pu-rpcpw-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const transmission = (extra: Record<string, unknown>) =>
  validateConfig({
    trustedKeys: ['/k.pub'],
    stateDir: '/s',
    inboxDir: '/i',
    transmission: { downloadDir: '/d', timeoutMs: 2000, ...extra },
  }).transmission;

const configError = (re: RegExp) => (e: unknown) => e instanceof ConfigError && re.test(e.message);

test('the credentials file the Debian package writes gives the password', async () => {
  const creds = newCredentials(randomBytes);
  const path = join(dir, 'transmission-rpc.json');
  writeFileSync(path, JSON.stringify(creds, null, 2) + '\n');
  const init = await rpcInit(transmission({ username: 'p2p-update', passwordFile: path }));
  assert.deepEqual(init, {
    url: 'http://127.0.0.1:9091/transmission/rpc',
    timeoutMs: 2000,
    username: 'p2p-update',
    password: creds.password,
  });
});

test('a plain-text password file: one line, trailing newline ignored', async () => {
  const path = join(dir, 'pw.txt');
  writeFileSync(path, 's3cret\n');
  const init = await rpcInit(transmission({ username: 'u', passwordFile: path }));
  assert.equal(init.password, 's3cret');
});

test('inline password and no credentials pass through unchanged', async () => {
  assert.equal((await rpcInit(transmission({ username: 'u', password: 'p' }))).password, 'p');
  const none = await rpcInit(transmission({}));
  assert.equal(none.username, undefined);
  assert.equal(none.password, undefined);
});

test('a missing, empty, oversized or password-less file is a config error naming the key', async () => {
  const t = (path: string) => transmission({ username: 'u', passwordFile: path });
  await assert.rejects(
    rpcInit(t(join(dir, 'absent'))),
    configError(/passwordFile: cannot read .* \(ENOENT\)/),
  );
  const big = join(dir, 'big');
  writeFileSync(big, 'x'.repeat(70_000));
  await assert.rejects(rpcInit(t(big)), configError(/passwordFile: .* larger than 64 KiB/));
  assert.throws(
    () => passwordFromText('{"url":"x"}', '/f'),
    configError(/expected a non-empty string "password"/),
  );
  assert.throws(() => passwordFromText('{"password":', '/f'), configError(/not valid JSON/));
  assert.throws(() => passwordFromText('\n', '/f'), configError(/found nothing/));
  assert.throws(() => passwordFromText('a\nb', '/f'), configError(/found several lines/));
});
