/**
 * The manager's executor client against fake executors on a real Unix socket: an answer
 * that does not decode, one over the cap, a connection closed without an answer, a
 * missing socket, and a manager that stops waiting. Each ends in a coded error, and a
 * deploy whose attempt was not counted is never sent.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MAX_RESPONSE_BYTES } from '../../agent/lib/ipc/executor-protocol.ts';
import { ExecutorClient, ExecutorError } from '../../agent/manager/executor-client.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'p2pu-exclient-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const H = 'a'.repeat(40);
const req = { type: 'deploy' as const, uri: 'app:/x', version: 1, infoHash: H, torrent: '/t', payload: '/p' };

/** A fake executor: `reply` gets each request line and the socket. */
async function fake(
  name: string,
  reply: (line: string, s: Socket) => void,
): Promise<{ path: string; server: Server; lines: string[] }> {
  const path = join(dir, name);
  const lines: string[] = [];
  const server = createServer((s) => {
    let buf = '';
    s.on('data', (c: Buffer) => {
      buf += c.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        lines.push(buf.slice(0, nl));
        reply(buf.slice(0, nl), s);
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(path, r));
  return { path, server, lines };
}

const client = (path: string, deployTimeoutMs = 5000) => new ExecutorClient({ path, deployTimeoutMs });
const code = (re: string) => (e: unknown) => e instanceof ExecutorError && e.code === re;

test('a well-formed answer is returned; accepts is asked with one line', async () => {
  const f = await fake('ok.sock', (line, s) => {
    const r = JSON.parse(line) as { type: string; uri: string };
    s.end(`${JSON.stringify({ type: 'accepts', uri: r.uri, accepted: true, highest: 3 })}\n`);
  });
  assert.deepEqual(await client(f.path).accepts('app:/x'), { accepted: true, highest: 3 });
  assert.deepEqual(
    f.lines.map((l) => JSON.parse(l) as unknown),
    [{ type: 'accepts', uri: 'app:/x' }],
  );
  f.server.close();
});

test('an answer that does not decode, or over the cap, or none at all → EXECUTOR_GONE', async () => {
  const bad = await fake('bad.sock', (_l, s) => s.end('{"type":"applied","ran":"yes"}\n'));
  await assert.rejects(
    client(bad.path).deploy(req, async () => true),
    code('EXECUTOR_GONE'),
  );
  const big = await fake('big.sock', (_l, s) => s.end(Buffer.alloc(MAX_RESPONSE_BYTES + 10, 0x61)));
  await assert.rejects(
    client(big.path).deploy(req, async () => true),
    /answer too long/,
  );
  const mute = await fake('mute.sock', (_l, s) => s.end());
  await assert.rejects(
    client(mute.path).deploy(req, async () => true),
    /closed the connection without an answer/,
  );
  const slow = await fake('slow.sock', () => undefined);
  await assert.rejects(
    client(slow.path, 300).deploy(req, async () => true),
    /no answer within 300 ms/,
  );
  for (const f of [bad, big, mute, slow]) f.server.close();
});

test('no executor listening → EXECUTOR_UNAVAILABLE, and the attempt is neither counted nor sent', async () => {
  let counted = false;
  await assert.rejects(
    client(join(dir, 'none.sock')).deploy(req, async () => (counted = true)),
    code('EXECUTOR_UNAVAILABLE'),
  );
  assert.equal(counted, false);
});

test('a stale attempt (beforeSend says no) sends nothing', async () => {
  const f = await fake('stale.sock', (_l, s) => s.end('{}\n'));
  assert.equal(await client(f.path).deploy(req, async () => false), null);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(f.lines, []);
  f.server.close();
});

test('aborting stops the wait at once', async () => {
  const f = await fake('hold.sock', () => undefined);
  const ac = new AbortController();
  const p = client(f.path, 60_000).deploy(req, async () => true, ac.signal);
  setTimeout(() => ac.abort(), 100);
  const t0 = Date.now();
  await assert.rejects(p, /stopped waiting/);
  assert.ok(Date.now() - t0 < 2000);
  f.server.close();
});
