/**
 * The executor's socket bounds, each attacked: oversized and malformed request lines,
 * a client that never sends its line, more connections than allowed. Every one gets a
 * coded refusal (or none is buffered) and nothing is deployed.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MAX_REQUEST_BYTES } from '../../agent/lib/ipc/executor-protocol.ts';
import { askRaw, createBed, recorderScript, type Bed } from './bed.ts';

let bed: Bed;
let out: string;

before(async () => {
  bed = await createBed('bounds');
  out = join(bed.dir, 'out');
  await mkdir(out);
  const script = await recorderScript(bed.dir);
  await bed.start(
    { 'app:/': { type: 'script', path: script, args: [out] } },
    { limits: { maxConnections: 2, requestTimeoutMs: 1500 } },
  );
});

after(async () => {
  await bed?.close();
});

const nothingRan = async (): Promise<void> =>
  assert.equal(await readFile(join(out, 'deploy.log'), 'utf8').catch(() => ''), '');

const answer = (text: string): Record<string, unknown> => JSON.parse(text.trim()) as Record<string, unknown>;

test('a request line over the cap → TOO_LARGE_REQUEST, answered before the rest arrives', async () => {
  const big = `{"type":"accepts","uri":"${'a'.repeat(MAX_REQUEST_BYTES)}"}\n`;
  const r = answer(await askRaw(bed.socket, big));
  assert.equal(r['code'], 'TOO_LARGE_REQUEST');
  // 64 MiB without a newline: the executor answers after the cap and closes; it never holds it.
  const c = connect(bed.socket);
  let got = '';
  c.on('data', (d: Buffer) => (got += d.toString()));
  c.on('error', () => undefined);
  const chunk = Buffer.alloc(1 << 20, 0x61);
  const flowing = (): Promise<void> =>
    new Promise((res) => {
      if (c.write(chunk)) return res();
      c.once('drain', res);
      c.once('close', res);
    });
  for (let i = 0; i < 64 && !c.destroyed && got === ''; i++) await flowing();
  await new Promise((res) => setTimeout(res, 200));
  c.destroy();
  assert.equal(answer(got)['code'], 'TOO_LARGE_REQUEST');
  await nothingRan();
});

test('malformed requests → BAD_REQUEST with the field at fault', async () => {
  const h = 'a'.repeat(40);
  const deploy = { type: 'deploy', uri: 'app:/x', version: 1, infoHash: h, torrent: '/t', payload: '/p' };
  const cases: Array<[string | object, RegExp]> = [
    ['not json\n', /not valid JSON/],
    ['[1,2]\n', /expected object/],
    [{ type: 'explode' }, /type: Invalid discriminator/],
    [{ ...deploy, extra: 1 }, /Unrecognized key: "extra"/],
    [{ ...deploy, version: 1.5 }, /version: .*expected int/],
    [{ ...deploy, version: -1 }, /version: Too small/],
    [{ ...deploy, version: 2 ** 53 }, /version/],
    [{ ...deploy, infoHash: h.toUpperCase() }, /infoHash: expected 40 lower-case hex/],
    [{ ...deploy, torrent: 'relative/t' }, /torrent: expected an absolute path/],
    [{ ...deploy, payload: '/p\u0000x' }, /payload: expected an absolute path/],
    [{ ...deploy, uri: 'u'.repeat(300) }, /uri: Too big/],
    [{ ...deploy, uri: '' }, /uri: Too small/],
    [{ type: 'accepts' }, /uri: Invalid input/],
  ];
  for (const [req, re] of cases) {
    const r = await bed.ask(req);
    assert.equal(r['code'], 'BAD_REQUEST', `${JSON.stringify(req)} → ${JSON.stringify(r)}`);
    assert.match(String(r['reason']), re);
  }
  await nothingRan();
});

test('only the first line counts; a client may half-close after it and still get the answer', async () => {
  const text = await askRaw(bed.socket, '{"type":"accepts","uri":"app:/x"}\n{"type":"explode"}\n');
  assert.equal(text.trim().split('\n').length, 1);
  assert.equal(answer(text)['accepted'], true);
});

test('a client that sends no line in time is answered BAD_REQUEST and dropped', async () => {
  const t0 = Date.now();
  const text = await askRaw(bed.socket, '{"type":', false);
  assert.equal(answer(text)['code'], 'BAD_REQUEST');
  assert.match(String(answer(text)['reason']), /no request line within 1500 ms/);
  assert.ok(Date.now() - t0 >= 1400);
});

test('one connection more than allowed → BUSY; served again once one is free', async () => {
  const hold = (): Promise<Socket> =>
    new Promise((res) => {
      const s = connect(bed.socket, () => res(s));
      s.on('error', () => undefined);
    });
  const held = [await hold(), await hold()];
  await new Promise((res) => setTimeout(res, 100));
  const r = answer(await askRaw(bed.socket, '{"type":"accepts","uri":"app:/x"}\n'));
  assert.equal(r['code'], 'BUSY');
  assert.match(String(r['reason']), /2 connections are served already/);
  for (const s of held) s.destroy();
  await new Promise((res) => setTimeout(res, 100));
  const ok = answer(await askRaw(bed.socket, '{"type":"accepts","uri":"app:/x"}\n'));
  assert.equal(ok['accepted'], true);
  await nothingRan();
});
