/**
 * The rendezvous' stream listener under attack (agent/rendezvous/stream-listener.ts), real
 * TCP on loopback, one in-process rendezvous with small bounds: an oversized frame, a
 * slowloris trickle, a connection flood (per source and in all), frames that are not
 * authentic, a silent connection, a frame flood. Each attack is cut off and counted; an
 * honest connection (an authentic probe, a STUN request) is served meanwhile.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import { sodium } from '../../agent/lib/crypto/sodium.ts';
import { encodeFrame, FrameDecoder } from '../../agent/lib/net/stream-frames.ts';
import { rendezvousConfig } from '../../agent/rendezvous/config.ts';
import { startRendezvous } from '../../agent/rendezvous/main.ts';
import { Keyring } from '../../agent/lib/wire/envelope/keyring.ts';
import { ClusterKeySealer } from '../../agent/lib/wire/envelope/sealer.ts';
import { encodePacket } from '../../agent/lib/wire/messages.ts';
import { bindingRequest } from '../../agent/lib/wire/stun-codec.ts';
import { KEY } from '../natm/sim-world.ts';

const rdv = await startRendezvous(
  rendezvousConfig({
    id: 'rdv1',
    listen: '127.0.0.1:0',
    clusterKeys: [KEY],
    logLevel: 'silent',
    stream: {
      tcpListen: '127.0.0.1:0',
      maxStreams: 6,
      streamsPerSource: 3,
      idleMs: 2000,
      authMs: 1000,
      framesPerSec: 2,
      frameBurst: 8,
    },
  }),
);
after(() => rdv.stop());
const port = rdv.stream!.streamEndpoints()[0]!.port;
const count = (name: string) => rdv.server.counters.get(name);
const s = await sodium();
const sealer = new ClusterKeySealer(s, new Keyring(s, [KEY]));
let seq = 0;
const probe = () =>
  sealer.seal(
    encodePacket({
      sender: 'honest',
      epoch: 1,
      seq: seq++,
      body: { t: 'probe', token: 1, ack: false, echo: 0 },
    }),
  );

interface Client {
  sock: net.Socket;
  closed: Promise<number>;
  frames: Uint8Array[];
}
async function connect(localAddress = '127.0.0.1', hello = false): Promise<Client> {
  const sock = net.connect({ host: '127.0.0.1', port, localAddress });
  const t0 = Date.now();
  const closed = new Promise<number>((r) => sock.on('close', () => r(Date.now() - t0)));
  sock.on('error', () => {});
  const frames: Uint8Array[] = [];
  const d = new FrameDecoder();
  sock.on('data', (c: Buffer) => frames.push(...d.push(c).frames));
  await new Promise<void>((r, j) => (sock.once('connect', () => r()), sock.once('error', j)));
  if (hello) sock.write(encodeFrame(probe()));
  return { sock, closed, frames };
}
const isOpen = async (c: Client) =>
  (await Promise.race([
    c.closed.then(() => false),
    new Promise((r) => setTimeout(() => r(true), 200)),
  ])) as boolean;

test('an oversized frame closes the connection at its header', async () => {
  const c = await connect();
  c.sock.write(Buffer.from([0x05, 0x01])); // 1281 bytes announced
  await c.closed;
  assert.equal(count('stream_closed_oversized_frame'), 1);
});

test('slowloris: a frame trickled byte by byte is no traffic, idleMs closes it', async () => {
  const c = await connect();
  c.sock.write(encodeFrame(probe())); // authenticated first: only idleMs can end it
  const frame = encodeFrame(new Uint8Array(600).fill(1));
  let i = 0;
  const t = setInterval(() => i < frame.length && c.sock.write(frame.subarray(i, ++i)), 50);
  const ms = await c.closed;
  clearInterval(t);
  assert.ok(ms >= 1900 && ms < 6000, `closed after ${ms} ms`);
  assert.equal(count('stream_closed_idle'), 1);
});

test('frames that fail authentication close the connection; a silent one goes at authMs', async () => {
  const junk = await connect();
  for (let k = 0; k < 6; k++) junk.sock.write(encodeFrame(new Uint8Array(100).fill(k)));
  await junk.closed;
  const silent = await connect();
  const ms = await silent.closed;
  assert.ok(ms >= 900 && ms < 5000, `silent closed after ${ms} ms`);
  assert.equal(count('stream_closed_unauthenticated'), 2);
  assert.ok(rdv.server.counters.sum('drop_') >= 5, 'each junk frame dropped like a junk datagram');
});

test('an honest connection is answered over the stream: probe ack, STUN answer', async () => {
  const c = await connect();
  c.sock.write(encodeFrame(probe()));
  c.sock.write(encodeFrame(bindingRequest().bytes));
  for (let k = 0; k < 50 && c.frames.length < 2; k++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(c.frames.length, 2, 'a probe ack and a STUN answer');
  assert.ok(await isOpen(c));
  c.sock.destroy();
  await c.closed;
});

test('a frame flood beyond framesPerSec/frameBurst is dropped, not served', async () => {
  const c = await connect();
  const before = count('stream_drop_rate');
  c.sock.write(Buffer.concat(Array.from({ length: 20 }, () => encodeFrame(bindingRequest().bytes))));
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(count('stream_drop_rate') - before >= 11, `dropped ${count('stream_drop_rate') - before}`);
  assert.ok(c.frames.length <= 9, `answered ${c.frames.length}`);
  c.sock.destroy();
  await c.closed;
});

test('connection flood: streamsPerSource per address, maxStreams in all', async () => {
  for (let k = 0; k < 20 && rdv.stream!.streams > 0; k++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(rdv.stream!.streams, 0, 'the earlier tests left no stream');
  const held: Client[] = [];
  for (let k = 0; k < 5; k++) held.push(await connect('127.0.0.1', true));
  await new Promise((r) => setTimeout(r, 200));
  const open1 = await Promise.all(held.map(isOpen));
  assert.equal(open1.filter(Boolean).length, 3);
  assert.equal(count('stream_refused_source'), 2);
  for (const a of ['127.0.0.2', '127.0.0.2', '127.0.0.2', '127.0.0.3', '127.0.0.3'])
    held.push(await connect(a, true));
  await new Promise((r) => setTimeout(r, 200));
  const open2 = await Promise.all(held.map(isOpen));
  assert.equal(open2.filter(Boolean).length, 6, 'maxStreams');
  assert.equal(count('stream_refused_full'), 2);
  for (const c of held) c.sock.destroy();
  await Promise.all(held.map((c) => c.closed));
});
