/**
 * Real processes on loopback: a rendezvous and four natm processes (gossip wired in, via
 * `p2p-update natm`), each with a test-side manager on its IPC socket that verifies
 * notifications with the real torrent-file++ verifier (docs/protocol/ipc.md: notification →
 * relay | verdict; state). A signed torrent-file++ published at n1 reaches every node;
 * one signed by an unknown key is refused and spread no further; `p2p-update members
 * --json` on any node lists all four with their applied versions; a `have` on one node
 * becomes a `peers` list on another.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { after, test } from 'node:test';
import type { PublicKey } from '../../agent/lib/crypto/keys.ts';
import { verifyTorrentPlusPlus } from '../../agent/lib/metainfo/verify.ts';
import { makeAdmin, makeTorrent } from '../helpers/fixtures.ts';
import { freeUdpPort, Procs, waitFor } from '../natm/procs.ts';
import { KEY } from '../natm/sim-world.ts';

const procs = await new Procs().init();
const managers: TestManager[] = [];
after(async () => {
  for (const m of managers) m.close();
  await procs.cleanup();
});

type Msg = Record<string, unknown> & { type: string };

/** A minimal manager: hello, verify every notification, relay or refuse, publish state. */
class TestManager {
  readonly got: Msg[] = [];
  readonly applied: Record<string, number> = {};
  private sock!: net.Socket;
  constructor(
    readonly id: string,
    private readonly trusted: PublicKey[],
    readonly btPort: number,
  ) {}

  async connect(path: string): Promise<void> {
    this.sock = net.connect(path);
    await new Promise<void>((resolve, reject) => this.sock.once('connect', resolve).once('error', reject));
    this.sock.on('error', () => undefined);
    let buf = '';
    this.sock.on('data', (d) => {
      buf += d.toString('utf8');
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const m = JSON.parse(buf.slice(0, nl)) as Msg;
        buf = buf.slice(nl + 1);
        this.got.push(m);
        if (m.type === 'notification') void this.onNotification(m);
      }
    });
    this.send({ type: 'hello', agentVersion: '0.1.0-loopback', btPort: this.btPort });
  }

  send(m: object): void {
    this.sock.write(`${JSON.stringify(m)}\n`);
  }

  /** The admin publishes on this node: relay the verified torrent (as the manager does). */
  async publish(raw: Uint8Array): Promise<string> {
    const v = await verifyTorrentPlusPlus(raw, { trusted: this.trusted, now: Date.now() });
    const id = createHash('sha256').update(raw).digest('hex');
    this.accept(id, raw, v.uri, v.version, v.infoHash);
    return id;
  }

  private accept(id: string, raw: Uint8Array, uri: string, version: number, infoHash: string): void {
    const torrent = Buffer.from(raw).toString('base64');
    this.send({ type: 'relay', id, uri, version, infoHash, torrent });
    this.applied[uri] = version;
    this.send({ type: 'state', applied: this.applied, current: null });
  }

  private async onNotification(m: Msg): Promise<void> {
    const raw = new Uint8Array(Buffer.from(String(m.torrent), 'base64'));
    try {
      const v = await verifyTorrentPlusPlus(raw, { trusted: this.trusted, now: Date.now() });
      this.accept(String(m.id), raw, v.uri, v.version, v.infoHash);
    } catch (e) {
      const code = (e as { code?: string }).code ?? 'MALFORMED';
      this.send({ type: 'verdict', id: m.id, accepted: false, code, reason: (e as Error).message });
    }
  }

  close(): void {
    this.sock?.destroy();
  }
}

const ids = ['n1', 'n2', 'n3', 'n4'];
/** Gossip usually delivers in a second; a node missed by it (e.g. briefly suspected on a
 * loaded machine) gets it by anti-entropy within one 30 s push-pull interval. */
const LONG = 45_000;
const stats = (id: string) => `${procs.dir}/${id}-stats.sock`;

async function members(
  id: string,
): Promise<
  Array<{ id: string; status: string; applied: Record<string, number>; agentVersion: string | null }>
> {
  const [code, out] = await procs.run(process.execPath, [
    new URL('../../bin/p2p-update', import.meta.url).pathname,
    'members',
    '--json',
    '--socket',
    stats(id),
  ]);
  assert.equal(code, 0, out);
  return JSON.parse(out);
}

test('natm processes gossip a real torrent-file++ and show the fleet with versions', async () => {
  const admin = await makeAdmin();
  const stranger = await makeAdmin();
  const rdvPort = await freeUdpPort();
  const rdvCfg = await procs.file('rdv.json', {
    id: 'rdv1',
    listen: `127.0.0.1:${rdvPort}`,
    clusterKeys: [KEY],
    statsSocket: `${procs.dir}/rdv-stats.sock`,
    logLevel: 'warn',
  });
  procs.cli(['rendezvous', '--config', rdvCfg]);
  for (const id of ids) {
    const cfg = await procs.file(`${id}.json`, {
      id,
      listen: '127.0.0.1:0',
      clusterKeys: [KEY],
      rendezvous: [`127.0.0.1:${rdvPort}`],
      statsSocket: stats(id),
      ipcSocket: `${procs.dir}/${id}-ipc.sock`,
      keepaliveMs: 500,
      logLevel: 'warn',
    });
    procs.cli(['natm', '--config', cfg]);
  }
  for (const id of ids) {
    const m = new TestManager(id, [admin.pub], 51001 + managers.length);
    managers.push(m);
    await waitFor(`${id} IPC socket`, () =>
      m.connect(`${procs.dir}/${id}-ipc.sock`).then(
        () => true,
        () => undefined,
      ),
    );
  }
  // Membership: every node sees the other three alive (SWIM over natm's paths).
  for (const id of ids)
    await waitFor(
      `${id} to see 4 alive members`,
      async () => {
        const ms = await members(id).catch(() => []);
        return ms.filter((m) => m.status === 'alive').length === 4 || undefined;
      },
      LONG,
    );

  const good = await makeTorrent(procs.dir, admin, { uri: 'app:/opt/demo', version: 3, file: 'good.bin' });
  const bad = await makeTorrent(procs.dir, stranger, { uri: 'app:/opt/demo', version: 4, file: 'bad.bin' });
  const goodId = await managers[0]!.publish(good.bytes);
  for (const m of managers.slice(1))
    await waitFor(
      `${m.id} to get the notification`,
      () => m.got.find((x) => x.type === 'notification' && x.id === goodId),
      LONG,
    );
  for (const m of managers.slice(1)) {
    const n = m.got.find((x) => x.type === 'notification' && x.id === goodId)!;
    assert.deepEqual(new Uint8Array(Buffer.from(String(n.torrent), 'base64')), good.bytes, 'byte-identical');
  }

  // The fleet view on n4 shows every node at version 3.
  for (const id of ['n4', 'n2'])
    await waitFor(
      `${id} to list every node at app:/opt/demo@3`,
      async () => {
        const ms = await members(id);
        return (ms.length === 4 && ms.every((m) => m.applied['app:/opt/demo'] === 3)) || undefined;
      },
      LONG,
    );
  const view = await members('n2');
  assert.deepEqual(
    view.map((m) => m.id),
    ids,
  );
  assert.ok(view.every((m) => m.status === 'alive' && m.agentVersion === '0.1.0-loopback'));

  // BitTorrent peers: n1 seeds the payload, n3 starts fetching it: n3's manager is told
  // n1's endpoint (ipc.md `have` → `peers`).
  const ih = 'cd'.repeat(20);
  managers[0]!.send({ type: 'have', infoHash: ih, complete: true });
  managers[2]!.send({ type: 'have', infoHash: ih, complete: false });
  const peers = await waitFor(
    'n3 to get the BitTorrent peers of the payload',
    () =>
      managers[2]!.got.find(
        (x) => x.type === 'peers' && x.infoHash === ih && (x.peers as unknown[]).length > 0,
      ),
    LONG,
  );
  assert.deepEqual(peers.peers, [{ ip: '127.0.0.1', port: 51001 }]);

  // A torrent signed by an unknown key, relayed by n1's (compromised) manager, is refused by
  // every other manager and therefore never spread beyond n1's direct fetchers.
  const badId = createHash('sha256').update(bad.bytes).digest('hex');
  managers[0]!.send({
    type: 'relay',
    id: badId,
    uri: 'app:/opt/demo',
    version: 4,
    infoHash: 'ef'.repeat(20),
    torrent: Buffer.from(bad.bytes).toString('base64'),
  });
  for (const m of managers.slice(1))
    await waitFor(
      `${m.id} to refuse the stranger's torrent`,
      () => m.got.find((x) => x.type === 'notification' && x.id === badId),
      LONG,
    );
  await new Promise((r) => setTimeout(r, 3000));
  for (const m of managers.slice(1)) {
    const notes = m.got.filter((x) => x.type === 'notification' && x.id === badId);
    assert.equal(notes.length, 1, `${m.id} was offered it once`);
    assert.equal(notes[0]!.from, 'n1', `${m.id} fetched it from n1 only: no refusing node serves it`);
  }
  const afterRefusal = await members('n3');
  assert.ok(
    afterRefusal.every((m) => m.applied['app:/opt/demo'] === 3),
    'nobody applied version 4',
  );
});
