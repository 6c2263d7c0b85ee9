/**
 * Test helper: the manager's side of natm's IPC with the manager's own client
 * (agent/manager/natm-client.ts, same reconnect backoff), answering each notification as a
 * manager that verified it (`relay`), and publishing made-up notifications. Records when
 * each notification id reached it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { systemClock } from '../../agent/lib/common/clock.ts';
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { NatmClient } from '../../agent/manager/natm-client.ts';

const URI = 'app:/opt/test';
/** Versions of the notifications published in this process, by id (one URI, increasing). */
const versions = new Map<string, number>();
const infoHash = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');

export interface TestManager {
  readonly client: NatmClient;
  /** id → Date.now() when the notification reached this manager (or was published by it). */
  readonly got: Map<string, number>;
}

export function testManager(socketPath: string): TestManager {
  const got = new Map<string, number>();
  const client: NatmClient = new NatmClient(
    {
      clock: systemClock,
      log: silentLogger(),
      onConnect: async () => {},
      onMessage: (m) => {
        if (m.type !== 'notification' || got.has(m.id) || !versions.has(m.id)) return;
        got.set(m.id, Date.now());
        const version = versions.get(m.id)!;
        client.relay({ id: m.id, uri: URI, version, infoHash: infoHash(m.torrent), torrent: m.torrent });
      },
      stateMessage: () => ({ applied: {}, current: null }),
      btPort: async () => 51413,
    },
    { path: socketPath, agentVersion: 'test' },
  );
  client.start();
  return { client, got };
}

/** A new notification relayed by `m` (its natm announces and serves it); its id. */
export function publish(m: TestManager): string {
  const torrent = new Uint8Array(randomBytes(1200));
  const id = createHash('sha256').update(torrent).digest('hex');
  versions.set(id, versions.size + 1);
  m.got.set(id, Date.now());
  m.client.relay({ id, uri: URI, version: versions.get(id)!, infoHash: infoHash(torrent), torrent });
  return id;
}
