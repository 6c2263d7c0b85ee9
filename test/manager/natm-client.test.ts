/**
 * The manager's NatmClient against natm's real IpcServer on a Unix socket, both from the
 * one contract (agent/lib/ipc/contract.ts). The bug it pins: when the daemon cannot tell
 * its BitTorrent port at connect time, the hello carries `btPort: null`; natm used to drop
 * that hello as a bad frame, so overlay notifications never reached the manager.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import type { NatmMessage } from '../../agent/lib/ipc/contract.ts';
import { Counters } from '../../agent/lib/net/counters.ts';
import { FakeClock } from '../../agent/lib/simnet/fake-clock.ts';
import { NatmClient, PORT_RETRY_MS } from '../../agent/manager/natm-client.ts';
import { IpcServer } from '../../agent/natm/ipc-server.ts';
import { waitFor } from '../natm/procs.ts';

test('session-get fails at connect: hello without a port, notifications still arrive, hello again with the port', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'p2pm-natm-'));
  const path = join(dir, 'natm.sock');
  const counters = new Counters();
  const ipc = new IpcServer({ logger: silentLogger(), counters }, { path, nodeId: 'node-1' });
  const hellos: (number | null)[] = [];
  ipc.on('hello', (m) => hellos.push(m.btPort));
  const clock = new FakeClock();
  let port: number | null = null;
  const got: NatmMessage[] = [];
  const client = new NatmClient(
    {
      clock,
      log: silentLogger(),
      onConnect: async () => undefined,
      onMessage: (m) => got.push(m),
      stateMessage: () => ({ applied: {}, current: null }),
      btPort: async () => {
        if (port === null) throw new Error('session-get: 409 twice');
        return port;
      },
    },
    { path, agentVersion: '1.2.3' },
  );
  try {
    await ipc.start();
    client.start();
    await waitFor('hello without a port', () => hellos.length === 1 || undefined, 5000);
    assert.deepEqual(hellos, [null]);
    assert.equal(counters.get('ipc_bad_frames'), 0, 'natm took the hello');
    const torrent = Uint8Array.of(1, 2, 3);
    assert.ok(ipc.send({ type: 'notification', id: 'ab'.repeat(32), torrent, from: 'n2' }));
    await waitFor('notification', () => got.find((m) => m.type === 'notification') ?? undefined, 5000);
    assert.deepEqual(
      got.find((m) => m.type === 'notification'),
      { type: 'notification', id: 'ab'.repeat(32), torrent, from: 'n2' },
    );
    clock.advance(PORT_RETRY_MS);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(hellos, [null], 'still no port: no second hello');
    port = 51413;
    clock.advance(2 * PORT_RETRY_MS);
    await waitFor('hello with the port', () => hellos.length === 2 || undefined, 5000);
    assert.deepEqual(hellos, [null, 51413]);
    clock.advance(10 * PORT_RETRY_MS);
    assert.equal(clock.pending(), 0, 'no more asking once the port is known');
  } finally {
    await client.stop();
    await ipc.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test("the node's tags go in every hello; members() brings natm's fleet view back to the manager", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'p2pm-natm-'));
  const path = join(dir, 'natm.sock');
  const counters = new Counters();
  const ipc = new IpcServer({ logger: silentLogger(), counters }, { path, nodeId: 'node-1' });
  const tags: (string | undefined)[] = [];
  ipc.on('hello', (m) => tags.push(m.tags));
  ipc.serveMembers(() => ({ type: 'members', nodeId: 'node-1', now: 5, members: [{ id: 'node-1' }] }));
  const got: NatmMessage[] = [];
  const client = new NatmClient(
    {
      clock: new FakeClock(),
      log: silentLogger(),
      onConnect: async () => undefined,
      onMessage: (m) => got.push(m),
      stateMessage: () => ({ applied: {}, current: null }),
      btPort: async () => 51413,
    },
    { path, agentVersion: '1.2.3', tags: 'hw=rpi4,ring=canary' },
  );
  try {
    await ipc.start();
    client.start();
    await waitFor('hello', () => tags.length === 1 || undefined, 5000);
    assert.deepEqual(tags, ['hw=rpi4,ring=canary']);
    client.members();
    const m = await waitFor('members reply', () => got.find((x) => x.type === 'members'), 5000);
    assert.deepEqual(m, { type: 'members', nodeId: 'node-1', now: 5, members: [{ id: 'node-1' }] });
    assert.equal(counters.get('ipc_bad_frames'), 0);
  } finally {
    await client.stop();
    await ipc.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
