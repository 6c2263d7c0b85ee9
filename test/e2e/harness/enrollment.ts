/**
 * The cluster's certificates, made the way an operator makes them (docs/security.md
 * §CA and enrollment), with the real CLI:
 *   p2p-update ca init --dir RUN/ca --cluster fig2
 *   p2p-update enroll-server --config RUN/enroll/enroll.json   (rendezvous host, public side,
 *     policy "auto", one one-time token per node naming its owner n1..n4)
 *   p2p-update enroll --server URL --token T --dir NODE/identity --owner nN --ca-fingerprint FP --insecure
 * run inside each node's namespace (the server speaks plain HTTP on the bed's public segment,
 * hence --insecure; the fingerprint `ca init` printed pins the CA key all the same). Node 4 has no way out at all, so its identity is
 * provisioned at the admin's desk (the same command, run on the public side, with node 4's
 * identity dir) before it goes behind the firewall; its natm gets no enrollServer and
 * learns revocations by gossip only. The natm id of each node is its certificate's node id.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeLayout } from './node-layout.ts';
import { NODE_NAMES, type NodeName } from './plan.ts';
import type { Topology } from './topology.ts';
import { nsRun, run } from './run.ts';
import { BIN } from './paths.ts';
import { startEnrollServer } from './enroll-server.ts';

export const ENROLL_PORT = 8470;
export const CLUSTER_NAME = 'fig2';

export interface Enrollment {
  readonly caDir: string;
  readonly caKeyId: string;
  /** The enrollment server's URL (reachable from nodes 1-3). */
  readonly server: string;
  /** Node name → certificate node id (32 hex digits). */
  readonly ids: Readonly<Record<NodeName, string>>;
}

/** Initialises the CA, starts the enrollment server on the rendezvous host, enrolls every node. */
export async function enrollCluster(topo: Topology): Promise<Enrollment> {
  const p = topo.plan;
  const caDir = join(topo.runDir, 'ca');
  const init = await run(BIN, ['ca', 'init', '--dir', caDir, '--cluster', CLUSTER_NAME], {
    timeoutMs: 30_000,
  });
  const fingerprint = /fingerprint (SHA256:\S+) /.exec(init)?.[1];
  if (!fingerprint) throw new Error(`no fingerprint in the output of p2p-update ca init: ${init}`);
  const caKeyId = (JSON.parse(readFileSync(join(caDir, 'ca.json'), 'utf8')) as { keyId: string }).keyId;

  const dir = join(topo.runDir, 'enroll');
  mkdirSync(dir, { recursive: true });
  const token = (n: NodeName) => `fig2-one-time-token-${n}-${topo.plan.prefix}`;
  const { url: server } = await startEnrollServer(topo.procs, p.ns.rdv, {
    caDir,
    dir,
    host: p.rdvIp,
    port: ENROLL_PORT,
    policy: 'auto',
    tokens: NODE_NAMES.map((n) => ({ token: token(n), once: true, owner: n, label: n })),
    adminPassword: 'fig2-admin-password',
  });

  const enrollOne = async (n: NodeName): Promise<[NodeName, string]> => {
    // node 4 cannot reach the server: provisioned on the public side (see above)
    // (nor can an IPv6-only node of the IPv6 bed: the server listens on IPv4)
    const ns = n === 'n4' || p.nodes[n].family === 6 ? p.ns.rdv : p.nodes[n].ns;
    const args = [
      'enroll',
      '--server',
      server,
      '--token',
      token(n),
      '--dir',
      nodeLayout(topo.runDir, n).identityDir,
    ];
    const pin = ['--ca-fingerprint', fingerprint, '--insecure'];
    const out = await nsRun(ns, BIN, [...args, '--owner', n, ...pin, '--timeout', '60s'], {
      timeoutMs: 90_000,
    });
    const id = /enrolled: node ([0-9a-f]{32}) /.exec(out)?.[1];
    if (!id) throw new Error(`${n}: no node id in the output of p2p-update enroll: ${out}`);
    return [n, id];
  };
  const ids = Object.fromEntries(await Promise.all(NODE_NAMES.map(enrollOne))) as Record<NodeName, string>;
  return { caDir, caKeyId, server, ids };
}

/**
 * The admin revokes node `nodeId` with `p2p-update ca revoke`; returns the path of the
 * CA-signed notice it wrote (read from its output), for gossip.
 */
export async function revoke(e: Enrollment, nodeId: string): Promise<string> {
  const out = await run(BIN, ['ca', 'revoke', nodeId, '--dir', e.caDir], { timeoutMs: 30_000 });
  const path = /notice for gossip: (\S+\.revoke)/.exec(out)?.[1];
  if (!path) throw new Error(`no notice path in the output of p2p-update ca revoke: ${out}`);
  return path;
}
