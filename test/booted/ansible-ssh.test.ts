/**
 * The Ansible role (ansible/site.yml, role p2p_update) over SSH against two booted Debian 13
 * containers, with `p2p_update_manage_services: true`: the role installs the .deb with apt,
 * enrolls each node at a real `p2p-update enroll-server` (policy auto, a shared token; the
 * server runs in the bed's hub, where ansible-playbook runs), writes the configs in open
 * mode (no cluster key), and starts the services under systemd; n1 also runs the
 * rendezvous that n2's natm registers with. A second run changes nothing. Then, on the same
 * two nodes, an update from n1 to n2 and n2's daemons killed during a download, n2 powered
 * off and catching up (download-cases.ts).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEnrollServer } from '../e2e/harness/enroll-server.ts';
import { BIN } from '../e2e/harness/paths.ts';
import { run } from '../e2e/harness/run.ts';
import { buildDeb, REPO } from '../pkg/trixie-root.ts';
import { AnsibleRunner } from './harness/ansible.ts';
import { Bed } from './harness/bed.ts';
import type { Container } from './harness/container.ts';
import { USERS } from './harness/p2pu-node.ts';
import { downloadCases } from './download-cases.ts';
import { unitProps, waitForLine } from './harness/systemd.ts';

const TOKEN = 'booted-ansible-token-2026';
const NODES = ['n1', 'n2'] as const;

describe(
  'Ansible role p2p_update over SSH against booted Debian 13 containers',
  { timeout: 1_200_000 },
  () => {
    let bed: Bed | undefined;
    let built: { deb: string; dir: string } | undefined;
    let ansible: AnsibleRunner | undefined;
    let vars: Record<string, unknown> = {};
    let caDir = '';
    let failed = false;
    const c = (n: string) => bed!.containers.get(n) as Container;
    const t = (name: string, fn: () => Promise<void>) =>
      it(name, async () => {
        try {
          await fn();
        } catch (e) {
          failed = true;
          throw e;
        }
      });

    before(async () => {
      built = buildDeb();
      bed = await Bed.create({ prefix: 'p2ps-a-' });
      for (const n of NODES) await bed.boot(n);
      const dir = join(bed.runDir, 'enroll');
      caDir = join(dir, 'ca');
      mkdirSync(dir);
      const init = await run(BIN, ['ca', 'init', '--dir', caDir, '--cluster', 'booted'], {
        timeoutMs: 30_000,
      });
      const fingerprint =
        /fingerprint (SHA256:\S+) /.exec(init)?.[1] ?? assert.fail(`no fingerprint: ${init}`);
      const server = await startEnrollServer(bed.procs, bed.lan.hubNs, {
        caDir,
        dir,
        host: bed.lan.hubIp,
        port: 8470,
        policy: 'auto',
        tokens: [{ token: TOKEN, once: false, label: 'ansible' }],
        adminPassword: 'booted-admin-password',
      });
      await run(BIN, ['keygen', '--out', join(bed.runDir, 'admin-2026')], { timeoutMs: 30_000 });
      // n1 is a node and the fleet's rendezvous (all three services); n2 a node only.
      ansible = AnsibleRunner.create(
        bed,
        { p2p_update_nodes: [...NODES], p2p_update_rendezvous: [] },
        { n1: { p2p_update_services: ['manager', 'natm', 'rendezvous'] } },
      );
      vars = {
        p2p_update_deb: built.deb,
        p2p_update_admin_public_keys: [join(bed.runDir, 'admin-2026.pub')],
        p2p_update_cluster_keys: [],
        p2p_update_enroll_server: server.url,
        p2p_update_enroll_token: TOKEN,
        p2p_update_enroll_ca_fingerprint: fingerprint,
        // Plain HTTP on the bed's hub, off the nodes: allowed explicitly; the fingerprint pins the CA.
        p2p_update_enroll_insecure: true,
        p2p_update_enroll_timeout: '60s',
        p2p_update_rendezvous_servers: [`${bed.ip('n1')}:3478`],
        p2p_update_manage_services: true,
        // The containers have no route to Debian's mirror: apt resolves from the base root's
        // lists (and its cached .debs), so the role must not refresh them.
        p2p_update_apt_cache_valid_time: 315_360_000,
      };
    });
    after(async () => {
      await bed?.destroy({ keepLogs: failed });
      if (built) rmSync(built.dir, { recursive: true, force: true });
    });

    const play = () => ansible!.playbook(join(REPO, 'ansible/site.yml'), [vars]);
    const services = (n: string) => (n === 'n1' ? ['manager', 'natm', 'rendezvous'] : ['manager', 'natm']);

    t('ansible-playbook over SSH installs, enrolls, configures and starts both nodes', async () => {
      const t0 = Date.now();
      const r = await play();
      process.stderr.write(`booted: first ansible run ${Date.now() - t0} ms\n`);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      for (const n of NODES) {
        assert.match(
          r.stdout,
          new RegExp(`${n}\\s+: ok=\\d+\\s+changed=[1-9]\\d*\\s+unreachable=0\\s+failed=0`),
          r.stdout,
        );
        assert.match(
          r.stdout,
          new RegExp(`p2p-update \\d+\\.\\d+\\.\\d+ on ${n}: ${services(n).join(', ')}"`),
        );
      }
    });

    t(
      'each node runs its services under systemd, enabled, unprivileged, with its certificate id',
      async () => {
        const ca = JSON.parse((await run(BIN, ['ca', 'list', '--dir', caDir, '--json'])).trim()) as {
          nodes: { nodeId: string; owner: string }[];
        };
        assert.deepEqual(ca.nodes.map((x) => x.owner).sort(), [...NODES]);
        for (const n of NODES) {
          for (const s of services(n)) {
            const p = await unitProps(c(n), `p2p-update-${s}.service`);
            assert.deepEqual([p['ActiveState'], p['UnitFileState']], ['active', 'enabled'], `${n} ${s}`);
            const user = (await c(n).must(['ps', '-o', 'user=', '-p', p['MainPID']!])).trim();
            assert.equal(user, USERS[s as keyof typeof USERS], `${n} ${s}`);
          }
          const natm = JSON.parse(await c(n).readFile('/etc/p2p-update/natm.json')) as Record<
            string,
            unknown
          >;
          assert.equal(natm['id'], ca.nodes.find((x) => x.owner === n)?.nodeId, n);
          assert.equal('clusterKeys' in natm, false, 'open mode');
          await waitForLine(c(n), 'p2p-update-natm.service', /"msg":"external endpoint learned"/);
          await waitForLine(c(n), 'p2p-update-manager.service', /"msg":"natm connected"/);
        }
        // n2's natm learned its endpoint from n1's rendezvous, across the LAN
        const learned = await waitForLine(
          c('n2'),
          'p2p-update-natm.service',
          /"msg":"external endpoint learned"/,
        );
        assert.match(
          learned,
          new RegExp(`"rendezvous":\\{"address":"${bed!.ip('n1').replace(/\./g, '\\.')}","port":3478\\}`),
        );
      },
    );

    t('a second run changes nothing', async () => {
      const pids = await Promise.all(NODES.map((n) => unitProps(c(n), 'p2p-update-manager.service')));
      const t0 = Date.now();
      const r = await play();
      process.stderr.write(`booted: second ansible run ${Date.now() - t0} ms\n`);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      for (const [i, n] of NODES.entries()) {
        assert.match(
          r.stdout,
          new RegExp(`${n}\\s+: ok=\\d+\\s+changed=0\\s+unreachable=0\\s+failed=0`),
          r.stdout,
        );
        const p = await unitProps(c(n), 'p2p-update-manager.service');
        assert.equal(p['MainPID'], pids[i]!['MainPID'], `${n}: the manager was not restarted`);
      }
      assert.ok(readFileSync(join(bed!.runDir, 'ansible/inventory.ini'), 'utf8').includes('ansible_host='));
    });

    downloadCases(t, {
      c,
      admin: () => ({
        key: join(bed!.runDir, 'admin-2026.key'),
        pub: readFileSync(join(bed!.runDir, 'admin-2026.pub'), 'utf8'),
      }),
      dir: () => join(bed!.runDir, 'releases'),
    });
  },
);
