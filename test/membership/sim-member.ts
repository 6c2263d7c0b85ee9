/**
 * Test helper: an enrolled node on the simulated network, in open mode — NatmNode with the
 * node's own signing key as envelope, registered under its cluster's namespace, and a
 * SecureOverlay (certificates) on top, as agent/natm/main.ts wires it with identityDir.
 * Certificates are made for NOW (fixtures.ts): the overlay's clock is NOW + simulated time
 * elapsed since `t0`.
 */
import { silentLogger } from '../../agent/lib/common/logger.ts';
import { clusterNamespace } from '../../agent/lib/membership/namespace.ts';
import { RevocationState } from '../../agent/lib/membership/revocation-state.ts';
import { SecureOverlay } from '../../agent/lib/membership/secure-overlay.ts';
import type { NatBox } from '../../agent/lib/simnet/nat-box.ts';
import type { SimHost } from '../../agent/lib/simnet/sim-host.ts';
import { natmConfig } from '../../agent/natm/config.ts';
import { NatmNode } from '../../agent/natm/natm-node.ts';
import type { SimWorld } from '../natm/sim-world.ts';
import { NOW, random, type TestCa, type TestNode } from './fixtures.ts';

export interface SimMember {
  node: TestNode;
  natm: NatmNode;
  overlay: SecureOverlay;
  host: SimHost;
}

export type Where = 'open' | 'nat' | { nat: NatBox; isolated?: boolean };

export function addMember(
  w: SimWorld,
  ca: TestCa,
  node: TestNode,
  t0: number,
  where: Where = 'open',
  over: Record<string, unknown> = {},
): SimMember {
  const host =
    where === 'open'
      ? w.net.addHost(w.publicAddress())
      : where === 'nat'
        ? w.net.addHost('10.1.0.2', w.net.addNat(w.publicAddress(), 'port-restricted'))
        : w.net.addHost(w.lanAddress(where.nat), where.nat, where.isolated ?? false);
  const cfg = natmConfig({
    id: node.nodeId,
    identityDir: '/unused-in-simulation',
    rendezvous: w.rdvEps.map((e) => `${e.address}:${e.port}`),
    ...over,
  });
  const natm = new NatmNode(
    {
      socket: host.bind(4000),
      sealer: w.signedFramer(node.sign),
      clock: w.clock,
      logger: silentLogger(),
      namespace: clusterNamespace(ca.publicKey, ca.cluster),
    },
    cfg,
  );
  natm.start();
  w.nodes.set(node.nodeId, natm);
  w.hosts.set(node.nodeId, host);
  const overlay = new SecureOverlay(
    { link: natm, clock: { now: () => NOW + w.clock.now() - t0 }, random, revocation: new RevocationState() },
    { identity: node.identity, ca, cluster: ca.cluster, signKey: node.sign.privateKey },
  );
  // What secureNatm does every connectMs: open sessions with natm peers not yet proven.
  w.clock.setInterval(() => overlay.connect(), 5000);
  return { node, natm, overlay, host };
}
