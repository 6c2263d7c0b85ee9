/**
 * Real processes' wiring on loopback UDP: a rendezvous and two natm instances started
 * by startNatm with `identityDir` (enrolled state dirs). App messages go through
 * certificate sessions; a revocation notice cuts the revoked node off. Run twice: open
 * mode (no clusterKeys anywhere: the rendezvous holds no secret) and with a cluster key.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaStore } from '../../agent/lib/ca/ca-store.ts';
import { natmConfig } from '../../agent/natm/config.ts';
import { startNatm, type NatmProcess } from '../../agent/natm/main.ts';
import { rendezvousConfig } from '../../agent/rendezvous/config.ts';
import { startRendezvous, type RendezvousProcess } from '../../agent/rendezvous/main.ts';
import { KEY } from '../natm/sim-world.ts';
import { enrolledDir } from './enrolled-dir.ts';

async function waitFor<T>(what: string, fn: () => T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const mode of ['open', 'cluster-key'] as const)
  describe(`natm with identityDir on loopback UDP (${mode})`, () => {
    const keys = mode === 'open' ? {} : { clusterKeys: [KEY] };
    let tmp: string;
    let ca: CaStore;
    let rdv: RendezvousProcess;
    const procs: NatmProcess[] = [];
    const ids: string[] = [];

    async function enrolled(name: string): Promise<string> {
      const dir = join(tmp, name);
      const keys = await enrolledDir(ca, dir, { cluster: 'loop', owner: name });
      ids.push(keys.nodeId);
      return dir;
    }

    before(async () => {
      tmp = await mkdtemp(join(tmpdir(), 'p2pu-natm-identity-'));
      await CaStore.init(join(tmp, 'ca'), { cluster: 'loop' });
      ca = await CaStore.open(join(tmp, 'ca'));
      rdv = await startRendezvous(
        rendezvousConfig({
          id: 'rdv',
          listen: '127.0.0.1:0',
          ...(mode === 'open' ? { open: true } : keys),
          logLevel: 'silent',
        }),
      );
      const rdvEp = `127.0.0.1:${rdv.socket.local().port}`;
      for (const name of ['a', 'b']) {
        const dir = await enrolled(name);
        const cfg = natmConfig({
          id: ids[ids.length - 1],
          listen: '127.0.0.1:0',
          ...keys,
          rendezvous: [rdvEp],
          identityDir: dir,
          keepaliveMs: 300,
          logLevel: 'silent',
        });
        procs.push(await startNatm(cfg));
      }
    });

    after(async () => {
      for (const p of procs) await p.stop();
      await rdv?.stop();
      await rm(tmp, { recursive: true, force: true });
    });

    it('messages flow with proven ids, state records are signed; after a revocation notice they stop', async () => {
      const [a, b] = procs as [NatmProcess, NatmProcess];
      assert.notEqual(a.overlay, a.node, 'identityDir puts SecureOverlay over the node');
      if (mode === 'open') {
        const st = rdv.server.stats() as { open: boolean; namespaces: Record<string, unknown> };
        assert.equal(st.open, true);
        assert.deepEqual(Object.keys(st.namespaces).length, 1, 'one cluster, one namespace');
      }
      await waitFor('peers to learn each other', () => a.node.peer(ids[1]!) && b.node.peer(ids[0]!));
      const got: string[] = [];
      b.overlay.onMessage((from, p) => got.push(`${from}:${Buffer.from(p).toString()}`));
      await waitFor('a message a → b', () => {
        a.overlay.send(ids[1]!, Buffer.from('hello'));
        return got.includes(`${ids[0]}:hello`) || undefined;
      });
      // State records are signed with the node's certificate key in the running process (main.ts wiring).
      a.gossip.node.setState({ applied: { 'p2pu://fw': 3 }, current: null });
      const row = await waitFor("a's signed state record at b", () =>
        b.gossip.members().members.find((m) => m.id === ids[0] && m.signed),
      );
      assert.deepEqual(row.applied, { 'p2pu://fw': 3 });
      const { notice } = await ca.revoke(ids[0]!);
      assert.deepEqual(b.membership!.acceptNotice(notice), { ok: true, revoked: [ids[0]] });
      const before = got.length;
      for (let k = 0; k < 10; k++) {
        a.overlay.send(ids[1]!, Buffer.from(`after ${k}`));
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(got.length, before, 'b hears nothing from revoked a');
      assert.equal(b.overlay.send(ids[0]!, Buffer.from('x')), false);
    });

    it('a natm id that is not the certificate node id is refused at start-up', async () => {
      const cfg = natmConfig({
        id: 'not-the-cert-id',
        listen: '127.0.0.1:0',
        ...keys,
        rendezvous: ['127.0.0.1:9'],
        identityDir: join(tmp, 'a'),
        logLevel: 'silent',
      });
      await assert.rejects(startNatm(cfg), { code: 'CONFIG' });
    });

    it('a start that fails after the stats and IPC sockets opened closes both', async () => {
      const notAdir = join(tmp, `not-a-dir-${mode}`);
      await writeFile(notAdir, 'x');
      const statsSocket = join(tmp, `stats-${mode}.sock`);
      const ipcSocket = join(tmp, `ipc-${mode}.sock`);
      const cfg = natmConfig({
        id: ids[0],
        listen: '127.0.0.1:0',
        ...keys,
        rendezvous: ['127.0.0.1:9'],
        identityDir: join(tmp, 'a'),
        noticesDir: notAdir,
        statsSocket,
        ipcSocket,
        logLevel: 'silent',
      });
      await assert.rejects(startNatm(cfg));
      assert.equal(existsSync(ipcSocket), false, 'IPC socket removed');
      assert.equal(existsSync(statsSocket), false, 'stats socket removed');
    });
  });
