/**
 * The paper's Figure 2 with booted containers: what runs on the public side and what an
 * operator edits on each node. The rendezvous and the enrollment server are harness-side
 * processes (the repo's CLI) in the topology's rendezvous namespace (198.18.0.3); each
 * node is a container that installed the .deb. natm.json gets the hand edits of its place
 * in the figure: nodes 1-3 its id, the enrollment server and the rendezvous; node 3 also
 * listens on the port the firewall forwards and is the bridge; node 4 (no way out) knows
 * only node 3 (bridgeVia) and has its identity provisioned at the admin's desk, as in
 * test/e2e/harness/enrollment.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEnrollServer } from '../../e2e/harness/enroll-server.ts';
import { RDV_PORT, rendezvousConfig } from '../../e2e/harness/node-configs.ts';
import { BIN, REPO_ROOT } from '../../e2e/harness/paths.ts';
import type { NodeName } from '../../e2e/harness/plan.ts';
import type { ProcessGroup } from '../../e2e/harness/processes.ts';
import { nsRun, run } from '../../e2e/harness/run.ts';
import type { Topology } from '../../e2e/harness/topology.ts';
import type { Container } from './container.ts';
import { editJson, IDENTITY_DIR, USERS } from './p2pu-node.ts';

export const ENROLL_PORT = 8470;

export interface PublicSide {
  readonly enrollUrl: string;
  readonly caFingerprint: string;
  readonly token: (n: NodeName) => string;
}

/** CA, enrollment server (one one-time token per node) and rendezvous, in the rdv namespace. */
export async function startPublicSide(topo: Topology, procs: ProcessGroup, dir: string): Promise<PublicSide> {
  const p = topo.plan;
  mkdirSync(dir, { recursive: true });
  const init = await run(BIN, ['ca', 'init', '--dir', join(dir, 'ca'), '--cluster', 'fig2-booted'], {
    timeoutMs: 30_000,
  });
  const caFingerprint = /fingerprint (SHA256:\S+) /.exec(init)?.[1];
  if (!caFingerprint) throw new Error(`no fingerprint in: ${init}`);
  const token = (n: NodeName) => `fig2-booted-token-${n}`;
  const nodes: NodeName[] = ['n1', 'n2', 'n3', 'n4'];
  const server = await startEnrollServer(procs, p.ns.rdv, {
    caDir: join(dir, 'ca'),
    dir,
    host: p.rdvIp,
    port: ENROLL_PORT,
    policy: 'auto',
    tokens: nodes.map((n) => ({ token: token(n), once: true, owner: n, label: n })),
    adminPassword: 'fig2-booted-admin-password',
  });
  const rdvConfig = join(dir, 'rendezvous.json');
  writeFileSync(rdvConfig, JSON.stringify(rendezvousConfig(p, join(dir, 'rdv-stats.sock')), null, 2));
  procs.spawn('rendezvous', p.ns.rdv, BIN, ['rendezvous', '--config', rdvConfig], { cwd: REPO_ROOT });
  return { enrollUrl: server.url, caFingerprint, token };
}

/**
 * Node 4's identity, made at the admin's desk (the same `p2p-update enroll`, run on the
 * public side into a directory there) and copied into the container, owned by natm's user.
 */
export async function provisionAtDesk(
  topo: Topology,
  c: Container,
  pub: PublicSide,
  dir: string,
): Promise<string> {
  const out = await nsRun(
    topo.plan.ns.rdv,
    BIN,
    [
      ...['enroll', '--server', pub.enrollUrl, '--token', pub.token('n4'), '--dir', dir],
      ...['--owner', c.name, '--ca-fingerprint', pub.caFingerprint, '--insecure', '--timeout', '60s'],
    ],
    { timeoutMs: 90_000 },
  );
  const id = /enrolled: node ([0-9a-f]{32}) /.exec(out)?.[1];
  if (!id) throw new Error(`${c.name}: no node id in: ${out}`);
  const tar = execFileSync('tar', ['-C', dir, '-c', '.'], { maxBuffer: 16 << 20 });
  const owner = `${USERS.natm}:${USERS.natm}`;
  await c.must(['install', '-d', '-o', USERS.natm, '-g', USERS.natm, '-m', '0700', IDENTITY_DIR]);
  await c.must(['tar', '-C', IDENTITY_DIR, '-x', '--no-same-owner'], { input: tar });
  await c.must(['chown', '-R', owner, IDENTITY_DIR]);
  return id;
}

/** natm.json's hand edits for node `n` of Figure 2 (see the file comment). */
export async function editFig2Natm(
  topo: Topology,
  c: Container,
  n: NodeName,
  id: string,
  pub: PublicSide,
): Promise<void> {
  const p = topo.plan;
  const port = p.forwardedUdpPort;
  await editJson(c, '/etc/p2p-update/natm.json', (o) => {
    const { rendezvous: _r, enrollServer: _e, ...rest } = o;
    if (n === 'n4') return { ...rest, id, bridgeVia: `${p.nodes.n3.ip}:${port}` };
    const edits = { id, enrollServer: pub.enrollUrl, rendezvous: [`${p.rdvIp}:${RDV_PORT}`] };
    return n === 'n3'
      ? { ...rest, ...edits, listen: `0.0.0.0:${port}`, bridge: true }
      : { ...rest, ...edits };
  });
}
