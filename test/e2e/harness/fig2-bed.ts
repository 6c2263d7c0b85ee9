/**
 * One Figure 2 bed for a test file: the topology (namespaces with its prefix), the cluster
 * (rendezvous, enrollment server, four nodes started) and the admin's desk, once the
 * overlay has formed. If any of it fails, what was made is destroyed (files kept for the
 * post-mortem) before the error goes on; after success the test's `after` destroys it.
 */
import { join } from 'node:path';
import { Admin } from './admin.ts';
import { Cluster } from './cluster.ts';
import type { ManagerOverrides } from './node-configs.ts';
import { Topology } from './topology.ts';

export interface Fig2Bed {
  readonly topo: Topology;
  readonly cluster: Cluster;
  readonly admin: Admin;
  readonly overlayFormedMs: number;
}

export async function startFig2(
  prefix: string,
  overrides: ManagerOverrides = {},
  net: { readonly ipv6?: boolean } = {},
): Promise<Fig2Bed> {
  const topo = await Topology.create({ prefix, ...net });
  try {
    const cluster = await Cluster.create(topo, overrides);
    const admin = new Admin(join(topo.runDir, 'admin'), cluster.adminKey);
    await cluster.start();
    return { topo, cluster, admin, overlayFormedMs: await cluster.waitOverlay(60_000) };
  } catch (e) {
    await topo.destroy({ keepFiles: true });
    throw e;
  }
}
