/**
 * Attacks on the enrollment server over real HTTP on loopback (issue 16 item 8), each
 * against the shipped defaults: parallel password guessing, locking the admin out from
 * another address, guessing enrollment tokens from one and from many addresses, and one
 * shared-token holder filling the pending queue. Source addresses are 127.0.0.x (the
 * client binds `localAddress`; the server listens on 127.0.0.1).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { CaStore } from '../../agent/lib/ca/ca-store.ts';
import { validateConfig } from '../../agent/enroll-server/config.ts';
import { hashPassword } from '../../agent/enroll-server/password.ts';
import { EnrollServer } from '../../agent/enroll-server/server.ts';
import { enroll } from '../../agent/lib/enrollment/client.ts';
import { makeRequest } from '../../agent/lib/membership/request.ts';
import { membershipReady } from '../../agent/lib/membership/na.ts';
import { generateKxPair } from '../../agent/lib/membership/noise-crypto.ts';
import { random } from './fixtures.ts';

const PASSWORD = 'the-admin-password';
const ONCE = 'one-time-token-0123456789';
const SHARED = 'shared-token-abcdefghijkl';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request to the server from source address `from`. */
function call(
  url: string,
  path: string,
  body: string,
  o: { from?: string; type?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path,
        method: 'POST',
        localAddress: o.from ?? '127.0.0.1',
        headers: {
          'content-type': o.type ?? 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          ...o.headers,
        },
      },
      (res) => {
        let data = '';
        res.on('data', (c: Buffer) => (data += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const login = (url: string, password: string, o: { from?: string; headers?: Record<string, string> } = {}) =>
  call(url, '/admin/login', `password=${encodeURIComponent(password)}`, o);

async function csr(): Promise<string> {
  const na = await membershipReady();
  const sign = na.crypto_sign_keypair();
  const raw = await makeRequest(
    {
      cluster: 'lab',
      owner: 'n',
      signKey: sign.publicKey,
      kxKey: generateKxPair(random).publicKey,
      createdAt: Math.floor(Date.now() / 1000),
    },
    sign.privateKey,
  );
  return Buffer.from(raw).toString('base64');
}

const submit = async (url: string, token: string, from = '127.0.0.1') =>
  call(url, '/api/requests', JSON.stringify({ token, csr: await csr() }), { from, type: 'application/json' });

const count = (rs: Reply[], status: number) => rs.filter((r) => r.status === status).length;

describe('enrollment server under attack (shipped defaults)', () => {
  let tmp: string;
  let hash: string;
  let now = Date.now();
  const clock = { now: () => now };

  async function setup(extra: Record<string, unknown> = {}) {
    const dir = await mkdtemp(join(tmp, 'ca-'));
    await CaStore.init(dir, { cluster: 'lab' });
    const ca = await CaStore.open(dir);
    const cfg = validateConfig({
      caDir: dir,
      listen: { host: '127.0.0.1', port: 0 },
      policy: 'approve',
      tokens: [{ token: ONCE }, { token: SHARED, once: false, label: 'fleet' }],
      adminPasswordHash: hash,
      ...extra,
    });
    const server = new EnrollServer({ ca, log: silentLogger(), clock }, cfg);
    await server.start();
    return { ca, server, url: server.url };
  }

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'p2pu-enroll-abuse-'));
    hash = await hashPassword(PASSWORD); // the shipped cost, N = 2^15
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  it('40 parallel wrong sign-ins from one address: at most 5 passwords are checked', async () => {
    const { server, url } = await setup();
    try {
      const rs = await Promise.all(Array.from({ length: 40 }, (_, i) => login(url, `guess-${i}`)));
      assert.equal(count(rs, 401) + count(rs, 429), 40);
      assert.ok(count(rs, 401) <= 5, `${count(rs, 401)} of 40 parallel guesses were checked`);
    } finally {
      await server.stop();
    }
  });

  it('an address that guesses is locked out; the admin at another address still signs in', async () => {
    const { server, url } = await setup();
    try {
      for (let i = 0; i < 8; i++) await login(url, `guess-${i}`, { from: '127.0.0.2' });
      assert.equal((await login(url, PASSWORD, { from: '127.0.0.2' })).status, 429, 'the guesser waits');
      const admin = await login(url, PASSWORD, { from: '127.0.0.3' });
      assert.equal(admin.status, 303, 'the admin is not locked out');
      assert.match(String(admin.headers['set-cookie']), /p2pu_admin=/);
    } finally {
      await server.stop();
    }
  });

  it('X-Forwarded-For counts only from a trusted proxy: a guesser cannot make up addresses', async () => {
    const direct = await setup();
    try {
      const rs = [];
      for (let i = 0; i < 8; i++)
        rs.push(await login(direct.url, `g${i}`, { headers: { 'x-forwarded-for': `198.18.0.${i + 1}` } }));
      assert.equal(count(rs, 401), 5, 'one source however many forwarded-for addresses it claims');
    } finally {
      await direct.server.stop();
    }
    const proxied = await setup({ trustedProxies: ['127.0.0.1'] });
    try {
      const xff = (a: string) => ({ headers: { 'x-forwarded-for': `203.0.113.9, ${a}` } });
      for (let i = 0; i < 8; i++) await login(proxied.url, `g${i}`, xff('198.18.0.5'));
      assert.equal((await login(proxied.url, PASSWORD, xff('198.18.0.5'))).status, 429);
      assert.equal((await login(proxied.url, PASSWORD, xff('198.18.0.6'))).status, 303, 'behind the proxy');
    } finally {
      await proxied.server.stop();
    }
  });

  it('token guessing: one address gets 10 tries a minute, then 429 with Retry-After', async () => {
    const { server, url } = await setup();
    try {
      const rs = [];
      for (let i = 0; i < 50; i++) rs.push(await submit(url, `guess-token-${i}-xxxxxxxx`));
      assert.equal(count(rs, 403), 10, 'tokens actually checked');
      assert.equal(count(rs, 429), 40);
      assert.ok(Number(rs.at(-1)!.headers['retry-after']) > 0);
      assert.equal((await submit(url, SHARED, '127.0.0.9')).status, 202, 'others are not affected');
    } finally {
      await server.stop();
    }
  });

  it('token guessing from many addresses: 100 bad tokens a minute in all, then everyone waits', async () => {
    const { server, url } = await setup();
    try {
      const rs = [];
      for (let s = 10; s < 21; s++)
        for (let i = 0; i < 10; i++) rs.push(await submit(url, `guess-${s}-${i}-xxxxxxxxxx`, `127.0.0.${s}`));
      assert.equal(count(rs, 403), 100, 'guesses checked across all addresses');
      assert.equal(count(rs, 429), 10);
      const late = await submit(url, SHARED, '127.0.0.99');
      assert.equal(late.status, 429, 'even a valid token waits: a guess must not learn anything');
      now += 61_000;
      assert.equal((await submit(url, SHARED, '127.0.0.99')).status, 202, 'after the minute it goes through');
    } finally {
      await server.stop();
    }
  });

  it('a node throttled by the global bound waits as told (Retry-After) and then enrolls', async () => {
    const { server, url } = await setup({ policy: 'auto' });
    try {
      for (let s = 10; s < 21; s++)
        for (let i = 0; i < 10; i++) await submit(url, `guess-${s}-${i}-xxxxxxxxxx`, `127.0.0.${s}`);
      const said: string[] = [];
      const start = now;
      const c = await enroll(
        { fetch, clock, sleep: async (ms) => void (now += ms), onStatus: (m) => said.push(m) },
        { server: url, token: SHARED, dir: join(tmp, 'late'), owner: 'late', pollMs: 50, timeoutMs: 300_000 },
      );
      assert.equal(c.cluster, 'lab');
      assert.ok(
        said.some((m) => /server busy .* asking again in \d+ s/.test(m)),
        said.join('\n'),
      );
      assert.ok(now - start >= 1000 && now - start <= 61_000, `waited ${now - start} ms`);
    } finally {
      await server.stop();
    }
  });

  it('one shared-token holder cannot fill the pending queue: 200 pending per token', async () => {
    const { ca, server, url } = await setup();
    try {
      const rs = [];
      for (let i = 0; i < 201; i++) rs.push(await submit(url, SHARED));
      assert.equal(count(rs, 202), 200);
      const last = rs.at(-1)!;
      assert.equal(last.status, 429, last.body);
      assert.match(JSON.parse(last.body).message, /too many pending requests for token "fleet" \(200\)/);
      assert.equal((await submit(url, ONCE)).status, 202, 'another token still gets in');
      assert.equal(ca.state.requests.filter((r) => r.status === 'pending').length, 201);
    } finally {
      await server.stop();
    }
  });
});
