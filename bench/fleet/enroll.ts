/**
 * Certificates for the fleet (`--trust cert`), made as the e2e harness makes them
 * (test/e2e/harness/enrollment.ts) and an operator would (docs/security.md §CA and
 * enrollment): `p2p-update ca init`, a real enrollment server on the rendezvous host
 * (policy auto, one one-time token per agent naming it as owner), and `p2p-update enroll`
 * run inside each agent's namespace, i.e. through its NAT. The server is stopped once
 * every agent holds its certificate (natm then runs without enrollServer: no CRL refresh).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startEnrollServer } from '../../test/e2e/harness/enroll-server.ts';
import { nsRun, run } from '../../test/e2e/harness/run.ts';
import { pool } from '../net/star-build.ts';
import type { Cli } from '../propagation/manager-swarm.ts';
import { agentFiles } from './agents.ts';
import type { FleetTopology } from './topology.ts';

const ENROLL_PORT = 8470;

/** Enrolls every agent; returns agent name → certificate node id (its natm id). */
export async function enrollFleet(topo: FleetTopology, cli: Cli, parallel = 2): Promise<Map<string, string>> {
  const caDir = join(topo.runDir, 'ca');
  const init = await run(cli[0], [...cli[1], 'ca', 'init', '--dir', caDir, '--cluster', 'fleet'], {
    timeoutMs: 60_000,
  });
  const fingerprint = /fingerprint (SHA256:\S+) /.exec(init)?.[1];
  if (!fingerprint) throw new Error(`no fingerprint in the output of p2p-update ca init: ${init}`);
  const dir = join(topo.runDir, 'enroll');
  mkdirSync(dir, { recursive: true });
  const token = (name: string) => `fleet-one-time-token-${name}`;
  const agents = topo.plan.agents;
  const { url } = await startEnrollServer(topo.procs, topo.plan.rdvNs, {
    caDir,
    dir,
    host: topo.plan.rdvIp,
    port: ENROLL_PORT,
    policy: 'auto',
    tokens: agents.map((a) => ({ token: token(a.name), once: true, owner: a.name, label: a.name })),
    adminPassword: 'fleet-admin-password',
  });
  const ids = new Map<string, string>();
  await pool(agents, parallel, async (a) => {
    const args = [
      'enroll',
      '--server',
      url,
      '--token',
      token(a.name),
      '--dir',
      agentFiles(topo.runDir, a.name).identityDir,
    ];
    const pin = ['--owner', a.name, '--ca-fingerprint', fingerprint, '--insecure', '--timeout', '60s'];
    const out = await nsRun(a.ns, cli[0], [...cli[1], ...args, ...pin], { timeoutMs: 90_000 });
    const id = /enrolled: node ([0-9a-f]{32}) /.exec(out)?.[1];
    if (!id) throw new Error(`${a.name}: no node id in the output of p2p-update enroll: ${out}`);
    ids.set(a.name, id);
  });
  await topo.procs.stop('enroll-server');
  return ids;
}
