/** The Transmission RPC adapter against a small HTTP server that behaves like 3.00. */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { TransmissionClient } from '../../agent/lib/transmission/client.ts';
import { TransferError } from '../../agent/lib/transmission/errors.ts';
import { isComplete, asProgress } from '../../agent/lib/transmission/progress.ts';
import { TransmissionRpc } from '../../agent/lib/transmission/rpc.ts';

let server: Server;
let url: string;
const seen: { sid: string; auth: string; body: { method: string; arguments: Record<string, unknown> } }[] =
  [];
let reply: (b: { method: string }) => [number, unknown] = () => [200, { result: 'success', arguments: {} }];

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    req.on('data', (c: Buffer) => (s += c.toString()));
    req.on('end', () => resolve(s));
  });
}

before(async () => {
  server = createServer(async (req, res) => {
    const b = JSON.parse(await body(req)) as (typeof seen)[0]['body'];
    const sid = String(req.headers['x-transmission-session-id'] ?? '');
    seen.push({ sid, auth: String(req.headers['authorization'] ?? ''), body: b });
    if (req.headers['authorization'] !== `Basic ${Buffer.from('u:p').toString('base64')}`) {
      res.writeHead(401).end();
      return;
    }
    if (sid !== 'SID-1') {
      res.writeHead(409, { 'x-transmission-session-id': 'SID-1' }).end();
      return;
    }
    const [status, json] = reply(b);
    if (status === 0) return; // never answer: the client times out
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/transmission/rpc`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const code = (c: string) => (e: unknown) => e instanceof TransferError && e.code === c;

test('409 handshake: resent once with the session id; basic auth on every call', async () => {
  seen.length = 0;
  const rpc = new TransmissionRpc({ url, username: 'u', password: 'p', timeoutMs: 2000 });
  assert.deepEqual(await rpc.call('session-get'), {});
  assert.deepEqual(
    seen.map((s) => s.sid),
    ['', 'SID-1'],
  );
  await rpc.call('session-get');
  assert.equal(seen.length, 3, 'the session id is reused');
});

test('wrong credentials are AUTH; a dead port is UNREACHABLE; silence is TIMEOUT', async () => {
  await assert.rejects(
    new TransmissionRpc({ url, username: 'u', password: 'x', timeoutMs: 2000 }).call('x'),
    code('AUTH'),
  );
  await assert.rejects(
    new TransmissionRpc({ url: 'http://127.0.0.1:9/transmission/rpc', timeoutMs: 2000 }).call('x'),
    code('UNREACHABLE'),
  );
  reply = () => [0, null];
  const e = await new TransmissionRpc({ url, username: 'u', password: 'p', timeoutMs: 300 })
    .call('x')
    .catch((x: unknown) => x);
  assert.ok(e instanceof TransferError && e.code === 'TIMEOUT' && e.transient);
  reply = () => [200, { result: 'success', arguments: {} }];
});

test('a result other than success is RPC; other HTTP statuses are HTTP', async () => {
  const rpc = new TransmissionRpc({ url, username: 'u', password: 'p', timeoutMs: 2000 });
  reply = () => [200, { result: 'invalid or corrupt torrent file' }];
  await assert.rejects(
    rpc.call('torrent-add'),
    (e: unknown) => code('RPC')(e) && /corrupt torrent/.test((e as Error).message),
  );
  reply = () => [200, 'not json'];
  await assert.rejects(rpc.call('x'), code('RPC'));
  reply = () => [500, {}];
  await assert.rejects(rpc.call('x'), code('HTTP'));
  reply = () => [200, { result: 'success', arguments: {} }];
});

test('client: add by metainfo (added / duplicate), get with explicit fields', async () => {
  const c = new TransmissionClient({ url, username: 'u', password: 'p', timeoutMs: 2000 });
  reply = () => [200, { result: 'success', arguments: { 'torrent-duplicate': { id: 1 } } }];
  assert.equal(await c.add(Buffer.from('d4:infoe'), '/dl'), 'duplicate');
  const add = seen.at(-1)!.body;
  assert.equal(add.method, 'torrent-add');
  assert.equal(add.arguments['metainfo'], Buffer.from('d4:infoe').toString('base64'));
  assert.equal(add.arguments['download-dir'], '/dl');
  reply = () => [200, { result: 'success', arguments: { 'torrent-added': { id: 1 } } }];
  assert.equal(await c.add(Buffer.from('x'), '/dl'), 'added');
  const t = {
    hashString: 'a'.repeat(40),
    percentDone: 1,
    leftUntilDone: 0,
    status: 6,
    error: 0,
    errorString: '',
    corruptEver: 0,
    uploadedEver: 5,
    trackers: [],
  };
  reply = () => [200, { result: 'success', arguments: { torrents: [t] } }];
  assert.deepEqual(await c.get('a'.repeat(40)), t);
  assert.ok((seen.at(-1)!.body.arguments['fields'] as string[]).includes('corruptEver'));
  reply = () => [200, { result: 'success', arguments: { torrents: [] } }];
  assert.equal(await c.get('a'.repeat(40)), null);
});

test('completion needs percentDone 1, nothing left, and no check running', () => {
  const base = {
    hashString: 'h',
    percentDone: 1,
    leftUntilDone: 0,
    status: 6,
    error: 0,
    corruptEver: 0,
    uploadedEver: 0,
  };
  assert.equal(isComplete(asProgress(base)!), true);
  assert.equal(isComplete(asProgress({ ...base, status: 2 })!), false);
  assert.equal(isComplete(asProgress({ ...base, leftUntilDone: 5 })!), false);
  assert.equal(asProgress({ hashString: 'h' }), null);
});

test('an endless reply is cut off at 16 MiB as PROTOCOL, not buffered until the timeout', async () => {
  const big = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(1 << 20, 0x20);
    let sent = 0;
    // Bounded: at most 300 MiB over 6 s, stopping as soon as the client goes away.
    const timer = setInterval(() => {
      if (res.destroyed || ++sent > 300) {
        clearInterval(timer);
        res.end();
        return;
      }
      res.write(chunk);
    }, 20);
    res.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((r) => big.listen(0, '127.0.0.1', r));
  try {
    const port = (big.address() as AddressInfo).port;
    const rpc = new TransmissionRpc({ url: `http://127.0.0.1:${port}/transmission/rpc`, timeoutMs: 5000 });
    await assert.rejects(
      rpc.call('torrent-get'),
      (e: unknown) => code('PROTOCOL')(e) && /larger than 16777216 bytes/.test((e as Error).message),
    );
  } finally {
    big.closeAllConnections();
    await new Promise<void>((r) => big.close(() => r()));
  }
});

test('transferred(): the cumulative byte counts of session-stats, or null when the answer lacks them', async () => {
  const client = new TransmissionClient({ url, username: 'u', password: 'p', timeoutMs: 2000 });
  reply = (b) =>
    b.method === 'session-stats'
      ? [
          200,
          {
            result: 'success',
            arguments: {
              'current-stats': { uploadedBytes: 1, downloadedBytes: 2 },
              'cumulative-stats': { uploadedBytes: 300, downloadedBytes: 4000 },
            },
          },
        ]
      : [200, { result: 'success', arguments: {} }];
  assert.deepEqual(await client.transferred(), { uploadedBytes: 300, downloadedBytes: 4000 });
  reply = () => [200, { result: 'success', arguments: { 'cumulative-stats': { uploadedBytes: 'x' } } }];
  assert.equal(await client.transferred(), null);
  reply = () => [200, { result: 'success', arguments: {} }];
});
