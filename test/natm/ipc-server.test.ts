/** IpcServer (docs/protocol/ipc.md) on a real Unix socket: hello-ack, typed events, bounded lines. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { Counters } from '../../agent/lib/net/counters.ts';
import { IpcServer } from '../../agent/natm/ipc-server.ts';
import { waitFor } from './procs.ts';

test('hello → hello-ack, events typed, long lines and bad frames dropped, connection kept', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'p2pn-ipc-'));
  const counters = new Counters();
  const ipc = new IpcServer(
    { logger: silentLogger(), counters },
    { path: join(dir, 'natm.sock'), nodeId: 'node-1', maxLine: 200 },
  );
  try {
    await ipc.start();
    await ipc.start(); // idempotent
    assert.equal((await stat(join(dir, 'natm.sock'))).mode & 0o777, 0o660);
    const relays: string[] = [];
    ipc.on('relay', (m) => relays.push(m.uri));
    assert.equal(ipc.send({ type: 'peers', infoHash: 'ab', peers: [] }), false, 'no manager yet');
    const c = net.connect(join(dir, 'natm.sock'));
    let got = '';
    c.setEncoding('utf8');
    c.on('data', (d) => (got += d));
    await new Promise((r) => c.once('connect', r));
    c.write(`${'x'.repeat(500)}\n`); // over maxLine
    c.write('{"type":"relay","id":"zz"}\n'); // malformed fields
    c.write('{"type":"hello","agentVersion":"1","btPort":51413}\n');
    c.write(
      `${JSON.stringify({ type: 'relay', id: 'ab'.repeat(32), uri: 'u:1', version: 2, infoHash: 'cd'.repeat(20), torrent: 'AA==' })}\n`,
    );
    await waitFor(
      'hello-ack and relay',
      () => (got.includes('\n') && relays.length === 1) || undefined,
      5000,
    );
    assert.deepEqual(JSON.parse(got.split('\n')[0]!), { type: 'hello-ack', nodeId: 'node-1' });
    assert.deepEqual(relays, ['u:1']);
    assert.equal(counters.get('ipc_bad_frames'), 2);
    assert.equal(
      ipc.send({ type: 'notification', id: 'ab'.repeat(32), torrent: Uint8Array.of(0), from: 'n2' }),
      true,
    );
    await waitFor('notification', () => got.includes('"notification"') || undefined, 5000);
    c.destroy();
  } finally {
    await ipc.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a hello without a BitTorrent port makes the client the manager; members is answered to anyone', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'p2pn-ipc-'));
  const counters = new Counters();
  const path = join(dir, 'natm.sock');
  const ipc = new IpcServer({ logger: silentLogger(), counters }, { path, nodeId: 'node-1' });
  const hellos: (number | null)[] = [];
  ipc.on('hello', (m) => hellos.push(m.btPort));
  ipc.serveMembers(() => ({ type: 'members', nodeId: 'node-1', now: 5, members: [{ id: 'node-1' }] }));
  try {
    await ipc.start();
    const c = net.connect(path);
    let got = '';
    c.setEncoding('utf8');
    c.on('data', (d) => (got += d));
    await new Promise((r) => c.once('connect', r));
    c.write('{"type":"hello","agentVersion":"1","btPort":null}\n{"type":"members"}\n');
    await waitFor('hello-ack and members', () => got.split('\n').length > 2 || undefined, 5000);
    const [ack, members] = got.split('\n').map((l) => (l ? JSON.parse(l) : null));
    assert.deepEqual(ack, { type: 'hello-ack', nodeId: 'node-1' });
    assert.deepEqual(members, { type: 'members', nodeId: 'node-1', now: 5, members: [{ id: 'node-1' }] });
    assert.deepEqual(hellos, [null]);
    assert.equal(counters.get('ipc_bad_frames'), 0);
    const note = {
      type: 'notification',
      id: 'ab'.repeat(32),
      torrent: Uint8Array.of(1),
      from: 'n2',
    } as const;
    assert.equal(ipc.send(note), true, 'notifications reach a manager that does not know its port yet');
    c.destroy();
  } finally {
    await ipc.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
